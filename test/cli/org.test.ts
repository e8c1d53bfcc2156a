// The org commands (doctor, deploy, seed -o, audit -o) against a local HTTP test double of the
// REST API on 127.0.0.1, logged in through @salesforce/core's auth store like a real org.
/* eslint-disable @typescript-eslint/no-explicit-any -- the commands' JSON output is checked field by field */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOrg, USERNAME } from './support/fake-org.ts';
import { orgFor } from './support/org-session.ts';
import { ROOT, runStl } from './support/run-stl.ts';

const SAMPLE = join(ROOT, 'test', 'fixtures', 'sample-export');

function assertWritesSendAutoAssignFalse(org: FakeOrg): void {
  const writes = org.writes();
  assert.ok(writes.length > 0, 'the command wrote records');
  for (const w of writes) {
    assert.equal(
      w.headers['sforce-auto-assign'],
      'FALSE',
      `${w.method} ${w.path} sends Sforce-Auto-Assign: FALSE`
    );
  }
}

describe('stl doctor', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(true)));
  after(async () => ctx.done());

  it('passes every check on a healthy namespaced org', async () => {
    const run = await runStl(['doctor', '--target-org', USERNAME, '--json'], ctx.env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.ok, true);
    assert.equal(r.namespace, 'stlead');
    assert.deepEqual(
      r.checks.map((c: any) => [c.name, c.status]),
      [
        ['package', 'pass'],
        ['lead fields', 'pass'],
        ['rules', 'pass'],
        ['business hours', 'pass'],
        ['dispatcher', 'pass'],
        ['notification type', 'pass'],
        ['alert mode', 'pass'],
        ['recent errors', 'pass']
      ]
    );
    // the namespaced names were used in the queries
    assert.ok(
      ctx.org.requests.some((q) => decodeURIComponent(q.path).includes('FROM stlead__SlaRule__mdt'))
    );
  });

  it('fails with what to fix when rules, business hours, dispatcher and alert mode are wrong', async () => {
    const rules = ctx.org.table('stlead__SlaRule__mdt');
    rules?.records.push({
      DeveloperName: 'Broken',
      stlead__LeadType__c: 'Broken',
      stlead__Priority__c: 5,
      stlead__Criteria__c: '[{"field":"Budget__c","operator":"greaterThan","value":1000}]',
      stlead__ThresholdMinutes__c: 10,
      stlead__BusinessHoursName__c: 'EMEA Support',
      stlead__IsActive__c: true
    });
    const crons = ctx.org.table('CronTrigger');
    const savedCrons = crons?.records.splice(0);
    const setting = ctx.org.table('stlead__StlSetting__mdt')?.records[0] as Record<string, unknown>;
    setting.stlead__AlertMode__c = 'Silent';
    try {
      const run = await runStl(['doctor', '--target-org', USERNAME, '--json'], ctx.env);
      assert.equal(run.code, 1);
      assert.equal(run.json?.status, 1);
      const checks = new Map((run.json?.result as any).checks.map((c: any) => [c.name, c]));
      const rulesCheck = checks.get('rules') as any;
      assert.equal(rulesCheck.status, 'fail');
      assert.match(rulesCheck.message, /SlaRule Broken: Lead has no field Budget__c/);
      assert.match((checks.get('business hours') as any).message, /EMEA Support/);
      assert.equal((checks.get('dispatcher') as any).status, 'fail');
      assert.match(
        (checks.get('dispatcher') as any).action,
        /stlead\.StlDispatcher\.ensureScheduled\(\);/
      );
      assert.equal((checks.get('alert mode') as any).status, 'warn');
    } finally {
      rules?.records.pop();
      crons?.records.push(...(savedCrons ?? []));
      setting.stlead__AlertMode__c = 'Live';
    }
  });

  it('reports the platform error body when a rule type cannot be queried', async () => {
    const tables = ctx.org.tables;
    const touch = tables.get('stlead__TouchRule__mdt');
    tables.delete('stlead__TouchRule__mdt');
    try {
      const run = await runStl(['doctor', '--target-org', USERNAME, '--json'], ctx.env);
      assert.equal(run.code, 1);
      const rulesCheck = (run.json?.result as any).checks.find((c: any) => c.name === 'rules');
      assert.match(
        rulesCheck.message,
        /NOT_FOUND: (stlead__)?TouchRule__mdt cannot be described: The requested resource does not exist/
      );
    } finally {
      if (touch) tables.set('stlead__TouchRule__mdt', touch);
    }
  });
});

