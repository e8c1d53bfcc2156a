/**
 * The schema of the local runtime: standard objects described in JSON files beside this module,
 * extended and completed by the project's own metadata XML (custom objects, custom fields on
 * standard objects, custom metadata types and their records, platform events).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataNotSupportedError, SchemaError } from './errors.ts';
import { loadOrgFixture, type OrgFixture } from './org.ts';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url'
  | 'long';

/** The Apex type a field's value has in an SObject. */
export type ApexFieldType =
  | 'Id'
  | 'String'
  | 'Boolean'
  | 'Integer'
  | 'Long'
  | 'Decimal'
  | 'Date'
  | 'Datetime'
  | 'Time';

export interface PicklistValue {
  value: string;
  label: string;
  default: boolean;
  active: boolean;
}

export interface FieldDescribe {
  name: string;
  label: string;
  type: FieldType;
  apexType: ApexFieldType;
  length: number;
  precision: number;
  scale: number;
  referenceTo: string[];
  /** Parent relationship name (`Owner`, `Lead__r`). */
  relationshipName: string | null;
  /** For custom lookups: the child relationship name on the parent (`Widgets__r`). */
  childRelationshipName: string | null;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  /** The platform fills the field when the insert leaves it empty (OwnerId, Status, ...). */
  defaultedOnCreate: boolean;
  /** Literal default (picklist default, checkbox default, simple formula literal); null if none. */
  defaultValue: string | boolean | number | null;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  externalId: boolean;
  unique: boolean;
  custom: boolean;
  /** Formula or roll-up summary: its value is computed, never stored. */
  calculated: boolean;
  autoNumber: boolean;
  /** For auto numbers: the display format, e.g. `T-{0000000}`. */
  displayFormat: string | null;
  /** Cascade for master-detail children, SetNull/Restrict for lookups. */
  deleteConstraint: 'Cascade' | 'SetNull' | 'Restrict' | null;
  /**
   * Set when the runtime cannot handle the field (an unknown field type): any use of it is
   * NotSupportedLocally with this text. The project still loads.
   */
  notSupported: string | null;
  /** Set when the default value is a formula the runtime does not evaluate. */
  defaultNotSupported: string | null;
  /** Where the field came from, for error messages. */
  source: string;
}

export interface ChildRelationship {
  relationshipName: string;
  childSObject: string;
  field: string;
  cascadeDelete: boolean;
}

export type ObjectKind = 'standard' | 'custom' | 'customMetadata' | 'platformEvent';

export interface ObjectDescribe {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  kind: ObjectKind;
  queryable: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  /** Keyed by lower-case field name. */
  fields: Map<string, FieldDescribe>;
  childRelationships: ChildRelationship[];
  /** The field holding the record's name (Name, Subject, CaseNumber, ...), if any. */
  nameField: string | null;
  source: string;
}

/**
 * One custom metadata record as written in its XML: values keyed by canonical field name, each
 * the raw text with its xsi:type (or null for xsi:nil); the Store types them by field.
 */
export interface CustomMetadataRecord {
  type: string;
  developerName: string;
  label: string;
  protected: boolean;
  values: Map<string, RawMetadataValue | null>;
  source: string;
}

export const DATA_DIR = path.dirname(fileURLToPath(import.meta.url));
export const STANDARD_OBJECTS_DIR = path.join(DATA_DIR, 'standard-objects');

// ---------------------------------------------------------------------------------------------
// Standard object JSON format
// ---------------------------------------------------------------------------------------------

interface StandardFieldJson {
  name: string;
  type: FieldType;
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  referenceTo?: string[];
  relationshipName?: string;
  nillable?: boolean;
  create?: boolean;
  update?: boolean;
  defaultedOnCreate?: boolean;
  defaultValue?: string | boolean | number;
  picklist?: (string | { value: string; default?: boolean; active?: boolean })[];
  restricted?: boolean;
  externalId?: boolean;
  unique?: boolean;
  calculated?: boolean;
}

interface StandardObjectJson {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  reference: string;
  nameField?: string;
  queryable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  /** Adds Id, CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp. */
  auditFields?: boolean;
  isDeleted?: boolean;
  fields: StandardFieldJson[];
  /** cascadeDelete: the children are deleted (and undeleted) with the parent, e.g. activities. */
  childRelationships?: {
    relationshipName: string;
    childSObject: string;
    field: string;
    cascadeDelete?: boolean;
  }[];
}

