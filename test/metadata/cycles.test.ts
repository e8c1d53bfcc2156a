// EngagementCycle__c against its contract, the "## Engagement cycles" section of
// docs/DATA-MODEL.md: every documented field exists with the documented type, length, picklist
// values, lookup target and key flags, and no undocumented field exists; the object is private
// with an auto-number name; list views name real fields; the permission sets grant exactly the
// documented, least-privilege access. Expectations are read from the doc, so a change to the doc
// or to the XML alone fails.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const root = path.resolve(import.meta.dirname, '..', '..');
const objectDir = path.join(root, 'force-app', 'main', 'cycles', 'objects', 'EngagementCycle__c');
const permissionSetsDir = path.join(root, 'force-app', 'main', 'permissionsets');
const OBJECT = 'EngagementCycle__c';

type Xml = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

function readXml(file: string, rootTag: string): Xml {
  assert.ok(existsSync(file), `${path.relative(root, file)} is missing`);
  const source = readFileSync(file, 'utf8');
  assert.equal(
    XMLValidator.validate(source),
    true,
    `${path.relative(root, file)} is not well-formed`
  );
  assert.match(source, /xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/);
  const node = (parser.parse(source) as Xml)[rootTag];
  assert.ok(
    node && typeof node === 'object',
    `${path.relative(root, file)}: <${rootTag}> expected`
  );
  return node as Xml;
}

