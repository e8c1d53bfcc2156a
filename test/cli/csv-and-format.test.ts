// The CSV reader's line accounting and the duration formatting used in every rendering.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, type CsvRow, type RowProblem } from '../../scripts/cli/audit/csv-reader.ts';
import { bar, duration, pct } from '../../scripts/cli/audit/format.ts';
import { ROOT, runStl } from './support/run-stl.ts';

let tmp: string;
before(() => (tmp = mkdtempSync(join(tmpdir(), 'stl-csv-'))));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('readCsv', () => {
  it('reports each record at its first physical line through BOM, CRLF and quoted newlines', async () => {
    const file = join(tmp, 'Lead.csv');
    writeFileSync(
      file,
      '\ufeffid,Name\r\n1,"two\r\nlines"\r\n\r\n2,"three\r\nmore\r\nlines"\r\n3,x,extra\r\n4,"open\r\n'
    );
    const rows: CsvRow[] = [];
    const problems: RowProblem[] = [];
    const read = await readCsv(file, ['Id'], (r) => rows.push(r), problems);
    assert.deepEqual(read?.header, ['Id', 'Name'], 'required names are matched ignoring case');
    assert.deepEqual(
      rows.map((r) => [r.values.Id, r.line]),
      [
        ['1', 2],
        ['2', 5]
      ]
    );
    assert.equal(rows[1].values.Name, 'three\nmore\nlines');
    assert.deepEqual(
      problems.map((p) => [p.file, p.line]),
      [
        ['Lead.csv', 8],
        ['Lead.csv', 9]
      ]
    );
    assert.match(problems[0].reason, /has 3 values but the header has 2 columns/);
    assert.match(problems[1].reason, /Quote Not Closed/);
  });

  it('returns null for an empty file and names a missing column', async () => {
    const empty = join(tmp, 'Task.csv');
    writeFileSync(empty, '');
    assert.equal(await readCsv(empty, ['Id'], () => undefined, []), null);
    const noCol = join(tmp, 'Event.csv');
    writeFileSync(noCol, 'Id,Subject\n1,x\n');
    await assert.rejects(
      readCsv(noCol, ['Id', 'WhoId'], () => undefined, []),
      /Event\.csv has no column "WhoId"/
    );
  });
});

describe('formatting', () => {
  it('rounds durations without impossible values', () => {
    assert.equal(duration(0.5), '30s');
    assert.equal(duration(59.6), '1h 00m');
    assert.equal(duration(119.7), '2h 00m');
    assert.equal(duration(61), '1h 01m');
    assert.equal(duration(1439.8), '1d 00h');
    assert.equal(duration(3825), '2d 16h');
    assert.equal(duration(-5), '-5m');
    assert.equal(duration(null), '-');
    assert.equal(pct(0.8137, 1), '81.4%');
    assert.equal(bar(0.5, 10).trimEnd(), '█████');
  });
});

describe('the built-in sample and help', () => {
  it('is exactly what stl seed --local --seed 42 --leads 400 generates', async () => {
    const out = join(tmp, 'regenerated');
    const run = await runStl(['seed', '--local', out, '--seed', '42', '--leads', '400', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const sample = join(ROOT, 'test', 'fixtures', 'sample-export');
    assert.deepEqual(readdirSync(out).sort(), readdirSync(sample).sort());
    for (const f of readdirSync(sample)) {
      assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(sample, f), 'utf8'), f);
    }
  });

  it('lists every command with its summary', async () => {
    const run = await runStl(['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const [command, summary] of [
      ['audit', /Measure speed to lead/],
      ['seed', /Generate realistic/],
      ['deploy', /Deploy the package source/],
      ['doctor', /Check an org's speed-to-lead setup/]
    ] as const) {
      assert.match(run.stdout, new RegExp(`\\n\\s+${command}\\s+`), `lists ${command}`);
      assert.match(run.stdout, summary);
    }
  });
});

describe('field resolution', () => {
  it('picks stlead__X__c in a managed-package org and X__c in a source deploy', async () => {
    const { resolveFields } = await import('../../scripts/cli/audit/org-source.ts');
    const managed = new Set(['Id', 'LeadSource', 'stlead__AssignedAt__c', 'stlead__SlaStatus__c']);
    const source = new Set(['Id', 'LeadSource', 'AssignedAt__c']);
    const wanted = ['LeadSource', 'AssignedAt__c', 'SlaStatus__c', 'Missing__c'];
    assert.deepEqual(
      [...resolveFields(managed, wanted)],
      [
        ['LeadSource', 'LeadSource'],
        ['AssignedAt__c', 'stlead__AssignedAt__c'],
        ['SlaStatus__c', 'stlead__SlaStatus__c']
      ]
    );
    assert.deepEqual(
      [...resolveFields(source, wanted)],
      [
        ['LeadSource', 'LeadSource'],
        ['AssignedAt__c', 'AssignedAt__c']
      ]
    );
  });
});