const AUDIT_FIELDS: StandardFieldJson[] = [
  {
    name: 'Id',
    type: 'id',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  },
  {
    name: 'CreatedDate',
    type: 'datetime',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  },
  {
    name: 'CreatedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  },
  {
    name: 'LastModifiedDate',
    type: 'datetime',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  },
  {
    name: 'LastModifiedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  },
  {
    name: 'SystemModstamp',
    type: 'datetime',
    nillable: false,
    create: false,
    update: false,
    defaultedOnCreate: true
  }
];

const IS_DELETED: StandardFieldJson = {
  name: 'IsDeleted',
  type: 'boolean',
  nillable: false,
  create: false,
  update: false,
  defaultedOnCreate: true,
  defaultValue: false
};

export function apexTypeOf(type: FieldType): ApexFieldType {
  switch (type) {
    case 'id':
    case 'reference':
      return 'Id';
    case 'boolean':
      return 'Boolean';
    case 'int':
      return 'Integer';
    case 'long':
      return 'Long';
    // Number, currency and percent fields are Decimal in Apex, whatever their scale.
    case 'double':
    case 'currency':
    case 'percent':
      return 'Decimal';
    case 'date':
      return 'Date';
    case 'datetime':
      return 'Datetime';
    case 'time':
      return 'Time';
    default:
      return 'String';
  }
}

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  email: 80,
  phone: 40,
  url: 255,
  string: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099
};

/** A label from an API name where the describe JSON gives none: `LastName` → `Last Name`. */
export function labelFromName(name: string): string {
  return name
    .replace(/Id$/, ' ID')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim();
}

function fieldFromJson(f: StandardFieldJson, source: string): FieldDescribe {
  const picklistValues: PicklistValue[] = (f.picklist ?? []).map((p) =>
    typeof p === 'string'
      ? { value: p, label: p, default: false, active: true }
      : { value: p.value, label: p.value, default: !!p.default, active: p.active !== false }
  );
  const def = picklistValues.find((p) => p.default);
  return {
    name: f.name,
    label: f.label ?? labelFromName(f.name),
    type: f.type,
    apexType: apexTypeOf(f.type),
    length: f.length ?? DEFAULT_LENGTH[f.type] ?? 0,
    precision: f.precision ?? 0,
    scale: f.scale ?? 0,
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.relationshipName ?? null,
    childRelationshipName: null,
    nillable: f.nillable ?? f.type !== 'boolean',
    createable: f.create ?? true,
    updateable: f.update ?? true,
    defaultedOnCreate: f.defaultedOnCreate ?? (def !== undefined || f.defaultValue !== undefined),
    defaultValue: f.defaultValue ?? def?.value ?? (f.type === 'boolean' ? false : null),
    picklistValues,
    restrictedPicklist: !!f.restricted,
    externalId: !!f.externalId,
    unique: !!f.unique,
    custom: false,
    calculated: !!f.calculated,
    notSupported: null,
    defaultNotSupported: null,
    autoNumber: false,
    displayFormat: null,
    deleteConstraint: null,
    source
  };
}

function loadStandardObject(file: string): ObjectDescribe {
  let json: StandardObjectJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as StandardObjectJson;
  } catch (e) {
    throw new SchemaError(`Cannot read standard object describe: ${(e as Error).message}`, file);
  }
  const source = path.relative(DATA_DIR, file);
  const fields = new Map<string, FieldDescribe>();
  const all = [
    ...(json.auditFields === false ? [] : AUDIT_FIELDS),
    ...(json.isDeleted === false ? [] : [IS_DELETED]),
    ...json.fields
  ];
  for (const f of all) {
    const key = f.name.toLowerCase();
    if (fields.has(key))
      throw new SchemaError(`Field ${json.name}.${f.name} is described twice`, file);
    fields.set(key, fieldFromJson(f, source));
  }
  return {
    name: json.name,
    label: json.label,
    labelPlural: json.labelPlural,
    keyPrefix: json.keyPrefix,
    custom: false,
    kind: 'standard',
    queryable: json.queryable ?? true,
    createable: json.createable ?? true,
    updateable: json.updateable ?? true,
    deletable: json.deletable ?? true,
    fields,
    childRelationships: (json.childRelationships ?? []).map((c) => ({
      ...c,
      cascadeDelete: c.cascadeDelete === true
    })),
    nameField: json.nameField ?? (fields.has('name') ? 'Name' : null),
    source
  };
}

let standardCache: Map<string, ObjectDescribe> | undefined;

/** Every standard object described in `standard-objects/*.json`, keyed by lower-case name. */
export function standardObjects(): Map<string, ObjectDescribe> {
  if (!standardCache) {
    standardCache = new Map();
    for (const entry of readdirSync(STANDARD_OBJECTS_DIR).sort()) {
      if (!entry.endsWith('.json')) continue;
      const obj = loadStandardObject(path.join(STANDARD_OBJECTS_DIR, entry));
      standardCache.set(obj.name.toLowerCase(), obj);
    }
  }
  return standardCache;
}

