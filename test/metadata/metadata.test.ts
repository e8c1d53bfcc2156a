// The package metadata against its contract, docs/DATA-MODEL.md: every documented field exists
// with the documented type, length and picklist values; every custom metadata record is valid
// (criteria JSON shape, required fields, and each validation rule re-implemented here); the
// permission sets stay least-privilege; credentials carry no secret.
// The expectations are read from DATA-MODEL.md itself, so changing the doc or the XML alone fails.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OPERATORS as SLA_OPERATORS } from '../../scripts/lib/sla.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const main = path.join(root, 'force-app', 'main');
const rel = (file: string): string => path.relative(root, file);

// ---------------------------------------------------------------------------------------------
// XML access
// ---------------------------------------------------------------------------------------------

type XmlValue = string | XmlNode | XmlValue[];
interface XmlNode {
  [key: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true
});

function readXml(file: string, rootTag: string): XmlNode {
  assert.ok(existsSync(file), `${rel(file)} is missing`);
  const source = readFileSync(file, 'utf8');
  const valid = XMLValidator.validate(source);
  assert.equal(valid, true, `${rel(file)} is not well-formed XML: ${JSON.stringify(valid)}`);
  const doc = parser.parse(source) as XmlNode;
  const node = doc[rootTag];
  assert.ok(
    node !== undefined && typeof node === 'object' && !Array.isArray(node),
    `${rel(file)}: root element <${rootTag}> expected`
  );
  return node;
}

function text(node: XmlNode, key: string): string | undefined {
  const value = node[key];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const inner = value['#text'];
    return typeof inner === 'string' ? inner : '';
  }
  return undefined;
}

function nodes(node: XmlNode, key: string): XmlNode[] {
  const value = node[key];
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  return all.filter((v): v is XmlNode => typeof v === 'object' && !Array.isArray(v));
}

function texts(node: XmlNode, key: string): string[] {
  const value = node[key];
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  return all.map((v) => (typeof v === 'string' ? v : ''));
}

function child(node: XmlNode, key: string): XmlNode {
  const [first] = nodes(node, key);
  assert.ok(first, `<${key}> expected`);
  return first;
}

function listFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The contract, read from docs/DATA-MODEL.md
// ---------------------------------------------------------------------------------------------

interface FieldSpec {
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  reference?: string;
  values?: string[];
  unique?: boolean;
  externalId?: boolean;
}

const dataModel = readFileSync(path.join(root, 'docs', 'DATA-MODEL.md'), 'utf8');

/** The text of the section whose heading line matches, up to the next heading of any level. */
function section(heading: RegExp): string {
  const lines = dataModel.split('\n');
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && heading.test(l));
  assert.ok(start >= 0, `DATA-MODEL.md has no section matching ${heading}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^#{1,3} /.test(l));
  return rest.slice(0, end === -1 ? undefined : end).join('\n');
}

const TYPE_PATTERN =
  /^(DateTime|Checkbox|Picklist|LongTextArea|Text|Number|Lookup)(?:\(([^)]*)\))?/;

function parseType(typeCell: string, meaning: string): FieldSpec {
  const match = TYPE_PATTERN.exec(typeCell);
  assert.ok(match, `DATA-MODEL.md: unknown field type "${typeCell}"`);
  const [, type, args] = match;
  const spec: FieldSpec = { type };
  if ((type === 'Text' || type === 'LongTextArea') && args) spec.length = Number(args);
  if (type === 'Number' && args) {
    const [p, s] = args.split(',').map(Number);
    spec.precision = p;
    spec.scale = s;
  }
  if (type === 'Lookup') spec.reference = args;
  if (type === 'Picklist') {
    const list = typeCell.includes(':') ? typeCell.slice(typeCell.indexOf(':') + 1) : meaning;
    spec.values = list.split(',').map((v) => v.trim().replace(/\.$/, ''));
  }
  if (/\bunique\b/i.test(typeCell)) spec.unique = true;
  if (/external Id/i.test(typeCell)) spec.externalId = true;
  return spec;
}

/** Fields of a markdown table whose first column is a backticked API name. */
function tableFields(heading: RegExp): Map<string, FieldSpec> {
  const fields = new Map<string, FieldSpec>();
  for (const line of section(heading).split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const name = /^`(\w+__c)`$/.exec(cells[0] ?? '')?.[1];
    if (!name) continue;
    fields.set(name, parseType(cells[1] ?? '', cells[2] ?? ''));
  }
  assert.ok(fields.size > 0, `DATA-MODEL.md: no field table under ${heading}`);
  return fields;
}

/** Removes parenthesised text (nested too), so "(… `StlExecutives` …)" is not a record name. */
function stripParens(s: string): string {
  let out = '';
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out;
}

interface MdtContract {
  fields: Map<string, FieldSpec | undefined>;
  records: string[];
}

/** A custom metadata section: prose "`Field__c` Type(args) (comment)", then "Defaults: `Rec` …". */
function mdtContract(typeName: string): MdtContract {
  const headingLine = dataModel.split('\n').find((l) => l.startsWith(`### \`${typeName}__mdt\``));
  assert.ok(headingLine, `DATA-MODEL.md has no section for ${typeName}__mdt`);
  const body = section(new RegExp(`^### \`${typeName}__mdt\``));
  const defaultsAt = body.indexOf('Defaults:');
  const prose = defaultsAt === -1 ? body : body.slice(0, defaultsAt);
  const fields = new Map<string, FieldSpec | undefined>();
  const pattern =
    /`(\w+__c)`(?:\s+(Text|Number|LongTextArea|Checkbox|Picklist)(?:\((\d+)(?:,(\d+))?\))?(?:\s+\(([^)]*)\))?)?/g;
  for (const m of prose.matchAll(pattern)) {
    const [, name, type, a, b, comment] = m;
    if (!type) {
      fields.set(name, undefined);
      continue;
    }
    const spec: FieldSpec = { type };
    if ((type === 'Text' || type === 'LongTextArea') && a) spec.length = Number(a);
    if (type === 'Number' && a) {
      spec.precision = Number(a);
      spec.scale = Number(b ?? 0);
    }
    if (type === 'Picklist' && comment) {
      spec.values = comment
        .split(';')[0]
        .split(',')
        .map((v) => v.trim());
    }
    fields.set(name, spec);
  }
  const records: string[] = [];
  if (defaultsAt === -1) {
    // "### `StlSetting__mdt` (record `Default`)": the one record is named in the heading.
    for (const m of headingLine.matchAll(/record `(\w+)`/g)) records.push(m[1]);
  } else {
    for (const m of stripParens(body.slice(defaultsAt)).matchAll(/`(\w+)`/g)) {
      if (!m[1].endsWith('__mdt') && !m[1].endsWith('__c')) records.push(m[1]);
    }
  }
  assert.ok(records.length > 0, `DATA-MODEL.md names no default record for ${typeName}__mdt`);
  return { fields, records };
}

