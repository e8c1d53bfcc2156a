// The interpreter's side of the data layer: SObject field access by schema, SOQL execution with
// binds and limits, DML orchestration (triggers, validation, commit, 200-record chunks, addError,
// allOrNone / partial success, mixed DML) on top of R2's Store (`data/`).

import {
  ApexDate,
  ApexDatetime,
  ApexError,
  ApexList,
  ApexMap,
  ApexTime,
  NotSupportedLocally,
  SObjectValue,
  isIdShape,
  normalizeId
} from './values.ts';
import {
  Store,
  checkSoql,
  loadSchema,
  parseSoql,
  type FieldDescribe,
  type ObjectDescribe,
  type ParsedSoql,
  type RowError,
  type Schema
} from './data/index.ts';
import { TriggerFailure, type Interpreter } from './interpreter.ts';
import { SysObject, dmlResultType } from './stdlib.ts';
import { DateTime } from 'luxon';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { findFiles, packageDirs } from './loader.ts';

/** Setup objects: DML on them and on other objects in one transaction is MIXED_DML_OPERATION. */
const SETUP_OBJECTS = new Set([
  'user',
  'group',
  'groupmember',
  'queuesobject',
  'permissionsetassignment',
  'userrole',
  'permissionset'
]);

interface AddedError {
  message: string;
  field: string | null;
}

export class DataBridge {
  readonly schema: Schema;
  store!: Store;
  rt!: Interpreter;
  private readonly errors = new WeakMap<SObjectValue, AddedError[]>();
  private setupDml: string | null = null;
  private nonSetupDml: string | null = null;
  private uncommitted = false;
  /** DML made by the runtime on behalf of one platform operation (not counted again). */
  private internalDml = false;
  private readonly fixtureExtra: Record<string, unknown>;
  private readonly soqlCache = new Map<string, ParsedSoql>();

  constructor(
    readonly projectDir: string,
    fixturePath?: string
  ) {
    this.schema = loadSchema(projectDir, fixturePath);
    const file = this.schema.org.file;
    this.fixtureExtra = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
      : {};
  }

  attach(rt: Interpreter): void {
    this.rt = rt;
  }

  /** A fresh store for a test method, its clock tied to the runtime's. */
  resetForTest(): void {
    this.store = new Store(this.schema);
    this.store.now = () => this.rt.stdlib.now;
    this.setupDml = null;
    this.nonSetupDml = null;
    this.uncommitted = false;
  }

  // ------------------------------------------------------------------ schema

  findObject(name: string): ObjectDescribe | undefined {
    if (name.includes('<') || name.includes('.')) return undefined;
    try {
      return this.schema.findObject(name);
    } catch {
      return undefined;
    }
  }

  describe(name: string): ObjectDescribe {
    return this.schema.getObject(name);
  }

  objectNames(): string[] {
    return [...this.schema.objects.values()].map((o) => o.name);
  }

  objectKind(name: string): string | null {
    return this.findObject(name)?.kind ?? null;
  }

  getObjectName(name: string): string {
    if (name.toLowerCase() === 'aggregateresult') return 'AggregateResult';
    const o = this.findObject(name);
    if (!o) throw new NotSupportedLocally(`sObject type ${name}`);
    return o.name;
  }

  objectForId(id: string): string | null {
    return this.schema.objectForId(id)?.name ?? null;
  }

  findField(sobject: string, field: string): FieldDescribe | undefined {
    const o = this.findObject(sobject);
    return o ? this.schema.findField(o, field) : undefined;
  }

  fieldApexType(sobject: string, member: string): string | null {
    const o = this.findObject(sobject);
    if (!o) return null;
    const f = this.schema.findField(o, member);
    if (f) return f.apexType;
    const rel = this.parentRelationship(o, member);
    if (rel) return rel.referenceTo.length === 1 ? rel.referenceTo[0] : 'SObject';
    const child = o.childRelationships.find(
      (c) => c.relationshipName?.toLowerCase() === member.toLowerCase()
    );
    if (child) return `List<${child.childSObject}>`;
    return null;
  }

  private parentRelationship(o: ObjectDescribe, name: string): FieldDescribe | undefined {
    const l = name.toLowerCase();
    for (const f of o.fields.values())
      if (f.relationshipName && f.relationshipName.toLowerCase() === l) return f;
    return undefined;
  }

  canonicalField(type: string, field: string, loc: string): string {
    const o = this.findObject(type);
    if (!o) throw new NotSupportedLocally(`sObject type ${type}`, loc);
    const f = this.schema.findField(o, field);
    if (f) return f.name;
    const rel = this.parentRelationship(o, field);
    if (rel) return rel.relationshipName!;
    throw new NotSupportedLocally(`Invalid field ${field} for ${o.name}`, loc);
  }

  getField(so: SObjectValue, name: string): unknown {
    if (so.sobjectType === 'AggregateResult') {
      throw new NotSupportedLocally(`AggregateResult.${name} (use get('${name}'))`);
    }
    const o = this.findObject(so.sobjectType);
    if (!o) return so.get(name);
    const f = this.schema.findField(o, name);
    if (f) return so.get(f.name);
    const rel = this.parentRelationship(o, name);
    if (rel) return so.getSObject(rel.relationshipName!);
    const child = o.childRelationships.find(
      (c) => c.relationshipName?.toLowerCase() === name.toLowerCase()
    );
    if (child) {
      const list = so.getSObjects(child.relationshipName);
      return list ? new ApexList(child.childSObject, list) : null;
    }
    throw new ApexError('System.SObjectException', `Invalid field ${name} for ${o.name}`);
  }

  setField(so: SObjectValue, name: string, v: unknown): void {
    const o = this.findObject(so.sobjectType);
    if (!o) {
      so.put(name, v);
      return;
    }
    const f = this.schema.findField(o, name);
    if (f) {
      so.put(f.name, this.toFieldValue(f, v, o));
      return;
    }
    const rel = this.parentRelationship(o, name);
    if (rel) {
      so.putSObject(rel.relationshipName!, v as SObjectValue | null);
      return;
    }
    throw new ApexError('System.SObjectException', `Invalid field ${name} for ${o.name}`);
  }

  private toFieldValue(f: FieldDescribe, v: unknown, o: ObjectDescribe): unknown {
    if (v === null || v === undefined) return null;
    const bad = (): never => {
      throw new ApexError(
        'System.SObjectException',
        `Illegal assignment from ${typeof v} to ${f.apexType} for field ${o.name}.${f.name}`
      );
    };
    switch (f.apexType) {
      case 'Id':
        if (typeof v !== 'string') bad();
        if (!isIdShape(v as string))
          throw new ApexError('System.StringException', `Invalid id: ${String(v)}`);
        return normalizeId(v as string);
      case 'Decimal':
        return this.rt.coerce(v, 'Decimal');
      case 'Integer':
        return this.rt.coerce(v, 'Integer');
      case 'Long':
        return this.rt.coerce(v, 'Long');
      case 'String':
        if (typeof v !== 'string') bad();
        return v;
      case 'Boolean':
        if (typeof v !== 'boolean') bad();
        return v;
    }
    return v;
  }