function str(node: Xml, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

function list(node: Xml, key: string): Xml[] {
  const value = node[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as Xml[];
}

// ---------------------------------------------------------------------------------------------
// The contract, from DATA-MODEL.md
// ---------------------------------------------------------------------------------------------

interface Spec {
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  reference?: string;
  values?: string[];
  unique: boolean;
  externalId: boolean;
}

function cyclesSection(): string {
  const doc = readFileSync(path.join(root, 'docs', 'DATA-MODEL.md'), 'utf8');
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Engagement cycles');
  assert.ok(start >= 0, 'DATA-MODEL.md has a "## Engagement cycles" section');
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^#{1,3} /.test(l));
  return rest.slice(0, end === -1 ? undefined : end).join('\n');
}

/** Parses "Text(40), unique, external Id", "Number(12,2)", "Lookup(Lead)", "Picklist". */
function parseSpec(typeCell: string, meaning: string): Spec {
  const match = /^(DateTime|Checkbox|Picklist|Text|Number|Lookup)(?:\(([^)]*)\))?/.exec(typeCell);
  assert.ok(match, `unknown type "${typeCell}"`);
  const [, type, args] = match;
  const spec: Spec = {
    type,
    unique: /\bunique\b/.test(typeCell),
    externalId: /external Id/.test(typeCell)
  };
  if (type === 'Text') spec.length = Number(args);
  if (type === 'Number') [spec.precision, spec.scale] = args.split(',').map(Number);
  if (type === 'Lookup') spec.reference = args;
  if (type === 'Picklist') spec.values = meaning.split(',').map((v) => v.trim());
  return spec;
}

function documentedFields(): Map<string, Spec> {
  const fields = new Map<string, Spec>();
  for (const line of cyclesSection().split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const name = /^`(\w+__c)`$/.exec(cells[0] ?? '')?.[1];
    if (name) fields.set(name, parseSpec(cells[1] ?? '', cells[2] ?? ''));
  }
  return fields;
}

function fieldsOnDisk(): Map<string, Xml> {
  const dir = path.join(objectDir, 'fields');
  const fields = new Map<string, Xml>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.field-meta.xml'))) {
    const name = file.replace('.field-meta.xml', '');
    const field = readXml(path.join(dir, file), 'CustomField');
    assert.equal(str(field, 'fullName'), name, `${file}: fullName matches the file name`);
    fields.set(name, field);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Object and fields
// ---------------------------------------------------------------------------------------------

describe('EngagementCycle__c matches DATA-MODEL.md', () => {
  const documented = documentedFields();
  const actual = fieldsOnDisk();

  test('the contract parser reads types, keys and picklists', () => {
    assert.deepEqual(parseSpec('Text(40), unique, external Id', ''), {
      type: 'Text',
      length: 40,
      unique: true,
      externalId: true
    });
    assert.deepEqual(parseSpec('Number(12,2)', '').precision, 12);
    assert.deepEqual(parseSpec('Picklist', 'A, B').values, ['A', 'B']);
    assert.throws(() => parseSpec('Currency(10,2)', ''), /unknown type/);
  });

  test('every documented field exists, and no undocumented one', () => {
    assert.ok(documented.size >= 27, `documented fields: ${documented.size}`);
    assert.deepEqual([...actual.keys()].sort(), [...documented.keys()].sort());
  });

  for (const [name, spec] of documented) {
    test(`${name}: ${spec.type} as documented, described, never required`, () => {
      const field = actual.get(name);
      assert.ok(field, `${name} missing on disk`);
      assert.equal(str(field, 'type'), spec.type, 'type');
      if (spec.length !== undefined) assert.equal(str(field, 'length'), String(spec.length));
      if (spec.precision !== undefined) {
        assert.equal(str(field, 'precision'), String(spec.precision), 'precision');
        assert.equal(str(field, 'scale'), String(spec.scale), 'scale');
      }
      if (spec.reference !== undefined) {
        assert.equal(str(field, 'referenceTo'), spec.reference, 'lookup target');
        assert.equal(str(field, 'deleteConstraint'), 'SetNull', 'a lookup clears on delete');
        assert.match(str(field, 'relationshipName') ?? '', /^[A-Z][A-Za-z]+$/, 'relationship');
      }
      if (spec.values !== undefined) {
        const valueSet = field.valueSet as Xml;
        assert.equal(str(valueSet, 'restricted'), 'true', 'restricted picklist');
        const values = list(valueSet.valueSetDefinition as Xml, 'value').map((v) =>
          str(v, 'fullName')
        );
        assert.deepEqual(values, spec.values, 'picklist values and order');
      }
      assert.equal(str(field, 'unique') === 'true', spec.unique, 'unique');
      assert.equal(str(field, 'externalId') === 'true', spec.externalId, 'external Id');
      if (spec.type === 'Checkbox') assert.equal(str(field, 'defaultValue'), 'false');
      assert.notEqual(str(field, 'required'), 'true', 'never required');
      assert.match(name, /^[A-Z][A-Za-z0-9]*__c$/, 'PascalCase API name');
      assert.ok((str(field, 'description') ?? '').length > 0, 'description');
      assert.ok((str(field, 'inlineHelpText') ?? '').length > 0, 'help text');
      assert.ok((str(field, 'label') ?? '').length <= 40, 'label of at most 40 characters');
    });
  }

  test('the Lead mirror fields carry the Lead field types exactly', () => {
    const leadDir = path.join(root, 'force-app', 'main', 'stamping', 'objects', 'Lead', 'fields');
    for (const [name, field] of actual) {
      const leadFile = path.join(leadDir, `${name}.field-meta.xml`);
      if (!existsSync(leadFile)) continue;
      const lead = readXml(leadFile, 'CustomField');
      for (const key of ['type', 'length', 'precision', 'scale', 'referenceTo']) {
        assert.equal(str(field, key), str(lead, key), `${name}.${key} matches Lead.${name}`);
      }
    }
  });

  test('private, auto-numbered C-{0000000}, reportable', () => {
    const object = readXml(path.join(objectDir, `${OBJECT}.object-meta.xml`), 'CustomObject');
    assert.equal(str(object, 'sharingModel'), 'Private');
    assert.equal(str(object, 'externalSharingModel'), 'Private');
    const nameField = object.nameField as Xml;
    assert.equal(str(nameField, 'type'), 'AutoNumber');
    assert.equal(str(nameField, 'displayFormat'), 'C-{0000000}');
    assert.equal(str(object, 'enableReports'), 'true');
    assert.ok((str(object, 'description') ?? '').length > 0, 'description');
  });

  test('list views name existing fields', () => {
    const dir = path.join(objectDir, 'listViews');
    const views = readdirSync(dir).filter((f) => f.endsWith('.listView-meta.xml'));
    assert.ok(views.length >= 1, 'at least one list view');
    for (const file of views) {
      const view = readXml(path.join(dir, file), 'ListView');
      assert.equal(str(view, 'fullName'), file.replace('.listView-meta.xml', ''));
      const columns = list(view, 'columns') as unknown as string[];
      const filters = list(view, 'filters').map((f) => str(f, 'field') ?? '');
      for (const name of [...columns, ...filters]) {
        if (name === 'NAME') continue;
        assert.ok(actual.has(name), `${file}: unknown field ${name}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Permission sets
// ---------------------------------------------------------------------------------------------

interface Access {
  fields: Map<string, { readable: boolean; editable: boolean }>;
  object?: Record<string, boolean>;
}

function cycleAccess(set: string): Access {
  const node = readXml(
    path.join(permissionSetsDir, `${set}.permissionset-meta.xml`),
    'PermissionSet'
  );
  const fields = new Map<string, { readable: boolean; editable: boolean }>();
  for (const p of list(node, 'fieldPermissions')) {
    const name = str(p, 'field') ?? '';
    if (!name.startsWith(`${OBJECT}.`)) continue;
    assert.ok(!fields.has(name), `${set}: ${name} listed twice`);
    fields.set(name.slice(OBJECT.length + 1), {
      readable: str(p, 'readable') === 'true',
      editable: str(p, 'editable') === 'true'
    });
  }
  const objects = list(node, 'objectPermissions').filter((o) => str(o, 'object') === OBJECT);
  assert.ok(objects.length <= 1, `${set}: one object permission for ${OBJECT}`);
  const flags = ['allowCreate', 'allowRead', 'allowEdit', 'allowDelete'];
  const object = objects[0]
    ? Object.fromEntries(
        [...flags, 'viewAllRecords', 'modifyAllRecords'].map((k) => [
          k,
          str(objects[0], k) === 'true'
        ])
      )
    : undefined;
  return { fields, object };
}

describe('EngagementCycle__c permissions are least privilege', () => {
  const all = [...fieldsOnDisk().keys()].sort();
  const technical = ['CycleKey__c', 'LikelyDuplicateOf__c'];

  test('StlRep reads the SLA fields of the cycles it can see, nothing more', () => {
    const { fields, object } = cycleAccess('StlRep');
    assert.deepEqual(
      [...fields.keys()].sort(),
      all.filter((f) => !technical.includes(f)),
      'SLA fields only'
    );
    assert.ok(
      [...fields.values()].every((f) => f.readable && !f.editable),
      'read only'
    );
    assert.deepEqual(object, {
      allowCreate: false,
      allowRead: true,
      allowEdit: false,
      allowDelete: false,
      viewAllRecords: false,
      modifyAllRecords: false
    });
  });

  test('StlLeader reads every field of every cycle', () => {
    const { fields, object } = cycleAccess('StlLeader');
    assert.deepEqual([...fields.keys()].sort(), all);
    assert.ok(
      [...fields.values()].every((f) => f.readable && !f.editable),
      'read only'
    );
    assert.deepEqual(object, {
      allowCreate: false,
      allowRead: true,
      allowEdit: false,
      allowDelete: false,
      viewAllRecords: true,
      modifyAllRecords: false
    });
  });

  test('StlAdmin reads every cycle and edits only the duplicate flag', () => {
    const { fields, object } = cycleAccess('StlAdmin');
    assert.deepEqual([...fields.keys()].sort(), all);
    const editable = [...fields].filter(([, f]) => f.editable).map(([name]) => name);
    assert.deepEqual(editable, ['LikelyDuplicateOf__c'], 'stamps stay read only');
    assert.deepEqual(object, {
      allowCreate: false,
      allowRead: true,
      allowEdit: true,
      allowDelete: false,
      viewAllRecords: true,
      modifyAllRecords: false
    });
  });

  test('StlWebhookAccess grants nothing on cycles', () => {
    const { fields, object } = cycleAccess('StlWebhookAccess');
    assert.equal(fields.size, 0);
    assert.equal(object, undefined);
  });
});