const MDT_TYPES = ['SlaRule', 'TouchRule', 'ExclusionRule', 'EscalationTier', 'StlSetting'];

/** Where each documented object lives in the package. */
const OBJECTS = {
  Lead: { dir: path.join(main, 'stamping', 'objects', 'Lead'), heading: /^## Lead fields/ },
  SlaTimer__c: {
    dir: path.join(main, 'alerts', 'objects', 'SlaTimer__c'),
    heading: /^## `SlaTimer__c`/
  },
  StlError__c: {
    dir: path.join(main, 'core', 'objects', 'StlError__c'),
    heading: /^## `StlError__c`/
  },
  EngagementCycle__c: {
    dir: path.join(main, 'cycles', 'objects', 'EngagementCycle__c'),
    heading: /^## Engagement cycles/
  }
} as const;
const eventDir = path.join(main, 'core', 'objects', 'StlErrorEvent__e');
const mdtDir = (type: string): string =>
  path.join(main, 'configuration', 'objects', `${type}__mdt`);
const recordsDir = path.join(main, 'configuration', 'customMetadata');
const permissionSetsDir = path.join(main, 'permissionsets');

// ---------------------------------------------------------------------------------------------
// Field files
// ---------------------------------------------------------------------------------------------

function readFields(objectDir: string): Map<string, XmlNode> {
  const fields = new Map<string, XmlNode>();
  for (const file of listFiles(path.join(objectDir, 'fields'), '.field-meta.xml')) {
    const field = readXml(file, 'CustomField');
    const name = path.basename(file, '.field-meta.xml');
    assert.equal(text(field, 'fullName'), name, `${rel(file)}: fullName matches the file name`);
    fields.set(name, field);
  }
  return fields;
}

function picklistValues(field: XmlNode): string[] {
  const definition = child(child(field, 'valueSet'), 'valueSetDefinition');
  return nodes(definition, 'value').map((v) => text(v, 'fullName') ?? '');
}

function picklistDefault(field: XmlNode): string | undefined {
  const definition = child(child(field, 'valueSet'), 'valueSetDefinition');
  return nodes(definition, 'value')
    .filter((v) => text(v, 'default') === 'true')
    .map((v) => text(v, 'fullName'))[0];
}

/** Asserts one field file matches its documented spec. */
function assertFieldMatches(where: string, field: XmlNode, spec: FieldSpec): void {
  const type = text(field, 'type');
  assert.equal(type, spec.type, `${where}: type`);
  if (spec.length !== undefined)
    assert.equal(text(field, 'length'), String(spec.length), `${where}: length`);
  if (spec.precision !== undefined) {
    assert.equal(text(field, 'precision'), String(spec.precision), `${where}: precision`);
    assert.equal(text(field, 'scale'), String(spec.scale), `${where}: scale`);
  }
  if (spec.reference !== undefined) {
    assert.equal(text(field, 'referenceTo'), spec.reference, `${where}: lookup target`);
    assert.equal(text(field, 'deleteConstraint'), 'SetNull', `${where}: a lookup clears on delete`);
  }
  if (spec.values !== undefined) {
    assert.deepEqual(picklistValues(field), spec.values, `${where}: picklist values and order`);
    assert.equal(text(child(field, 'valueSet'), 'restricted'), 'true', `${where}: restricted`);
  }
  assert.equal(text(field, 'unique') === 'true', spec.unique === true, `${where}: unique`);
  assert.equal(
    text(field, 'externalId') === 'true',
    spec.externalId === true,
    `${where}: external Id`
  );
}

/** Description and help text on every custom field; names PascalCase without inner underscores. */
function assertFieldHygiene(where: string, name: string, field: XmlNode): void {
  assert.match(
    name,
    /^[A-Z][A-Za-z0-9]*__c$/,
    `${where}: PascalCase API name, no inner underscores`
  );
  const description = text(field, 'description') ?? '';
  const help = text(field, 'inlineHelpText') ?? '';
  const label = text(field, 'label') ?? '';
  assert.ok(description.trim().length > 0, `${where}: description`);
  assert.ok(description.length <= 1000, `${where}: description is over 1000 characters`);
  assert.ok(help.trim().length > 0, `${where}: inline help text`);
  assert.ok(help.length <= 510, `${where}: help text is over 510 characters`);
  assert.ok(label.length > 0 && label.length <= 40, `${where}: label of 1-40 characters`);
}

describe('custom objects and fields match DATA-MODEL.md', () => {
  for (const [objectName, { dir, heading }] of Object.entries(OBJECTS)) {
    test(`${objectName}: every documented field, and no undocumented one`, () => {
      const documented = tableFields(heading);
      const actual = readFields(dir);
      assert.deepEqual(
        [...actual.keys()].sort(),
        [...documented.keys()].sort(),
        `${objectName}: fields on disk vs DATA-MODEL.md`
      );
      for (const [name, spec] of documented) {
        const field = actual.get(name);
        assert.ok(field, `${objectName}.${name} missing`);
        assertFieldMatches(`${objectName}.${name}`, field, spec);
        assertFieldHygiene(`${objectName}.${name}`, name, field);
        assert.notEqual(text(field, 'required'), 'true', `${objectName}.${name}: never required`);
      }
    });
  }

  test('Lead: the package ships no Lead object file that would overwrite org settings', () => {
    assert.equal(existsSync(path.join(OBJECTS.Lead.dir, 'Lead.object-meta.xml')), false);
  });

  test('Lead lookups to User have distinct relationship names', () => {
    const names = [...readFields(OBJECTS.Lead.dir).values()]
      .filter((f) => text(f, 'type') === 'Lookup')
      .map((f) => text(f, 'relationshipName'));
    assert.ok(names.length >= 2, 'AccountableRep__c and FirstTouchBy__c are lookups');
    assert.equal(new Set(names).size, names.length, 'relationship names are unique on Lead');
  });

  test('SlaTimer__c: auto number T-{0000000}, lookup to Lead that sets null, list views', () => {
    const object = readXml(
      path.join(OBJECTS.SlaTimer__c.dir, 'SlaTimer__c.object-meta.xml'),
      'CustomObject'
    );
    const nameField = child(object, 'nameField');
    assert.equal(text(nameField, 'type'), 'AutoNumber');
    assert.equal(text(nameField, 'displayFormat'), 'T-{0000000}');
    const lead = readFields(OBJECTS.SlaTimer__c.dir).get('Lead__c');
    assert.ok(lead);
    assert.equal(text(lead, 'deleteConstraint'), 'SetNull', 'Lead cannot be a master: SetNull');
    assert.equal(
      picklistDefault(readFields(OBJECTS.SlaTimer__c.dir).get('Status__c') ?? {}),
      'Scheduled'
    );
    for (const status of ['Scheduled', 'Failed']) {
      const view = readXml(
        path.join(OBJECTS.SlaTimer__c.dir, 'listViews', `${status}.listView-meta.xml`),
        'ListView'
      );
      const filters = nodes(view, 'filters');
      assert.deepEqual(
        filters.map((f) => [text(f, 'field'), text(f, 'operation'), text(f, 'value')]),
        [['Status__c', 'equals', status]],
        `list view ${status} filters on its status`
      );
      assert.equal(text(view, 'filterScope'), 'Everything');
    }
  });

  test('list view columns and filters name existing fields', () => {
    const standardColumns = new Set([
      'NAME',
      'FULL_NAME',
      'LEAD.COMPANY',
      'LEAD.STATUS',
      'CORE.USERS.ALIAS'
    ]);
    const dirs = [OBJECTS.Lead.dir, OBJECTS.SlaTimer__c.dir, OBJECTS.StlError__c.dir];
    let checked = 0;
    for (const dir of dirs) {
      const fields = readFields(dir);
      for (const file of listFiles(path.join(dir, 'listViews'), '.listView-meta.xml')) {
        const view = readXml(file, 'ListView');
        const referenced = [
          ...texts(view, 'columns'),
          ...nodes(view, 'filters').map((f) => text(f, 'field') ?? '')
        ];
        for (const column of referenced) {
          assert.ok(
            standardColumns.has(column) || fields.has(column),
            `${rel(file)}: unknown column or filter field ${column}`
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 10, 'list views were found and checked');
  });

  test('StlErrorEvent__e: publish immediately, same fields as StlError__c minus OccurredAt__c', () => {
    const object = readXml(path.join(eventDir, 'StlErrorEvent__e.object-meta.xml'), 'CustomObject');
    assert.equal(text(object, 'publishBehavior'), 'PublishImmediately');
    assert.equal(text(object, 'eventType'), 'HighVolume');
    const errorFields = tableFields(OBJECTS.StlError__c.heading);
    errorFields.delete('OccurredAt__c');
    const eventFields = readFields(eventDir);
    assert.deepEqual([...eventFields.keys()].sort(), [...errorFields.keys()].sort());
    for (const [name, spec] of errorFields) {
      const field = eventFields.get(name);
      assert.ok(field);
      assertFieldHygiene(`StlErrorEvent__e.${name}`, name, field);
      if (spec.type === 'Picklist') {
        // Platform events have no picklist fields: the value travels as text.
        assert.equal(text(field, 'type'), 'Text', `StlErrorEvent__e.${name}: picklist as Text`);
        const longest = Math.max(...(spec.values ?? []).map((v) => v.length));
        assert.ok(Number(text(field, 'length')) >= longest, `${name}: long enough for every value`);
      } else {
        assertFieldMatches(`StlErrorEvent__e.${name}`, field, spec);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Custom metadata types, records, criteria and validation rules
// ---------------------------------------------------------------------------------------------

type Scalar = string | number | boolean | null;
type MdtRecord = Record<string, Scalar>;

/** Reads a record, typing each value from its xsi:type, and checks it against the field type. */
function readRecord(type: string, name: string, fields: Map<string, XmlNode>): MdtRecord {
  const file = path.join(recordsDir, `${type}.${name}.md-meta.xml`);
  const node = readXml(file, 'CustomMetadata');
  assert.ok((text(node, 'label') ?? '').length > 0, `${rel(file)}: label`);
  const record: MdtRecord = {};
  for (const entry of nodes(node, 'values')) {
    const field = text(entry, 'field') ?? '';
    const definition = fields.get(field);
    assert.ok(definition, `${rel(file)}: ${field} is not a field of ${type}__mdt`);
    const valueNode = nodes(entry, 'value')[0] ?? {};
    const xsiType = text(valueNode, '@_xsi:type');
    const raw = text(valueNode, '#text') ?? '';
    const fieldType = text(definition, 'type');
    if (text(valueNode, '@_xsi:nil') === 'true') {
      record[field] = null;
    } else if (xsiType === 'xsd:boolean') {
      assert.equal(fieldType, 'Checkbox', `${rel(file)}: ${field} boolean value on a ${fieldType}`);
      assert.match(raw, /^(true|false)$/, `${rel(file)}: ${field} boolean`);
      record[field] = raw === 'true';
    } else if (xsiType === 'xsd:double' || xsiType === 'xsd:int') {
      assert.equal(fieldType, 'Number', `${rel(file)}: ${field} number value on a ${fieldType}`);
      assert.ok(raw !== '' && Number.isFinite(Number(raw)), `${rel(file)}: ${field} is a number`);
      const scale = Number(text(definition, 'scale'));
      const precision = Number(text(definition, 'precision'));
      assert.ok(Number.isInteger(Number(raw) * 10 ** scale), `${rel(file)}: ${field} scale`);
      assert.ok(Math.abs(Number(raw)) < 10 ** (precision - scale), `${rel(file)}: ${field} fits`);
      record[field] = Number(raw);
    } else {
      assert.equal(xsiType, 'xsd:string', `${rel(file)}: ${field} needs an xsi:type`);
      assert.ok(
        ['Text', 'LongTextArea', 'Picklist'].includes(fieldType ?? ''),
        `${rel(file)}: ${field} string value on a ${fieldType}`
      );
      const length = Number(text(definition, 'length') ?? Infinity);
      assert.ok(raw.length <= length, `${rel(file)}: ${field} longer than ${length}`);
      if (fieldType === 'Picklist') {
        assert.ok(picklistValues(definition).includes(raw), `${rel(file)}: ${field}=${raw}`);
      }
      record[field] = raw;
    }
  }
  for (const [field, definition] of fields) {
    if (field in record) continue;
    // A checkbox left out of a record deploys as its default value; anything else as blank.
    record[field] =
      text(definition, 'type') === 'Checkbox' ? text(definition, 'defaultValue') === 'true' : null;
  }
  for (const [field, definition] of fields) {
    if (text(definition, 'required') === 'true') {
      assert.ok(
        record[field] !== null && record[field] !== '',
        `${rel(file)}: required field ${field} is blank`
      );
    }
  }
  return record;
}

const OPERATORS = new Set<string>(SLA_OPERATORS);

const isScalar = (v: unknown): boolean =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Every way a criteria JSON string breaks the documented shape, each naming where. */
function criteriaErrors(json: string | null, where: string): string[] {
  if (json === null || json.trim() === '')
    return [`${where}: criteria are blank (use [] to match all)`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return [`${where}: not valid JSON (${(err as Error).message})`];
  }
  if (!Array.isArray(parsed)) return [`${where}: must be a JSON array of conditions`];
  const errors: string[] = [];
  parsed.forEach((condition: unknown, i: number) => {
    const at = `${where}[${i}]`;
    if (!condition || typeof condition !== 'object' || Array.isArray(condition)) {
      errors.push(`${at}: a condition must be an object`);
      return;
    }
    const c = condition as Record<string, unknown>;
    const unknownKeys = Object.keys(c).filter(
      (k) => !['field', 'operator', 'value', 'values'].includes(k)
    );
    if (unknownKeys.length) errors.push(`${at}: unknown keys ${unknownKeys.join(', ')}`);
    if (typeof c.field !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(c.field)) {
      errors.push(`${at}: "field" must be a field API name`);
    }
    if (typeof c.operator !== 'string' || !OPERATORS.has(c.operator)) {
      errors.push(`${at}: unknown operator ${JSON.stringify(c.operator)}`);
      return;
    }
    const hasValue = 'value' in c;
    const hasValues = 'values' in c;
    if (c.operator === 'in' || c.operator === 'notIn') {
      if (hasValue) errors.push(`${at}: ${c.operator} takes "values", not "value"`);
      if (!Array.isArray(c.values) || c.values.length === 0 || !c.values.every(isScalar)) {
        errors.push(`${at}: ${c.operator} needs a non-empty "values" array of scalars`);
      }
    } else if (c.operator === 'isBlank' || c.operator === 'isNotBlank') {
      if (hasValue || hasValues) errors.push(`${at}: ${c.operator} takes no value`);
    } else {
      if (hasValues) errors.push(`${at}: ${c.operator} takes "value", not "values"`);
      if (!hasValue || !isScalar(c.value))
        errors.push(`${at}: ${c.operator} needs a scalar "value"`);
    }
  });
  return errors;
}

/** Fields the default criteria may name: standard fields of the object the rule reads. */
const CRITERIA_FIELDS: Record<string, Set<string>> = {
  Lead: new Set(['LeadSource', 'Rating', 'Status', 'Email', 'Industry', 'Country', 'Company']),
  Task: new Set(['TaskSubtype', 'Type', 'Subject', 'Status', 'CallType']),
  Event: new Set(['Type', 'Subject', 'EventSubtype']),
  EmailMessage: new Set(['Incoming', 'Subject', 'Status'])
};

const blank = (v: Scalar): boolean => v === null || v === '';
const num = (v: Scalar): number | null => (typeof v === 'number' ? v : null);

interface RuleTwin {
  /** The custom fields the formula reads, exactly. */
  fields: string[];
  /** Literals the formula must contain (its bounds and names). */
  literals: string[];
  /** The error condition, re-implemented: true means the record is rejected. */
  rejects: (r: MdtRecord) => boolean;
  /** Changes that make a valid default record break this rule. */
  breaking: MdtRecord;
}

const lt = (v: Scalar, bound: number): boolean => num(v) !== null && (num(v) as number) < bound;
const gt = (v: Scalar, bound: number): boolean => num(v) !== null && (num(v) as number) > bound;

const VALIDATION_RULES: Record<string, Record<string, RuleTwin>> = {
  SlaRule: {
    ThresholdMinutesPositive: {
      fields: ['ThresholdMinutes__c'],
      literals: ['0'],
      rejects: (r) => lt(r.ThresholdMinutes__c, 0) || num(r.ThresholdMinutes__c) === 0,
      breaking: { ThresholdMinutes__c: 0 }
    },
    WarningPercentRange: {
      fields: ['WarningPercent__c'],
      literals: ['0', '99'],
      rejects: (r) => lt(r.WarningPercent__c, 0) || gt(r.WarningPercent__c, 99),
      breaking: { WarningPercent__c: 100 }
    },
    AutoReassignRequiresTarget: {
      fields: ['AutoReassign__c', 'ReassignTo__c'],
      literals: [],
      rejects: (r) => r.AutoReassign__c === true && blank(r.ReassignTo__c),
      breaking: { AutoReassign__c: true, ReassignTo__c: null }
    },
    PriorityNotNegative: {
      fields: ['Priority__c'],
      literals: ['0'],
      rejects: (r) => lt(r.Priority__c, 0),
      breaking: { Priority__c: -1 }
    }
  },
  TouchRule: {
    PriorityNotNegative: {
      fields: ['Priority__c'],
      literals: ['0'],
      rejects: (r) => lt(r.Priority__c, 0),
      breaking: { Priority__c: -5 }
    }
  },
  ExclusionRule: {
    ActiveRuleRequiresCriteria: {
      fields: ['IsActive__c', 'Criteria__c'],
      literals: [],
      rejects: (r) => r.IsActive__c === true && blank(r.Criteria__c),
      breaking: { IsActive__c: true, Criteria__c: null }
    }
  },
  EscalationTier: {
    TierRange: {
      fields: ['Tier__c'],
      literals: ['1', '3'],
      rejects: (r) => lt(r.Tier__c, 1) || gt(r.Tier__c, 3),
      breaking: { Tier__c: 4 }
    },
    RecipientRequired: {
      fields: ['RecipientType__c', 'Recipient__c'],
      literals: ['"User"', '"Queue"', '"Group"'],
      rejects: (r) =>
        ['User', 'Queue', 'Group'].includes(String(r.RecipientType__c)) && blank(r.Recipient__c),
      breaking: { RecipientType__c: 'Queue', Recipient__c: null }
    },
    RecipientOnlyForNamedTypes: {
      fields: ['RecipientType__c', 'Recipient__c'],
      literals: ['"Owner"', '"OwnerManager"'],
      rejects: (r) =>
        ['Owner', 'OwnerManager'].includes(String(r.RecipientType__c)) && !blank(r.Recipient__c),
      breaking: { RecipientType__c: 'OwnerManager', Recipient__c: 'someone@example.com' }
    },
    DelayAfterMissValid: {
      fields: ['DelayAfterMissMinutes__c', 'Tier__c'],
      literals: ['0', '1'],
      rejects: (r) =>
        lt(r.DelayAfterMissMinutes__c, 0) ||
        (num(r.Tier__c) === 1 && num(r.DelayAfterMissMinutes__c) !== 0),
      breaking: { Tier__c: 1, DelayAfterMissMinutes__c: 15 }
    },
    ChannelsKnown: {
      fields: ['Channels__c'],
      literals: ['"Bell"', '"Email"', '"Slack"', '"Teams"'],
      rejects: (r) =>
        String(r.Channels__c ?? '')
          .replaceAll('Bell', '')
          .replaceAll('Email', '')
          .replaceAll('Slack', '')
          .replaceAll('Teams', '')
          .replaceAll(';', '')
          .replaceAll(' ', '').length > 0,
      breaking: { Channels__c: 'Bell;Pager' }
    }
  },
  StlSetting: {
    TestModeRequiresRecipient: {
      fields: ['AlertMode__c', 'TestRecipient__c'],
      literals: ['"Test"'],
      rejects: (r) => r.AlertMode__c === 'Test' && blank(r.TestRecipient__c),
      breaking: { AlertMode__c: 'Test', TestRecipient__c: null }
    },
    DispatcherCadenceRange: {
      fields: ['DispatcherCadenceMinutes__c'],
      literals: ['1', '60'],
      rejects: (r) => lt(r.DispatcherCadenceMinutes__c, 1) || gt(r.DispatcherCadenceMinutes__c, 60),
      breaking: { DispatcherCadenceMinutes__c: 61 }
    },
    MaxSendAttemptsPositive: {
      fields: ['MaxSendAttempts__c'],
      literals: ['1'],
      rejects: (r) => lt(r.MaxSendAttempts__c, 1),
      breaking: { MaxSendAttempts__c: 0 }
    }
  }
};

function loadType(type: string): {
  contract: MdtContract;
  fields: Map<string, XmlNode>;
  records: Map<string, MdtRecord>;
} {
  const contract = mdtContract(type);
  const fields = readFields(mdtDir(type));
  const records = new Map<string, MdtRecord>();
  const prefix = `${type}.`;
  const names = readdirSync(recordsDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.md-meta.xml'))
    .map((f) => f.slice(prefix.length, -'.md-meta.xml'.length));
  for (const name of names) records.set(name, readRecord(type, name, fields));
  return { contract, fields, records };
}

describe('custom metadata types match DATA-MODEL.md', () => {
  for (const type of MDT_TYPES) {
    test(`${type}__mdt: documented fields with documented types, public, admin-editable`, () => {
      const object = readXml(
        path.join(mdtDir(type), `${type}__mdt.object-meta.xml`),
        'CustomObject'
      );
      assert.equal(text(object, 'visibility'), 'Public', 'admins create records in Setup');
      const { contract, fields } = loadType(type);
      assert.deepEqual(
        [...fields.keys()].sort(),
        [...contract.fields.keys()].sort(),
        `${type} fields`
      );
      for (const [name, spec] of contract.fields) {
        const field = fields.get(name);
        assert.ok(field);
        const where = `${type}__mdt.${name}`;
        assertFieldHygiene(where, name, field);
        assert.equal(
          text(field, 'fieldManageability'),
          'SubscriberControlled',
          `${where}: admins edit`
        );
        if (spec === undefined) {
          // Documented without a type: the IsActive__c switch.
          assert.match(name, /^Is[A-Z]/, `${where}: undocumented type only for flags`);
          assert.equal(text(field, 'type'), 'Checkbox', `${where}: a flag is a checkbox`);
          continue;
        }
        assert.equal(text(field, 'type'), spec.type, `${where}: type`);
        if (spec.length !== undefined)
          assert.equal(text(field, 'length'), String(spec.length), `${where}`);
        if (spec.precision !== undefined) {
          assert.equal(text(field, 'precision'), String(spec.precision), `${where}: precision`);
          assert.equal(text(field, 'scale'), String(spec.scale), `${where}: scale`);
        }
        if (spec.type === 'Number')
          assert.equal(text(field, 'scale'), '0', `${where}: whole numbers`);
        if (spec.values) assert.deepEqual(picklistValues(field), spec.values, `${where}: values`);
      }
    });

    test(`${type}__mdt: every documented default record exists and is valid`, () => {
      const { contract, records } = loadType(type);
      for (const name of contract.records) {
        assert.ok(records.has(name), `default record ${type}.${name} is missing`);
      }
      for (const [name, record] of records) {
        if ('Criteria__c' in record) {
          const errors = criteriaErrors(record.Criteria__c as string | null, `${type}.${name}`);
          assert.deepEqual(errors, [], errors.join('\n'));
        }
        for (const [ruleName, twin] of Object.entries(VALIDATION_RULES[type] ?? {})) {
          assert.equal(twin.rejects(record), false, `${type}.${name} breaks ${ruleName}`);
        }
      }
    });

    test(`${type}__mdt: validation rules on disk are exactly the re-implemented ones`, () => {
      const dir = path.join(mdtDir(type), 'validationRules');
      const { fields, records } = loadType(type);
      const twins = VALIDATION_RULES[type] ?? {};
      const files = listFiles(dir, '.validationRule-meta.xml');
      assert.deepEqual(
        files.map((f) => path.basename(f, '.validationRule-meta.xml')).sort(),
        Object.keys(twins).sort(),
        `${type}: validation rules vs their twins in this test`
      );
      const [sample] = records.values();
      assert.ok(sample, `${type} has a default record to mutate`);
      for (const file of files) {
        const rule = readXml(file, 'ValidationRule');
        const name = path.basename(file, '.validationRule-meta.xml');
        const twin = twins[name];
        assert.equal(text(rule, 'active'), 'true', `${rel(file)}: active`);
        const message = text(rule, 'errorMessage') ?? '';
        assert.ok(message.length > 0 && message.length <= 255, `${rel(file)}: error message 1-255`);
        const display = text(rule, 'errorDisplayField');
        assert.ok(display && fields.has(display), `${rel(file)}: errorDisplayField ${display}`);
        const formula = text(rule, 'errorConditionFormula') ?? '';
        const read = [...new Set([...formula.matchAll(/\b(\w+__c)\b/g)].map((m) => m[1]))].sort();
        assert.deepEqual(read, [...twin.fields].sort(), `${rel(file)}: fields the formula reads`);
        for (const field of read)
          assert.ok(fields.has(field), `${rel(file)}: unknown field ${field}`);
        for (const literal of twin.literals) {
          assert.ok(
            new RegExp(
              `(^|[^\\w.])${literal.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}($|[^\\w.])`
            ).test(formula),
            `${rel(file)}: formula should contain ${literal}`
          );
        }
        const broken = { ...sample, ...twin.breaking };
        assert.equal(
          twin.rejects(broken),
          true,
          `${name}: the twin rejects ${JSON.stringify(twin.breaking)}`
        );
      }
    });
  }

  test('criteria validator accepts the documented example and rejects broken shapes', () => {
    const example = /```json\n([\s\S]*?)```/.exec(dataModel)?.[1];
    assert.ok(example, 'DATA-MODEL.md has a criteria example');
    assert.deepEqual(criteriaErrors(example, 'example'), []);
    assert.deepEqual(criteriaErrors('[]', 'empty'), [], 'an empty array matches all');
    const broken: [string, RegExp][] = [
      ['{', /not valid JSON/],
      ['{"field":"Rating"}', /JSON array/],
      ['[{"field":"Rating","operator":"like","value":"Hot"}]', /unknown operator/],
      ['[{"field":"Rating","operator":"equals"}]', /needs a scalar "value"/],
      ['[{"field":"Rating","operator":"in","values":[]}]', /non-empty "values"/],
      ['[{"field":"Rating","operator":"in","value":"Hot","values":["Hot"]}]', /takes "values"/],
      ['[{"field":"Rating","operator":"isBlank","value":""}]', /takes no value/],
      ['[{"field":"Rating","operator":"equals","value":{"a":1}}]', /scalar/],
      ['[{"field":"1Rating","operator":"equals","value":"Hot"}]', /field API name/],
      ['[{"field":"Rating","operator":"equals","value":"Hot","extra":1}]', /unknown keys/],
      ['["Rating"]', /must be an object/],
      ['', /blank/]
    ];
    for (const [json, message] of broken) {
      const errors = criteriaErrors(json, 'SlaRule.Bad');
      assert.ok(errors.length > 0, `rejects ${json}`);
      assert.match(errors.join('\n'), message, `${json}: ${errors.join('; ')}`);
      assert.match(errors[0], /^SlaRule\.Bad/, 'errors say where');
    }
  });

  test('default criteria name real fields of the object each rule reads', () => {
    const objectOf = (type: string, record: MdtRecord): string =>
      type === 'TouchRule' ? String(record.ActivityObject__c) : 'Lead';
    let checked = 0;
    for (const type of ['SlaRule', 'TouchRule', 'ExclusionRule']) {
      for (const [name, record] of loadType(type).records) {
        const object = objectOf(type, record);
        const conditions = JSON.parse(String(record.Criteria__c)) as { field: string }[];
        for (const { field } of conditions) {
          assert.ok(CRITERIA_FIELDS[object]?.has(field), `${type}.${name}: ${object}.${field}?`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 10, 'criteria conditions were checked');
  });

  test('default records carry the documented values', () => {
    const sla = loadType('SlaRule').records;
    const expectSla: Record<string, [number, boolean]> = {
      DemoRequest: [5, true],
      ContactSales: [15, true],
      Hot: [30, false],
      Warm: [240, false],
      ContentDownload: [1440, false]
    };
    for (const [name, [threshold, handRaiser]] of Object.entries(expectSla)) {
      const r = sla.get(name);
      assert.ok(r, name);
      assert.equal(r.ThresholdMinutes__c, threshold, `${name} threshold`);
      assert.equal(r.IsHandRaiser__c, handRaiser, `${name} hand-raiser`);
      assert.equal(r.IsActive__c, true, `${name} active`);
    }
    assert.equal(sla.get('DemoRequest')?.WarningPercent__c, 80);
    const priorities = [...sla.values()].map((r) => r.Priority__c);
    assert.equal(new Set(priorities).size, priorities.length, 'SLA rule priorities are distinct');

    const touch = loadType('TouchRule').records;
    const expectTouch: Record<string, string> = {
      Call: 'Task',
      Email: 'Task',
      LinkedIn: 'Task',
      Meeting: 'Event',
      OutboundEmail: 'EmailMessage'
    };
    for (const [name, object] of Object.entries(expectTouch)) {
      assert.equal(touch.get(name)?.ActivityObject__c, object, `${name} reads ${object}`);
    }
    const callCriteria = JSON.parse(String(touch.get('Call')?.Criteria__c));
    assert.deepEqual(callCriteria, [{ field: 'TaskSubtype', operator: 'equals', value: 'Call' }]);
    const outbound = JSON.parse(String(touch.get('OutboundEmail')?.Criteria__c));
    // Status 3 is Sent: a saved draft (Status 5) is not a touch.
    assert.deepEqual(outbound, [
      { field: 'Incoming', operator: 'equals', value: false },
      { field: 'Status', operator: 'equals', value: '3' }
    ]);

    const exclusion = loadType('ExclusionRule').records;
    assert.equal(exclusion.get('Disqualified')?.IsActive__c, true);
    assert.deepEqual(JSON.parse(String(exclusion.get('Disqualified')?.Criteria__c)), [
      { field: 'Status', operator: 'equals', value: 'Unqualified' }
    ]);
    assert.equal(exclusion.get('TestLead')?.IsActive__c, false, 'TestLead is inactive by default');
    assert.deepEqual(JSON.parse(String(exclusion.get('TestLead')?.Criteria__c)), [
      { field: 'Email', operator: 'contains', value: '@example.com' }
    ]);

    const tiers = loadType('EscalationTier').records;
    const expectTier: Record<string, [number, number, string, Scalar, string]> = {
      Tier1Rep: [1, 0, 'Owner', null, 'Bell;Email'],
      Tier2Manager: [2, 60, 'OwnerManager', null, 'Bell;Email;Slack'],
      Tier3Executive: [3, 480, 'Group', 'StlExecutives', 'Email;Slack']
    };
    for (const [name, [tier, delay, type, recipient, channels]] of Object.entries(expectTier)) {
      const r = tiers.get(name);
      assert.ok(r, name);
      assert.deepEqual(
        [r.Tier__c, r.DelayAfterMissMinutes__c, r.RecipientType__c, r.Recipient__c, r.Channels__c],
        [tier, delay, type, recipient, channels],
        name
      );
    }

    const setting = loadType('StlSetting').records.get('Default');
    assert.ok(setting, 'StlSetting.Default');
    assert.equal(setting.IsEnabled__c, true);
    assert.equal(setting.AlertMode__c, 'Silent', 'go-live is a deliberate switch: ship Silent');
    assert.equal(setting.DispatcherCadenceMinutes__c, 1);
    assert.equal(setting.MaxSendAttempts__c, 5);
    assert.equal(setting.RestartClockOnReassign__c, false);
    assert.equal(setting.SlackNamedCredential__c, 'StlSlack');
    assert.equal(setting.TeamsNamedCredential__c, 'StlTeams');
  });

  test('StlSetting field defaults match the documented defaults', () => {
    const fields = readFields(mdtDir('StlSetting'));
    assert.equal(picklistDefault(fields.get('AlertMode__c') ?? {}), 'Silent');
    assert.equal(text(fields.get('DispatcherCadenceMinutes__c') ?? {}, 'defaultValue'), '1');
    assert.equal(text(fields.get('MaxSendAttempts__c') ?? {}, 'defaultValue'), '5');
    assert.equal(text(fields.get('SlackNamedCredential__c') ?? {}, 'defaultValue'), '"StlSlack"');
    assert.equal(text(fields.get('TeamsNamedCredential__c') ?? {}, 'defaultValue'), '"StlTeams"');
  });
});

// ---------------------------------------------------------------------------------------------
// Permission sets
// ---------------------------------------------------------------------------------------------

interface FieldPermission {
  field: string;
  readable: boolean;
  editable: boolean;
}
interface ObjectPermission {
  object: string;
  create: boolean;
  read: boolean;
  edit: boolean;
  del: boolean;
  viewAll: boolean;
  modifyAll: boolean;
}

function readPermissionSet(name: string): {
  node: XmlNode;
  fields: FieldPermission[];
  objects: ObjectPermission[];
} {
  const node = readXml(
    path.join(permissionSetsDir, `${name}.permissionset-meta.xml`),
    'PermissionSet'
  );
  const flag = (n: XmlNode, key: string): boolean => text(n, key) === 'true';
  return {
    node,
    fields: nodes(node, 'fieldPermissions').map((n) => ({
      field: text(n, 'field') ?? '',
      readable: flag(n, 'readable'),
      editable: flag(n, 'editable')
    })),
    objects: nodes(node, 'objectPermissions').map((n) => ({
      object: text(n, 'object') ?? '',
      create: flag(n, 'allowCreate'),
      read: flag(n, 'allowRead'),
      edit: flag(n, 'allowEdit'),
      del: flag(n, 'allowDelete'),
      viewAll: flag(n, 'viewAllRecords'),
      modifyAll: flag(n, 'modifyAllRecords')
    }))
  };
}

/** Every custom field of the package's objects, by `Object.Field`. */
function packageFields(): Map<string, XmlNode> {
  const all = new Map<string, XmlNode>();
  for (const [objectName, { dir }] of Object.entries(OBJECTS)) {
    for (const [name, field] of readFields(dir)) all.set(`${objectName}.${name}`, field);
  }
  return all;
}

describe('permission sets are least privilege', () => {
  const SETS = ['StlAdmin', 'StlLeader', 'StlRep', 'StlWebhookAccess'];
  const leadFields = [...tableFields(OBJECTS.Lead.heading).keys()].map((f) => `Lead.${f}`);
  // Cycle permissions are checked field by field in test/metadata/cycles.test.ts.
  const cycleFields = [...tableFields(OBJECTS.EngagementCycle__c.heading).keys()].map(
    (f) => `EngagementCycle__c.${f}`
  );
  // The countdown subscribes to StlLeadUpdate__e: every set that shows it reads the event.
  const LEAD_UPDATE_READ = {
    object: 'StlLeadUpdate__e',
    create: false,
    read: true,
    edit: false,
    del: false,
    viewAll: false,
    modifyAll: false
  };
  // Least privilege for the pages: reps see the countdown; leaders also the dashboard; admins
  // also the setup health page. Leaders and admins read the conversion impact section.
  const UI_GRANTS: Record<string, { classes: string[]; tabs: string[]; apps: string[] }> = {
    StlRep: { classes: ['StlCountdownController'], tabs: [], apps: [] },
    StlLeader: {
      classes: ['StlConversionController', 'StlCountdownController', 'StlDashboardController'],
      tabs: ['StlDashboard'],
      apps: ['SpeedToLead']
    },
    StlAdmin: {
      classes: [
        'StlConversionController',
        'StlCountdownController',
        'StlDashboardController',
        'StlSetupHealthController'
      ],
      tabs: ['StlDashboard', 'StlSetupHealth'],
      apps: ['SpeedToLead']
    }
  };
  const withoutCycles = <T extends { field?: string; object?: string }>(items: T[]): T[] =>
    items.filter((i) => !(i.field ?? i.object ?? '').startsWith('EngagementCycle__c'));

  test('every field permission names an existing, non-required field, readable when editable', () => {
    const fields = packageFields();
    for (const set of SETS) {
      const { node, fields: perms } = readPermissionSet(set);
      assert.ok((text(node, 'label') ?? '').length > 0, `${set}: label`);
      const description = text(node, 'description') ?? '';
      assert.ok(description.length > 0 && description.length <= 255, `${set}: description 1-255`);
      const seen = new Set<string>();
      for (const p of perms) {
        const field = fields.get(p.field);
        assert.ok(field, `${set}: field permission for unknown field ${p.field}`);
        assert.notEqual(text(field, 'required'), 'true', `${set}: ${p.field} is required: no FLS`);
        assert.ok(p.readable || !p.editable, `${set}: ${p.field} editable but not readable`);
        assert.ok(!seen.has(p.field), `${set}: ${p.field} listed twice`);
        seen.add(p.field);
      }
    }
  });

  test('StlRep reads every SLA field on Lead, edits nothing, and has nothing else', () => {
    const { node, fields, objects } = readPermissionSet('StlRep');
    assert.deepEqual(
      withoutCycles(fields)
        .map((f) => f.field)
        .sort(),
      [...leadFields].sort(),
      'Lead SLA fields'
    );
    assert.ok(
      fields.every(
        (f) => !f.field.startsWith('EngagementCycle__c.') || cycleFields.includes(f.field)
      ),
      'only documented cycle fields'
    );
    assert.deepEqual(
      fields.filter((f) => f.editable || !f.readable).map((f) => f.field),
      [],
      'reps never edit a stamp'
    );
    assert.deepEqual(
      withoutCycles(objects),
      [LEAD_UPDATE_READ],
      'no object permissions besides cycles and the countdown refresh event (read)'
    );
    for (const key of [
      'customPermissions',
      'customMetadataTypeAccesses',
      'externalCredentialPrincipalAccesses',
      'userPermissions',
      'tabSettings'
    ]) {
      assert.equal(nodes(node, key).length, 0, `StlRep grants no ${key}`);
    }
  });

  test('StlLeader reads SLA fields and every timer, and edits nothing', () => {
    const { fields: allFields, objects: allObjects } = readPermissionSet('StlLeader');
    const fields = withoutCycles(allFields);
    const objects = withoutCycles(allObjects);
    const timerFields = [...tableFields(OBJECTS.SlaTimer__c.heading).keys()].map(
      (f) => `SlaTimer__c.${f}`
    );
    assert.deepEqual(fields.map((f) => f.field).sort(), [...leadFields, ...timerFields].sort());
    assert.deepEqual(
      fields.filter((f) => f.editable).map((f) => f.field),
      [],
      'read only'
    );
    assert.deepEqual(objects, [
      {
        object: 'SlaTimer__c',
        create: false,
        read: true,
        edit: false,
        del: false,
        viewAll: true,
        modifyAll: false
      },
      LEAD_UPDATE_READ
    ]);
  });

  test('StlAdmin reads configuration and errors, edits timers, keeps stamps read only', () => {
    const { node, fields, objects } = readPermissionSet('StlAdmin');
    const types = nodes(node, 'customMetadataTypeAccesses')
      .filter((n) => text(n, 'enabled') === 'true')
      .map((n) => text(n, 'name'))
      .sort();
    assert.deepEqual(
      types,
      MDT_TYPES.map((t) => `${t}__mdt`).sort(),
      'all five configuration types'
    );
    const timer = objects.find((o) => o.object === 'SlaTimer__c');
    assert.ok(timer?.read && timer.edit && timer.viewAll, 'admin edits every timer');
    assert.equal(timer?.create, false, 'timers are planned by the package, not created by hand');
    const errors = objects.find((o) => o.object === 'StlError__c');
    assert.ok(errors?.read && errors.viewAll, 'admin reads every error');
    assert.ok(!errors.edit && !errors.create, 'the error log is not edited by hand');
    for (const f of leadFields) {
      const p = fields.find((x) => x.field === f);
      assert.ok(p?.readable, `admin reads ${f}`);
      assert.equal(p.editable, false, `${f}: stamps are the audit record, read only`);
    }
    assert.ok(fields.some((f) => f.field.startsWith('StlError__c.') && f.readable));
  });

  test('each set grants exactly the Apex controllers, tabs and app its people use', () => {
    for (const [set, expected] of Object.entries(UI_GRANTS)) {
      const { node } = readPermissionSet(set);
      const classes = nodes(node, 'classAccesses')
        .filter((n) => text(n, 'enabled') === 'true')
        .map((n) => text(n, 'apexClass'))
        .sort();
      assert.deepEqual(classes, [...expected.classes].sort(), `${set}: Apex class access`);
      const tabs = nodes(node, 'tabSettings')
        .filter((n) => text(n, 'visibility') !== 'None')
        .map((n) => text(n, 'tab'))
        .sort();
      assert.deepEqual(tabs, [...expected.tabs].sort(), `${set}: visible tabs`);
      const apps = nodes(node, 'applicationVisibilities')
        .filter((n) => text(n, 'visible') === 'true')
        .map((n) => text(n, 'application'));
      assert.deepEqual(apps, expected.apps, `${set}: visible apps`);
      for (const name of expected.classes) {
        assert.ok(
          existsSync(path.join(main, 'ui', 'classes', `${name}.cls`)) ||
            existsSync(path.join(main, 'insights', 'classes', `${name}.cls`)),
          `${set}: grants ${name}, which must exist`
        );
      }
    }
  });

  test('only StlTriggerBypass carries the trigger bypass, and it carries nothing else', () => {
    for (const set of SETS) {
      const { node } = readPermissionSet(set);
      const custom = nodes(node, 'customPermissions').map((n) => text(n, 'name'));
      assert.ok(!custom.includes('StlBypassTriggers'), `${set} must not grant StlBypassTriggers`);
    }
    const { node: bypass, fields, objects } = readPermissionSet('StlTriggerBypass');
    assert.deepEqual(
      nodes(bypass, 'customPermissions').map((n) => [text(n, 'name'), text(n, 'enabled')]),
      [['StlBypassTriggers', 'true']],
      'the bypass set grants the custom permission'
    );
    assert.deepEqual([fields.length, objects.length], [0, 0], 'and nothing else');
    for (const key of ['classAccesses', 'tabSettings', 'userPermissions']) {
      assert.equal(nodes(bypass, key).length, 0, `StlTriggerBypass grants no ${key}`);
    }
    const permission = readXml(
      path.join(main, 'core', 'customPermissions', 'StlBypassTriggers.customPermission-meta.xml'),
      'CustomPermission'
    );
    const description = text(permission, 'description') ?? '';
    assert.ok(description.length > 0 && description.length <= 255, 'custom permission description');
  });

  test('StlWebhookAccess grants exactly the webhook principal, and only that', () => {
    const { node, fields } = readPermissionSet('StlWebhookAccess');
    const credential = readXml(
      path.join(main, 'alerts', 'externalCredentials', 'StlWebhook.externalCredential-meta.xml'),
      'ExternalCredential'
    );
    const principals = nodes(credential, 'externalCredentialParameters')
      .filter((p) => text(p, 'parameterType') === 'NamedPrincipal')
      .map((p) => `StlWebhook-${text(p, 'parameterName')}`);
    assert.equal(principals.length, 1, 'one named principal');
    const granted = nodes(node, 'externalCredentialPrincipalAccesses')
      .filter((n) => text(n, 'enabled') === 'true')
      .map((n) => text(n, 'externalCredentialPrincipal'));
    assert.deepEqual(granted, principals);
    assert.deepEqual(fields, [], 'no field access');
  });
});

// ---------------------------------------------------------------------------------------------
// Alerts metadata: credentials without secrets, notification type
// ---------------------------------------------------------------------------------------------

describe('alert channels', () => {
  test('named credentials are SecuredEndpoint on StlWebhook with a placeholder https URL', () => {
    for (const name of ['StlSlack', 'StlTeams']) {
      const file = path.join(
        main,
        'alerts',
        'namedCredentials',
        `${name}.namedCredential-meta.xml`
      );
      const nc = readXml(file, 'NamedCredential');
      assert.equal(text(nc, 'namedCredentialType'), 'SecuredEndpoint', `${name}: new model`);
      assert.equal(nc.endpoint, undefined, `${name}: no legacy endpoint element`);
      const params = nodes(nc, 'namedCredentialParameters');
      const url = params.find((p) => text(p, 'parameterType') === 'Url');
      const auth = params.find((p) => text(p, 'parameterType') === 'Authentication');
      assert.equal(
        text(auth ?? {}, 'externalCredential'),
        'StlWebhook',
        `${name}: external credential`
      );
      const value = text(url ?? {}, 'parameterValue') ?? '';
      assert.match(value, /^https:\/\//, `${name}: https only`);
      assert.match(
        value,
        /REPLACE_ME$/,
        `${name}: the shipped URL is a placeholder, never a secret`
      );
      assert.equal(text(nc, 'allowMergeFieldsInBody'), 'false', `${name}: no merge fields in body`);
      assert.equal(
        text(nc, 'allowMergeFieldsInHeader'),
        'false',
        `${name}: no merge fields in header`
      );
    }
  });

  test('the external credential holds no secret parameter', () => {
    const credential = readXml(
      path.join(main, 'alerts', 'externalCredentials', 'StlWebhook.externalCredential-meta.xml'),
      'ExternalCredential'
    );
    for (const p of nodes(credential, 'externalCredentialParameters')) {
      assert.equal(p.parameterValue, undefined, 'no parameter values in source');
    }
  });

  test('the SLA alert notification type reaches desktop and mobile', () => {
    const type = readXml(
      path.join(main, 'alerts', 'notificationtypes', 'StlSlaAlert.notiftype-meta.xml'),
      'CustomNotificationType'
    );
    assert.equal(text(type, 'desktop'), 'true');
    assert.equal(text(type, 'mobile'), 'true');
  });
});

test('every metadata file of this part is well-formed XML with the metadata namespace', () => {
  const dirs = [
    OBJECTS.Lead.dir,
    OBJECTS.SlaTimer__c.dir,
    OBJECTS.StlError__c.dir,
    eventDir,
    ...MDT_TYPES.map(mdtDir),
    recordsDir,
    permissionSetsDir,
    path.join(main, 'core', 'customPermissions'),
    path.join(main, 'alerts', 'notificationtypes'),
    path.join(main, 'alerts', 'externalCredentials'),
    path.join(main, 'alerts', 'namedCredentials')
  ];
  const files = dirs.flatMap((d) => walk(d)).filter((f) => f.endsWith('-meta.xml'));
  assert.ok(files.length > 100, `found ${files.length} metadata files`);
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    assert.equal(XMLValidator.validate(source), true, `${rel(file)} is not well-formed`);
    assert.match(source, /xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/, rel(file));
  }
});