  sobjectMethod(so: SObjectValue, n: string, v: unknown[], name: string): unknown {
    const fieldName = (x: unknown): string => {
      if (x === null)
        throw new ApexError('System.NullPointerException', 'Argument cannot be null.');
      if (x instanceof SysObject) return String(x.props.name);
      return String(x);
    };
    switch (n) {
      case 'get': {
        const f = fieldName(v[0]);
        if (so.sobjectType === 'AggregateResult') return so.get(f);
        if (f.includes('.')) throw new NotSupportedLocally('SObject.get with a relationship path');
        return this.getField(so, f);
      }
      case 'put': {
        const f = fieldName(v[0]);
        const old = so.isSet(f) ? so.get(f) : null;
        this.setField(so, f, v[1]);
        return old;
      }
      case 'getsobject':
        return so.getSObject(fieldName(v[0]));
      case 'putsobject':
        return so.putSObject(fieldName(v[0]), v[1] as SObjectValue | null);
      case 'getsobjects': {
        const l = so.getSObjects(fieldName(v[0]));
        return l ? new ApexList('SObject', l) : null;
      }
      case 'isset':
        return so.isSet(fieldName(v[0]));
      case 'getsobjecttype':
        return this.rt.stdlib.sobjectType(so.sobjectType);
      case 'getpopulatedfieldsasmap': {
        const m = new ApexMap('String', 'Object');
        for (const [k, x] of so.getPopulatedFieldsAsMap())
          m.set(k, Array.isArray(x) ? new ApexList('SObject', x) : x);
        return m;
      }
      case 'clone': {
        const o = this.findObject(so.sobjectType);
        const auto = o ? [...o.fields.values()].filter((f) => f.autoNumber).map((f) => f.name) : [];
        return so.clone(v[0] !== false, v[1] === true, v[2] === true, v[3] === true, auto);
      }
      case 'adderror': {
        if (v.length > 1 && typeof v[0] === 'string' && typeof v[1] === 'string') {
          this.addError(so, String(v[1]), String(v[0]));
        } else if (v.length >= 1) {
          const msg =
            v[0] instanceof Error || (v[0] as { fields?: unknown })?.fields
              ? this.rt.str(v[0])
              : this.rt.str(v[0]);
          this.addError(so, msg, null);
        }
        return null;
      }
      case 'haserrors':
        return (this.errors.get(so)?.length ?? 0) > 0;
      case 'geterrors':
        return new ApexList(
          'Database.Error',
          (this.errors.get(so) ?? []).map(
            (e) =>
              new SysObject('Database.Error', {
                message: e.message,
                statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                fields: e.field ? [e.field] : []
              })
          )
        );
      case 'equals':
        return this.rt.equals(so, v[0]);
      case 'tostring':
        return this.rt.str(so);
      case 'getquickactionname':
        return null;
    }
    throw new NotSupportedLocally(`SObject.${name}()`, `line ${this.rt.line}`);
  }

  addError(so: SObjectValue, message: string, field: string | null): void {
    if (!this.rt.currentTrigger()) {
      throw new NotSupportedLocally('SObject.addError outside a trigger');
    }
    const list = this.errors.get(so) ?? [];
    list.push({ message, field });
    this.errors.set(so, list);
  }

  jsonAttributes(so: SObjectValue): Record<string, string> {
    const id = so.isSet('Id') ? so.get('Id') : null;
    const attrs: Record<string, string> = { type: so.sobjectType };
    if (id)
      attrs.url = `/services/data/v${this.apiVersion()}/sobjects/${so.sobjectType}/${String(id)}`;
    return attrs;
  }

  private apiVersion(): string {
    const file = `${this.projectDir}/sfdx-project.json`;
    if (!existsSync(file)) return '60.0';
    const json = JSON.parse(readFileSync(file, 'utf8')) as { sourceApiVersion?: string };
    return json.sourceApiVersion ?? '60.0';
  }

  // ------------------------------------------------------------------ org and user

  userTimeZone(): string {
    const u = this.store?.getStored(this.store.runningUserId);
    const tz = u && u.isSet('TimeZoneSidKey') ? (u.get('TimeZoneSidKey') as string | null) : null;
    return tz ?? this.schema.org.timeZone;
  }

  runningUserId(): string {
    return this.store.runningUserId;
  }

  runningUserField(field: string): unknown {
    const u = this.store.getStored(this.store.runningUserId);
    if (!u) throw new NotSupportedLocally('running user missing from the org fixture');
    return u.isSet(field) ? u.get(field) : null;
  }

  organizationId(): string {
    const org = this.store.rows(this.schema.getObject('Organization'))[0];
    if (!org) throw new NotSupportedLocally('Organization row missing from the org fixture');
    return org.id;
  }

  orgDomainUrl(): string {
    const url = this.fixtureExtra.orgDomainUrl;
    if (typeof url !== 'string') {
      throw new NotSupportedLocally(
        'Url.getOrgDomainUrl(): the org fixture declares no "orgDomainUrl"'
      );
    }
    return url;
  }

  /**
   * FeatureManagement.checkPermission: true when a permission set of the project assigned to
   * the running user enables the custom permission (profiles of the fixture grant none).
   */
  checkPermission(name: string): boolean {
    const psa = this.store.rows(this.schema.getObject('PermissionSetAssignment'));
    const mine = psa.filter((r) => r.values.get('AssigneeId') === this.store.runningUserId);
    for (const a of mine) {
      const ps = this.store.row(String(a.values.get('PermissionSetId')));
      if (!ps || ps.values.get('IsOwnedByProfile') === true) continue;
      const setName = String(ps.values.get('Name'));
      const granted = this.permissionSetCustomPermissions().get(setName.toLowerCase());
      if (!granted) {
        throw new NotSupportedLocally(
          `FeatureManagement.checkPermission('${name}'): permission set ${setName} has no metadata in the project`
        );
      }
      if (granted.has(name.toLowerCase())) return true;
    }
    return false;
  }

  private customPermissionsBySet: Map<string, Set<string>> | null = null;

  /** Enabled custom permissions of the project's permission sets, by set name (lower case). */
  private permissionSetCustomPermissions(): Map<string, Set<string>> {
    if (this.customPermissionsBySet) return this.customPermissionsBySet;
    const out = new Map<string, Set<string>>();
    for (const dir of packageDirs(this.projectDir)) {
      for (const file of findFiles(dir, ['.permissionset-meta.xml'])) {
        const xml = readFileSync(file, 'utf8');
        const set = new Set<string>();
        for (const m of xml.matchAll(/<customPermissions>([\s\S]*?)<\/customPermissions>/g)) {
          const enabled = /<enabled>\s*true\s*<\/enabled>/.test(m[1]);
          const n = /<name>([^<]+)<\/name>/.exec(m[1]);
          if (enabled && n) set.add(n[1].trim().toLowerCase());
        }
        out.set(path.basename(file).replace('.permissionset-meta.xml', '').toLowerCase(), set);
      }
    }
    this.customPermissionsBySet = out;
    return out;
  }

