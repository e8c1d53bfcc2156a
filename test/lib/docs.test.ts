import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  alertContentFromSource,
  criteriaInWords,
  minutesInWords,
  slaQuickReference,
  testCaseMatrix
} from '../../scripts/lib/docs/generate.ts';
import {
  classDescription,
  DocsError,
  parseCovers,
  parseMetadataRecord,
  readProjectConfig,
  readTests,
  type ConfigRecords,
  type MetadataRecord,
  type TestMethod
} from '../../scripts/lib/docs/model.ts';
import {
  allowedCombinations,
  DIMENSIONS,
  matrixValues,
  pairwiseRows,
  testMatrixRows,
  type Combination
} from '../../scripts/lib/docs/matrix.ts';
import { recordFromOrg } from '../../scripts/lib/docs/org.ts';
import { renderHtml, renderMarkdown } from '../../scripts/lib/docs/render.ts';

const rec = (developerName: string, values: Record<string, string | null>): MetadataRecord => ({
  developerName,
  label: developerName,
  values
});

const config = (over: Partial<ConfigRecords> = {}): ConfigRecords => ({
  slaRules: [
    rec('Hot', {
      LeadType__c: 'Hot',
      Priority__c: '30',
      ThresholdMinutes__c: '30',
      Criteria__c: '[{"field":"Rating","operator":"equals","value":"Hot"}]',
      WarningPercent__c: '50',
      IsActive__c: 'true'
    })
  ],
  touchRules: [
    rec('Call', { ActivityObject__c: 'Task', TouchType__c: 'Call', IsActive__c: 'true' })
  ],
  exclusionRules: [],
  escalationTiers: [
    rec('Tier1Rep', {
      Tier__c: '1',
      DelayAfterMissMinutes__c: '0',
      RecipientType__c: 'Owner',
      Channels__c: 'Bell;Email',
      IsActive__c: 'true'
    }),
    rec('Tier2Hot', {
      Tier__c: '2',
      DelayAfterMissMinutes__c: '90',
      RecipientType__c: 'User',
      Recipient__c: 'vp@acme.com',
      Channels__c: 'Slack',
      SlaRule__c: 'Hot',
      IsActive__c: 'true'
    }),
    rec('Tier2Other', {
      Tier__c: '2',
      DelayAfterMissMinutes__c: '60',
      RecipientType__c: 'OwnerManager',
      Channels__c: 'Email',
      SlaRule__c: 'Warm',
      IsActive__c: 'true'
    })
  ],
  settings: rec('Default', { AlertMode__c: 'Test', TestRecipient__c: 'qa@acme.com' }),
  origin: 'test records',
  ...over
});

describe('docs: words', () => {
  it('says criteria in words, every operator', () => {
    assert.equal(criteriaInWords('', 'r'), 'every lead');
    assert.equal(criteriaInWords('[]', 'r'), 'every lead');
    assert.equal(
      criteriaInWords(
        JSON.stringify([
          { field: 'LeadSource', operator: 'in', values: ['Web', 'Demo'] },
          { field: 'Email', operator: 'isNotBlank' },
          { field: 'NumberOfEmployees', operator: 'greaterThan', value: 500 }
        ]),
        'r'
      ),
      'LeadSource is one of "Web", "Demo" and Email is not blank and NumberOfEmployees is greater than "500"'
    );
    assert.throws(
      () => criteriaInWords('{bad', 'SlaRule X'),
      /SlaRule X: Criteria__c is not valid JSON/
    );
    assert.throws(
      () => criteriaInWords('[{"field":"A","operator":"like"}]', 'SlaRule X'),
      /SlaRule X: condition 1 needs a field and one of the operators/
    );
  });

  it('says minutes as people do', () => {
    assert.equal(minutesInWords(5), '5 min');
    assert.equal(minutesInWords(60), '1 h');
    assert.equal(minutesInWords(90), '1 h 30 min');
    assert.equal(minutesInWords(1440), '24 h');
    assert.equal(minutesInWords(null), '-');
  });
});

