// Issues #4 and #6: the org paths of `stl audit -o` (every rule record, explicit fields and
// nextRecordsUrl paging; the converted leads' opportunities through a semi-join, also through a
// Bulk API 2.0 query job) and `stl seed -o` (the engagement field, re-engagements, opportunities),
// against the local HTTP test double of the REST and Bulk API 2.0 endpoints.
/* eslint-disable @typescript-eslint/no-explicit-any -- the commands' JSON output is checked field by field */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeed } from '../../scripts/lib/seed.ts';
import { FakeOrg, USERNAME, type FakeRecord } from './support/fake-org.ts';
import { orgFor } from './support/org-session.ts';
import { runStl } from './support/run-stl.ts';

const decoded = (org: FakeOrg, from = 0) =>
  org.requests.slice(from).map((r) => ({ ...r, path: decodeURIComponent(r.path) }));

describe('stl audit --target-org with more than 200 rule records', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(true)));
  after(async () => ctx.done());

  it('reads every rule record page by page, with the fields listed explicitly', async () => {
    const rules = ctx.org.table('stlead__SlaRule__mdt');
    assert.ok(rules);
    // 240 rules that never match, then one that does: record 246 of the type
    for (let i = 0; i < 240; i++) {
      rules.records.push({
        DeveloperName: `Filler${i}`,
        stlead__LeadType__c: `Filler ${i}`,
        stlead__Priority__c: 1000 + i,
        stlead__Criteria__c: `[{"field":"LeadSource","operator":"equals","value":"Nothing ${i}"}]`,
        stlead__ThresholdMinutes__c: 60,
        stlead__IsActive__c: true
      });
    }
    rules.records.push({
      DeveloperName: 'PartnerReferral',
      stlead__LeadType__c: 'Partner',
      stlead__Priority__c: 1,
      stlead__Criteria__c:
        '[{"field":"LeadSource","operator":"equals","value":"Partner Referral"}]',
      stlead__ThresholdMinutes__c: 30,
      stlead__IsActive__c: true
    });
    assert.equal(rules.records.length, 246);
    ctx.org.pageSize = 100;
    const run = await runStl(
      [
        'audit',
        '--target-org',
        USERNAME,
        '--as-of',
        '2026-11-20T21:26:00Z',
        '--bulk-threshold',
        '45',
        '--json'
      ],
      ctx.env
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    const partner = r.byLeadType.find((g: any) => g.key === 'Partner');
    assert.ok(partner, 'the 246th rule record judged the partner referrals');
    assert.equal(partner.leads, 19, 'every Partner Referral lead of the sample');

    const reqs = decoded(ctx.org);
    const ruleQueries = reqs.filter((q) => /FROM stlead__\w+__mdt/.test(q.path));
    assert.equal(ruleQueries.length, 4, 'one query per rule type');
    for (const q of ruleQueries) {
      assert.doesNotMatch(q.path, /FIELDS\(ALL\)|LIMIT/, `${q.path} lists its fields`);
      assert.match(q.path, /SELECT DeveloperName, stlead__/, 'namespaced field names');
    }
    const sla = ruleQueries.find((q) => q.path.includes('FROM stlead__SlaRule__mdt'));
    assert.match(sla?.path ?? '', /stlead__IsHandRaiser__c/);
    const cursors = reqs.filter((q) => /\/query\/01g\w+-(100|200)$/.test(q.path));
    assert.ok(cursors.length >= 2, 'the SlaRule results were followed through nextRecordsUrl');

    // Opportunity (50 rows, over the threshold of 45) came through a Bulk API 2.0 semi-join job
    const job = reqs.find(
      (q) =>
        q.method === 'POST' && /\/jobs\/query$/.test(q.path) && q.body.includes('FROM Opportunity')
    );
    assert.match(
      String(JSON.parse(job?.body ?? '{}').query),
      /^SELECT Id, Amount, IsWon, IsClosed, CreatedDate FROM Opportunity WHERE Id IN \(SELECT ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND CreatedDate = LAST_N_DAYS:120\)$/
    );
    for (const row of r.pipelineBySlaOutcome) {
      assert.ok(row.pipelineAmount > 0, `${row.outcome} pipeline summed`);
      assert.equal(row.missingOpportunities, 0);
    }
  });
});

describe('the fake org refuses what the platform refuses', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(false)));
  after(async () => ctx.done());

  it('FIELDS(ALL) without LIMIT 200, and a semi-join on a non-Id field', () => {
    assert.throws(
      () => ctx.org.query('SELECT FIELDS(ALL) FROM SlaRule__mdt'),
      /LIMIT of at most 200/
    );
    assert.equal(ctx.org.query('SELECT FIELDS(ALL) FROM SlaRule__mdt LIMIT 200').totalSize, 5);
    assert.throws(
      () => ctx.org.query('SELECT Id FROM Opportunity WHERE Id IN (SELECT Company FROM Lead)'),
      /semi join sub selects can only query id fields/
    );
  });
});