  businessHoursRow(id: string): SObjectValue | null {
    const row = this.store.getStored(id);
    return row && row.sobjectType === 'BusinessHours' ? row : null;
  }

  holidaysFor(bhId: string): SObjectValue[] {
    const ids = this.schema.org.businessHoursHolidays.get(bhId) ?? [];
    return ids.map((id) => this.store.getStored(id)).filter((x): x is SObjectValue => !!x);
  }

  customMetadata(type: string): SObjectValue[] {
    return this.store.customMetadataRows(type);
  }

  setCreatedDate(id: string, dt: ApexDatetime): void {
    this.store.setCreatedDate(id, dt);
  }

  snapshot(): unknown {
    return this.store.savepoint();
  }

  restore(sp: unknown): void {
    (sp as { restore: () => void }).restore();
  }

  clearUncommittedWork(): void {
    this.uncommitted = false;
  }

  hasUncommittedWork(): boolean {
    return this.uncommitted;
  }

  // ------------------------------------------------------------------ scheduled jobs

  scheduleJob(name: string, cron: string, now: ApexDatetime): string {
    const next = nextCronFire(cron, now.epochMs, this.userTimeZone());
    if (process.env.APEX_RUNTIME_DEBUG)
      console.error(
        `[schedule] ${name} ${cron} ${new Error().stack?.split('\n').slice(2, 4).join(' ')}`
      );
    const cronObj = this.findObject('CronTrigger');
    const detailObj = this.findObject('CronJobDetail');
    if (!cronObj || !detailObj)
      throw new NotSupportedLocally('System.schedule (no CronTrigger describe)');
    for (const r of this.store.rows(detailObj)) {
      if (r.values.get('Name') === name) {
        throw new ApexError(
          'System.AsyncException',
          `The Apex job named "${name}" is already scheduled for execution.`
        );
      }
    }
    const detailId = this.store.newId(detailObj);
    const id = this.store.newId(cronObj);
    const iso = (ms: number): string => new Date(ms).toISOString();
    this.store.seedRow(detailObj, { Id: detailId, Name: name, JobType: '7' }, 'System.schedule');
    this.store.seedRow(
      cronObj,
      {
        Id: id,
        CronExpression: cron,
        CronJobDetailId: detailId,
        NextFireTime: next === null ? null : iso(next),
        State: 'WAITING',
        TimesTriggered: 0,
        StartTime: iso(now.epochMs),
        OwnerId: this.store.runningUserId
      },
      'System.schedule'
    );
    return id;
  }

  /** Records an AsyncApexJob row for queued async work (Queueable, Future, BatchApex). */
  recordAsyncJob(jobType: string, className: string): string {
    const obj = this.schema.getObject('AsyncApexJob');
    const cls = this.store
      .rows(this.schema.getObject('ApexClass'))
      .find((r) => String(r.values.get('Name')).toLowerCase() === className.toLowerCase());
    return this.store.seedRow(
      obj,
      {
        JobType: jobType,
        Status: 'Queued',
        ApexClassId: cls ? cls.id : null,
        CreatedDate: this.rt.stdlib.now,
        CreatedById: this.store.runningUserId
      },
      'System.enqueueJob'
    );
  }

  /** Moves an AsyncApexJob row to a new status (Processing, Completed, Failed). */
  setJobStatus(id: string, status: string, error?: string): void {
    const r = this.store.row(id);
    if (!r) return;
    r.values.set('Status', status);
    if (status === 'Completed' || status === 'Failed')
      r.values.set('CompletedDate', this.rt.stdlib.now);
    if (error !== undefined && r.values.has('ExtendedStatus'))
      r.values.set('ExtendedStatus', error.slice(0, 255));
  }

  jobExists(id: string): boolean {
    const r = this.store.row(id);
    return !!r && !r.deleted;
  }

  abortJob(id: string): void {
    const r = this.store.row(id);
    if (!r || r.object.name !== 'CronTrigger') {
      throw new ApexError('System.StringException', `Invalid id: ${id}`);
    }
    r.deleted = true;
  }

  // ------------------------------------------------------------------ SOQL

  parseSoql(
    text: string,
    line: number,
    loc: string
  ): { query: unknown; bindTexts: string[]; fromType: string; isCount: boolean } {
    const q = this.parseChecked(text, line, loc);
    const isCount = q.select.length === 1 && q.select[0].kind === 'countAll';
    const isAggregate =
      q.groupBy.length > 0 ||
      q.select.some((s) => s.kind === 'value' && s.source.kind === 'aggregate');
    const fromType = isAggregate ? 'AggregateResult' : this.getObjectName(q.from);
    return { query: q, bindTexts: q.binds.map((b) => b.text), fromType, isCount };
  }

  private parseChecked(text: string, line: number, loc: string): ParsedSoql {
    const key = `${line}:${text}`;
    let q = this.soqlCache.get(key);
    if (!q) {
      try {
        q = parseSoql(text, line);
      } catch (e) {
        if (e instanceof ApexError) {
          throw new NotSupportedLocally(`SOQL the local parser rejects: ${e.message}`, loc);
        }
        throw e;
      }
      try {
        checkSoql(this.schema, q);
      } catch (e) {
        if (e instanceof ApexError) {
          throw new NotSupportedLocally(`SOQL that would not compile: ${e.message}`, loc);
        }
        throw e;
      }
      this.soqlCache.set(key, q);
    }
    return q;
  }

  runQuery(query: unknown, binds: (i: number) => unknown, line: number, fromType: string): unknown {
    const std = this.rt.stdlib;
    std.count('queries');
    const q = query as ParsedSoql;
    const res = this.store.query(q, binds, {
      userTimeZone: this.userTimeZone(),
      now: std.now,
      runningUserId: this.store.runningUserId,
      onRows: (n) => std.count('queryRows', n)
    });
    void line;
    if (res.kind === 'count') return res.count;
    if (res.kind === 'aggregate') return new ApexList('AggregateResult', res.rows);
    return new ApexList(fromType, res.records);
  }