describe('stl audit --target-org', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(false)));
  after(async () => ctx.done());

  it('gives the same numbers as the export, through REST paging and the Bulk API 2.0', async () => {
    ctx.org.pageSize = 150; // forces queryMore on the REST tables
    ctx.org.bulkPageSize = 400; // forces Sforce-Locator paging on the Bulk API 2.0 tables
    const asOf = '2026-11-20T21:26:00Z';
    const [fromOrg, fromExport] = await Promise.all([
      runStl(
        ['audit', '--target-org', USERNAME, '--as-of', asOf, '--bulk-threshold', '500', '--json'],
        ctx.env
      ),
      runStl(['audit', '--from', SAMPLE, '--as-of', asOf, '--json'])
    ]);
    assert.equal(fromOrg.code, 0, fromOrg.stdout + fromOrg.stderr);
    const a = fromOrg.json?.result as Record<string, unknown>;
    const b = fromExport.json?.result as Record<string, unknown>;
    for (const key of [
      'leads',
      'systemsDelay',
      'humanDelay',
      'humanDelayBusiness',
      'speedToLead',
      'sla',
      'byLeadType',
      'byOwner',
      'byWeek',
      'conversionBySlaOutcome',
      'pipelineBySlaOutcome'
    ]) {
      assert.deepEqual(a[key], b[key], key);
    }
    // issue #6: the converted leads' opportunities came from the org, so amounts are summed
    const rows = a.pipelineBySlaOutcome as {
      outcome: string;
      opportunities: number;
      pipelineAmount: number;
      missingOpportunities: number;
    }[];
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['Hit', 'Missed']
    );
    for (const r of rows) {
      assert.ok(r.opportunities > 0 && r.pipelineAmount > 0, `${r.outcome} has pipeline amounts`);
      assert.equal(r.missingOpportunities, 0, `${r.outcome}: every converted opportunity was read`);
    }
    assert.ok(
      !(fromOrg.json?.warnings ?? []).some((w) => /no Opportunity table/.test(w)),
      'no warning about missing amounts'
    );
    const paths = ctx.org.requests.map((r) => decodeURIComponent(r.path));
    assert.ok(
      paths.some((p) => /\/jobs\/query\/\w+\/results/.test(p)),
      'Task (over 500 rows) came through a Bulk API 2.0 query job'
    );
    assert.ok(
      paths.some((p) => /\/query\/01g\w+-150$/.test(p)),
      'REST results were paged'
    );
    assert.ok(
      paths.some((p) => /\/jobs\/query\/\w+\/results\?locator=\w+/.test(p)),
      'Bulk API 2.0 results were read set by set through Sforce-Locator'
    );
    assert.ok(
      paths.some((p) =>
        /FROM Opportunity WHERE Id IN \(SELECT ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND CreatedDate = LAST_N_DAYS:120\)/.test(
          p
        )
      ),
      "only the audited leads' opportunities were asked for (semi-join)"
    );
    assert.ok(
      paths.some((p) => p.includes('FROM SlaRule__mdt')),
      "the org's own rules were read"
    );
  });
});

