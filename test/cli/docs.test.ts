// `stl docs` as a child process: from the project's metadata, from a modified copy of it (a rule
// change must change the documents), and from an org (the REST test double on 127.0.0.1).
/* eslint-disable @typescript-eslint/no-explicit-any -- the command's JSON output is checked field by field */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeOrg, USERNAME } from './support/fake-org.ts';
import { healthyOrg } from './support/org-fixtures.ts';
import { login, ROOT, runNode, type StlRun } from './support/run-stl.ts';

const COMMAND = join(ROOT, 'scripts', 'cli', 'commands', 'stl', 'docs.ts');

let runner = '';

/** Runs the docs command the way oclif does (Command.run with the project's config). */
function runDocs(args: string[], env: Record<string, string> = {}): Promise<StlRun> {
  if (!runner) {
    runner = join(mkdtempSync(join(tmpdir(), 'stl-docs-runner-')), 'run-docs.mjs');
    writeFileSync(
      runner,
      `const { default: Docs } = await import(${JSON.stringify(pathToFileURL(COMMAND).href)});\n` +
        `await Docs.run(process.argv.slice(2), ${JSON.stringify(ROOT)});\n`
    );
  }
  return runNode(['--import', 'tsx', runner, ...args], env);
}

after(() => {
  if (runner) rmSync(dirname(runner), { recursive: true, force: true });
});

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('stl docs from the project', () => {
  let out: string;
  let run: StlRun;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'stl-docs-'));
    run = await runDocs(['--out', out, '--json']);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('writes each document as Markdown and self-contained HTML', () => {
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const r = run.json?.result as Record<string, any>;
    assert.equal(r.documents.length, 4);
    assert.deepEqual(readdirSync(out).sort(), [
      'alert-configuration.html',
      'alert-configuration.md',
      'sla-rules-quick-reference.html',
      'sla-rules-quick-reference.md',
      'technical-design.html',
      'technical-design.md',
      'test-case-matrix.html',
      'test-case-matrix.md'
    ]);
    for (const f of readdirSync(out).filter((x) => x.endsWith('.html'))) {
      const html = read(out, f);
      assert.match(html, /^<!DOCTYPE html>/);
      assert.doesNotMatch(html, /<script|<link|src=|https?:\/\//, `${f} is self-contained`);
    }
  });

  it('puts every SLA rule on the quick reference with its threshold, warning and tiers', () => {
    const md = read(out, 'sla-rules-quick-reference.md');
    assert.match(
      md,
      /\| Demo Request \| 10 \| LeadSource is "Demo Request" \| 5 min \(business\) \| org default \| at 80% \(4 min\) \|/
    );
    assert.match(
      md,
      /\| Content Download \| 50 \| LeadSource is one of "Content Download", "Webinar" \| 24 h \(business\) \|/
    );
    assert.match(md, /T3 members of public group StlExecutives/);
    assert.match(md, /T2 Bell, Email, Slack/);
  });

  it('documents alert content from StlAlert and the exclusion rules', () => {
    const md = read(out, 'alert-configuration.md');
    assert.match(md, /Silent: every alert is logged/);
    assert.match(
      md,
      /\| Escalation \| SLA escalation \(tier <tier>\): <lead name> \(<company>\) \|/
    );
    assert.match(md, /\| Disqualified \| yes \| Status is "Unqualified" \| Disqualified \|/);
    assert.match(md, /\| 2 \| 1 h business time after the miss \| the owner's manager \|/);
  });

  it('lists every package field and class with the text of its metadata and ApexDoc', () => {
    const md = read(out, 'technical-design.md');
    const status = readFileSync(
      join(ROOT, 'force-app/main/stamping/objects/Lead/fields/SlaStatus__c.field-meta.xml'),
      'utf8'
    );
    const description = /<description\s*>([^<]+)</.exec(status)![1].trim();
    assert.ok(md.includes(`| SlaStatus__c | SLA Status | Picklist | ${description} |`));
    const all = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? all(join(dir, e.name)) : [join(dir, e.name)]
      );
    const files = all(join(ROOT, 'force-app', 'main'));
    const fields = files.filter((f) => f.endsWith('.field-meta.xml'));
    const classes = files.filter((f) => f.endsWith('.cls'));
    assert.ok(fields.length > 50 && classes.length > 20, 'the package has fields and classes');
    for (const f of fields) {
      const name = f.split('/').at(-1)!.replace('.field-meta.xml', '');
      assert.ok(md.includes(`| ${name} |`), `${name} is in the technical design`);
    }
    for (const c of classes) {
      const name = c.split('/').at(-1)!.replace('.cls', '');
      assert.ok(md.includes(`| ${name} |`), `${name} is in the technical design`);
    }
    assert.match(
      md,
      /\| StlDispatcher \| System\.Queueable, System\.Schedulable, Database\.AllowsCallouts \| Fires due SLA timers in bulk\./
    );
    assert.match(
      md,
      /\| StlLeadTrigger \| Lead \| before insert, after insert.*\| 1\. TA_Lead_TrackEngagementCycle<br>2\. TA_Lead_\w+<br>3\. /
    );
  });

  it("builds the matrix from the tests' @covers declarations, with no gaps left", () => {
    const md = read(out, 'test-case-matrix.md');
    assert.match(md, /- Combination rows: \d+; covered \d+, partly \d+, gaps \d+\./);
    assert.match(
      md,
      /\| \d+ \| - \| Not Applicable \| - \| - \| - \| covered \| [^|]*TA_Lead_ClassifyLeadType_Tests\.it_should_mark_a_lead_matching_no_rule_not_applicable/
    );
    for (const type of ['Demo Request', 'Contact Sales', 'Hot', 'Warm', 'Content Download']) {
      for (const outcome of ['Hit', 'Missed', 'Pending', 'Excluded']) {
        assert.match(
          md,
          new RegExp(`\\| \\d+ \\| ${type} \\| ${outcome} \\|`),
          `${type} x ${outcome}`
        );
      }
    }
    assert.match(md, /\| merge \| merge \| covered \| [^|]*TA_Lead_HandleMerge_Tests\.it_should_/);
    // the package's own tests cover every row (test/lib/docs.test.ts tests how gaps are listed)
    assert.match(md, /- Combination rows: \d+; covered \d+, partly 0, gaps 0\./);
    assert.match(md, /- Edge-case rows: \d+; covered \d+, partly 0, gaps 0\./);
    assert.match(md, /## Gaps\n\n- none\n/);
  });
});