  dynamicQuery(
    text: string,
    binds: ApexMap | null,
    line: number,
    local?: (text: string) => unknown
  ): unknown {
    const q = (() => {
      try {
        const parsed = parseSoql(text, line);
        checkSoql(this.schema, parsed);
        return parsed;
      } catch (e) {
        if (e instanceof ApexError) throw e;
        throw new ApexError('System.QueryException', (e as Error).message);
      }
    })();
    if (q.binds.length && !binds && local) {
      return this.runQuery(q, (i) => local(q.binds[i].text), line, this.resultType(q));
    }
    if (q.binds.length && !binds) {
      throw new NotSupportedLocally(
        'Database.query with :bind variables (use Database.queryWithBinds)',
        `line ${line}`
      );
    }
    const bindFn = (i: number): unknown => {
      const b = q.binds[i];
      const name = b.text.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new ApexError('System.QueryException', `Invalid bind expression: ${name}`);
      }
      if (binds!.has(name)) return binds!.get(name);
      for (const [k, v] of binds!.entries())
        if (String(k).toLowerCase() === name.toLowerCase()) return v;
      throw new ApexError('System.QueryException', `Key '${name}' does not exist in the bindMap`);
    };
    return this.runQuery(q, bindFn, line, this.resultType(q));
  }

  private resultType(q: ParsedSoql): string {
    const isCount = q.select.length === 1 && q.select[0].kind === 'countAll';
    const isAggregate =
      q.groupBy.length > 0 ||
      q.select.some((s) => s.kind === 'value' && s.source.kind === 'aggregate');
    return isCount || isAggregate ? 'AggregateResult' : this.getObjectName(q.from);
  }

  // ------------------------------------------------------------------ DML

  runAs(user: unknown, body: () => number): number {
    if (!(user instanceof SObjectValue) || user.sobjectType !== 'User') {
      throw new NotSupportedLocally('System.runAs with something other than a User record');
    }
    const id = user.get('Id');
    if (!id) throw new ApexError('System.DmlException', 'System.runAs requires a User with an Id');
    const saved = this.store.runningUserId;
    const savedFlags = [this.setupDml, this.nonSetupDml];
    this.store.runningUserId = String(id);
    this.setupDml = null;
    this.nonSetupDml = null;
    this.rt.stdlib.resetCalendars();
    try {
      return body();
    } finally {
      this.store.runningUserId = saved;
      [this.setupDml, this.nonSetupDml] = savedFlags;
    }
  }

  /**
   * Records an upsert inserted (for `UpsertResult.isCreated`). Each upsert clears its own records
   * first, so an upsert run by a trigger inside another one does not disturb the outer results.
   */
  private readonly upsertInserted = new WeakSet<SObjectValue>();

  /** A DML statement or Database.* call; returns one result object per record. */
  dml(op: string, value: unknown, extField: string | null, allOrNone: boolean): SysObject[] {
    if (value === null || value === undefined) {
      throw new ApexError('System.NullPointerException', 'Argument cannot be null.');
    }
    let records: unknown[] = value instanceof ApexList ? value.items : [value];
    if (op === 'upsert') {
      for (const r of records) if (r instanceof SObjectValue) this.upsertInserted.delete(r);
    }
    const std = this.rt.stdlib;
    if (!this.internalDml) std.count('dmlStatements');
    if (records.length === 0) return [];
    if (!this.internalDml) std.count('dmlRows', records.length);
    if ((op === 'delete' || op === 'undelete') && typeof records[0] === 'string') {
      records = records.map((id) => {
        const obj = this.schema.objectForId(String(id));
        if (!obj) throw new ApexError('System.DmlException', `Invalid id: ${String(id)}`);
        const so = new SObjectValue(obj.name);
        so.put('Id', normalizeId(String(id)));
        return so;
      });
    }
    const list = records as SObjectValue[];
    if (list.some((r) => r === null))
      throw new ApexError('System.NullPointerException', 'Argument cannot be null.');
    const type = list[0].sobjectType;
    if (list.some((r) => r.sobjectType !== type)) {
      throw new NotSupportedLocally(`DML on a list mixing sObject types (${type} and others)`);
    }
    this.checkMixedDml(type, op);
    this.uncommitted = true;
    const obj = this.schema.getObject(type);
    const sp = this.store.savepoint();
    const verb = op.charAt(0).toUpperCase() + op.slice(1);
    const rowErrors = new Map<number, RowError[]>();
    const addRowErrors = (errs: RowError[], offset: number, map: number[]): void => {
      for (const e of errs) {
        const idx = map[e.index] + offset;
        const l = rowErrors.get(idx) ?? [];
        l.push({ ...e, index: idx });
        rowErrors.set(idx, l);
      }
    };
    try {
      for (let start = 0; start < list.length; start += 200) {
        const chunk = list.slice(start, start + 200);
        const chunkSp = this.store.savepoint();
        try {
          this.runChunk(op, obj, chunk, start, rowErrors, addRowErrors, allOrNone, extField);
        } catch (e) {
          if (!(e instanceof TriggerFailure)) throw e;
          // every row of the chunk fails with the trigger's exception
          chunkSp.restore();
          chunk.forEach((_r, i) => {
            rowErrors.set(start + i, [
              {
                index: start + i,
                statusCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
                message: e.detail,
                fields: []
              }
            ]);
          });
          if (op === 'insert') chunk.forEach((r) => r.unset('Id'));
        }
        if (allOrNone && rowErrors.size) break;
      }
    } catch (e) {
      sp.restore();
      if (op === 'insert') list.forEach((r) => r.unset('Id'));
      throw e;
    }
    if (allOrNone && rowErrors.size) {
      sp.restore();
      if (op === 'insert') list.forEach((r) => r.unset('Id'));
      const first = Math.min(...rowErrors.keys());
      const err = rowErrors.get(first)![0];
      const all = [...rowErrors.values()].flat().sort((a, b) => a.index - b.index);
      throw new ApexError(
        'System.DmlException',
        `${verb} failed. First exception on row ${first}${op === 'insert' ? '' : idSuffix(list[first])}; first error: ${err.statusCode}, ${err.message}: [${err.fields.join(', ')}]`,
        {
          rows: all.map((r) => ({
            ...r,
            id: list[r.index].isSet('Id') ? (list[r.index].get('Id') as string) : null
          }))
        }
      );
    }
    const resultType = dmlResultType(op);
    return list.map((r, i) => {
      const errs = rowErrors.get(i) ?? [];
      return new SysObject(resultType, {
        success: errs.length === 0,
        id: errs.length === 0 ? r.get('Id') : r.isSet('Id') ? r.get('Id') : null,
        created:
          errs.length === 0 && (op === 'insert' || (op === 'upsert' && this.upsertInserted.has(r))),
        errors: errs.map(
          (e) =>
            new SysObject('Database.Error', {
              message: e.message,
              statusCode: e.statusCode,
              fields: e.fields
            })
        )
      });
    });
  }

  private runChunk(
    op: string,
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    start: number,
    rowErrors: Map<number, RowError[]>,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void,
    allOrNone: boolean,
    extField: string | null
  ): void {
    switch (op) {
      case 'insert':
        this.insertChunk(obj, chunk, start, rowErrors, addRowErrors, allOrNone);
        break;
      case 'update':
        this.updateChunk(obj, chunk, start, rowErrors, addRowErrors, allOrNone);
        break;
      case 'delete':
        this.deleteChunk(obj, chunk, start, rowErrors, addRowErrors, allOrNone);
        break;
      case 'undelete':
        this.undeleteChunk(obj, chunk, start, rowErrors, addRowErrors, allOrNone);
        break;
      case 'upsert':
        this.upsertChunk(obj, chunk, start, rowErrors, allOrNone, extField);
        break;
      default:
        throw new NotSupportedLocally(`DML ${op}`);
    }
  }

  /**
   * upsert ("Upserting Records", Apex Developer Guide): each record is matched by Id, or by the
   * named external Id field; no match inserts it, one match updates that record (its Id is set on
   * the caller's record), several matches fail that record with DUPLICATE_EXTERNAL_ID. A chunk
   * mixing new and existing records is split into an update and an insert; the platform does not
   * document how the insert and update triggers of such a chunk interleave, so on an object with
   * triggers that case is NotSupported.
   */
  private upsertChunk(
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    start: number,
    rowErrors: Map<number, RowError[]>,
    allOrNone: boolean,
    extField: string | null
  ): void {
    const ins: number[] = [];
    const upd: number[] = [];
    const fail = (i: number, statusCode: string, message: string, fields: string[]): void => {
      rowErrors.set(start + i, [{ index: start + i, statusCode, message, fields }]);
    };
    const field = extField ? this.schema.findField(obj, extField.split('.').pop()!) : null;
    if (extField && !field) {
      throw new ApexError('System.SObjectException', `Invalid field ${extField} for ${obj.name}`);
    }
    if (field && field.name !== 'Id' && !field.externalId) {
      throw new ApexError(
        'System.SObjectException',
        `Invalid field for upsert, must be an External Id custom or standard indexed field: ${field.name}`
      );
    }
    if (!field || field.name === 'Id') {
      chunk.forEach((r, i) => (r.isSet('Id') && r.get('Id') !== null ? upd : ins).push(i));
    } else {
      const keyOf = (v: unknown): string | null =>
        v === null || v === undefined || v === '' ? null : String(v).toLowerCase();
      const seen = new Set<string>();
      const wanted = new Map<string, number[]>();
      chunk.forEach((r, i) => {
        if (r.isSet('Id') && r.get('Id') !== null) {
          throw new NotSupportedLocally(
            `upsert on external Id field ${field.name} of a record that also has an Id`
          );
        }
        const key = keyOf(r.isSet(field.name) ? r.get(field.name) : null);
        if (key === null) {
          ins.push(i);
          return;
        }
        if (seen.has(key)) {
          throw new NotSupportedLocally(
            `upsert with the same ${field.name} value twice in one call`
          );
        }
        seen.add(key);
        wanted.set(key, [...(wanted.get(key) ?? []), i]);
      });
      const matches = new Map<string, string[]>();
      if (wanted.size) {
        for (const row of this.store.rows(obj)) {
          const key = keyOf(row.values.get(field.name));
          if (key !== null && wanted.has(key)) {
            matches.set(key, [...(matches.get(key) ?? []), String(row.values.get('Id'))]);
          }
        }
      }
      for (const [key, idxs] of wanted) {
        const ids = matches.get(key) ?? [];
        for (const i of idxs) {
          if (ids.length === 0) ins.push(i);
          else if (ids.length === 1) {
            chunk[i].put('Id', ids[0]);
            upd.push(i);
          } else {
            fail(
              i,
              'DUPLICATE_EXTERNAL_ID',
              `${field.name}: more than one record found for external id field: [${ids.join(', ')}]`,
              [field.name]
            );
          }
        }
      }
      ins.sort((a, b) => a - b);
    }
    if (
      ins.length &&
      upd.length &&
      this.rt.triggers.some((t) => t.sobject.toLowerCase() === obj.name.toLowerCase())
    ) {
      throw new NotSupportedLocally(
        `upsert mixing new and existing ${obj.name} records in one chunk (${obj.name} has triggers; their interleaving is not documented)`
      );
    }
    if (allOrNone && rowErrors.size) return;
    const runSub = (kind: 'insert' | 'update', idxs: number[]): void => {
      if (!idxs.length) return;
      const sub = idxs.map((i) => chunk[i]);
      const local = new Map<number, RowError[]>();
      const add = (errs: RowError[], offset: number, map: number[]): void => {
        for (const e of errs) {
          const idx = map[e.index] + offset;
          local.set(idx, [...(local.get(idx) ?? []), { ...e, index: idx }]);
        }
      };
      if (kind === 'insert') {
        sub.forEach((r) => this.upsertInserted.add(r));
        this.insertChunk(obj, sub, 0, local, add, allOrNone);
      } else this.updateChunk(obj, sub, 0, local, add, allOrNone);
      for (const [k, errs] of local) {
        const at = start + idxs[k];
        rowErrors.set(
          at,
          errs.map((e) => ({ ...e, index: at }))
        );
      }
    };
    runSub('update', upd);
    if (allOrNone && rowErrors.size) return;
    runSub('insert', ins);
  }

  /**
   * merge master duplicate(s) ("Triggers and Merge Statements"): before delete on the losing
   * records, reparenting of their children (no triggers), deletion with MasterRecordId set,
   * after delete, then an update of the master with the usual update triggers.
   */
  merge(masterValue: unknown, dupValue: unknown): void {
    if (!(masterValue instanceof SObjectValue)) {
      throw new ApexError('System.NullPointerException', 'Argument cannot be null.');
    }
    const master = masterValue;
    const type = master.sobjectType;
    if (!['Lead', 'Contact', 'Account', 'Case'].includes(type)) {
      throw new ApexError('System.DmlException', `Merge failed. Merge is not supported on ${type}`);
    }
    const masterId = master.isSet('Id') ? (master.get('Id') as string | null) : null;
    if (!masterId || !this.store.getStored(masterId)) {
      throw new ApexError(
        'System.DmlException',
        'Merge failed. First exception on row 0; first error: INVALID_ID_FIELD, Master record Id is missing or invalid: []'
      );
    }
    const rawDups = dupValue instanceof ApexList ? dupValue.items : [dupValue];
    const dupIds = rawDups.map((d) => {
      if (d === null)
        throw new ApexError('System.NullPointerException', 'Argument cannot be null.');
      const id = d instanceof SObjectValue ? (d.isSet('Id') ? d.get('Id') : null) : d;
      if (typeof id !== 'string' || !this.store.getStored(id)) {
        throw new ApexError(
          'System.DmlException',
          'Merge failed. First exception on row 0; first error: ENTITY_IS_DELETED, entity is deleted: []'
        );
      }
      return normalizeId(id);
    });
    if (dupIds.length < 1 || dupIds.length > 2) {
      throw new ApexError(
        'System.DmlException',
        'Merge failed. A single merge request must contain at least one record to merge and no more than two records.'
      );
    }
    const std = this.rt.stdlib;
    std.count('dmlStatements');
    std.count('dmlRows', 1 + dupIds.length);
    this.checkMixedDml(type, 'merge');
    this.uncommitted = true;
    const obj = this.schema.getObject(type);
    const sp = this.store.savepoint();
    try {
      const losers = dupIds.map((id) => this.store.getStored(id)!);
      this.rt.runTriggers(type, 'delete', true, null, losers);
      const failed = this.takeAddErrors(losers, (i) => i, new Map());
      if (failed.size)
        throw new ApexError('System.DmlException', 'Merge failed. addError on a losing record');
      // reparent children of the losing records (no triggers fire for them)
      for (const rel of obj.childRelationships) {
        const child = this.schema.findObject(rel.childSObject);
        const field = child && this.schema.findField(child, rel.field);
        if (!child || !field) continue;
        for (const row of this.store.rows(child)) {
          if (dupIds.includes(String(row.values.get(field.name))))
            row.values.set(field.name, masterId);
        }
      }
      this.store.commitDelete(type, dupIds);
      for (const id of dupIds) {
        const row = this.store.row(id);
        if (row && row.values.has('MasterRecordId')) row.values.set('MasterRecordId', masterId);
      }
      const deleted = losers.map((l) => {
        const c = l.clone(true, false, true, true);
        c.put('MasterRecordId', masterId);
        return c;
      });
      this.rt.runTriggers(type, 'delete', false, null, deleted);
      const rowErrors = new Map<number, RowError[]>();
      this.updateChunk(
        obj,
        [master],
        0,
        rowErrors,
        (errs, offset, map) => {
          for (const e of errs) rowErrors.set(map[e.index] + offset, [e]);
        },
        true
      );
      if (rowErrors.size) {
        const e = [...rowErrors.values()][0][0];
        throw new ApexError(
          'System.DmlException',
          `Merge failed. First exception on row 0 with id ${masterId}; first error: ${e.statusCode}, ${e.message}: [${e.fields.join(', ')}]`
        );
      }
    } catch (e) {
      sp.restore();
      if (e instanceof TriggerFailure) {
        throw new ApexError(
          'System.DmlException',
          `Merge failed. First exception on row 0 with id ${masterId}; first error: CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY, ${e.detail}: []`
        );
      }
      throw e;
    }
  }

  /**
   * Database.convertLead ("LeadConvert Class"): creates the Account (Name = Company) and the
   * Contact unless given, updates the lead (IsConverted, ConvertedDate, Converted*Id, Status)
   * with its update triggers, and the Opportunity unless setDoNotCreateOpportunity(true): its stage
   * and close date come from the org fixture's "leadConvertOpportunity".
   */
  convertLead(lc: Record<string, unknown>): Record<string, unknown> {
    const leadId = lc.leadid as string | null;
    if (!leadId)
      throw new ApexError('System.InvalidParameterValueException', 'Lead Id is required');
    const lead = this.store.getStored(String(leadId));
    if (!lead || lead.sobjectType !== 'Lead') {
      throw new ApexError(
        'System.DmlException',
        'ConvertLead failed. First exception on row 0; first error: INVALID_CROSS_REFERENCE_KEY, invalid cross reference id: []'
      );
    }
    if (lead.get('IsConverted') === true) {
      throw new ApexError(
        'System.DmlException',
        'ConvertLead failed. First exception on row 0; first error: INVALID_STATUS, Lead is already converted: []'
      );
    }
    const createOpportunity = lc.donotcreateopportunity !== true;
    const oppDefaults = this.schema.org.leadConvertOpportunity;
    if (createOpportunity && !oppDefaults) {
      throw new NotSupportedLocally(
        'Database.convertLead creating an Opportunity without "leadConvertOpportunity" in the org fixture'
      );
    }
    const status = lc.convertedstatus as string | null;
    const statuses = this.store.rows(this.schema.getObject('LeadStatus'));
    const match = statuses.find(
      (r) => String(r.values.get('ApiName') ?? r.values.get('MasterLabel')) === status
    );
    if (!status || !match || match.values.get('IsConverted') !== true) {
      throw new ApexError(
        'System.DmlException',
        `ConvertLead failed. First exception on row 0; first error: INVALID_STATUS, invalid convertedStatus: ${String(status)}: []`
      );
    }
    const owner = (lc.ownerid as string | null) ?? (lead.get('OwnerId') as string | null);
    if (owner && !owner.startsWith('005')) {
      throw new ApexError(
        'System.DmlException',
        'ConvertLead failed. First exception on row 0; first error: INVALID_OWNER, a lead owned by a queue cannot be converted: []'
      );
    }
    const std = this.rt.stdlib;
    std.count('dmlStatements');
    std.count('dmlRows', 1);
    const sp = this.store.savepoint();
    let accountId = lc.accountid as string | null;
    let contactId = lc.contactid as string | null;
    let opportunityId: string | null = null;
    this.internalDml = true;
    try {
      if (!accountId) {
        const acc = new SObjectValue('Account');
        acc.put('Name', lead.get('Company') ?? lead.get('Name'));
        if (owner) acc.put('OwnerId', owner);
        this.dml('insert', acc, null, true);
        accountId = acc.get('Id') as string;
      }
      if (!contactId) {
        const c = new SObjectValue('Contact');
        for (const f of ['FirstName', 'LastName', 'Email', 'Phone', 'Title', 'LeadSource']) {
          if (this.findField('Contact', f) && lead.isSet(f) && lead.get(f) !== null)
            c.put(f, lead.get(f));
        }
        c.put('AccountId', accountId);
        if (owner) c.put('OwnerId', owner);
        this.dml('insert', c, null, true);
        contactId = c.get('Id') as string;
      }
      if (createOpportunity && oppDefaults) {
        // Name defaults to the lead's company ("LeadConvert Class", setOpportunityName); stage
        // and close date are the org's, declared in the org fixture.
        const opp = new SObjectValue('Opportunity');
        opp.put('Name', (lc.opportunityname as string | null) ?? lead.get('Company'));
        opp.put('AccountId', accountId);
        opp.put('StageName', oppDefaults.stageName);
        const today = this.rt.stdlib.today();
        const quarterEndMonth = Math.ceil(today.month / 3) * 3;
        const lastDay = new Date(Date.UTC(today.year, quarterEndMonth, 0)).getUTCDate();
        opp.put('CloseDate', new ApexDate(today.year, quarterEndMonth, lastDay));
        if (this.findField('Opportunity', 'LeadSource') && lead.isSet('LeadSource'))
          opp.put('LeadSource', lead.get('LeadSource'));
        if (owner) opp.put('OwnerId', owner);
        this.dml('insert', opp, null, true);
        opportunityId = opp.get('Id') as string;
      }
    } catch (e) {
      sp.restore();
      throw e;
    } finally {
      this.internalDml = false;
    }
    const update = new SObjectValue('Lead');
    update.put('Id', lead.get('Id'));
    update.put('Status', status);
    update.put('IsConverted', true);
    update.put('ConvertedDate', this.rt.stdlib.today());
    update.put('ConvertedAccountId', accountId);
    update.put('ConvertedContactId', contactId);
    if (opportunityId) update.put('ConvertedOpportunityId', opportunityId);
    const rowErrors = new Map<number, RowError[]>();
    try {
      this.convertUpdate(update, rowErrors);
    } catch (e) {
      sp.restore();
      if (e instanceof TriggerFailure) {
        throw new ApexError(
          'System.DmlException',
          `ConvertLead failed. First exception on row 0; first error: CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY, ${e.detail}: []`
        );
      }
      throw e;
    }
    if (rowErrors.size) {
      sp.restore();
      const e = [...rowErrors.values()][0][0];
      throw new ApexError(
        'System.DmlException',
        `ConvertLead failed. First exception on row 0; first error: ${e.statusCode}, ${e.message}: [${e.fields.join(', ')}]`
      );
    }
    return { success: true, leadId: lead.get('Id'), accountId, contactId, opportunityId };
  }

  /** The lead update of a conversion (system-writable Converted* fields). */
  private convertUpdate(update: SObjectValue, rowErrors: Map<number, RowError[]>): void {
    this.updateChunk(
      this.schema.getObject('Lead'),
      [update],
      0,
      rowErrors,
      (errs, offset, map) => {
        for (const e of errs) rowErrors.set(map[e.index] + offset, [e]);
      },
      true,
      [
        'IsConverted',
        'ConvertedDate',
        'ConvertedAccountId',
        'ConvertedContactId',
        'ConvertedOpportunityId'
      ]
    );
  }

  private checkMixedDml(type: string, _op: string): void {
    const setup = SETUP_OBJECTS.has(type.toLowerCase());
    if (setup) {
      if (this.nonSetupDml) {
        throw new ApexError(
          'System.DmlException',
          `${_op.charAt(0).toUpperCase() + _op.slice(1)} failed. First exception on row 0; first error: MIXED_DML_OPERATION, DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): ${type}, original object: ${this.nonSetupDml}: []`
        );
      }
      this.setupDml ??= type;
    } else {
      if (this.setupDml) {
        throw new ApexError(
          'System.DmlException',
          `${_op.charAt(0).toUpperCase() + _op.slice(1)} failed. First exception on row 0; first error: MIXED_DML_OPERATION, DML operation on non-setup object is not permitted after you have updated a setup object (or vice versa): ${type}, original object: ${this.setupDml}: []`
        );
      }
      this.nonSetupDml ??= type;
    }
  }

  /**
   * Collects addError calls made in triggers on `records` into row errors; `toRow(i)` gives the
   * caller's index of records[i]. Returns the positions (in `records`) that failed.
   */
  private takeAddErrors(
    records: SObjectValue[],
    toRow: (i: number) => number,
    rowErrors: Map<number, RowError[]>
  ): Set<number> {
    const failed = new Set<number>();
    records.forEach((r, i) => {
      const errs = this.errors.get(r);
      if (!errs || !errs.length) return;
      failed.add(i);
      const idx = toRow(i);
      const l = rowErrors.get(idx) ?? [];
      for (const e of errs) {
        l.push({
          index: idx,
          statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          message: e.message,
          fields: e.field ? [e.field] : []
        });
      }
      rowErrors.set(idx, l);
      this.errors.delete(r);
    });
    return failed;
  }

  /** addError in an after trigger: the whole statement fails (allOrNone) or is not supported. */
  private afterErrors(
    after: SObjectValue[],
    toRow: (i: number) => number,
    rowErrors: Map<number, RowError[]>,
    allOrNone: boolean
  ): void {
    const failed = this.takeAddErrors(after, toRow, allOrNone ? rowErrors : new Map());
    if (failed.size && !allOrNone) {
      throw new NotSupportedLocally(
        'addError in an after trigger with allOrNone=false (partial-success retry)'
      );
    }
  }

  private insertChunk(
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    offset: number,
    rowErrors: Map<number, RowError[]>,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void,
    allOrNone: boolean
  ): void {
    const rt = this.rt;
    // triggers work on copies: only the Id (and system fields) come back to the caller's records
    const work = chunk.map((r) => r.clone(true, false, true, true));
    this.store.applyInsertDefaults(obj.name, work);
    rt.runTriggers(obj.name, 'insert', true, work, null);
    const failed = this.takeAddErrors(work, (i) => offset + i, rowErrors);
    const okIdx = work.map((_r, i) => i).filter((i) => !failed.has(i));
    const ok = okIdx.map((i) => work[i]);
    const errs = this.store.prepareInsert(obj.name, ok);
    addRowErrors(errs, offset, okIdx);
    if (allOrNone && rowErrors.size) return;
    const bad = new Set(errs.map((e) => okIdx[e.index]));
    const commitIdx = okIdx.filter((i) => !bad.has(i));
    const toCommit = commitIdx.map((i) => work[i]);
    if (!toCommit.length) return;
    this.store.commitInsert(obj.name, toCommit);
    commitIdx.forEach((i) => chunk[i].put('Id', work[i].get('Id')));
    const after = toCommit.map((r) => this.store.getStored(String(r.get('Id')))!);
    rt.runTriggers(obj.name, 'insert', false, after, null);
    this.afterErrors(after, (i) => offset + commitIdx[i], rowErrors, allOrNone);
  }

  private updateChunk(
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    offset: number,
    rowErrors: Map<number, RowError[]>,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void,
    allOrNone: boolean,
    systemWritable: string[] = []
  ): void {
    const rt = this.rt;
    const olds: SObjectValue[] = [];
    const work: SObjectValue[] = [];
    const idxs: number[] = [];
    chunk.forEach((r, i) => {
      const id = r.isSet('Id') ? (r.get('Id') as string | null) : null;
      const old = this.storedForDml(id, 'an update', i, offset, addRowErrors);
      if (!old) return;
      const merged = old.clone(true, false, true, true);
      for (const f of r.fieldNames()) merged.put(f, r.get(f));
      olds.push(old);
      work.push(merged);
      idxs.push(i);
    });
    if (allOrNone && rowErrors.size) return;
    if (!work.length) return;
    rt.runTriggers(obj.name, 'update', true, work, olds);
    const failed = this.takeAddErrors(work, (i) => offset + idxs[i], rowErrors);
    const okPos = work.map((_r, i) => i).filter((i) => !failed.has(i));
    const errs = this.store.prepareUpdate(
      obj.name,
      okPos.map((i) => work[i]),
      { systemWritable }
    );
    addRowErrors(
      errs,
      offset,
      okPos.map((i) => idxs[i])
    );
    if (allOrNone && rowErrors.size) return;
    const bad = new Set(errs.map((e) => okPos[e.index]));
    const commitPos = okPos.filter((i) => !bad.has(i));
    if (!commitPos.length) return;
    this.store.commitUpdate(
      obj.name,
      commitPos.map((i) => work[i])
    );
    const after = commitPos.map((i) => this.store.getStored(String(work[i].get('Id')))!);
    rt.runTriggers(
      obj.name,
      'update',
      false,
      after,
      commitPos.map((i) => olds[i])
    );
    this.afterErrors(after, (i) => offset + idxs[commitPos[i]], rowErrors, allOrNone);
  }

  /**
   * The stored record an update/delete row targets, or null after recording the
   * row's MISSING_ARGUMENT (no Id) or ENTITY_IS_DELETED (unknown Id) error.
   */
  private storedForDml(
    id: string | null,
    call: 'an update' | 'a delete',
    i: number,
    offset: number,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void
  ): SObjectValue | null {
    const fail = (statusCode: string, message: string): null => {
      addRowErrors([{ index: 0, statusCode, message, fields: [] }], offset, [i]);
      return null;
    };
    if (!id) return fail('MISSING_ARGUMENT', `Id not specified in ${call} call`);
    return this.store.getStored(id) ?? fail('ENTITY_IS_DELETED', 'entity is deleted');
  }

  private deleteChunk(
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    offset: number,
    rowErrors: Map<number, RowError[]>,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void,
    allOrNone: boolean
  ): void {
    const rt = this.rt;
    const ids = chunk.map((r) => (r.isSet('Id') ? (r.get('Id') as string | null) : null));
    const olds: SObjectValue[] = [];
    const pos: number[] = [];
    ids.forEach((id, i) => {
      const old = this.storedForDml(id, 'a delete', i, offset, addRowErrors);
      if (!old) return;
      olds.push(old);
      pos.push(i);
    });
    if (allOrNone && rowErrors.size) return;
    if (!olds.length) return;
    rt.runTriggers(obj.name, 'delete', true, null, olds);
    const failed = this.takeAddErrors(olds, (i) => offset + pos[i], rowErrors);
    const okPos = olds.map((_r, i) => i).filter((i) => !failed.has(i));
    const okIds = okPos.map((i) => String(olds[i].get('Id')));
    const errs = this.store.prepareDelete(obj.name, okIds);
    addRowErrors(
      errs,
      offset,
      okPos.map((i) => pos[i])
    );
    if (allOrNone && rowErrors.size) return;
    const bad = new Set(errs.map((e) => okPos[e.index]));
    const commitPos = okPos.filter((i) => !bad.has(i));
    if (!commitPos.length) return;
    this.store.commitDelete(
      obj.name,
      commitPos.map((i) => String(olds[i].get('Id')))
    );
    const deleted = commitPos.map((i) => olds[i]);
    rt.runTriggers(obj.name, 'delete', false, null, deleted);
    this.afterErrors(deleted, (i) => offset + pos[commitPos[i]], rowErrors, allOrNone);
  }

  private undeleteChunk(
    obj: ObjectDescribe,
    chunk: SObjectValue[],
    offset: number,
    _rowErrors: Map<number, RowError[]>,
    addRowErrors: (errs: RowError[], offset: number, map: number[]) => void,
    _allOrNone: boolean
  ): void {
    const ids = chunk.map((r) => String(r.get('Id')));
    const errs = this.store.prepareUndelete(obj.name, ids);
    addRowErrors(
      errs,
      offset,
      ids.map((_x, i) => i)
    );
    const bad = new Set(errs.map((e) => e.index));
    const ok = ids.filter((_x, i) => !bad.has(i));
    if (!ok.length) return;
    this.store.commitUndelete(obj.name, ok);
    this.rt.runTriggers(
      obj.name,
      'undelete',
      false,
      ok.map((id) => this.store.getStored(id)!),
      null
    );
  }
}