describe('stl seed --target-org in a namespaced org', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(true)));
  after(async () => ctx.done());

  it("uses the managed package's stlead__StlTriggerBypass, never another namespace's", async () => {
    const sets = ctx.org.table('PermissionSet')?.records ?? [];
    // another package's set of the same name, listed first
    sets.unshift({ Id: '0PS000000000099AAA', Name: 'StlTriggerBypass', NamespacePrefix: 'other' });
    const ours = sets.find((p) => p.Name === 'StlTriggerBypass' && p.NamespacePrefix === 'stlead');
    assert.ok(ours, 'the fixture has the namespaced set');
    const from = ctx.org.requests.length;
    const run = await runStl(
      ['seed', '--target-org', USERNAME, '--leads', '3', '--seed', '8', '--json'],
      ctx.env
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.org.bypass.permissionSet, 'stlead__StlTriggerBypass');
    const insert = ctx.org.requests
      .slice(from)
      .find((q) => q.method === 'POST' && q.path.endsWith('/sobjects/PermissionSetAssignment'));
    assert.equal(JSON.parse(insert?.body ?? '{}').PermissionSetId, ours.Id);
    assert.deepEqual(ctx.org.table('PermissionSetAssignment')?.records, []);
  });
});

describe('stl seed --target-org and stl deploy', () => {
  let ctx: Awaited<ReturnType<typeof orgFor>>;
  before(async () => (ctx = await orgFor(false)));
  after(async () => ctx.done());

  it('seeds leads, owner changes and activities with Sforce-Auto-Assign: FALSE on every write', async () => {
    const before = ctx.org.table('Lead')?.records.length ?? 0;
    const run = await runStl(
      ['seed', '--target-org', USERNAME, '--leads', '30', '--seed', '7', '--json'],
      ctx.env
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.org.created.Lead, 30);
    assert.equal((ctx.org.table('Lead')?.records.length ?? 0) - before, 30);
    assert.equal(r.org.created.Task, r.generated.tasks);
    assert.equal(r.org.ownerChanges, r.generated.ownerChanges);
    assert.deepEqual(r.org.failures, []);
    assert.ok(
      (run.json?.warnings ?? []).some((w) => /mapped onto \d+ existing active users/.test(w))
    );
    assertWritesSendAutoAssignFalse(ctx.org);
  });

  /** Index of the requests the fake org saw since `from`, for ordering checks. */
  const seen = (from: number) =>
    ctx.org.requests.slice(from).map((r) => ({ ...r, path: decodeURIComponent(r.path) }));
  const isPsaInsert = (r: { method: string; path: string }): boolean =>
    r.method === 'POST' && /\/sobjects\/PermissionSetAssignment$/.test(r.path);
  const isPsaDelete = (r: { method: string; path: string }): boolean =>
    r.method === 'DELETE' && /\/sobjects\/PermissionSetAssignment\/0Pa\w+$/.test(r.path);
  const isRecordWrite = (r: { method: string; path: string }): boolean =>
    (r.method === 'POST' || r.method === 'PATCH') && /\/composite\/sobjects$/.test(r.path);
  const bypassSetId = (): string =>
    String(ctx.org.table('PermissionSet')?.records.find((p) => p.Name === 'StlTriggerBypass')?.Id);

  it('assigns StlTriggerBypass before the first Lead write and deletes it after the last write', async () => {
    const from = ctx.org.requests.length;
    const run = await runStl(
      ['seed', '--target-org', USERNAME, '--leads', '12', '--seed', '3', '--json'],
      ctx.env
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.org.bypass.mode, 'created');
    assert.equal(r.org.bypass.permissionSet, 'StlTriggerBypass');
    const reqs = seen(from);
    const insert = reqs.findIndex(isPsaInsert);
    const firstLead = reqs.findIndex((q) => isRecordWrite(q) && q.body.includes('"type":"Lead"'));
    const lastWrite = reqs.findLastIndex(isRecordWrite);
    const del = reqs.findIndex(isPsaDelete);
    assert.ok(insert >= 0, 'the assignment was created');
    assert.ok(firstLead > insert, 'the first Lead write comes after the assignment');
    assert.ok(del > lastWrite, 'the assignment is deleted after the last record write');
    assert.equal(reqs.filter(isPsaDelete).length, 1);
    assert.deepEqual(JSON.parse(reqs[insert].body), {
      AssigneeId: '005000000000001AAA',
      PermissionSetId: bypassSetId()
    });
    assert.ok(reqs[del].path.endsWith(`/${r.org.bypass.assignmentId}`), 'its own assignment');
    assert.deepEqual(ctx.org.table('PermissionSetAssignment')?.records, []);
    assert.ok(
      reqs.some((q) => /FROM PermissionSet WHERE Name = 'StlTriggerBypass'/.test(q.path)),
      'the permission set was looked up by name'
    );
    assertWritesSendAutoAssignFalse(ctx.org);
  });

  it('keeps an assignment the running user already had', async () => {
    const psa = ctx.org.table('PermissionSetAssignment');
    const existing = {
      Id: '0Pa000000000777AAA',
      AssigneeId: '005000000000001AAA',
      PermissionSetId: bypassSetId()
    };
    psa?.records.push(existing);
    const from = ctx.org.requests.length;
    try {
      const run = await runStl(
        ['seed', '--target-org', USERNAME, '--leads', '5', '--seed', '4', '--json'],
        ctx.env
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal((run.json?.result as any).org.bypass.mode, 'existing');
      const reqs = seen(from);
      assert.ok(reqs.some(isRecordWrite), 'the seed wrote records');
      assert.equal(reqs.filter(isPsaInsert).length, 0, 'no second assignment is attempted');
      assert.equal(reqs.filter((q) => q.method === 'DELETE').length, 0, 'nothing is deleted');
      assert.deepEqual(psa?.records, [existing]);
    } finally {
      psa?.records.splice(0);
    }
  });

  it('removes the assignment it created when a write fails', async () => {
    // the owner-change replay (PATCH) fails at the platform
    ctx.org.fault = (method, path) =>
      method === 'PATCH' && path.endsWith('/composite/sobjects')
        ? { status: 500, message: 'An unexpected error occurred', errorCode: 'UNKNOWN_EXCEPTION' }
        : undefined;
    const from = ctx.org.requests.length;
    try {
      const run = await runStl(
        ['seed', '--target-org', USERNAME, '--leads', '12', '--seed', '3', '--json'],
        ctx.env
      );
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.json?.message ?? '', /unexpected error/i);
      const reqs = seen(from);
      const failed = reqs.findIndex((q) => q.method === 'PATCH');
      assert.ok(reqs.findIndex(isPsaInsert) >= 0 && failed > reqs.findIndex(isPsaInsert));
      assert.ok(reqs.findIndex(isPsaDelete) > failed, 'deleted after the failing write');
      assert.deepEqual(ctx.org.table('PermissionSetAssignment')?.records, []);
    } finally {
      ctx.org.fault = null;
    }
  });

  it('fails and names the assignment when it cannot be removed', async () => {
    ctx.org.fault = (method, path) =>
      method === 'DELETE' && path.includes('/sobjects/PermissionSetAssignment/')
        ? {
            status: 403,
            message: 'insufficient access rights on object id',
            errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY'
          }
        : undefined;
    const psa = ctx.org.table('PermissionSetAssignment');
    try {
      const run = await runStl(
        ['seed', '--target-org', USERNAME, '--leads', '5', '--seed', '6', '--json'],
        ctx.env
      );
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.json?.name, 'BypassRemoveError');
      const left = psa?.records ?? [];
      assert.equal(left.length, 1, 'the fake kept the assignment the command could not delete');
      assert.match(run.json?.message ?? '', new RegExp(String(left[0].Id)));
      assert.match(run.json?.message ?? '', /INSUFFICIENT_ACCESS_OR_READONLY/);
      assert.match((run.json?.actions ?? []).join('\n'), /PermissionSetAssignment/);
    } finally {
      ctx.org.fault = null;
      psa?.records.splice(0);
    }
  });

  it('stops before any write when StlTriggerBypass is not in the org', async () => {
    const sets = ctx.org.table('PermissionSet')?.records ?? [];
    const at = sets.findIndex((p) => p.Name === 'StlTriggerBypass');
    const [removed] = sets.splice(at, 1);
    const from = ctx.org.requests.length;
    try {
      const run = await runStl(
        ['seed', '--target-org', USERNAME, '--leads', '5', '--json'],
        ctx.env
      );
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.json?.name, 'BypassMissingError');
      assert.match(run.json?.message ?? '', /StlTriggerBypass/);
      const actions = (run.json?.actions ?? []).join('\n');
      assert.match(actions, /stl deploy/);
      assert.match(actions, /--no-bypass/);
      assert.equal(seen(from).filter((q) => q.method !== 'GET').length, 0, 'nothing written');
    } finally {
      sets.splice(at, 0, removed);
    }
  });

  it('with --no-bypass writes without the permission set and says the package stamps', async () => {
    const from = ctx.org.requests.length;
    const run = await runStl(
      ['seed', '--target-org', USERNAME, '--leads', '5', '--seed', '5', '--no-bypass', '--json'],
      ctx.env
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((run.json?.result as any).org.bypass.mode, 'off');
    const reqs = seen(from);
    assert.ok(reqs.some(isRecordWrite), 'the seed wrote records');
    assert.equal(reqs.filter((q) => /PermissionSet/.test(q.path)).length, 0);
    assert.ok(
      (run.json?.warnings ?? []).some((w) => /package computes the stamps/.test(w)),
      'the command says the package stamps the records'
    );
  });

  it('deploys with sf, assigns permission sets once, starts the dispatcher and runs doctor', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'stl-sf-')), 'sf.log');
    const env = {
      ...ctx.env,
      STL_SF_BIN: join(ROOT, 'test', 'cli', 'support', 'fake-sf.mjs'),
      FAKE_SF_LOG: log
    };
    ctx.org.table('CronTrigger')?.records.splice(0);
    const first = await runStl(
      [
        'deploy',
        '--target-org',
        USERNAME,
        '--permission-set',
        'StlAdmin',
        '--permission-set',
        'StlLeader',
        '--json'
      ],
      env
    );
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const r = first.json?.result as Record<string, any>;
    assert.equal(r.deploy.componentCount, 142);
    assert.deepEqual(
      r.permissionSets.map((p: any) => [p.permissionSet, p.status]),
      [
        ['StlAdmin', 'assigned'],
        ['StlLeader', 'assigned']
      ]
    );
    assert.equal(r.dispatcher, 'StlDispatcher.ensureScheduled();');
    assert.equal(r.doctor.ok, true, 'the dispatcher is alive after the deploy');
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8').trim()), [
      'project',
      'deploy',
      'start',
      '--source-dir',
      'force-app',
      '--target-org',
      USERNAME,
      '--wait',
      '33',
      '--json'
    ]);
    assertWritesSendAutoAssignFalse(ctx.org);
    // again: the platform answers DUPLICATE_VALUE, which means already assigned
    const second = await runStl(
      ['deploy', '--target-org', USERNAME, '--skip-source', '--json'],
      env
    );
    assert.equal(second.code, 0, second.stdout);
    assert.equal((second.json?.result as any).permissionSets[0].status, 'already assigned');
  });

  it('stops with the component failure when the deploy fails', async () => {
    const env = {
      ...ctx.env,
      STL_SF_BIN: join(ROOT, 'test', 'cli', 'support', 'fake-sf.mjs'),
      FAKE_SF_MODE: 'fail'
    };
    const run = await runStl(['deploy', '--target-org', USERNAME, '--json'], env);
    assert.equal(run.code, 1);
    assert.equal(run.json?.name, 'DeployDeployFailed');
    assert.match(run.json?.message ?? '', /StlDispatcher\.cls:12: Variable does not exist: foo/);
    assert.ok((run.json?.actions ?? []).length > 0);
  });
});