describe('stl docs after a rule change', () => {
  let project: string;
  const outs: string[] = [];
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'stl-docs-project-'));
    cpSync(join(ROOT, 'force-app'), join(project, 'force-app'), { recursive: true });
  });
  after(() => {
    rmSync(project, { recursive: true, force: true });
    for (const o of outs) rmSync(o, { recursive: true, force: true });
  });

  it('changes the documents when a threshold changes and a rule is added', async () => {
    const gen = async () => {
      const out = mkdtempSync(join(tmpdir(), 'stl-docs-out-'));
      outs.push(out);
      const run = await runDocs(['--from-project', project, '--out', out, '--json']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      return out;
    };
    const first = await gen();
    const file = join(
      project,
      'force-app/main/configuration/customMetadata/SlaRule.DemoRequest.md-meta.xml'
    );
    const xml = readFileSync(file, 'utf8');
    const changed = xml.replace(
      /(<field>ThresholdMinutes__c<\/field>\s*<value xsi:type="xsd:double">)5(<\/value>)/,
      '$110$2'
    );
    assert.notEqual(changed, xml, 'the fixture edit applied');
    writeFileSync(file, changed);
    writeFileSync(
      join(project, 'force-app/main/configuration/customMetadata/SlaRule.Partner.md-meta.xml'),
      xml
        .replace('<label>Demo Request</label>', '<label>Partner</label>')
        .replace(/>Demo Request</g, '>Partner Referral<')
        .replace('"value": "Demo Request"', '"value": "Partner Referral"')
        .replace(/(<field>Priority__c<\/field>\s*<value xsi:type="xsd:double">)10/, '$160')
    );
    const second = await gen();

    const before1 = read(first, 'sla-rules-quick-reference.md');
    const after1 = read(second, 'sla-rules-quick-reference.md');
    assert.match(
      before1,
      /\| Demo Request \| 10 \| [^|]+\| 5 min \(business\) \| org default \| at 80% \(4 min\) \|/
    );
    assert.match(
      after1,
      /\| Demo Request \| 10 \| [^|]+\| 10 min \(business\) \| org default \| at 80% \(8 min\) \|/
    );
    assert.doesNotMatch(before1, /Partner Referral/);
    assert.match(after1, /\| Partner Referral \| 60 \| LeadSource is "Partner Referral" \|/);
    assert.match(read(second, 'sla-rules-quick-reference.html'), /<td>10 min \(business\)<\/td>/);
    assert.match(
      read(second, 'alert-configuration.md'),
      /Warning for Demo Request: at 80% of 10 min/
    );
    assert.match(
      read(second, 'test-case-matrix.md'),
      /\| \d+ \| Partner Referral \| Hit \| - \| \w+ \|/
    );
  });

  it('names the file when a record is not well-formed', async () => {
    writeFileSync(
      join(project, 'force-app/main/configuration/customMetadata/SlaRule.Broken.md-meta.xml'),
      '<?xml version="1.0"?><Nope/>'
    );
    const out = mkdtempSync(join(tmpdir(), 'stl-docs-out-'));
    outs.push(out);
    const run = await runDocs(['--from-project', project, '--out', out, '--json']);
    assert.equal(run.code, 1);
    assert.match(
      run.json?.message ?? '',
      /SlaRule\.Broken\.md-meta\.xml: no <CustomMetadata> root element/
    );
    assert.ok(run.json?.actions?.length, 'the error says what to do next');
  });
});