describe('docs: reading metadata', () => {
  it('reads a custom metadata record, nil values as blank', () => {
    const r = parseMetadataRecord(
      `<?xml version="1.0"?><CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><label>Hot &amp; fast</label><values><field>ThresholdMinutes__c</field><value xsi:type="xsd:double">30</value></values><values><field>BusinessHoursName__c</field><value xsi:nil="true"/></values></CustomMetadata>`,
      'SlaRule.Hot.md-meta.xml'
    );
    assert.deepEqual(r, {
      developerName: 'Hot',
      label: 'Hot & fast',
      values: { ThresholdMinutes__c: '30', BusinessHoursName__c: null }
    });
    assert.throws(
      () => parseMetadataRecord('<x/>', 'Hot.xml'),
      /expected <Type>\.<DeveloperName>\.md-meta\.xml/
    );
    assert.throws(
      () => parseMetadataRecord('<Other/>', 'SlaRule.Hot.md-meta.xml'),
      (e: Error) => e instanceof DocsError && /no <CustomMetadata> root element/.test(e.message)
    );
  });

  it('takes the class ApexDoc @description, not a method one', () => {
    const src = `/**\n * @description Plans timers.\n * Second line.\n * @example\n * X.y();\n */\npublic inherited sharing class StlX {\n  /** @description a method */\n  void m() {}\n}`;
    assert.equal(classDescription(src), 'Plans timers. Second line.');
    assert.equal(classDescription('public class NoDoc {}'), '');
  });

  it('reads org records without the namespace', () => {
    const r = recordFromOrg(
      {
        attributes: {},
        Id: 'm01',
        DeveloperName: 'Hot',
        MasterLabel: 'Hot',
        stlead__ThresholdMinutes__c: 30,
        stlead__BusinessHoursName__c: null
      },
      'stlead__SlaRule__mdt'
    );
    assert.deepEqual(r, {
      developerName: 'Hot',
      label: 'Hot',
      values: { ThresholdMinutes__c: '30', BusinessHoursName__c: null }
    });
    assert.throws(
      () => recordFromOrg({ MasterLabel: 'x' }, 'SlaRule__mdt'),
      /SlaRule__mdt: a record has no DeveloperName/
    );
  });
});

