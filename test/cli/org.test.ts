// The org commands (doctor, deploy, seed -o, audit -o) against a local HTTP test double of the
// REST API on 127.0.0.1, logged in through @salesforce/core's auth store like a real org.
/* eslint-disable @typescript-eslint/no-explicit-any -- the commands' JSON output is checked field by field */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOrg, USERNAME } from './support/fake-org.ts';
import { healthyOrg } from './support/org-fixtures.ts';
import { login, ROOT, runStl } from './support/run-stl.ts';

const SAMPLE = join(ROOT, 'test', 'fixtures', 'sample-export');

async function orgFor(
  namespace: boolean
): Promise<{ org: FakeOrg; env: Record<string, string>; done: () => Promise<void> }> {
  const org = new FakeOrg(healthyOrg(namespace));
  const url = await org.start();
  const home = mkdtempSync(join(tmpdir(), 'stl-home-'));
  const saved = await login(home, url, USERNAME);
  assert.equal(saved.code, 0, saved.stderr);
  return {
    org,
    env: { HOME: home },
    done: async () => {
      await org.stop();
      rmSync(home, { recursive: true, force: true });
    }
  };
}

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
        /INVALID_TYPE: .*sObject type '(stlead__)?TouchRule__mdt' is not supported/s
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
      'byWeek'
    ]) {
      assert.deepEqual(a[key], b[key], key);
    }
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
      paths.some((p) => p.includes('FROM SlaRule__mdt')),
      "the org's own rules were read"
    );
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
