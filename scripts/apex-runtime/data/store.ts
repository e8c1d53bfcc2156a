/**
 * The in-memory database of one test method: tables of rows keyed by 18-character Id, seeded from
 * the org fixture, the project's custom metadata and a few metadata-derived setup objects.
 *
 * DML is two-phase so the interpreter can run triggers around it: `prepare*` validates and
 * returns per-row errors (platform StatusCode and message), `commit*` writes the rows that passed.
 * The Store never runs Apex.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ApexDate,
  ApexDatetime,
  ApexError,
  ApexTime,
  SObjectValue,
  decimalWithScale,
  isDecimal,
  isIdShape,
  normalizeId,
  parseDecimal
} from '../values.ts';
import { ConversionError, compareValues, fromExternal, toStored } from './convert.ts';
import { DataNotSupportedError, SchemaError } from './errors.ts';
import {
  base62,
  packageDirectories,
  type FieldDescribe,
  type ObjectDescribe,
  type Schema
} from './schema.ts';
import type { ParsedSoql } from './soql/ast.ts';
import { runQuery, type QueryContext, type QueryResult } from './soql/evaluator.ts';

/** One row's failure, as Database.Error reports it. */
export interface RowError {
  /** Position of the record in the list given to prepare*. */
  index: number;
  statusCode: string;
  message: string;
  fields: string[];
}

/** A stored row. `values` holds every field of the object by canonical name (null when empty). */
export interface StoredRow {
  object: ObjectDescribe;
  id: string;
  values: Map<string, unknown>;
  deleted: boolean;
}

/** Who and when, for system fields. */
export interface DmlContext {
  now: ApexDatetime;
  userId: string;
}

/** Fields the platform sets on every save; DML ignores values a record carries for them. */
const SYSTEM_FIELDS = new Set([
  'id',
  'createddate',
  'createdbyid',
  'lastmodifieddate',
  'lastmodifiedbyid',
  'systemmodstamp',
  'isdeleted'
]);

/** Objects whose Name is derived from FirstName and LastName. */
const COMPOUND_NAME_OBJECTS = new Set(['Lead', 'Contact', 'User']);

function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined)
    return a === b || (a ?? null) === (b ?? null);
  try {
    return compareValues(a, b) === 0 && typeof a === typeof b;
  } catch {
    return false;
  }
}