function cloneObject(o: ObjectDescribe): ObjectDescribe {
  return {
    ...o,
    fields: new Map([...o.fields].map(([k, f]) => [k, { ...f }])),
    childRelationships: o.childRelationships.map((c) => ({ ...c }))
  };
}

// ---------------------------------------------------------------------------------------------
// Metadata XML
// ---------------------------------------------------------------------------------------------

const ARRAY_TAGS = new Set([
  'value',
  'values',
  'fields',
  'recordTypes',
  'validationRules',
  'referenceTo',
  'valueSettings',
  'controllingFieldValue'
]);

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (tagName) => ARRAY_TAGS.has(tagName)
});

type XmlNode = Record<string, unknown>;

function readXml(file: string, root: string): XmlNode {
  let doc: XmlNode;
  try {
    const content = readFileSync(file, 'utf8');
    const valid = XMLValidator.validate(content);
    if (valid !== true) {
      throw new Error(`${valid.err.msg} at line ${valid.err.line}`);
    }
    doc = xml.parse(content) as XmlNode;
  } catch (e) {
    throw new SchemaError(`Malformed XML: ${(e as Error).message}`, file);
  }
  const node = doc[root];
  if (!node || typeof node !== 'object') {
    throw new SchemaError(`Expected a <${root}> root element`, file);
  }
  return node as XmlNode;
}

function text(node: XmlNode, tag: string): string | undefined {
  const raw = node[tag];
  const v = Array.isArray(raw) ? (raw[0] as unknown) : raw;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as XmlNode)['#text'];
    return t === undefined ? '' : String(t);
  }
  return String(v);
}

function bool(node: XmlNode, tag: string, fallback = false): boolean {
  const v = text(node, tag);
  return v === undefined ? fallback : v.trim().toLowerCase() === 'true';
}