describe('docs: documents', () => {
  it('lists only the tiers that apply to each rule on the quick reference', () => {
    const md = renderMarkdown(slaQuickReference(config()));
    assert.match(
      md,
      /\| Hot \| 30 \| Rating is "Hot" \| 30 min \(business\) \| org default \| at 50% \(15 min\) \|/
    );
    assert.match(md, /T2 1 h 30 min business time after the miss/);
    assert.match(md, /T2 user vp@acme\.com/);
    assert.doesNotMatch(md, /owner's manager/, 'the Warm-only tier is not on the Hot row');
    assert.match(md, /Alert mode: Test\./);
  });

  it('reads alert titles and body lines from the StlAlert source', () => {
    const block = alertContentFromSource(
      `switch on kind { when 'Warning' { what = 'Soon'; } when 'Escalation' { what = 'Esc (tier ' + tier + ')'; } when else { what = 'Missed'; } }\n public String body() { List<String> lines = new List<String>{ 'Lead: ' + x, 'Due: ' + y }; return ''; }`
    );
    assert.equal(block.kind, 'table');
    assert.deepEqual(block.kind === 'table' ? block.rows : [], [
      ['Warning', 'Soon: <lead name> (<company>)', 'Lead, Due'],
      ['Escalation', 'Esc (tier <tier>): <lead name> (<company>)', 'Lead, Due'],
      ['Miss', 'Missed: <lead name> (<company>)', 'Lead, Due']
    ]);
    assert.equal(alertContentFromSource('nothing').kind, 'paragraph');
  });

  it('renders the same blocks as Markdown and escaped, self-contained HTML', () => {
    const doc = {
      slug: 'x',
      title: 'A <title>',
      blocks: [
        { kind: 'heading' as const, level: 1 as const, text: 'A <title>' },
        { kind: 'table' as const, head: ['a|b'], rows: [['`code` & <b>\nnext']] }
      ]
    };
    assert.equal(
      renderMarkdown(doc),
      '# A <title>\n\n| a\\|b |\n| --- |\n| `code` & <b><br>next |\n'
    );
    const html = renderHtml(doc);
    assert.match(html, /<title>A &lt;title&gt;<\/title>/);
    assert.match(html, /<td><code>code<\/code> &amp; &lt;b&gt;<br>next<\/td>/);
    assert.doesNotMatch(html, /<script|<link/);
  });
});

/** One Hot rule (no warning), one tier for every rule, one touch type: small enough to do by hand. */
const small = (over: Partial<ConfigRecords> = {}): ConfigRecords => ({
  slaRules: [
    rec('Hot', {
      LeadType__c: 'Hot',
      Priority__c: '10',
      WarningPercent__c: '0',
      IsActive__c: 'true'
    })
  ],
  touchRules: [
    rec('Call', { ActivityObject__c: 'Task', TouchType__c: 'Call', IsActive__c: 'true' })
  ],
  exclusionRules: [],
  escalationTiers: [rec('Tier1', { Tier__c: '1', RecipientType__c: 'Owner', IsActive__c: 'true' })],
  settings: null,
  origin: 'test records',
  ...over
});

const row = (text: string): Combination => {
  const [leadType, outcome, tier, touch, hours] = text.split(' | ');
  return { leadType, outcome, tier, touch, hours };
};

const key = (r: Combination) => DIMENSIONS.map((d) => r[d]).join(' | ');

/** Every pair of values two allowed combinations can hold, and whether `rows` hold it. */
function missingPairs(rows: Combination[], allowed: Combination[]): string[] {
  const pairs = (r: Combination) =>
    DIMENSIONS.flatMap((a, i) =>
      DIMENSIONS.slice(i + 1)
        .filter((b) => r[a] !== '-' && r[b] !== '-')
        .map((b) => `${a}=${r[a]} ${b}=${r[b]}`)
    );
  const have = new Set(rows.flatMap(pairs));
  return [...new Set(allowed.flatMap(pairs))].filter((p) => !have.has(p));
}

const method = (name: string, doc: string, code: string, path = `x/${name}.cls`): TestMethod => ({
  className: 'X_Tests',
  method: name,
  path,
  line: 10,
  covers: parseCovers(doc, 7, path),
  code
});

describe('docs: test case matrix', () => {
  it('builds the all-pairs rows of a small configuration (worked out by hand)', () => {
    // 38 pairs to cover. Outcome x hours alone needs 16 rows (Hit, Missed, Pending, Excluded x 4
    // hours), plus Not Applicable. Greedy: Missed/1/Call/inside covers 10 pairs, then
    // Hit/outside 5, Missed/1/Call/holiday 4, Missed/1/Call/named 4, Missed/1/-/outside 2 (no
    // touch: Call x outside was already covered by the Hit row), Pending/inside 2,
    // Excluded/inside 2, then one new pair each.
    const rows = pairwiseRows(matrixValues(small()));
    assert.deepEqual(
      rows.map(key),
      [
        'Hot | Hit | - | Call | inside',
        'Hot | Hit | - | Call | outside',
        'Hot | Hit | - | Call | holiday',
        'Hot | Hit | - | Call | named',
        'Hot | Missed | 1 | - | outside',
        'Hot | Missed | 1 | Call | inside',
        'Hot | Missed | 1 | Call | holiday',
        'Hot | Missed | 1 | Call | named',
        'Hot | Pending | - | - | inside',
        'Hot | Pending | - | - | outside',
        'Hot | Pending | - | - | holiday',
        'Hot | Pending | - | - | named',
        'Hot | Excluded | - | - | inside',
        'Hot | Excluded | - | - | outside',
        'Hot | Excluded | - | - | holiday',
        'Hot | Excluded | - | - | named',
        '- | Not Applicable | - | - | -'
      ].map((r) => key(row(r)))
    );
    assert.deepEqual(pairwiseRows(matrixValues(small())), rows, 'same configuration, same rows');
  });

  it('follows a rule change: a new lead type, a warning and a tier scoped to one rule', () => {
    const before = pairwiseRows(matrixValues(small()));
    const changed = small({
      slaRules: [
        ...small().slaRules,
        rec('DemoRequest', {
          LeadType__c: 'Demo Request',
          Priority__c: '5',
          WarningPercent__c: '80',
          IsActive__c: 'true'
        })
      ],
      escalationTiers: [
        ...small().escalationTiers,
        rec('Tier2Demo', {
          Tier__c: '2',
          RecipientType__c: 'OwnerManager',
          SlaRule__c: 'DemoRequest',
          IsActive__c: 'true'
        })
      ]
    });
    const values = matrixValues(changed);
    const after = pairwiseRows(values);
    assert.ok(!before.some((r) => r.leadType === 'Demo Request'));
    for (const outcome of ['Hit', 'Missed', 'Pending', 'Excluded']) {
      assert.ok(
        after.some((r) => r.leadType === 'Demo Request' && r.outcome === outcome),
        `Demo Request x ${outcome}`
      );
    }
    assert.ok(after.some((r) => r.leadType === 'Demo Request' && r.tier === '2'));
    assert.ok(!after.some((r) => r.leadType === 'Hot' && r.tier === '2'), 'tier 2 is Demo only');
    assert.ok(!after.some((r) => r.leadType === 'Hot' && r.tier === '0'), 'Hot does not warn');
    assert.ok(after.some((r) => r.leadType === 'Demo Request' && r.tier === '0'));
    assert.deepEqual(missingPairs(after, allowedCombinations(values)), []);
  });

  it('covers every pair of the project configuration with allowed rows only', () => {
    const values = matrixValues(readProjectConfig(join(import.meta.dirname, '..', '..')));
    const allowed = allowedCombinations(values);
    const rows = pairwiseRows(values);
    assert.deepEqual(missingPairs(rows, allowed), []);
    const allowedKeys = new Set(allowed.map(key));
    for (const r of rows) assert.ok(allowedKeys.has(key(r)), `${key(r)} is allowed`);
    assert.ok(rows.length < allowed.length / 2, `${rows.length} of ${allowed.length} combinations`);
    for (const r of rows) {
      if (r.tier !== '-' && r.tier !== '0') assert.equal(r.outcome, 'Missed');
      if (r.touch !== '-') assert.ok(r.outcome === 'Hit' || r.outcome === 'Missed');
      if (r.outcome === 'Not Applicable') assert.equal(key(r), '- | Not Applicable | - | - | -');
    }
  });

  it('covers a row from a declaration naming every value, partly from all but one', () => {
    const tests = [
      method(
        'it_should_hit',
        '/**\n * @description hit\n * @covers leadType=Hot, outcome=Hit,\n *   touch=Call, hours=inside\n * @covers edge=merge\n */',
        "Lead l = new Lead(Rating = 'Hot'); insert StlTestFactory.newCall(l.Id); 'Hit'; StlTestFactory.configure(); merge a b;"
      ),
      method(
        'it_should_pend',
        '/** @covers leadType=hot, outcome=Pending */',
        "l.Rating = 'Hot'; 'Pending'"
      )
    ];
    assert.deepEqual(tests[0].covers, [
      {
        line: 9,
        pairs: [
          { key: 'leadType', value: 'Hot' },
          { key: 'outcome', value: 'Hit' },
          { key: 'touch', value: 'Call' },
          { key: 'hours', value: 'inside' }
        ]
      },
      { line: 11, pairs: [{ key: 'edge', value: 'merge' }] }
    ]);
    const rows = testMatrixRows(small(), tests);
    const find = (text: string) => rows.find((r) => key(r.values) === key(row(text)))!;
    assert.deepEqual(find('Hot | Hit | - | Call | inside').covering, ['X_Tests.it_should_hit']);
    assert.equal(find('Hot | Hit | - | Call | inside').coverage, 'covered');
    const partly = find('Hot | Hit | - | Call | outside');
    assert.equal(partly.coverage, 'partly');
    assert.deepEqual(partly.closest, [
      {
        test: 'X_Tests.it_should_hit',
        missing: 'business-hours case arrives outside hours (next opening)'
      }
    ]);
    assert.equal(find('Hot | Pending | - | - | inside').coverage, 'partly');
    assert.equal(find('Hot | Excluded | - | - | holiday').coverage, 'gap');
    assert.deepEqual(rows.find((r) => r.edge === 'merge')?.covering, ['X_Tests.it_should_hit']);
    assert.equal(rows.find((r) => r.edge === 'bulk')?.coverage, 'gap');

    const md = renderMarkdown(testCaseMatrix(small(), tests));
    assert.match(md, /- Combination rows: 17; covered 1, partly \d+, gaps \d+\./);
    assert.match(
      md,
      /\| 1 \| Hot \| Hit \| - \| Call \| inside business hours \| covered \| X_Tests\.it_should_hit \| - \|/
    );
    assert.match(md, /## Gaps\n\n(- .*\n)*- Hot \/ Excluded \/ holiday \(row 15\)\n/);
    assert.match(md, /- edge case: bulk 200 records, flat queries\n/);
  });

  it('rejects a declaration naming an unknown value, with file and line', () => {
    const bad =
      (doc: string, code = "'Hot' 'Hit' Call") =>
      () =>
        testMatrixRows(small(), [method('it_should_x', doc, code, 'force-app/tests/X_Tests.cls')]);
    assert.throws(
      bad('/**\n * @covers leadType=Cold, outcome=Hit\n */'),
      (e: Error) =>
        e instanceof DocsError &&
        /force-app\/tests\/X_Tests\.cls:8: unknown lead type "Cold" \(configured: Hot\)/.test(
          e.message
        )
    );
    assert.throws(bad('/** @covers touch=Fax */'), /X_Tests\.cls:7: unknown touch type "Fax"/);
    assert.throws(
      bad('/** @covers tier=4 */'),
      /X_Tests\.cls:7: unknown tier "4" \(configured: 0, 1\)/
    );
    assert.throws(bad('/** @covers edge=flood */'), /unknown edge case "flood"/);
    assert.throws(bad('/** @covers lead=Hot */'), /unknown key "lead" \(keys: leadType,/);
    assert.throws(
      bad('/** @covers outcome=Hit, tier=1 */'),
      /X_Tests\.cls:7: tier 1 needs outcome Missed/
    );
    assert.throws(
      bad('/** @covers outcome=Pending, touch=Call */'),
      /a touch needs outcome Hit or Missed/
    );
    assert.throws(
      bad('/** @covers leadType=Hot, outcome=Not Applicable */'),
      /Not Applicable \(no rule matched\) has no leadType/
    );
    assert.throws(
      bad('/** @covers outcome */'),
      /X_Tests\.cls:7: "outcome" in @covers is not key=value/
    );
  });

  it('leaves out, for an org without that value, a declaration the project config knows', () => {
    const tests = [
      method('it_should_miss', '/** @covers outcome=Missed, tier=1 */', "'Missed' tier 1")
    ];
    const org = small({ escalationTiers: [] });
    assert.throws(() => testMatrixRows(org, tests), /unknown tier "1" \(configured: 0\)/);
    const rows = testMatrixRows(org, tests, small());
    assert.ok(rows.every((r) => !r.covering.length && !r.closest.length));
    assert.throws(
      () =>
        testMatrixRows(org, [method('it_should_x', '/** @covers tier=9 */', 'tier 9')], small()),
      /unknown tier "9" \(configured: 0, 1\)/,
      'still checked against the project configuration'
    );
  });

  it('rejects a declaration the method body shows no sign of', () => {
    const run = (code: string) =>
      testMatrixRows(small(), [
        method('it_should_x', '/** @covers leadType=Hot, outcome=Hit */', code, 'T.cls')
      ]);
    assert.throws(
      () => run("'Hit' l.Rating = 'Warm';"),
      /T\.cls:7: X_Tests\.it_should_x shows no sign of lead type "Hot"/
    );
    assert.throws(() => run("'Hot'"), /shows no sign of outcome "Hit"/);
    assert.doesNotThrow(() => run("'Hot' 'Hit'"), 'both values leave a trace');
  });

  it('reads @covers, same-class helpers and test constants from the test classes', () => {
    const root = mkdtempSync(join(tmpdir(), 'stl-docs-tests-'));
    try {
      const dir = join(root, 'force-app', 'tests', 'x', 'classes');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'Kit.cls'),
        "@IsTest\npublic class Kit {\n  public static final String DEMO = 'Demo Request';\n}\n"
      );
      writeFileSync(
        join(dir, 'A_Tests.cls'),
        [
          '@IsTest',
          'private class A_Tests {',
          '  private static final String SOURCE = Kit.DEMO;',
          '  private static Lead demo() {',
          '    return new Lead(LeadSource = SOURCE);',
          '  }',
          '  /**',
          '   * @covers leadType=Demo Request, outcome=Pending',
          '   */',
          '  @IsTest',
          '  static void it_should_pend() {',
          "    insert demo(); System.Assert.areEqual('Pending', 'Pending', 'x');",
          '  }',
          '  @IsTest',
          '  static void it_should_have_no_doc() {',
          '    System.Assert.isTrue(true, "x");',
          '  }',
          '}'
        ].join('\n')
      );
      const tests = readTests(root);
      const pend = tests.find((t) => t.method === 'it_should_pend')!;
      assert.equal(pend.line, 11);
      assert.deepEqual(pend.covers, [
        {
          line: 8,
          pairs: [
            { key: 'leadType', value: 'Demo Request' },
            { key: 'outcome', value: 'Pending' }
          ]
        }
      ]);
      assert.match(pend.code, /LeadSource = SOURCE/, 'the helper body is searched');
      assert.match(pend.code, /'Demo Request'/, 'the constant the helper names, as a literal');
      assert.deepEqual(tests.find((t) => t.method === 'it_should_have_no_doc')!.covers, []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