/** Runtime values (as opposed to JSON forms) that seedRow stores as they are. */
function isRuntimeValue(v: unknown): boolean {
  return (
    v instanceof ApexDatetime ||
    v instanceof ApexDate ||
    v instanceof ApexTime ||
    isDecimal(v) ||
    typeof v === 'bigint'
  );
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Turns a text default that names no field into the field's value (fixture/default values). */
function defaultFor(field: FieldDescribe): unknown {
  const d = field.defaultValue;
  if (d === null) return null;
  if (field.apexType === 'Boolean') return d === true || d === 'true';
  if (field.apexType === 'Decimal') return parseDecimal(String(d));
  if (field.apexType === 'Integer') return Number(d);
  return String(d);
}

export class Store {
  private readonly tables = new Map<string, Map<string, StoredRow>>();
  private readonly byId = new Map<string, StoredRow>();
  private nextId = 1;
  private readonly autoNumbers = new Map<string, number>();
  /** Ids created by the last prepareInsert validation, by record, for commitInsert. */
  private readonly pending = new WeakMap<SObjectValue, Map<string, unknown>>();

  /** The user DML and queries run as (System.runAs changes it). */
  runningUserId: string;
  /** The clock for system fields; the interpreter sets it to its test clock. */
  now: () => ApexDatetime = () => new ApexDatetime(Date.now());

  constructor(readonly schema: Schema) {
    this.runningUserId = schema.org.runningUserId;
    this.seed();
  }

  // -------------------------------------------------------------------------------------------
  // Seeding

  private table(obj: ObjectDescribe): Map<string, StoredRow> {
    const key = obj.name.toLowerCase();
    let t = this.tables.get(key);
    if (!t) {
      t = new Map();
      this.tables.set(key, t);
    }
    return t;
  }

  private emptyRow(obj: ObjectDescribe, id: string): StoredRow {
    const values = new Map<string, unknown>();
    for (const f of obj.fields.values()) values.set(f.name, null);
    values.set('Id', id);
    if (obj.fields.has('isdeleted')) values.set('IsDeleted', false);
    return { object: obj, id, values, deleted: false };
  }

  private putRow(row: StoredRow): void {
    this.table(row.object).set(row.id, row);
    this.byId.set(row.id, row);
  }

  /** A new 18-character Id with the object's key prefix. */
  newId(obj: ObjectDescribe): string {
    for (;;) {
      // prefix + a pod-like "8d" + a base-62 counter: 15 characters, then the checksum suffix.
      const id = normalizeId(`${obj.keyPrefix}8d${base62(this.nextId++, 10)}`);
      if (!this.byId.has(id)) return id;
    }
  }

  /**
   * Stores a row the platform itself creates (fixture records, CronTrigger and AsyncApexJob rows
   * of scheduled or queued jobs) without DML validation. Values may be JSON forms (ISO strings
   * for dates and datetimes) or runtime values. `where` names the origin for error messages.
   * Returns the row's Id.
   */
  seedRow(obj: ObjectDescribe, raw: Record<string, unknown>, where: string): string {
    const id = raw['Id'] ? normalizeId(String(raw['Id'])) : this.newId(obj);
    const row = this.emptyRow(obj, id);
    for (const [name, value] of Object.entries(raw)) {
      if (name === 'Id') continue;
      const field = this.schema.findField(obj, name);
      if (!field) throw new SchemaError(`${where}: no field ${name} on ${obj.name}`);
      if (field.notSupported && value !== null) throw new DataNotSupportedError(field.notSupported);
      try {
        row.values.set(
          field.name,
          isRuntimeValue(value) ? toStored(field, value) : fromExternal(field, value)
        );
      } catch (e) {
        throw new SchemaError(`${where}: ${obj.name}.${field.name}: ${(e as Error).message}`);
      }
    }
    this.fillDerived(obj, row.values);
    this.putRow(row);
    return id;
  }

  /** `seedRow` by object name. */
  insertSystemRow(type: string, raw: Record<string, unknown>, where = 'system'): string {
    return this.seedRow(this.schema.getObject(type), raw, where);
  }

  /** Removes a platform-created row (System.abortJob of a CronTrigger). */
  removeSystemRow(id: string): boolean {
    const row = this.row(id);
    if (!row || row.deleted) return false;
    row.deleted = true;
    return true;
  }

  private seed(): void {
    const org = this.schema.org;
    for (const [type, rows] of org.records) {
      const obj = this.schema.findObject(type);
      if (!obj) throw new SchemaError(`Org fixture: unknown sObject ${type}`, org.file);
      rows.forEach((r, i) => this.seedRow(obj, r, `${org.file}: records.${type}[${i}]`));
    }
    // Custom metadata records.
    for (const obj of this.schema.objects.values()) {
      if (obj.kind !== 'customMetadata') continue;
      for (const rec of this.schema.customMetadataRecords(obj.name)) {
        const row = this.emptyRow(obj, this.newId(obj));
        const label = rec.label;
        row.values.set('DeveloperName', rec.developerName);
        row.values.set('MasterLabel', label);
        row.values.set('Label', label);
        row.values.set('Language', 'en_US');
        row.values.set('QualifiedApiName', rec.developerName);
        row.values.set('NamespacePrefix', this.schema.namespace || null);
        for (const f of obj.fields.values()) {
          if (f.custom && f.apexType === 'Boolean') row.values.set(f.name, defaultFor(f) ?? false);
        }
        for (const [name, raw] of rec.values) {
          const field = raw?.field ?? this.schema.getField(obj, name);
          if (field.notSupported && raw !== null)
            throw new DataNotSupportedError(field.notSupported);
          try {
            row.values.set(field.name, raw === null ? null : fromExternal(field, raw.raw));
          } catch (e) {
            throw new SchemaError(`${obj.name}.${field.name}: ${(e as Error).message}`, rec.source);
          }
        }
        this.putRow(row);
      }
    }
    this.seedFromProjectMetadata();
  }

  /** Setup rows a deployment of the project creates: Apex classes, notification types, ... */
  private seedFromProjectMetadata(): void {
    const { dirs } = packageDirectories(this.schema.projectDir);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        if (e === 'node_modules' || e.startsWith('.')) continue;
        const full = path.join(dir, e);
        if (statSync(full).isDirectory()) walk(full);
        else files.push(full);
      }
    };
    for (const d of dirs) if (existsSync(d)) walk(d);
    const ns = this.schema.namespace || null;
    const tagText = (xml: string, tag: string) =>
      new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
    for (const file of files.sort()) {
      const base = path.basename(file);
      if (base.endsWith('.cls')) {
        this.seedRow(
          this.schema.getObject('ApexClass'),
          { Name: base.slice(0, -4), NamespacePrefix: ns, Status: 'Active', IsValid: true },
          file
        );
      } else if (base.endsWith('.notiftype-meta.xml')) {
        const xml = readFileSync(file, 'utf8');
        const dev = base.replace('.notiftype-meta.xml', '');
        const label = tagText(xml, 'masterLabel') ?? dev;
        this.seedRow(
          this.schema.getObject('CustomNotificationType'),
          {
            DeveloperName: dev,
            MasterLabel: label,
            CustomNotifTypeName: label,
            Description: tagText(xml, 'description') ?? null,
            Desktop: tagText(xml, 'desktop') === 'true',
            Mobile: tagText(xml, 'mobile') === 'true',
            NamespacePrefix: ns
          },
          file
        );
      } else if (base.endsWith('.permissionset-meta.xml')) {
        const xml = readFileSync(file, 'utf8');
        const name = base.replace('.permissionset-meta.xml', '');
        this.seedRow(
          this.schema.getObject('PermissionSet'),
          {
            Name: name,
            Label: tagText(xml, 'label') ?? name,
            Description: tagText(xml, 'description') ?? null,
            IsOwnedByProfile: false,
            IsCustom: true,
            NamespacePrefix: ns,
            Type: 'Regular'
          },
          file
        );
      } else if (base.endsWith('.queue-meta.xml') || base.endsWith('.group-meta.xml')) {
        const xml = readFileSync(file, 'utf8');
        const isQueue = base.endsWith('.queue-meta.xml');
        const dev = base.replace(/\.(queue|group)-meta\.xml$/, '');
        const group = this.schema.getObject('Group');
        const id = this.newId(group);
        this.seedRow(
          group,
          {
            Id: id,
            Name: tagText(xml, 'name') ?? dev,
            DeveloperName: dev,
            Type: isQueue ? 'Queue' : 'Regular'
          },
          file
        );
        if (isQueue) {
          for (const m of xml.matchAll(/<sobjectType>([^<]+)<\/sobjectType>/g)) {
            this.seedRow(
              this.schema.getObject('QueueSobject'),
              { QueueId: id, SobjectType: m[1] },
              file
            );
          }
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** The stored row (deleted rows included), or undefined. Accepts 15- or 18-character Ids. */
  row(id: string): StoredRow | undefined {
    if (!isIdShape(id)) return undefined;
    return this.byId.get(id.length === 18 ? id : normalizeId(id));
  }

  /**
   * The object an Id belongs to: the stored row's when there is one (LeadStatus and
   * OpportunityStage share the 01J prefix), else the object of its key prefix.
   */
  objectOf(id: string): ObjectDescribe | undefined {
    return this.row(id)?.object ?? this.schema.objectForId(id);
  }

  /** Live rows of an object (deleted ones too when `allRows`). */
  rows(obj: ObjectDescribe, allRows = false): StoredRow[] {
    const t = this.tables.get(obj.name.toLowerCase());
    if (!t) return [];
    const out: StoredRow[] = [];
    for (const r of t.values()) if (allRows || !r.deleted) out.push(r);
    return out;
  }

  /** A copy of the stored record with every field (Trigger.old, before-update merges); null if none or deleted. */
  getStored(id: string): SObjectValue | null {
    const r = this.row(id);
    if (!r || r.deleted) return null;
    return this.toSObject(r);
  }

  private toSObject(r: StoredRow): SObjectValue {
    const s = new SObjectValue(r.object.name);
    for (const [k, v] of r.values) s.put(k, v);
    return s;
  }

  /** All records of a custom metadata type as SObjects (for getAll/getInstance), DeveloperName order. */
  customMetadataRows(type: string): SObjectValue[] {
    const obj = this.schema.getObject(type);
    return this.rows(obj)
      .sort((a, b) =>
        String(a.values.get('DeveloperName')).localeCompare(String(b.values.get('DeveloperName')))
      )
      .map((r) => this.toSObject(r));
  }

  /** Runs a parsed query (see soql/evaluator.ts). */
  query(query: ParsedSoql, binds: (bindIndex: number) => unknown, ctx: QueryContext): QueryResult {
    return runQuery(this, query, binds, ctx);
  }

  // -------------------------------------------------------------------------------------------
  // DML helpers

  private ctx(ctx?: DmlContext): DmlContext {
    return ctx ?? { now: this.now(), userId: this.runningUserId };
  }

  private dmlObject(type: string, op: 'Insert' | 'Update' | 'Delete' | 'Undelete'): ObjectDescribe {
    const obj = this.schema.getObject(type);
    const allowed =
      op === 'Insert'
        ? obj.createable
        : op === 'Update'
          ? obj.updateable
          : obj.deletable && obj.kind !== 'customMetadata';
    if (
      !allowed ||
      obj.kind === 'customMetadata' ||
      (obj.kind === 'platformEvent' && op !== 'Insert')
    ) {
      throw new ApexError('System.TypeException', `DML operation ${op} not allowed on ${obj.name}`);
    }
    return obj;
  }

  /** Name compound fields and other values the platform derives from others. */
  private fillDerived(obj: ObjectDescribe, values: Map<string, unknown>): void {
    const n = obj.name;
    if (n === 'Opportunity') this.fillOpportunity(values);
    if (n === 'Lead' || n === 'Contact' || n === 'User') {
      const first = values.get('FirstName');
      const last = values.get('LastName');
      values.set(
        'Name',
        [first, last].filter((x) => typeof x === 'string' && x !== '').join(' ') || null
      );
    }
    if (n === 'Task') {
      const status = values.get('Status');
      values.set('IsClosed', status === 'Completed' || status === 'Deferred');
      values.set('IsHighPriority', values.get('Priority') === 'High');
    }
    if (n === 'Event') this.fillEvent(values);
  }

  /** IsClosed, IsWon, ForecastCategoryName and a missing Probability follow the stage. */
  private fillOpportunity(values: Map<string, unknown>): void {
    const stageName = values.get('StageName');
    const stages = this.schema.findObject('OpportunityStage');
    if (typeof stageName !== 'string' || !stages) return;
    const stage = this.rows(stages).find(
      (r) => String(r.values.get('ApiName')).toLowerCase() === stageName.toLowerCase()
    );
    if (!stage) return;
    values.set('IsClosed', stage.values.get('IsClosed') === true);
    values.set('IsWon', stage.values.get('IsWon') === true);
    values.set('ForecastCategoryName', stage.values.get('ForecastCategoryName') ?? null);
    if (values.get('Probability') === null || values.get('Probability') === undefined) {
      values.set('Probability', stage.values.get('DefaultProbability') ?? null);
    }
  }

  private fillEvent(values: Map<string, unknown>): void {
    const start = (values.get('StartDateTime') ??
      values.get('ActivityDateTime')) as ApexDatetime | null;
    if (start) {
      values.set('StartDateTime', start);
      values.set('ActivityDateTime', start);
      const end = values.get('EndDateTime') as ApexDatetime | null;
      const dur = values.get('DurationInMinutes') as number | null;
      if (end && dur === null)
        values.set('DurationInMinutes', Math.round((end.epochMs - start.epochMs) / 60_000));
      if (!end && dur !== null)
        values.set('EndDateTime', new ApexDatetime(start.epochMs + dur * 60_000));
    }
  }

  /**
   * Defaults the platform applies when a record is created: OwnerId (the running user), picklist
   * and checkbox defaults, literal field defaults. Call before before-insert triggers (the
   * platform fills these before they run); prepareInsert applies them too.
   */
  applyInsertDefaults(type: string, records: SObjectValue[], ctx?: DmlContext): void {
    const obj = this.schema.getObject(type);
    const c = this.ctx(ctx);
    for (const rec of records) {
      for (const f of obj.fields.values()) {
        if (!f.createable) continue;
        const current = rec.isSet(f.name) ? rec.get(f.name) : null;
        if (current !== null) continue;
        if (f.defaultNotSupported) throw new DataNotSupportedError(f.defaultNotSupported);
        if (f.name === 'OwnerId' && f.type === 'reference' && f.defaultedOnCreate) {
          rec.put('OwnerId', c.userId);
        } else if (f.defaultValue !== null && f.createable) {
          rec.put(f.name, defaultFor(f));
        }
      }
    }
  }

  /** Lower-cased value → row Id of a unique field; built once per prepare call. */
  private uniqueIndex: Map<string, Map<string, string>> | null = null;

  private uniqueLookup(obj: ObjectDescribe, f: FieldDescribe): Map<string, string> {
    this.uniqueIndex ??= new Map();
    const key = `${obj.name}.${f.name}`;
    let index = this.uniqueIndex.get(key);
    if (!index) {
      index = new Map();
      for (const r of this.rows(obj)) {
        const value = r.values.get(f.name);
        if (typeof value === 'string') index.set(value.toLowerCase(), r.id);
      }
      this.uniqueIndex.set(key, index);
    }
    return index;
  }

  /** Checks one row's values against the describe; pushes errors. */
  private validate(
    obj: ObjectDescribe,
    values: Map<string, unknown>,
    index: number,
    errors: RowError[],
    selfId: string | null
  ): void {
    const missing: string[] = [];
    for (const f of obj.fields.values()) {
      const v = values.get(f.name) ?? null;
      if (v === null) {
        if (!f.nillable && f.apexType !== 'Boolean' && !f.defaultedOnCreate && f.createable)
          missing.push(f.name);
        continue;
      }
      if (typeof v === 'string') {
        if (
          (f.type === 'string' ||
            f.type === 'textarea' ||
            f.type === 'email' ||
            f.type === 'phone' ||
            f.type === 'url' ||
            f.type === 'picklist') &&
          f.length > 0 &&
          v.length > f.length
        ) {
          errors.push({
            index,
            statusCode: 'STRING_TOO_LONG',
            message: `${f.label}: data value too large: ${v} (max length=${f.length})`,
            fields: [f.name]
          });
        }
        if (f.type === 'email' && !EMAIL_RE.test(v)) {
          errors.push({
            index,
            statusCode: 'INVALID_EMAIL_ADDRESS',
            message: `${f.label}: invalid email address: ${v}`,
            fields: [f.name]
          });
        }
        if ((f.type === 'picklist' || f.type === 'multipicklist') && f.restrictedPicklist) {
          const active = new Set(f.picklistValues.filter((p) => p.active).map((p) => p.value));
          const parts = f.type === 'multipicklist' ? v.split(';') : [v];
          const bad = parts.find((p) => !active.has(p));
          if (bad !== undefined) {
            errors.push({
              index,
              statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              message: `${f.label}: bad value for restricted picklist field: ${bad}`,
              fields: [f.name]
            });
          }
        }
        if (f.apexType === 'Id' && f.type === 'reference') {
          const target = this.row(v);
          const okType = f.referenceTo.some(
            (t) => this.schema.findObject(t)?.keyPrefix === v.slice(0, 3)
          );
          if (!okType) {
            errors.push({
              index,
              statusCode: 'FIELD_INTEGRITY_EXCEPTION',
              message: `${f.label}: id value of incorrect type: ${v}`,
              fields: [f.name]
            });
          } else if (!target || target.deleted) {
            errors.push({
              index,
              statusCode: 'INVALID_CROSS_REFERENCE_KEY',
              message: 'invalid cross reference id',
              fields: [f.name]
            });
          } else if (
            f.name === 'OwnerId' &&
            target.object.name === 'User' &&
            target.values.get('IsActive') === false
          ) {
            errors.push({
              index,
              statusCode: 'INACTIVE_OWNER_OR_USER',
              message: 'owner or user is inactive.',
              fields: []
            });
          }
        }
      }
      if (isDecimal(v) && f.precision > 0) {
        const intDigits = v.abs().truncated().toFixed().replace(/^0$/, '').length;
        if (intDigits > f.precision - f.scale) {
          errors.push({
            index,
            statusCode: 'NUMBER_OUTSIDE_VALID_RANGE',
            message: `${f.label}: value outside of valid range on numeric field: ${v.toFixed()}`,
            fields: [f.name]
          });
        }
      }
      if (f.unique && typeof v === 'string') {
        const dupId = this.uniqueLookup(obj, f).get(v.toLowerCase());
        const dup = dupId !== undefined && dupId !== selfId ? { id: dupId } : null;
        if (dup) {
          errors.push({
            index,
            statusCode:
              obj.name === 'User' && f.name === 'Username'
                ? 'DUPLICATE_USERNAME'
                : 'DUPLICATE_VALUE',
            message:
              obj.name === 'User' && f.name === 'Username'
                ? `Duplicate Username.<br>Another user has already selected this username.<br>Please select another.`
                : `duplicate value found: ${f.name} duplicates value on record with id: ${dup.id}`,
            fields: [f.name]
          });
        }
      }
    }
    if (obj.name === 'Event' && values.get('IsAllDayEvent') !== true) {
      if (values.get('ActivityDateTime') === null && values.get('StartDateTime') === null)
        missing.push('ActivityDateTime');
      if (values.get('DurationInMinutes') === null && values.get('EndDateTime') === null)
        missing.push('DurationInMinutes');
    }
    if (missing.length) {
      errors.unshift({
        index,
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: `Required fields are missing: [${missing.join(', ')}]`,
        fields: missing
      });
    }
  }

  /**
   * Copies the record's fields onto `values` with type checks and scale rounding. Fields the
   * operation may not write are ignored (as the platform ignores read-only fields of a queried
   * record); only a record naming an unknown field or carrying a wrong-typed value fails.
   */
  private mergeRecord(
    obj: ObjectDescribe,
    rec: SObjectValue,
    values: Map<string, unknown>,
    index: number,
    errors: RowError[],
    op: 'insert' | 'update',
    systemWritable: Set<string> = new Set()
  ): void {
    const readOnly: string[] = [];
    for (const name of rec.fieldNames()) {
      if (name.toLowerCase() === 'id') continue;
      const f = this.schema.findField(obj, name);
      if (!f) {
        errors.push({
          index,
          statusCode: 'INVALID_FIELD',
          message: `No such column '${name}' on entity '${obj.name}'`,
          fields: [name]
        });
        continue;
      }
      if (f.notSupported && rec.get(name) !== null) throw new DataNotSupportedError(f.notSupported);
      const writable = op === 'insert' ? f.createable : f.updateable;
      if (!writable && !systemWritable.has(f.name.toLowerCase())) {
        // Fields the platform fills itself, and computed ones, are ignored (a cloned or queried
        // record carries them). Any other read-only field with a value is refused, unless an
        // update leaves it unchanged (a queried record written back).
        const value = rec.get(name);
        if (SYSTEM_FIELDS.has(f.name.toLowerCase()) || f.calculated || f.autoNumber) continue;
        if (f.name === 'Name' && COMPOUND_NAME_OBJECTS.has(obj.name)) continue;
        if (value === null) continue;
        if (op === 'update' && sameValue(value, values.get(f.name))) continue;
        readOnly.push(f.name);
        continue;
      }
      let v: unknown;
      try {
        v = toStored(f, rec.get(name));
      } catch (e) {
        errors.push({
          index,
          statusCode:
            e instanceof ConversionError ? 'INVALID_TYPE_ON_FIELD_IN_RECORD' : 'INVALID_FIELD',
          message: `${f.label}: ${(e as Error).message}`,
          fields: [f.name]
        });
        continue;
      }
      if (isDecimal(v) && (f.type === 'double' || f.type === 'currency' || f.type === 'percent')) {
        // The platform rounds half up to the field's scale when it saves.
        v = decimalWithScale(v, f.scale);
      }
      if (v === null && f.apexType === 'Boolean') v = false;
      values.set(f.name, v);
    }
    if (readOnly.length) {
      errors.push({
        index,
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: readOnly
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Insert

  /**
   * Validates records for insert: applies defaults onto them, then checks required fields,
   * types, lengths, restricted picklists, references and uniqueness. Nothing is stored.
   */
  prepareInsert(type: string, records: SObjectValue[], ctx?: DmlContext): RowError[] {
    const obj = this.dmlObject(type, 'Insert');
    this.uniqueIndex = null;
    this.applyInsertDefaults(obj.name, records, ctx);
    const errors: RowError[] = [];
    const batchUnique = new Map<string, Set<string>>();
    records.forEach((rec, index) => {
      const rowErrors: RowError[] = [];
      if (rec.isSet('Id') && rec.get('Id') !== null) {
        rowErrors.push({
          index,
          statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: 'cannot specify Id in an insert call',
          fields: ['Id']
        });
      }
      const values = this.emptyRow(obj, '').values;
      for (const f of obj.fields.values())
        if (f.apexType === 'Boolean' && !f.calculated) values.set(f.name, defaultFor(f) ?? false);
      this.mergeRecord(obj, rec, values, index, rowErrors, 'insert');
      for (const f of obj.fields.values()) {
        // Defaults of fields only the platform writes (User.UserType).
        if (
          !f.createable &&
          f.defaultValue !== null &&
          values.get(f.name) === null &&
          !SYSTEM_FIELDS.has(f.name.toLowerCase())
        ) {
          values.set(f.name, defaultFor(f));
        }
      }
      const owner = obj.fields.get('ownerid');
      if (owner && !owner.createable && owner.defaultedOnCreate && values.get('OwnerId') === null) {
        // e.g. Group.OwnerId: set by the platform, not by the caller.
        values.set('OwnerId', this.ctx(ctx).userId);
      }
      this.fillDerived(obj, values);
      this.validate(obj, values, index, rowErrors, null);
      // Unique fields must also differ within the batch.
      for (const f of obj.fields.values()) {
        const v = values.get(f.name);
        if (!f.unique || typeof v !== 'string') continue;
        const seen = batchUnique.get(f.name) ?? new Set<string>();
        if (seen.has(v.toLowerCase())) {
          rowErrors.push({
            index,
            statusCode: 'DUPLICATE_VALUE',
            message: `Duplicate value on record: ${index} (${f.name})`,
            fields: [f.name]
          });
        }
        seen.add(v.toLowerCase());
        batchUnique.set(f.name, seen);
      }
      if (rowErrors.length === 0) this.pending.set(rec, values);
      errors.push(...rowErrors);
    });
    return errors;
  }

  /**
   * Stores records that passed prepareInsert (pass only those): assigns Ids, auto numbers and
   * system fields, and writes them back onto the records (what after-insert triggers and the
   * caller see).
   */
  commitInsert(type: string, records: SObjectValue[], ctx?: DmlContext): void {
    const obj = this.schema.getObject(type);
    const c = this.ctx(ctx);
    for (const rec of records) {
      const values = this.pending.get(rec);
      if (!values)
        throw new Error(`commitInsert: record of ${obj.name} was not validated by prepareInsert`);
      this.pending.delete(rec);
      const id = this.newId(obj);
      const row: StoredRow = { object: obj, id, values, deleted: false };
      values.set('Id', id);
      for (const f of obj.fields.values()) {
        if (f.autoNumber) values.set(f.name, this.nextAutoNumber(obj, f));
      }
      for (const [name, v] of [
        ['CreatedDate', c.now],
        ['LastModifiedDate', c.now],
        ['SystemModstamp', c.now],
        ['CreatedById', c.userId],
        ['LastModifiedById', c.userId]
      ] as const) {
        if (obj.fields.has(name.toLowerCase())) values.set(name, v);
      }
      if (obj.fields.has('isdeleted')) values.set('IsDeleted', false);
      if (obj.kind === 'platformEvent') {
        values.set('EventUuid', crypto.randomUUID());
      }
      this.putRow(row);
      this.writeBack(obj, rec, values);
    }
  }

  private writeBack(obj: ObjectDescribe, rec: SObjectValue, values: Map<string, unknown>): void {
    rec.put('Id', values.get('Id'));
    for (const f of obj.fields.values()) {
      if (f.custom && !f.autoNumber) continue;
      if (f.createable && f.updateable && f.name !== 'OwnerId' && !rec.isSet(f.name)) continue;
      const v = values.get(f.name);
      if (v !== null || rec.isSet(f.name)) rec.put(f.name, v);
    }
  }

  private nextAutoNumber(obj: ObjectDescribe, f: FieldDescribe): string {
    const key = `${obj.name}.${f.name}`.toLowerCase();
    const n = (this.autoNumbers.get(key) ?? 0) + 1;
    this.autoNumbers.set(key, n);
    const fmt = f.displayFormat ?? '{0}';
    return fmt.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
  }

  // -------------------------------------------------------------------------------------------
  // Update

  /** Validates records for update (each needs an Id of a live row of this object). */
  prepareUpdate(
    type: string,
    records: SObjectValue[],
    options: { systemWritable?: Iterable<string> } = {}
  ): RowError[] {
    const systemWritable = new Set([...(options.systemWritable ?? [])].map((n) => n.toLowerCase()));
    const obj = this.dmlObject(type, 'Update');
    this.uniqueIndex = null;
    const errors: RowError[] = [];
    const seen = new Set<string>();
    records.forEach((rec, index) => {
      const rowErrors: RowError[] = [];
      const idValue = rec.isSet('Id') ? rec.get('Id') : null;
      if (typeof idValue !== 'string') {
        errors.push({
          index,
          statusCode: 'MISSING_ARGUMENT',
          message: 'Id not specified in an update call',
          fields: []
        });
        return;
      }
      const row = this.row(idValue);
      if (!row || row.object !== obj) {
        errors.push({
          index,
          statusCode: row ? 'INVALID_ID_FIELD' : 'INVALID_CROSS_REFERENCE_KEY',
          message: row ? `invalid record id` : 'invalid cross reference id',
          fields: []
        });
        return;
      }
      if (row.deleted) {
        errors.push({
          index,
          statusCode: 'ENTITY_IS_DELETED',
          message: 'entity is deleted',
          fields: []
        });
        return;
      }
      if (seen.has(row.id)) {
        // The platform refuses the whole list in this case.
        throw new ApexError('System.ListException', `Duplicate id in list: ${row.id}`);
      }
      seen.add(row.id);
      const values = new Map(row.values);
      this.mergeRecord(obj, rec, values, index, rowErrors, 'update', systemWritable);
      this.fillDerived(obj, values);
      this.validate(obj, values, index, rowErrors, row.id);
      if (rowErrors.length === 0) this.pending.set(rec, values);
      errors.push(...rowErrors);
    });
    return errors;
  }

  /** Stores records that passed prepareUpdate; sets LastModified* and writes them back. */
  commitUpdate(type: string, records: SObjectValue[], ctx?: DmlContext): void {
    const obj = this.schema.getObject(type);
    const c = this.ctx(ctx);
    for (const rec of records) {
      const values = this.pending.get(rec);
      if (!values)
        throw new Error(`commitUpdate: record of ${obj.name} was not validated by prepareUpdate`);
      this.pending.delete(rec);
      const row = this.row(String(rec.get('Id')))!;
      for (const [name, v] of [
        ['LastModifiedDate', c.now],
        ['SystemModstamp', c.now],
        ['LastModifiedById', c.userId]
      ] as const) {
        if (obj.fields.has(name.toLowerCase())) values.set(name, v);
      }
      row.values = values;
      this.writeBack(obj, rec, values);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Delete / undelete

  /** Validates Ids for delete: live rows of this object, no Restrict lookups pointing at them. */
  prepareDelete(type: string, ids: string[]): RowError[] {
    const obj = this.dmlObject(type, 'Delete');
    const errors: RowError[] = [];
    ids.forEach((id, index) => {
      const row = id ? this.row(id) : undefined;
      if (!row || row.object !== obj) {
        errors.push({
          index,
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: 'invalid cross reference id',
          fields: []
        });
        return;
      }
      if (row.deleted) {
        errors.push({
          index,
          statusCode: 'ENTITY_IS_DELETED',
          message: 'entity is deleted',
          fields: []
        });
        return;
      }
      for (const rel of obj.childRelationships) {
        const child = this.schema.findObject(rel.childSObject);
        const f = child && this.schema.findField(child, rel.field);
        if (!child || !f || f.deleteConstraint !== 'Restrict') continue;
        if (this.rows(child).some((r) => r.values.get(f.name) === row.id)) {
          errors.push({
            index,
            statusCode: 'DELETE_FAILED',
            message: `Your attempt to delete ${String(row.values.get(obj.nameField ?? 'Id') ?? row.id)} could not be completed because it is associated with the following ${child.labelPlural}.`,
            fields: []
          });
        }
      }
    });
    return errors;
  }

  /**
   * Deletes rows (to the recycle bin): master-detail children are deleted with them, lookups
   * with SetNull are cleared. Returns the Ids of cascaded children.
   */
  commitDelete(type: string, ids: string[], ctx?: DmlContext): string[] {
    const c = this.ctx(ctx);
    const cascaded: string[] = [];
    const remove = (row: StoredRow, isCascade: boolean) => {
      if (row.deleted) return;
      row.deleted = true;
      if (row.values.has('IsDeleted')) row.values.set('IsDeleted', true);
      if (row.values.has('SystemModstamp')) row.values.set('SystemModstamp', c.now);
      if (isCascade) cascaded.push(row.id);
      for (const rel of row.object.childRelationships) {
        const child = this.schema.findObject(rel.childSObject);
        const f = child && this.schema.findField(child, rel.field);
        if (!child || !f) continue;
        for (const r of this.rows(child)) {
          if (r.values.get(f.name) !== row.id) continue;
          if (rel.cascadeDelete || f.deleteConstraint === 'Cascade') remove(r, true);
          else if (f.deleteConstraint === 'SetNull' && f.nillable) r.values.set(f.name, null);
        }
      }
    };
    this.schema.getObject(type);
    for (const id of ids) {
      const row = this.row(id);
      if (row) remove(row, false);
    }
    return cascaded;
  }

  /** Validates Ids for undelete: rows that are in the recycle bin. */
  prepareUndelete(type: string, ids: string[]): RowError[] {
    const obj = this.dmlObject(type, 'Undelete');
    const errors: RowError[] = [];
    ids.forEach((id, index) => {
      const row = id ? this.row(id) : undefined;
      if (!row || row.object !== obj) {
        errors.push({
          index,
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: 'invalid cross reference id',
          fields: []
        });
      } else if (!row.deleted) {
        errors.push({
          index,
          statusCode: 'UNDELETE_FAILED',
          message: 'Entity is not in the recycle bin',
          fields: []
        });
      }
    });
    return errors;
  }

  /** Restores rows (and their cascaded master-detail children). */
  commitUndelete(type: string, ids: string[], ctx?: DmlContext): void {
    const c = this.ctx(ctx);
    this.schema.getObject(type);
    const restore = (row: StoredRow) => {
      row.deleted = false;
      if (row.values.has('IsDeleted')) row.values.set('IsDeleted', false);
      if (row.values.has('SystemModstamp')) row.values.set('SystemModstamp', c.now);
      for (const rel of row.object.childRelationships) {
        const child = this.schema.findObject(rel.childSObject);
        const f = child && this.schema.findField(child, rel.field);
        if (!child || !f || !(rel.cascadeDelete || f.deleteConstraint === 'Cascade')) continue;
        for (const r of this.rows(child, true))
          if (r.deleted && r.values.get(f.name) === row.id) restore(r);
      }
    };
    for (const id of ids) {
      const row = this.row(id);
      if (row) restore(row);
    }
  }

  /**
   * Moves every reference to `fromId` (lookups, master-detail, WhoId/WhatId) onto `toId`: the
   * reparenting step of a merge. Returns the Ids of the child rows changed.
   */
  reparentChildren(fromId: string, toId: string): string[] {
    const from = this.row(fromId);
    const to = this.row(toId);
    if (!from || !to) throw new ApexError('System.DmlException', `invalid cross reference id`);
    const changed: string[] = [];
    for (const rel of from.object.childRelationships) {
      const child = this.schema.findObject(rel.childSObject);
      const f = child && this.schema.findField(child, rel.field);
      if (!child || !f) continue;
      for (const r of this.rows(child)) {
        if (r.values.get(f.name) !== from.id) continue;
        r.values.set(f.name, to.id);
        changed.push(r.id);
      }
    }
    return changed;
  }

  /**
   * Writes fields without DML validation, for values only the platform sets (MasterRecordId of
   * a merged record, the Converted* fields of a converted lead). Values are runtime values.
   */
  setSystemValues(id: string, values: Record<string, unknown>): void {
    const row = this.row(id);
    if (!row) throw new ApexError('System.DmlException', `invalid cross reference id`);
    for (const [name, value] of Object.entries(values)) {
      const f = this.schema.getField(row.object, name);
      row.values.set(f.name, toStored(f, value));
    }
    this.fillDerived(row.object, row.values);
  }

  /** Test.setCreatedDate: sets CreatedDate of a row inserted in this test. */
  setCreatedDate(id: string, value: ApexDatetime): void {
    const row = this.row(id);
    if (!row || row.deleted) {
      throw new ApexError(
        'System.InvalidParameterValueException',
        `The sObject with the ID ${id} isn't part of this transaction.`
      );
    }
    row.values.set('CreatedDate', value);
  }

  /**
   * A snapshot of every table, for Database.setSavepoint; `rollback` restores it. Savepoints
   * copy rows, so they cost memory proportional to the data (fine for tests).
   */
  savepoint(): { restore: () => void } {
    const snapshot = [...this.byId.values()].map((r) => ({
      row: r,
      values: new Map(r.values),
      deleted: r.deleted
    }));
    const ids = new Set(this.byId.keys());
    const next = this.nextId;
    return {
      restore: () => {
        for (const id of [...this.byId.keys()]) {
          if (ids.has(id)) continue;
          const r = this.byId.get(id)!;
          this.byId.delete(id);
          this.tables.get(r.object.name.toLowerCase())?.delete(id);
        }
        for (const s of snapshot) {
          s.row.values = new Map(s.values);
          s.row.deleted = s.deleted;
        }
        // Ids and auto numbers are not reused after a rollback (nor are they on the platform).
        this.nextId = Math.max(this.nextId, next);
      }
    };
  }
}