function num(node: XmlNode, tag: string): number | undefined {
  const v = text(node, tag);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function arr(node: XmlNode, tag: string): XmlNode[] {
  const v = node[tag];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as XmlNode[];
}

/** A formula default that is a plain literal: 'text', true/false, a number. Otherwise null. */
function literalDefault(
  formula: string | undefined,
  type: FieldType
): string | number | boolean | null {
  if (formula === undefined) return null;
  const f = formula.trim();
  if (type === 'boolean') {
    if (/^true$/i.test(f)) return true;
    if (/^false$/i.test(f)) return false;
  }
  const quoted = /^(['"])(.*)\1$/s.exec(f);
  if (quoted) return quoted[2]!.replace(/\\(['"\\])/g, '$1');
  if (/^-?\d+(\.\d+)?$/.test(f)) return Number(f);
  return null;
}

interface FieldXmlContext {
  objectName: string;
  kind: ObjectKind;
  file: string;
  /** Global value sets of the project, by name, for picklists that use one. */
  globalValueSets: Map<string, PicklistValue[]>;
}

function fieldFromXml(node: XmlNode, ctx: FieldXmlContext): FieldDescribe {
  const name = text(node, 'fullName');
  if (!name) throw new SchemaError('Field without <fullName>', ctx.file);
  const xmlType = text(node, 'type');
  const formula = text(node, 'formula');
  const base = {
    name,
    label: text(node, 'label') ?? name,
    length: 0,
    precision: 0,
    scale: 0,
    referenceTo: [] as string[],
    relationshipName: null as string | null,
    childRelationshipName: null as string | null,
    nillable: !bool(node, 'required'),
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    defaultValue: null as string | boolean | number | null,
    picklistValues: [] as PicklistValue[],
    restrictedPicklist: false,
    externalId: bool(node, 'externalId'),
    unique: bool(node, 'unique'),
    custom: true,
    calculated: false,
    notSupported: null as string | null,
    defaultNotSupported: null as string | null,
    autoNumber: false,
    displayFormat: null as string | null,
    deleteConstraint: null as FieldDescribe['deleteConstraint'],
    source: ctx.file
  };
  let type: FieldType;
  switch (xmlType) {
    case 'Text':
    case 'EncryptedText':
      type = 'string';
      base.length = num(node, 'length') ?? 255;
      break;
    case 'TextArea':
      type = 'textarea';
      base.length = 255;
      break;
    case 'LongTextArea':
    case 'Html':
      type = 'textarea';
      base.length = num(node, 'length') ?? 32768;
      break;
    case 'Email':
      type = 'email';
      base.length = 80;
      break;
    case 'Phone':
      type = 'phone';
      base.length = 40;
      break;
    case 'Url':
      type = 'url';
      base.length = 255;
      break;
    case 'Checkbox':
      type = 'boolean';
      base.nillable = false;
      base.defaultedOnCreate = true;
      break;
    case 'Number':
      type = 'double';
      break;
    case 'Currency':
      type = 'currency';
      break;
    case 'Percent':
      type = 'percent';
      break;
    case 'Date':
      type = 'date';
      break;
    case 'DateTime':
      type = 'datetime';
      break;
    case 'Time':
      type = 'time';
      break;
    case 'Picklist':
      type = 'picklist';
      base.length = 255;
      break;
    case 'MultiselectPicklist':
      type = 'multipicklist';
      base.length = 4099;
      break;
    case 'AutoNumber':
      type = 'string';
      base.length = 30;
      base.autoNumber = true;
      base.createable = false;
      base.updateable = false;
      base.nillable = false;
      base.defaultedOnCreate = true;
      base.displayFormat = text(node, 'displayFormat') ?? null;
      break;
    case 'Lookup':
    case 'MasterDetail':
    case 'Hierarchy': {
      type = 'reference';
      base.length = 18;
      const target = xmlType === 'Hierarchy' ? 'User' : text(node, 'referenceTo');
      if (!target)
        throw new SchemaError(`Field ${ctx.objectName}.${name} has no <referenceTo>`, ctx.file);
      base.referenceTo = [target];
      // <relationshipName> names the child relationship on the parent; the parent
      // relationship is the field name with __r.
      const rel = text(node, 'relationshipName');
      base.childRelationshipName = rel ? `${rel}__r` : null;
      base.relationshipName = name.replace(/__c$/i, '__r');
      if (xmlType === 'MasterDetail') {
        base.nillable = false;
        base.updateable = bool(node, 'reparentableMasterDetail');
        base.deleteConstraint = 'Cascade';
      } else {
        const dc = text(node, 'deleteConstraint');
        base.deleteConstraint = dc === 'Restrict' || dc === 'Cascade' ? dc : 'SetNull';
      }
      break;
    }
    case 'MetadataRelationship':
      // A custom metadata field pointing at an EntityDefinition/FieldDefinition or another type:
      // its stored value is the referenced developer name.
      type = 'string';
      base.length = 255;
      break;
    case 'Summary':
      type = 'double';
      base.calculated = true;
      break;
    default:
      // Described but unusable: refused when a query, a DML or the fixture touches it.
      type = 'string';
      base.notSupported = `field type ${xmlType ?? '(none)'} of ${ctx.objectName}.${name} (${ctx.file})`;
      base.createable = false;
      base.updateable = false;
      base.nillable = true;
  }
  if (type === 'double' || type === 'currency' || type === 'percent') {
    base.precision = num(node, 'precision') ?? 18;
    base.scale = num(node, 'scale') ?? 0;
  }
  if (formula !== undefined) {
    base.calculated = true;
  }
  if (base.calculated) {
    base.createable = false;
    base.updateable = false;
    base.nillable = true;
    base.defaultedOnCreate = false;
  }
  if (type === 'picklist' || type === 'multipicklist') {
    const valueSet = node['valueSet'] as XmlNode | undefined;
    if (valueSet) {
      base.restrictedPicklist = bool(valueSet, 'restricted');
      const gvs = text(valueSet, 'valueSetName');
      if (gvs) {
        const values = ctx.globalValueSets.get(gvs.toLowerCase());
        if (!values) {
          throw new SchemaError(
            `Picklist ${ctx.objectName}.${name} uses unknown global value set ${gvs}`,
            ctx.file
          );
        }
        base.picklistValues = values.map((v) => ({ ...v }));
        base.restrictedPicklist = true;
      } else {
        const def = valueSet['valueSetDefinition'] as XmlNode | undefined;
        base.picklistValues = def ? picklistFromXml(arr(def, 'value')) : [];
      }
    }
    const dflt = base.picklistValues.find((p) => p.default);
    if (dflt && type === 'picklist') {
      base.defaultValue = dflt.value;
      base.defaultedOnCreate = true;
    }
  }
  const defaultFormula = text(node, 'defaultValue');
  if (defaultFormula !== undefined && !base.calculated) {
    const lit = literalDefault(defaultFormula, type);
    if (lit === null) {
      base.defaultNotSupported = `default value formula "${defaultFormula}" of ${ctx.objectName}.${name} (only literal defaults are evaluated)`;
    } else {
      base.defaultValue = lit;
    }
    base.defaultedOnCreate = true;
  } else if (type === 'boolean' && base.defaultValue === null) {
    base.defaultValue = false;
  }
  if (ctx.kind === 'customMetadata') {
    // Custom metadata records are read-only from Apex.
    base.createable = false;
    base.updateable = false;
  }
  return { ...base, type, apexType: apexTypeOf(type) };
}

function picklistFromXml(values: XmlNode[]): PicklistValue[] {
  return values.map((v) => {
    const value = text(v, 'fullName') ?? '';
    return {
      value,
      label: text(v, 'label') ?? value,
      default: bool(v, 'default'),
      active: !(text(v, 'isActive') !== undefined && !bool(v, 'isActive'))
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Project scanning
// ---------------------------------------------------------------------------------------------

interface SfdxProject {
  packageDirectories?: { path: string }[];
  namespace?: string;
}

function walk(dir: string, visit: (file: string) => void): void {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, visit);
    else visit(full);
  }
}

/** The package directories of an SFDX project (its `sfdx-project.json`), or the folder itself. */
export function packageDirectories(projectDir: string): { dirs: string[]; namespace: string } {
  const projectFile = path.join(projectDir, 'sfdx-project.json');
  if (!existsSync(projectFile)) {
    throw new SchemaError(`No sfdx-project.json in ${projectDir}`);
  }
  let project: SfdxProject;
  try {
    project = JSON.parse(readFileSync(projectFile, 'utf8')) as SfdxProject;
  } catch (e) {
    throw new SchemaError(`Cannot read sfdx-project.json: ${(e as Error).message}`, projectFile);
  }
  const dirs = (project.packageDirectories ?? [])
    .map((d) => path.resolve(projectDir, d.path))
    .filter((d) => existsSync(d));
  return { dirs, namespace: project.namespace ?? '' };
}

function lastSegmentKind(name: string): ObjectKind {
  if (name.endsWith('__mdt')) return 'customMetadata';
  if (name.endsWith('__e')) return 'platformEvent';
  if (name.endsWith('__c')) return 'custom';
  return 'standard';
}

function customObjectBase(
  name: string,
  kind: ObjectKind,
  node: XmlNode | undefined,
  file: string
): ObjectDescribe {
  const fields = new Map<string, FieldDescribe>();
  const add = (f: StandardFieldJson) => fields.set(f.name.toLowerCase(), fieldFromJson(f, file));
  const label = (node && text(node, 'label')) ?? name;
  const labelPlural = (node && text(node, 'pluralLabel')) ?? label;
  if (kind === 'customMetadata') {
    add({ name: 'Id', type: 'id', nillable: false, create: false, update: false });
    add({
      name: 'DeveloperName',
      type: 'string',
      length: 40,
      nillable: false,
      create: false,
      update: false
    });
    add({
      name: 'MasterLabel',
      type: 'string',
      length: 40,
      nillable: false,
      create: false,
      update: false
    });
    add({
      name: 'Label',
      type: 'string',
      length: 40,
      nillable: false,
      create: false,
      update: false
    });
    add({
      name: 'Language',
      type: 'picklist',
      length: 40,
      nillable: false,
      create: false,
      update: false
    });
    add({ name: 'NamespacePrefix', type: 'string', length: 15, create: false, update: false });
    add({
      name: 'QualifiedApiName',
      type: 'string',
      length: 70,
      nillable: false,
      create: false,
      update: false
    });
    add({
      name: 'SystemModstamp',
      type: 'datetime',
      nillable: false,
      create: false,
      update: false
    });
  } else if (kind === 'platformEvent') {
    add({ name: 'ReplayId', type: 'string', length: 255, create: false, update: false });
    add({ name: 'EventUuid', type: 'string', length: 36, create: false, update: false });
    add({
      name: 'CreatedDate',
      type: 'datetime',
      nillable: false,
      create: false,
      update: false,
      defaultedOnCreate: true
    });
    add({
      name: 'CreatedById',
      type: 'reference',
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
      nillable: false,
      create: false,
      update: false,
      defaultedOnCreate: true
    });
  } else {
    for (const f of AUDIT_FIELDS) add(f);
    add(IS_DELETED);
    const nameField = node?.['nameField'] as XmlNode | undefined;
    const auto = nameField && text(nameField, 'type') === 'AutoNumber';
    add(
      auto
        ? {
            name: 'Name',
            type: 'string',
            length: 80,
            nillable: false,
            create: false,
            update: false,
            defaultedOnCreate: true
          }
        : { name: 'Name', type: 'string', length: 80, nillable: true, defaultedOnCreate: true }
    );
    if (auto) {
      const f = fields.get('name')!;
      f.autoNumber = true;
      f.displayFormat = text(nameField, 'displayFormat') ?? null;
    }
    add({ name: 'LastViewedDate', type: 'datetime', create: false, update: false });
    add({ name: 'LastReferencedDate', type: 'datetime', create: false, update: false });
  }
  return {
    name,
    label,
    labelPlural,
    keyPrefix: '',
    custom: kind !== 'standard',
    kind,
    queryable: kind !== 'platformEvent',
    createable: kind === 'custom' || kind === 'platformEvent',
    updateable: kind === 'custom',
    deletable: kind === 'custom',
    fields,
    childRelationships: [],
    nameField: kind === 'platformEvent' ? null : kind === 'customMetadata' ? 'MasterLabel' : 'Name',
    source: file
  };
}

/** Turns one `<values>` entry of a custom metadata record into the field's Apex value. */
function parseMetadataValue(raw: XmlNode, field: FieldDescribe): RawMetadataValue | null {
  const valueNode = raw['value'];
  const first = Array.isArray(valueNode) ? (valueNode[0] as unknown) : valueNode;
  if (first === undefined || first === null) return null;
  if (typeof first === 'object') {
    const node = first as XmlNode;
    if (node['@_xsi:nil'] === 'true') return null;
    const t = node['#text'];
    return {
      raw: t === undefined ? '' : String(t),
      xsiType: node['@_xsi:type'] as string | undefined,
      field
    };
  }
  return { raw: String(first), xsiType: undefined, field };
}

export interface RawMetadataValue {
  raw: string;
  xsiType: string | undefined;
  field: FieldDescribe;
}

// ---------------------------------------------------------------------------------------------
// The Schema
// ---------------------------------------------------------------------------------------------

export class Schema {
  readonly objects = new Map<string, ObjectDescribe>();
  private readonly byPrefix = new Map<string, ObjectDescribe>();
  private readonly cmdtRecords = new Map<string, CustomMetadataRecord[]>();
  /** Standard objects the project extends (has a folder for) but that are not described here. */
  readonly undescribed = new Map<string, string>();

  constructor(
    readonly projectDir: string,
    readonly namespace: string,
    readonly org: OrgFixture
  ) {}

  /** Strips this project's own namespace prefix (`stlead__X__c` → `X__c`). */
  stripNamespace(name: string): string {
    if (!this.namespace) return name;
    const prefix = `${this.namespace.toLowerCase()}__`;
    return name.toLowerCase().startsWith(prefix) && /__(c|mdt|e|r)$/i.test(name)
      ? name.slice(prefix.length)
      : name;
  }

  /** The object, or undefined. Case-insensitive; accepts the namespaced name. */
  findObject(name: string): ObjectDescribe | undefined {
    const key = this.stripNamespace(name).toLowerCase();
    const obj = this.objects.get(key);
    if (!obj && this.undescribed.has(key)) {
      throw new DataNotSupportedError(
        `standard object ${name}: the project extends it but the local runtime has no describe for it`
      );
    }
    return obj;
  }

  /** The object; throws `SchemaError` naming it when unknown. */
  getObject(name: string): ObjectDescribe {
    const obj = this.findObject(name);
    if (!obj) throw new SchemaError(`sObject type '${name}' is not supported.`);
    return obj;
  }

  /** The field, or undefined. Case-insensitive; accepts the namespaced name. */
  findField(object: ObjectDescribe, field: string): FieldDescribe | undefined {
    return object.fields.get(this.stripNamespace(field).toLowerCase());
  }

  getField(object: ObjectDescribe, field: string): FieldDescribe {
    const f = this.findField(object, field);
    if (!f) throw new SchemaError(`Invalid field ${field} for ${object.name}`);
    return f;
  }

  /** The object whose key prefix starts the Id, or undefined. */
  objectForId(id: string): ObjectDescribe | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  /** The records of a custom metadata type, in DeveloperName order. */
  customMetadataRecords(type: string): CustomMetadataRecord[] {
    const obj = this.getObject(type);
    if (obj.kind !== 'customMetadata') {
      throw new SchemaError(`${obj.name} is not a custom metadata type`);
    }
    return this.cmdtRecords.get(obj.name.toLowerCase()) ?? [];
  }

  /** @internal used by the loader. */
  addObject(obj: ObjectDescribe): void {
    this.objects.set(obj.name.toLowerCase(), obj);
  }

  /** @internal used by the loader. */
  finish(records: Map<string, CustomMetadataRecord[]>): void {
    // Key prefixes for the project's own objects: a00.., m00.., e00.. in name order, so they
    // are stable between runs.
    const counters: Record<string, number> = { custom: 0, customMetadata: 0, platformEvent: 0 };
    const letter: Record<string, string> = { custom: 'a', customMetadata: 'm', platformEvent: 'e' };
    for (const obj of [...this.objects.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (obj.kind === 'standard') continue;
      const n = counters[obj.kind]!++;
      obj.keyPrefix = `${letter[obj.kind]}${base62(n, 2)}`;
    }
    for (const obj of this.objects.values()) {
      if (obj.keyPrefix) this.byPrefix.set(obj.keyPrefix, obj);
    }
    // Child relationships from custom lookups (standard ones come from the JSON describes).
    for (const obj of this.objects.values()) {
      for (const f of obj.fields.values()) {
        if (!f.custom || f.type !== 'reference' || !f.childRelationshipName) continue;
        for (const target of f.referenceTo) {
          const parent = this.objects.get(target.toLowerCase());
          if (!parent) {
            throw new SchemaError(
              `${obj.name}.${f.name} refers to unknown object ${target}`,
              f.source
            );
          }
          parent.childRelationships.push({
            relationshipName: f.childRelationshipName,
            childSObject: obj.name,
            field: f.name,
            cascadeDelete: f.deleteConstraint === 'Cascade'
          });
        }
      }
      // Standard child relationships naming a child the project does not have are dropped.
      obj.childRelationships = obj.childRelationships.filter((c) =>
        this.objects.has(c.childSObject.toLowerCase())
      );
    }
    for (const [type, list] of records) this.cmdtRecords.set(type, list);
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(n: number, width: number): string {
  let s = '';
  let v = n;
  do {
    s = BASE62[v % 62] + s;
    v = Math.floor(v / 62);
  } while (v > 0);
  if (s.length > width) throw new RangeError(`${n} does not fit in ${width} base-62 digits`);
  return s.padStart(width, '0');
}

function collectGlobalValueSets(dirs: string[]): Map<string, PicklistValue[]> {
  const sets = new Map<string, PicklistValue[]>();
  for (const dir of dirs) {
    walk(dir, (file) => {
      if (!file.endsWith('.globalValueSet-meta.xml')) return;
      const node = readXml(file, 'GlobalValueSet');
      const name = path.basename(file).replace('.globalValueSet-meta.xml', '');
      sets.set(name.toLowerCase(), picklistFromXml(arr(node, 'customValue')));
    });
  }
  return sets;
}

/**
 * Loads the schema of an SFDX project: the described standard objects, the project's objects
 * and fields, custom metadata types and records, platform events, and the org fixture.
 */
export function loadSchema(projectDir: string, orgFixturePath?: string): Schema {
  const { dirs, namespace } = packageDirectories(projectDir);
  const projectFixture = path.join(projectDir, 'config', 'apex-runtime-org.json');
  const org = loadOrgFixture(
    orgFixturePath ?? (existsSync(projectFixture) ? projectFixture : undefined)
  );
  const schema = new Schema(projectDir, namespace, org);
  for (const std of standardObjects().values()) schema.addObject(cloneObject(std));

  const globalValueSets = collectGlobalValueSets(dirs);
  const objectDirs: { name: string; dir: string }[] = [];
  const withActivities: string[] = [];
  const cmdtFiles: string[] = [];
  for (const dir of dirs) {
    walk(dir, (file) => {
      const parent = path.basename(path.dirname(file));
      if (file.endsWith('.md-meta.xml') && parent === 'customMetadata') cmdtFiles.push(file);
      if (parent === 'objects' || path.basename(path.dirname(path.dirname(file))) === 'objects') {
        const objDir = parent === 'objects' ? undefined : path.dirname(file);
        if (objDir && !objectDirs.some((o) => o.dir === objDir)) {
          objectDirs.push({ name: path.basename(objDir), dir: objDir });
        }
      }
      // field files sit in objects/<Obj>/fields/
      if (
        parent === 'fields' &&
        path.basename(path.dirname(path.dirname(path.dirname(file)))) === 'objects'
      ) {
        const objDir = path.dirname(path.dirname(file));
        if (!objectDirs.some((o) => o.dir === objDir))
          objectDirs.push({ name: path.basename(objDir), dir: objDir });
      }
    });
  }

  // Objects first (a project may split one object across package directories).
  for (const { name, dir } of objectDirs) {
    const objectFile = path.join(dir, `${name}.object-meta.xml`);
    const kind = lastSegmentKind(name);
    const existing = schema.objects.get(name.toLowerCase());
    if (kind === 'standard') {
      if (!existing) schema.undescribed.set(name.toLowerCase(), dir);
      continue;
    }
    if (!existing) {
      const node = existsSync(objectFile) ? readXml(objectFile, 'CustomObject') : undefined;
      schema.addObject(customObjectBase(name, kind, node, node ? objectFile : dir));
      if (node && kind === 'custom' && bool(node, 'enableActivities')) withActivities.push(name);
    } else if (existsSync(objectFile) && existing.source === dir) {
      // A later package directory brought the object file: refresh label and name field.
      const node = readXml(objectFile, 'CustomObject');
      const fresh = customObjectBase(name, kind, node, objectFile);
      for (const [k, f] of existing.fields) if (f.custom) fresh.fields.set(k, f);
      schema.addObject(fresh);
    }
  }
  for (const { name, dir } of objectDirs) {
    const obj = schema.objects.get(name.toLowerCase());
    const fieldsDir = path.join(dir, 'fields');
    if (!existsSync(fieldsDir)) continue;
    if (!obj) continue; // undescribed standard object: refused when used
    for (const entry of readdirSync(fieldsDir).sort()) {
      if (!entry.endsWith('.field-meta.xml')) continue;
      const file = path.join(fieldsDir, entry);
      const node = readXml(file, 'CustomField');
      const field = fieldFromXml(node, {
        objectName: obj.name,
        kind: obj.kind,
        file,
        globalValueSets
      });
      const key = field.name.toLowerCase();
      const prior = obj.fields.get(key);
      if (prior && !prior.custom) {
        // A standard field's file (e.g. Lead.Status picklist values) refines the describe only
        // where the file says something: picklist values.
        if (field.picklistValues.length) {
          prior.picklistValues = field.picklistValues;
          const d = field.picklistValues.find((p) => p.default);
          if (d) prior.defaultValue = d.value;
        }
        continue;
      }
      if (!field.name.endsWith('__c')) {
        throw new SchemaError(`Custom field ${obj.name}.${field.name} must end with __c`, file);
      }
      obj.fields.set(key, field);
    }
  }

  // Custom metadata records: <Type>.<DeveloperName>.md-meta.xml
  const records = new Map<string, CustomMetadataRecord[]>();
  for (const file of cmdtFiles.sort()) {
    const base = path.basename(file, '.md-meta.xml');
    const dot = base.indexOf('.');
    if (dot < 0)
      throw new SchemaError(
        'Custom metadata record file name must be <Type>.<Name>.md-meta.xml',
        file
      );
    const typeName = `${base.slice(0, dot)}__mdt`;
    const developerName = base.slice(dot + 1);
    const type = schema.objects.get(typeName.toLowerCase());
    if (!type) throw new SchemaError(`Custom metadata record of unknown type ${typeName}`, file);
    const node = readXml(file, 'CustomMetadata');
    const values = new Map<string, RawMetadataValue | null>();
    for (const v of arr(node, 'values')) {
      const fieldName = text(v, 'field');
      if (!fieldName) throw new SchemaError('Custom metadata value without <field>', file);
      const field = type.fields.get(fieldName.toLowerCase());
      if (!field) throw new SchemaError(`Invalid field ${fieldName} for ${type.name}`, file);
      values.set(field.name, parseMetadataValue(v, field));
    }
    const list = records.get(typeName.toLowerCase()) ?? [];
    list.push({
      type: type.name,
      developerName,
      label: text(node, 'label') ?? developerName,
      protected: bool(node, 'protected'),
      values,
      source: file
    });
    records.set(typeName.toLowerCase(), list);
  }
  // Queues can hold the project's custom objects.
  const queueType = schema.objects.get('queuesobject')?.fields.get('sobjecttype');
  if (queueType) {
    for (const obj of schema.objects.values()) {
      if (obj.kind === 'custom') {
        queueType.picklistValues = [
          ...queueType.picklistValues,
          { value: obj.name, label: obj.label, default: false, active: true }
        ];
      }
    }
  }
  // Objects with activities enabled can be the WhatId of tasks and events.
  for (const name of withActivities) {
    for (const activity of ['Task', 'Event']) {
      const obj = schema.objects.get(activity.toLowerCase());
      const what = obj?.fields.get('whatid');
      if (!obj || !what) continue;
      what.referenceTo = [...what.referenceTo, name];
      schema.objects.get(name.toLowerCase())!.childRelationships.push({
        relationshipName: `${activity}s`,
        childSObject: activity,
        field: 'WhatId',
        cascadeDelete: true
      });
    }
  }
  schema.finish(records);
  return schema;
}
