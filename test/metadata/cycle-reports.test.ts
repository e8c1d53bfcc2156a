// The native cycle reports (issue 7) against the object they count: every column, filter,
// grouping, sort, time frame, chart grouping and bucket source a report in
// force-app/main/cycles/reports/StlCycleReports names must be offered by the report type
// StlEngagementCycles and be a real field of EngagementCycle__c (its field files), and every field
// of the report type must exist. Filter values on a picklist must be values of the picklist, time
// frames must use a date-time field and aggregates a number field. The checks are pure functions
// run on the real files and on mutated copies, so a renamed field provably fails the test.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const root = path.resolve(import.meta.dirname, '..', '..');
const cyclesDir = path.join(root, 'force-app', 'main', 'cycles');
const fieldsDir = path.join(cyclesDir, 'objects', 'EngagementCycle__c', 'fields');
const reportTypeFile = path.join(
  cyclesDir,
  'reportTypes',
  'StlEngagementCycles.reportType-meta.xml'
);
const folderFile = path.join(cyclesDir, 'reports', 'StlCycleReports.reportFolder-meta.xml');
const reportsDir = path.join(cyclesDir, 'reports', 'StlCycleReports');

const OBJECT = 'EngagementCycle__c';
const REPORT_TYPE = 'StlEngagementCycles';
/** Standard fields of every custom object that have no field file. */
const OBJECT_STANDARD_FIELDS = new Set(['Name', 'CreatedDate', 'LastModifiedDate']);
/** Standard Lead fields the report type may reach through the Lead lookup. */
const LEAD_STANDARD_FIELDS = new Set([
  'Name',
  'FirstName',
  'LastName',
  'Company',
  'Email',
  'LeadSource',
  'Status',
  'IsConverted',
  'CreatedDate'
]);
/** Technical fields the report type leaves out on purpose (a key and a record Id, not facts). */
const NOT_OFFERED = new Set(['CycleKey__c', 'SlaBusinessHoursId__c']);
/** The reports issue 7 asks for: hit rate by lead type, by rep, re-engagements, duplicates. */
const REQUIRED_REPORTS = [
  'StlCycleHitRateByLeadType',
  'StlCycleHitRateByRep',
  'StlReEngagedLeads',
  'StlCyclesByCycleNumber',
  'StlLikelyDuplicates'
];

type Xml = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

function parseXml(source: string, rootTag: string, where: string): Xml {
  assert.equal(XMLValidator.validate(source), true, `${where} is not well-formed`);
  assert.match(
    source,
    /xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/,
    `${where}: metadata namespace missing`
  );
  const node = (parser.parse(source) as Xml)[rootTag];
  assert.ok(node && typeof node === 'object', `${where}: <${rootTag}> expected`);
  return node as Xml;
}

function readXml(file: string, rootTag: string): Xml {
  assert.ok(existsSync(file), `${path.relative(root, file)} is missing`);
  return parseXml(readFileSync(file, 'utf8'), rootTag, path.relative(root, file));
}