function idSuffix(r: SObjectValue): string {
  const id = r.isSet('Id') ? r.get('Id') : null;
  return id ? ` with id ${String(id)}` : '';
}

/**
 * Next fire time of an Apex cron expression (Seconds Minutes Hours Day_of_month Month
 * Day_of_week [Year]) after `fromMs`, in the given zone; numbers, lists, ranges, '*' and '?'.
 */
export function nextCronFire(cron: string, fromMs: number, zone: string): number | null {
  const parts = cron.trim().split(/\s+/);
  if (parts.length < 6 || parts.length > 7) {
    throw new ApexError('System.StringException', `Invalid cron expression: ${cron}`);
  }
  const parse = (p: string, min: number, max: number): Set<number> | null => {
    if (p === '*' || p === '?') return null;
    const out = new Set<number>();
    for (const item of p.split(',')) {
      const step = item.split('/');
      if (step.length === 2 && step[0] !== '*') {
        for (let x = Number(step[0]); x <= max; x += Number(step[1])) out.add(x);
        continue;
      }
      const range = item.split('-');
      if (range.length === 2) for (let x = Number(range[0]); x <= Number(range[1]); x++) out.add(x);
      else if (/^\d+$/.test(item)) out.add(Number(item));
      else throw new NotSupportedLocally(`cron field '${item}'`);
    }
    for (const x of out)
      if (x < min || x > max)
        throw new ApexError('System.StringException', `Invalid cron expression: ${cron}`);
    return out;
  };
  const sec = parse(parts[0], 0, 59);
  const min = parse(parts[1], 0, 59);
  const hour = parse(parts[2], 0, 23);
  const dom = parse(parts[3], 1, 31);
  const mon = parse(parts[4], 1, 12);
  const dow = parse(parts[5], 1, 7);
  const year = parts[6] ? parse(parts[6], 1970, 2099) : null;
  let t = DateTime.fromMillis(fromMs, { zone }).plus({ seconds: 1 }).startOf('second');
  const limit = t.plus({ years: 5 });
  const has = (s: Set<number> | null, v: number): boolean => s === null || s.has(v);
  while (t < limit) {
    if (
      !has(year, t.year) ||
      !has(mon, t.month) ||
      !has(dom, t.day) ||
      !has(dow, (t.weekday % 7) + 1)
    ) {
      t = t.plus({ days: 1 }).startOf('day');
      continue;
    }
    if (!has(hour, t.hour)) {
      t = t.plus({ hours: 1 }).startOf('hour');
      continue;
    }
    if (!has(min, t.minute)) {
      t = t.plus({ minutes: 1 }).startOf('minute');
      continue;
    }
    if (!has(sec, t.second)) {
      t = t.plus({ seconds: 1 });
      continue;
    }
    return t.toMillis();
  }
  return null;
}

export { ApexTime };
