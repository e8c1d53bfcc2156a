// stl audit against export folders: the built-in sample, a messy export, missing pieces, stamps.
/* eslint-disable @typescript-eslint/no-explicit-any -- the commands' JSON output is checked field by field */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runStl } from './support/run-stl.ts';

const SAMPLE = join(ROOT, 'test', 'fixtures', 'sample-export');
let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stl-audit-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const SUMMARY_KEYS = ['count', 'mean', 'median', 'p90', 'p95'];

describe('stl audit --from', () => {
  it('audits the sample export: JSON envelope, statistics, HTML and CSV outputs', async () => {
    const html = join(tmp, 'report', 'audit.html');
    const csvDir = join(tmp, 'csv');
    const run = await runStl([
      'audit',
      '--from',
      SAMPLE,
      '--html',
      html,
      '--csv',
      csvDir,
      '--json'
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.json, 'prints a JSON envelope');
    assert.equal(run.json.status, 0);
    assert.deepEqual(run.json.warnings, []);
    const r = run.json.result as Record<string, any>;
    for (const key of [
      'leads',
      'systemsDelay',
      'humanDelay',
      'humanDelayBusiness',
      'speedToLead',
      'sla',
      'byLeadType',
      'byOwner',
      'bySource',
      'byWeek',
      'safetyNets',
      'accuracy'
    ]) {
      assert.ok(key in r, `result has ${key}`);
    }
    assert.equal(r.leads, 400);
    for (const key of ['systemsDelay', 'humanDelay', 'humanDelayBusiness', 'speedToLead']) {
      assert.deepEqual(Object.keys(r[key]).sort(), [...SUMMARY_KEYS].sort());
      assert.ok(
        r[key].median <= r[key].p90 && r[key].p90 <= r[key].p95,
        `${key} percentiles are ordered`
      );
    }
    // every cycle is counted once: decided, pending, excluded, no rule, superseded or duplicate
    const s = r.sla;
    assert.ok(r.cycles > 400, 'the seeded re-engagements add cycles');
    assert.equal(
      s.hit + s.missed + s.pending + s.excluded + s.notApplicable + s.superseded + s.duplicates,
      r.cycles
    );
    assert.equal(r.reEngagement.historyAvailable, true);
    assert.equal(r.reEngagement.engagementField, 'FormSubmittedAt__c');
    assert.equal(
      r.reEngagement.leadsReEngaged,
      r.cycles - 400,
      'each re-engaged lead came back once'
    );
    assert.ok(r.likelyDuplicates.count > 0, 'the seeded double form fills are found');
    assert.equal(s.duplicates, r.likelyDuplicates.count);
    assert.equal(r.units.sla, 'cycle');
    assert.equal(r.units.leads, 'lead');
    assert.equal(
      r.bySource.reduce((n: number, g: any) => n + g.leads, 0),
      400,
      'sources count every lead once'
    );
    assert.equal(s.hitRate, Math.round((s.hit / (s.hit + s.missed)) * 10_000) / 10_000);
    assert.ok(r.byLeadType.some((g: any) => g.key === 'Demo Request'));
    assert.equal(r.byWeek.length, 8, 'eight ISO weeks of arrivals');
    assert.equal(r.files['Lead.csv'], 400);
    assert.equal(r.accuracy.available, false, 'the sample predates the package: no stamps');
    assert.ok(r.safetyNets.systemsDelayCreep.length > 0, 'the seeded routing slowdown is caught');
    // the HTML report opens with no network: inline SVG, no external references
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg /);
    assert.match(page, /SLA hit rate by rep/);
    assert.doesNotMatch(page, /(src|href)=["']?https?:/i);
    assert.doesNotMatch(page, /<script/i);
    const leadsCsv = readFileSync(join(csvDir, 'leads.csv'), 'utf8').trim().split('\n');
    assert.equal(leadsCsv.length, r.cycles + 1, 'a header and one row per cycle');
    assert.match(page, /Engagement cycles and likely duplicates/);
    assert.ok(existsSync(join(csvDir, 'by-week.csv')));
  });

  it('prints a terminal summary a RevOps lead can read', async () => {
    const run = await runStl(['audit', '--from', SAMPLE]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Speed to lead median \S+, of which systems \S+ and reps \S+/);
    assert.match(run.stdout, /SLA hit rate \d+\.\d%/);
    assert.match(run.stdout, /By rep/);
    assert.match(run.stdout, /Safety nets/);
  });

  it('counts the good rows of a messy export and names file, line and column of each bad one', async () => {
    const dir = join(tmp, 'messy');
    rmSync(dir, { recursive: true, force: true });
    // copy the sample, then replace Lead.csv with a BOM, CRLF, a quoted newline, a bad date,
    // a short row and an unknown owner
    copyDir(SAMPLE, dir);
    const lines = readFileSync(join(SAMPLE, 'Lead.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const col = (name: string): number => header.indexOf(name);
    const rows = lines.slice(1, 11).map((l) => l.split(','));
    rows[1][col('Company')] = '"Acme\nLabs, Inc."'; // quoted newline: the row spans lines 3-4
    rows[3][col('CreatedDate')] = 'yesterday'; // line 6
    rows[5] = rows[5].slice(0, 4); // line 8: too few values
    rows[7][col('OwnerId')] = '005999999999999'; // an owner not in User.csv
    const text =
      '\ufeff' + [header.join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n';
    writeFileSync(join(dir, 'Lead.csv'), text);
    const run = await runStl(['audit', '--from', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.leads, 8, 'ten rows, two skipped');
    const skipped = r.skippedRows as {
      file: string;
      line: number;
      column?: string;
      reason: string;
    }[];
    assert.deepEqual(
      skipped.map((p) => [p.file, p.line, p.column ?? null]),
      [
        ['Lead.csv', 6, 'CreatedDate'],
        ['Lead.csv', 8, null]
      ]
    );
    assert.match(skipped[0].reason, /"yesterday" is not a date-time/);
    const warnings = run.json?.warnings ?? [];
    assert.ok(
      warnings.some((w) => w.includes('Lead.csv line 6, column CreatedDate')),
      warnings.join('\n')
    );
    assert.ok(
      warnings.some((w) => /005999999999999/.test(w)),
      'the unknown owner is reported'
    );
  });

  it('degrades with a warning when optional files are missing', async () => {
    const dir = join(tmp, 'lean');
    rmSync(dir, { recursive: true, force: true });
    copyDir(SAMPLE, dir, ['Lead.csv', 'User.csv']);
    const run = await runStl(['audit', '--from', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.json?.warnings ?? [];
    for (const expected of [
      /no LeadHistory table/,
      /no Task table/,
      /no Event table/,
      /24x7 calendar/
    ]) {
      assert.ok(
        warnings.some((w) => expected.test(w)),
        `warns ${expected}`
      );
    }
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.leadCounts.touched, 0);
  });

  it('fails with the file and column when a required file or column is missing', async () => {
    const empty = join(tmp, 'empty');
    rmSync(empty, { recursive: true, force: true });
    copyDir(SAMPLE, empty, ['User.csv']);
    const none = await runStl(['audit', '--from', empty, '--json']);
    assert.equal(none.code, 1);
    assert.equal(none.json?.name, 'BadExportFile');
    assert.match(none.json?.message ?? '', /Lead\.csv/);
    assert.ok((none.json?.actions ?? []).length > 0, 'the error says what to do');

    const noOwner = join(tmp, 'no-owner');
    rmSync(noOwner, { recursive: true, force: true });
    copyDir(SAMPLE, noOwner);
    const lead = readFileSync(join(SAMPLE, 'Lead.csv'), 'utf8').replace(
      /^(.*?)OwnerId/,
      '$1Owner_Id'
    );
    writeFileSync(join(noOwner, 'Lead.csv'), lead);
    const missing = await runStl(['audit', '--from', noOwner, '--json']);
    assert.equal(missing.code, 1);
    assert.match(missing.json?.message ?? '', /Lead\.csv has no column "OwnerId"/);
  });

  it('checks stamped fields with or without the namespace and lists the mismatches', async () => {
    const dir = join(tmp, 'stamped');
    rmSync(dir, { recursive: true, force: true });
    copyDir(SAMPLE, dir);
    // stamp the first three leads as the package would; the second one with a wrong assignment
    const first = await runStl([
      'audit',
      '--from',
      SAMPLE,
      '--csv',
      join(tmp, 'stamps-src'),
      '--json'
    ]);
    const derived = readFileSync(join(tmp, 'stamps-src', 'leads.csv'), 'utf8')
      .trim()
      .split('\n');
    const dh = derived[0].split(',');
    const byId = new Map(derived.slice(1).map((l) => [l.split(',')[0], l.split(',')]));
    assert.equal(first.code, 0);
    const lines = readFileSync(join(SAMPLE, 'Lead.csv'), 'utf8').trim().split('\n');
    const out = [lines[0] + ',stlead__AssignedAt__c,SlaStatus__c'];
    lines.slice(1).forEach((l, i) => {
      const d = byId.get(l.split(',')[0]) as string[];
      const assigned = d[dh.indexOf('assignedAt')];
      const status = d[dh.indexOf('slaStatus')];
      if (i === 0) out.push(`${l},${assigned},${status}`);
      else if (i === 1) out.push(`${l},2020-01-01T00:00:00.000Z,${status}`);
      else if (i === 2) out.push(`${l},${assigned},${status}`);
      else out.push(`${l},,`);
    });
    writeFileSync(join(dir, 'Lead.csv'), out.join('\n') + '\n');
    const run = await runStl(['audit', '--from', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const acc = (run.json?.result as Record<string, any>).accuracy;
    assert.equal(acc.available, true);
    assert.deepEqual(acc.fieldsChecked.sort(), ['SlaStatus__c', 'stlead__AssignedAt__c']);
    assert.equal(acc.leadsChecked, 3);
    assert.equal(acc.mismatchCount, 1);
    assert.equal(acc.mismatches[0].field, 'stlead__AssignedAt__c');
    assert.equal(acc.mismatches[0].stamped, '2020-01-01T00:00:00.000Z');
    assert.equal(acc.matchRate, 0.6667);
  });

  it('writes --format md and json files, and asks for --out when a format needs one', async () => {
    const md = join(tmp, 'audit.md');
    const run = await runStl(['audit', '--from', SAMPLE, '--format', 'md', '--out', md]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(md, 'utf8'), /^# Speed-to-lead audit/);
    const bad = await runStl(['audit', '--from', SAMPLE, '--format', 'html', '--json']);
    assert.equal(bad.code, 1);
    assert.match(bad.json?.message ?? '', /--format html writes a file: give it with --out <file>/);
  });
});

function copyDir(from: string, to: string, only?: string[]): void {
  rmSync(to, { recursive: true, force: true });
  const names = readdirSync(from).filter((n) => !only || only.includes(n));
  mkdirSync(to, { recursive: true });
  for (const n of names) copyFileSync(join(from, n), join(to, n));
}

describe('stl audit --from: cycles and duplicates', () => {
  it('counts a hand-raise months later as a second cycle and a double form fill as a duplicate', async () => {
    const dir = join(tmp, 'cycles');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const rules = {
      SlaRule__mdt: [
        {
          DeveloperName: 'Demo',
          LeadType__c: 'Demo Request',
          Priority__c: 10,
          Criteria__c: '[{"field":"LeadSource","operator":"equals","value":"Demo Request"}]',
          ThresholdMinutes__c: 15,
          IsHandRaiser__c: true
        },
        {
          DeveloperName: 'Content',
          LeadType__c: 'Content Download',
          Priority__c: 50,
          Criteria__c: '[{"field":"LeadSource","operator":"equals","value":"Content Download"}]',
          ThresholdMinutes__c: 1440,
          IsHandRaiser__c: false
        }
      ],
      TouchRule__mdt: [
        {
          DeveloperName: 'Call',
          ActivityObject__c: 'Task',
          TouchType__c: 'Call',
          Criteria__c: '[{"field":"TaskSubtype","operator":"equals","value":"Call"}]'
        }
      ],
      StlSetting__mdt: { EngagementSourceField__c: 'FormAt__c' }
    };
    const E = '00Q000000000001';
    const H = '00Q000000000002';
    const RITA = '005000000000001';
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules));
    writeFileSync(join(dir, 'User.csv'), `Id,Name,IsActive\n${RITA},Rita Rep,true\n`);
    // E: a download on 2 March (Rita owns it), a demo request on 1 June. H: the same person
    // (email case differs) five minutes after E, while E was still waiting for its first touch.
    writeFileSync(
      join(dir, 'Lead.csv'),
      [
        'Id,CreatedDate,OwnerId,Name,LeadSource,Email,FormAt__c,IsConverted,ConvertedOpportunityId,ConvertedDate',
        `${E},2026-03-02T10:00:00Z,${RITA},Eve Early,Demo Request,e@x.com,2026-06-01T09:00:00Z,true,006000000000001,2026-06-03`,
        `${H},2026-03-02T10:05:00Z,${RITA},Eve Early,Content Download,E@X.com,2026-03-02T10:05:00Z,false,,`
      ].join('\n')
    );
    writeFileSync(
      join(dir, 'LeadHistory.csv'),
      [
        'LeadId,Field,OldValue,NewValue,CreatedDate',
        `${E},FormAt__c,2026-03-02T10:00:00Z,2026-06-01T09:00:00Z,2026-06-01T09:00:30Z`,
        `${E},LeadSource,Content Download,Demo Request,2026-06-01T09:00:30Z`
      ].join('\n')
    );
    // E1 called after 60 min (due after 1440: Hit); E2 after 10 min (due 09:15: Hit); H after 25
    writeFileSync(
      join(dir, 'Task.csv'),
      [
        'Id,WhoId,CreatedDate,OwnerId,TaskSubtype',
        `00T000000000001,${E},2026-03-02T11:00:00Z,${RITA},Call`,
        `00T000000000002,${E},2026-06-01T09:10:00Z,${RITA},Call`,
        `00T000000000003,${H},2026-03-02T10:30:00Z,${RITA},Call`
      ].join('\n')
    );
    writeFileSync(
      join(dir, 'Opportunity.csv'),
      'Id,Amount,IsWon,IsClosed,CreatedDate\n006000000000001,5000,true,true,2026-06-03T12:00:00Z\n'
    );
    const html = join(dir, 'out', 'audit.html');
    const args = ['audit', '--from', dir, '--as-of', '2026-06-02T00:00:00Z', '--html', html];
    args.push('--go-live', '2026-05-01');
    const run = await runStl([...args, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.leads, 2);
    assert.equal(r.cycles, 3);
    // E1 and E2 hit; H's first cycle is a duplicate and counts nowhere else
    assert.deepEqual(r.sla, {
      hit: 2,
      missed: 0,
      pending: 0,
      excluded: 0,
      notApplicable: 0,
      superseded: 0,
      duplicates: 1,
      hitRate: 1
    });
    // speed to lead of E1 (60) and E2 (10): H's 25 is left out
    assert.equal(r.speedToLead.count, 2);
    assert.equal(r.speedToLead.median, 35);
    assert.deepEqual(
      r.likelyDuplicates.leads.map((d: any) => [d.id, d.duplicateOf]),
      [[H, E]]
    );
    assert.equal(r.reEngagement.leadsReEngaged, 1);
    // E was a Content Download when it arrived: sources count leads by their first cycle
    assert.deepEqual(
      r.bySource.map((g: any) => [g.key, g.leads, g.cycles]),
      [['Content Download', 2, 2]]
    );
    assert.deepEqual(
      r.byLeadType.map((g: any) => [g.key, g.leads, g.cycles]),
      [
        ['Content Download', 2, 2],
        ['Demo Request', 1, 1]
      ]
    );
    // conversion counts leads on their current cycle, the duplicate H aside: E alone, touched
    // 10 minutes after its demo request (5-30 min), SLA Hit, converted into a won 5000 deal,
    // engaged after the go-live
    assert.equal(r.conversion.unit, 'lead');
    assert.equal(r.conversion.leads, 1);
    const bucket = r.conversionByBucket.find((b: any) => b.bucket === '5to30m');
    assert.deepEqual(
      [bucket.leads, bucket.converted, bucket.conversionRate, bucket.smallSample],
      [1, 1, 1, true]
    );
    assert.equal(
      r.conversionByBucket.reduce((n: number, b: any) => n + b.leads, 0),
      1,
      'no other bucket holds a lead'
    );
    const hit = r.pipelineBySlaOutcome.find((p: any) => p.outcome === 'Hit');
    assert.deepEqual([hit.pipelineAmount, hit.wonAmount], [5000, 5000]);
    assert.deepEqual(
      [r.beforeAfter.before.leads, r.beforeAfter.after.leads, r.beforeAfter.after.converted],
      [0, 1, 1]
    );
    const page = readFileSync(html, 'utf8');
    assert.match(page, new RegExp(`<td>${H}</td>.*${E}`));
    assert.match(page, /<h2>Conversion impact<\/h2>/);
    const text = await runStl(args);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /3 engagement cycles/);
    assert.match(text.stdout, /Conversion impact \(1 leads/);
    assert.match(text.stdout, /Before 2026-05-01: .*\(0\/0\)/);
    assert.match(text.stdout, /Re-engagement 1 leads came back/);
    // a bad opportunity amount stops the audit with the file, line and column
    writeFileSync(
      join(dir, 'Opportunity.csv'),
      'Id,Amount,IsWon,IsClosed\n006000000000001,lots,true,true\n'
    );
    const bad = await runStl(['audit', '--from', dir, '--json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.json?.name, 'BadConversionInput');
    assert.match(bad.json?.message ?? '', /Opportunity\.csv line 2, column Amount: "lots"/);
    assert.match(
      text.stdout,
      new RegExp(`Likely duplicates 1 leads[\\s\\S]*${H} Eve Early duplicates ${E}`)
    );
  });
});