describe('stl docs from an org', () => {
  let org: FakeOrg;
  let home: string;
  let out: string;
  before(async () => {
    const tables = healthyOrg(true);
    const sla = tables['stlead__SlaRule__mdt'];
    sla.records = sla.records.map((r) =>
      r.DeveloperName === 'DemoRequest' ? { ...r, stlead__ThresholdMinutes__c: 3 } : r
    );
    tables['stlead__EscalationTier__mdt'] = {
      fields: [
        'Id',
        'DeveloperName',
        'MasterLabel',
        'stlead__Tier__c',
        'stlead__DelayAfterMissMinutes__c',
        'stlead__RecipientType__c',
        'stlead__Recipient__c',
        'stlead__Channels__c',
        'stlead__SlaRule__c',
        'stlead__IsActive__c'
      ],
      records: [
        {
          Id: 'm0T1',
          DeveloperName: 'Tier1Rep',
          MasterLabel: 'Tier 1',
          stlead__Tier__c: 1,
          stlead__DelayAfterMissMinutes__c: 0,
          stlead__RecipientType__c: 'Owner',
          stlead__Recipient__c: null,
          stlead__Channels__c: 'Bell;Teams',
          stlead__SlaRule__c: null,
          stlead__IsActive__c: true
        }
      ]
    };
    org = new FakeOrg(tables);
    const url = await org.start();
    home = mkdtempSync(join(tmpdir(), 'stl-home-'));
    const saved = await login(home, url, USERNAME);
    assert.equal(saved.code, 0, saved.stderr);
    out = mkdtempSync(join(tmpdir(), 'stl-docs-org-'));
  });
  after(async () => {
    await org.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('documents the org configuration, namespace stripped', async () => {
    const run = await runDocs(['--target-org', USERNAME, '--out', out, '--json'], { HOME: home });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match((run.json?.result as any).configuration, /org admin@fake-org\.test/);
    const md = read(out, 'sla-rules-quick-reference.md');
    assert.match(md, /\| Demo Request \| 10 \| [^|]+\| 3 min \(business\) \|/);
    assert.match(md, /T1 Bell, Teams/);
    assert.ok(
      org.requests.some((r) => /stlead__EscalationTier__mdt/.test(decodeURIComponent(r.path)))
    );
  });
});