function str(node: Xml, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

function list(node: Xml | undefined, key: string): Xml[] {
  const value = node?.[key];
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as Xml[];
}

function strings(node: Xml | undefined, key: string): string[] {
  const value = node?.[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

// ---------------------------------------------------------------------------------------------
// The object's fields, from the field files
// ---------------------------------------------------------------------------------------------

interface FieldInfo {
  type: string;
  referenceTo?: string;
  picklistValues: string[];
}

function readObjectFields(dir: string): Map<string, FieldInfo> {
  const fields = new Map<string, FieldInfo>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.field-meta.xml'))) {
    const node = readXml(path.join(dir, file), 'CustomField');
    const name = file.replace('.field-meta.xml', '');
    assert.equal(str(node, 'fullName'), name, `${file}: fullName differs from the file name`);
    const valueSet = node.valueSet as Xml | undefined;
    const definition = valueSet?.valueSetDefinition as Xml | undefined;
    fields.set(name, {
      type: str(node, 'type') ?? '',
      referenceTo: str(node, 'referenceTo'),
      picklistValues: list(definition, 'value').map((v) => str(v, 'fullName') ?? '')
    });
  }
  return fields;
}

/** Custom Lead fields of the package, wherever a feature folder defines them. */
function readLeadCustomFields(): Set<string> {
  const names = new Set<string>();
  const main = path.join(root, 'force-app', 'main');
  for (const feature of readdirSync(main)) {
    const dir = path.join(main, feature, 'objects', 'Lead', 'fields');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (file.endsWith('.field-meta.xml')) names.add(file.replace('.field-meta.xml', ''));
    }
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Checks (pure: they return the problems found, each naming the file and the field)
// ---------------------------------------------------------------------------------------------

interface Model {
  fields: Map<string, FieldInfo>;
  leadFields: Set<string>;
}

/** Fields the report type offers, in report notation (`Field` or `Lookup__c.Field`). */
function reportTypeFields(reportType: Xml): string[] {
  return list(reportType, 'sections').flatMap((section) =>
    list(section, 'columns').map((c) => str(c, 'field') ?? '')
  );
}

function checkReportType(reportType: Xml, model: Model, where: string): string[] {
  const problems: string[] = [];
  if (str(reportType, 'baseObject') !== OBJECT) {
    problems.push(`${where}: baseObject must be ${OBJECT}, got ${str(reportType, 'baseObject')}`);
  }
  if (str(reportType, 'deployed') !== 'true') problems.push(`${where}: deployed must be true`);
  const seen = new Set<string>();
  for (const section of list(reportType, 'sections')) {
    for (const column of list(section, 'columns')) {
      const field = str(column, 'field') ?? '';
      const table = str(column, 'table');
      if (table !== OBJECT) problems.push(`${where}: ${field}: table must be ${OBJECT}`);
      if (seen.has(field)) problems.push(`${where}: ${field} is listed twice`);
      seen.add(field);
      problems.push(...checkFieldPath(field, model, where));
    }
  }
  for (const name of NOT_OFFERED) {
    if (!model.fields.has(name)) problems.push(`${where}: left-out field ${name} does not exist`);
    if (seen.has(name)) problems.push(`${where}: ${name} is technical and must not be offered`);
  }
  for (const name of model.fields.keys()) {
    if (!seen.has(name) && !NOT_OFFERED.has(name))
      problems.push(`${where}: field ${OBJECT}.${name} is not offered`);
  }
  return problems;
}

/** `Field` must be a field of the object; `Lookup__c.Field` a Lead field through a Lead lookup. */
function checkFieldPath(fieldPath: string, model: Model, where: string): string[] {
  const parts = fieldPath.split('.');
  const [own, related] = parts;
  if (parts.length > 2 || !own) return [`${where}: ${fieldPath}: unsupported field path`];
  if (related === undefined) {
    return model.fields.has(own) || OBJECT_STANDARD_FIELDS.has(own)
      ? []
      : [`${where}: ${fieldPath} is not a field of ${OBJECT}`];
  }
  const lookup = model.fields.get(own);
  if (!lookup) return [`${where}: ${fieldPath}: ${own} is not a field of ${OBJECT}`];
  if (lookup.type !== 'Lookup' || lookup.referenceTo !== 'Lead') {
    return [`${where}: ${fieldPath}: ${own} is not a lookup to Lead`];
  }
  return LEAD_STANDARD_FIELDS.has(related) || model.leadFields.has(related)
    ? []
    : [`${where}: ${fieldPath}: ${related} is not a Lead field`];
}

interface Reference {
  column: string;
  role: string;
}

/** Every column name a report uses, with the element that uses it. */
function reportReferences(report: Xml): Reference[] {
  const refs: Reference[] = [];
  const add = (column: string | undefined, role: string) => {
    if (column !== undefined) refs.push({ column, role });
  };
  for (const c of list(report, 'columns')) add(str(c, 'field'), 'column');
  for (const c of list(report.filter as Xml | undefined, 'criteriaItems')) {
    add(str(c, 'column'), 'filter');
  }
  for (const g of list(report, 'groupingsDown')) add(str(g, 'field'), 'groupingsDown');
  for (const g of list(report, 'groupingsAcross')) add(str(g, 'field'), 'groupingsAcross');
  add(str(report, 'sortColumn'), 'sortColumn');
  add(str((report.timeFrameFilter as Xml | undefined) ?? {}, 'dateColumn'), 'timeFrameFilter');
  const chart = report.chart as Xml | undefined;
  if (chart) {
    add(str(chart, 'groupingColumn'), 'chart groupingColumn');
    add(str(chart, 'secondaryGroupingColumn'), 'chart secondaryGroupingColumn');
  }
  for (const b of list(report, 'buckets')) add(str(b, 'sourceColumnName'), 'bucket source');
  return refs;
}

function checkReport(report: Xml, offered: Set<string>, model: Model, where: string): string[] {
  const problems: string[] = [];
  if (str(report, 'reportType') !== REPORT_TYPE) {
    problems.push(`${where}: reportType must be ${REPORT_TYPE}, got ${str(report, 'reportType')}`);
  }
  if (!str(report, 'name')) problems.push(`${where}: <name> is missing`);
  if (!str(report, 'description')) problems.push(`${where}: <description> is missing`);
  const buckets = new Set(list(report, 'buckets').map((b) => str(b, 'developerName') ?? ''));
  const prefix = `${OBJECT}$`;
  for (const { column, role } of reportReferences(report)) {
    if (role !== 'bucket source' && buckets.has(column)) continue;
    if (!column.startsWith(prefix)) {
      problems.push(`${where}: ${role} ${column} does not start with ${prefix}`);
      continue;
    }
    const field = column.slice(prefix.length);
    if (!offered.has(field)) {
      problems.push(`${where}: ${role} ${column} is not offered by ${REPORT_TYPE}`);
    }
    problems.push(...checkFieldPath(field, model, `${where}: ${role}`));
  }
  for (const c of list(report, 'columns')) {
    const field = (str(c, 'field') ?? '').slice(prefix.length);
    if (strings(c, 'aggregateTypes').length && model.fields.get(field)?.type !== 'Number') {
      problems.push(`${where}: ${field} is aggregated but is not a Number field`);
    }
  }
  for (const c of list(report.filter as Xml | undefined, 'criteriaItems')) {
    const field = (str(c, 'column') ?? '').slice(prefix.length);
    const info = model.fields.get(field);
    const value = str(c, 'value');
    if (info?.type === 'Picklist' && value) {
      for (const v of value.split(',')) {
        if (!info.picklistValues.includes(v)) {
          problems.push(`${where}: filter ${field} = ${v} is not a value of the picklist`);
        }
      }
    }
  }
  const timeFrame = report.timeFrameFilter as Xml | undefined;
  if (timeFrame) {
    const field = (str(timeFrame, 'dateColumn') ?? '').slice(prefix.length);
    if (model.fields.get(field)?.type !== 'DateTime') {
      problems.push(`${where}: time frame ${field} is not a DateTime field`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const model: Model = { fields: readObjectFields(fieldsDir), leadFields: readLeadCustomFields() };
const reportType = readXml(reportTypeFile, 'ReportType');
const offered = new Set(reportTypeFields(reportType));
const reportFiles = readdirSync(reportsDir).filter((f) => f.endsWith('.report-meta.xml'));
const reportSources = new Map(
  reportFiles.map((f) => [f, readFileSync(path.join(reportsDir, f), 'utf8')] as const)
);
const parseReport = (file: string, source: string) =>
  parseXml(source, 'Report', `StlCycleReports/${file}`);

describe('report type StlEngagementCycles', () => {
  test('reads the object fields it checks against', () => {
    assert.ok(model.fields.size >= 20, `only ${model.fields.size} EngagementCycle__c fields read`);
    assert.ok(model.fields.has('CycleNumber__c'));
    assert.ok(model.leadFields.has('LeadType__c'), 'the Lead custom fields were not found');
  });

  test('is based on EngagementCycle__c and offers only existing fields, all of them', () => {
    assert.deepEqual(checkReportType(reportType, model, 'StlEngagementCycles'), []);
  });

  test('offers Lead fields through the Lead__c lookup', () => {
    const throughLead = [...offered].filter((f) => f.startsWith('Lead__c.'));
    assert.ok(throughLead.includes('Lead__c.Company'), 'Lead__c.Company is not offered');
    assert.ok(throughLead.length >= 3, `only ${throughLead.length} Lead fields offered`);
  });

  test('fails when a field it offers is renamed or missing', () => {
    const renamed = readFileSync(reportTypeFile, 'utf8').replace(
      '<field>SlaStatus__c</field>',
      '<field>SlaOutcome__c</field>'
    );
    const problems = checkReportType(parseXml(renamed, 'ReportType', 'mutated'), model, 'm');
    assert.ok(problems.some((p) => p.includes('SlaOutcome__c is not a field of')));
    assert.ok(problems.some((p) => p.includes('EngagementCycle__c.SlaStatus__c is not offered')));
    const fieldGone = new Map(model.fields);
    fieldGone.delete('LeadType__c');
    assert.ok(
      checkReportType(reportType, { ...model, fields: fieldGone }, 'm').some((p) =>
        p.includes('LeadType__c is not a field of')
      )
    );
    const badLead = readFileSync(reportTypeFile, 'utf8').replace(
      '<field>Lead__c.Company</field>',
      '<field>Lead__c.Companyy</field>'
    );
    assert.ok(
      checkReportType(parseXml(badLead, 'ReportType', 'mutated'), model, 'm').some((p) =>
        p.includes('Companyy is not a Lead field')
      )
    );
  });
});

describe('report folder StlCycleReports', () => {
  test('is a public, read-only folder', () => {
    const folder = readXml(folderFile, 'ReportFolder');
    assert.equal(str(folder, 'accessType'), 'Public');
    assert.equal(str(folder, 'publicFolderAccess'), 'ReadOnly');
    assert.ok(str(folder, 'name'), 'folder name missing');
  });

  test('holds the reports issue 7 asks for', () => {
    const names = reportFiles.map((f) => f.replace('.report-meta.xml', ''));
    for (const required of REQUIRED_REPORTS) {
      assert.ok(names.includes(required), `${required}.report-meta.xml is missing`);
    }
  });
});

describe('cycle reports', () => {
  for (const [file, source] of reportSources) {
    test(`${file} names only fields of the report type and of ${OBJECT}`, () => {
      const report = parseReport(file, source);
      assert.ok(reportReferences(report).length >= 3, `${file} names almost no columns`);
      assert.deepEqual(checkReport(report, offered, model, file), []);
    });

    test(`${file} fails the check when a field it names is renamed`, () => {
      const report = parseReport(file, source);
      const first = reportReferences(report).find((r) =>
        model.fields.has(r.column.slice(OBJECT.length + 1).split('.')[0])
      );
      assert.ok(first, `${file} names no ${OBJECT} column`);
      const renamed = source.split(first.column).join(`${first.column}X`);
      const problems = checkReport(parseReport(file, renamed), offered, model, file);
      assert.ok(
        problems.some((p) => p.includes(`${first.column}X is not offered`)),
        `renaming ${first.column} went unnoticed: ${problems.join('; ')}`
      );
      const fieldGone = new Map(model.fields);
      fieldGone.delete(first.column.slice(OBJECT.length + 1).split('.')[0]);
      assert.ok(
        checkReport(report, offered, { ...model, fields: fieldGone }, file).length > 0,
        `removing the field of ${first.column} went unnoticed`
      );
    });
  }

  test('SLA outcome reports count judged cycles only', () => {
    for (const name of ['StlCycleHitRateByLeadType', 'StlCycleHitRateByRep']) {
      const report = parseReport(name, reportSources.get(`${name}.report-meta.xml`) ?? '');
      const status = list(report.filter as Xml, 'criteriaItems').find(
        (c) => str(c, 'column') === `${OBJECT}$SlaStatus__c`
      );
      assert.equal(status && str(status, 'value'), 'Hit,Missed', `${name}: status filter`);
    }
  });

  test('re-engaged leads: one row per lead, its second cycle', () => {
    const report = parseReport(
      'StlReEngagedLeads',
      reportSources.get('StlReEngagedLeads.report-meta.xml') ?? ''
    );
    const number = list(report.filter as Xml, 'criteriaItems').find(
      (c) => str(c, 'column') === `${OBJECT}$CycleNumber__c`
    );
    assert.ok(number, 'no CycleNumber__c filter');
    assert.equal(str(number, 'operator'), 'equals');
    assert.equal(str(number, 'value'), '2');
  });

  test('cycles by number: buckets cover 1, 2 and 3+ without a gap', () => {
    const report = parseReport(
      'StlCyclesByCycleNumber',
      reportSources.get('StlCyclesByCycleNumber.report-meta.xml') ?? ''
    );
    const [bucket] = list(report, 'buckets');
    assert.ok(bucket, 'no bucket field');
    assert.equal(str(bucket, 'bucketType'), 'number');
    const ranges = list(bucket, 'values').map((v) => {
      const [source] = list(v, 'sourceValues');
      return { from: str(source ?? {}, 'from'), to: str(source ?? {}, 'to') };
    });
    assert.deepEqual(ranges, [
      { from: undefined, to: '1' },
      { from: '1', to: '2' },
      { from: '2', to: undefined }
    ]);
    assert.equal(
      str(list(report, 'groupingsDown')[0] ?? {}, 'field'),
      str(bucket, 'developerName')
    );
  });

  test('likely duplicates: cycles whose LikelyDuplicateOf__c is set', () => {
    const report = parseReport(
      'StlLikelyDuplicates',
      reportSources.get('StlLikelyDuplicates.report-meta.xml') ?? ''
    );
    const duplicate = list(report.filter as Xml, 'criteriaItems').find(
      (c) => str(c, 'column') === `${OBJECT}$LikelyDuplicateOf__c`
    );
    assert.ok(duplicate, 'no LikelyDuplicateOf__c filter');
    assert.equal(str(duplicate, 'operator'), 'notEqual');
    assert.ok(!str(duplicate, 'value'), 'the filter must compare with blank');
  });

  test('the picklist and aggregate checks catch a wrong value or field', () => {
    const source = reportSources.get('StlCycleHitRateByLeadType.report-meta.xml') ?? '';
    const badValue = source.replace('<value>Hit,Missed</value>', '<value>Hit,Late</value>');
    assert.ok(
      checkReport(parseReport('m', badValue), offered, model, 'm').some((p) =>
        p.includes('Late is not a value')
      )
    );
    const badAggregate = source.replace(
      `<field>${OBJECT}$SpeedToLeadMinutes__c</field>`,
      `<field>${OBJECT}$LeadType__c</field>`
    );
    assert.ok(
      checkReport(parseReport('m', badAggregate), offered, model, 'm').some((p) =>
        p.includes('LeadType__c is aggregated')
      )
    );
  });
});