describe('stl seed --target-org: engagement field, re-engagements and opportunities', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(false)));
  after(async () => ctx.done());

  const args = ['--leads', '150', '--seed', '11'];
  const generated = generateSeed({ seed: 11, leads: 150, start: '2026-09-14', weeks: 8 });
  const sorted = (values: unknown[]): string[] => values.map((v) => String(v ?? '')).sort();

  it('writes the engagement times, replays re-engagements in order and creates opportunities', async () => {
    const leads = ctx.org.table('Lead');
    assert.ok(leads);
    const before = leads.records.length;
    const from = ctx.org.requests.length;
    const run = await runStl(['seed', '--target-org', USERNAME, ...args, '--json'], ctx.env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.deepEqual(r.org.failures, []);
    assert.equal(r.org.engagementField, 'FormSubmittedAt__c');
    assert.ok(r.generated.reEngagements > 0, 'the generated data has re-engagements');
    assert.equal(r.org.engagementUpdates, r.generated.reEngagements);
    assert.equal(r.org.ownerChanges, r.generated.ownerChanges);

    // the leads end with the generated values: engagement time and lead source
    const seeded: FakeRecord[] = leads.records.slice(before);
    assert.equal(seeded.length, 150);
    assert.deepEqual(
      sorted(seeded.map((l) => l.FormSubmittedAt__c)),
      sorted(generated.leads.map((l) => l.FormSubmittedAt__c))
    );
    assert.deepEqual(
      sorted(seeded.map((l) => l.LeadSource)),
      sorted(generated.leads.map((l) => l.LeadSource))
    );
    const reqs = decoded(ctx.org, from);
    // a re-engaged lead is created with its first engagement time, and the later one is an update
    const inserts = reqs
      .filter((q) => q.method === 'POST' && q.body.includes('"type":"Lead"'))
      .flatMap((q) => JSON.parse(q.body).records as FakeRecord[]);
    const reEngaged = generated.leadHistory.filter((h) => h.Field === 'FormSubmittedAt__c');
    for (const h of reEngaged) {
      const lead = generated.leads.find((l) => l.Id === h.LeadId);
      const insert = inserts.find((i) => i.Email === lead?.Email && i.LastName === lead?.LastName);
      assert.equal(insert?.FormSubmittedAt__c, h.OldValue, `${h.LeadId} starts at its first form`);
    }
    const patches = reqs.filter((q) => q.method === 'PATCH');
    for (const p of patches) {
      const ids = (JSON.parse(p.body).records as FakeRecord[]).map((x) => x.Id);
      assert.equal(new Set(ids).size, ids.length, 'no request updates a lead twice');
    }
    assert.ok(
      patches.some((p) => p.body.includes('FormSubmittedAt__c')),
      're-engagements were replayed as updates'
    );

    // opportunities: created, the leads not converted, and said so
    assert.ok(r.generated.opportunities > 0);
    assert.deepEqual(r.org.opportunities, {
      created: r.generated.opportunities,
      leadsNotConverted: r.generated.opportunities
    });
    const opps = reqs
      .filter((q) => q.method === 'POST' && q.body.includes('"type":"Opportunity"'))
      .flatMap((q) => JSON.parse(q.body).records as FakeRecord[]);
    assert.equal(opps.length, r.generated.opportunities);
    for (const o of opps) {
      assert.equal(typeof o.Amount, 'number');
      assert.ok(o.Name && o.StageName && o.CloseDate, 'the required Opportunity fields');
      assert.match(String(o.Description), /lead 00Q\w+; the lead is not converted/);
    }
    assert.ok(
      (run.json?.warnings ?? []).some((w) => /leads are not converted/.test(w)),
      'the command says the leads are not converted'
    );
    for (const q of reqs.filter((x) => x.method === 'POST' || x.method === 'PATCH'))
      assert.doesNotMatch(q.body, /IsConverted|ConvertedOpportunityId/, 'no conversion field');
    for (const w of ctx.org.writes())
      assert.equal(w.headers['sforce-auto-assign'], 'FALSE', `${w.method} ${w.path}`);
  });

  it("uses the org's configured engagement field, namespaced, and warns when Lead lacks it", async () => {
    const leads = ctx.org.table('Lead');
    const setting = ctx.org.table('StlSetting__mdt')?.records[0];
    assert.ok(leads && setting);
    const saved = setting.EngagementSourceField__c;
    setting.EngagementSourceField__c = 'Last_Form_At__c';
    leads.fields.push('stlead__Last_Form_At__c');
    try {
      const run = await runStl(['seed', '--target-org', USERNAME, ...args, '--json'], ctx.env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const r = run.json?.result as Record<string, any>;
      assert.equal(r.org.engagementField, 'stlead__Last_Form_At__c');
      assert.deepEqual(r.org.failures, []);
      assert.equal(r.org.engagementUpdates, r.generated.reEngagements);

      leads.fields.pop();
      const missing = await runStl(['seed', '--target-org', USERNAME, ...args, '--json'], ctx.env);
      assert.equal(missing.code, 0, missing.stdout + missing.stderr);
      const m = missing.json?.result as Record<string, any>;
      assert.equal(m.org.engagementField, null);
      assert.equal(m.org.engagementUpdates, 0);
      assert.deepEqual(m.org.failures, [], 'the field is not written, so nothing fails');
      assert.ok(
        (missing.json?.warnings ?? []).some((w) =>
          /Lead has no field Last_Form_At__c \(the org's engagement source field\)/.test(w)
        )
      );
    } finally {
      setting.EngagementSourceField__c = saved;
      if (leads.fields.at(-1) === 'stlead__Last_Form_At__c') leads.fields.pop();
    }
  });

  it('reports the per-record error bodies of sObject Collections and keeps going', async () => {
    const opps = ctx.org.table('Opportunity');
    assert.ok(opps);
    const readOnly = opps.readOnly;
    opps.readOnly = [...(readOnly ?? []), 'Amount'];
    try {
      const run = await runStl(['seed', '--target-org', USERNAME, ...args, '--json'], ctx.env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const r = run.json?.result as Record<string, any>;
      assert.equal(r.org.opportunities.created, 0);
      assert.equal(r.org.failures.length, r.generated.opportunities);
      assert.match(
        r.org.failures[0].message,
        /^INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create\/update fields: Amount\..* \(Amount\)$/
      );
      assert.equal(r.org.created.Lead, 150, 'the other objects were written');
    } finally {
      opps.readOnly = readOnly;
    }
  });
});
