import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertContentFromSource,
  criteriaInWords,
  minutesInWords,
  slaQuickReference,
  testMatrixRows
} from '../../scripts/lib/docs/generate.ts';
import {
  classDescription,
  DocsError,
  parseMetadataRecord,
  type ConfigRecords,
  type MetadataRecord,
  type TestMethod
} from '../../scripts/lib/docs/model.ts';
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

  it('covers a matrix row only when a test matches every pattern, else lists a gap', () => {
    const tests: TestMethod[] = [
      {
        className: 'A_Tests',
        method: 'it_should_hit',
        content: "it should hit\nrule('Hot'); assert 'Hit';",
        path: 'a'
      },
      {
        className: 'B_Tests',
        method: 'it_should_call',
        content: "it should call\nnew Task(TaskSubtype = 'Call')",
        path: 'b'
      }
    ];
    const rows = testMatrixRows(config(), tests);
    const find = (pred: (r: (typeof rows)[number]) => boolean) => rows.find(pred)!;
    assert.deepEqual(find((r) => r.leadType === 'Hot' && r.outcome === 'Hit').covering, [
      'A_Tests.it_should_hit'
    ]);
    assert.deepEqual(find((r) => r.leadType === 'Hot' && r.outcome === 'Missed').covering, []);
    assert.deepEqual(find((r) => r.touchType.startsWith('Call')).covering, [
      'B_Tests.it_should_call'
    ]);
    assert.deepEqual(find((r) => r.edgeCase === 'merge').covering, []);
    assert.ok(
      rows.some((r) => r.tier.startsWith('2 (user vp@acme.com)')),
      'a row per active tier'
    );
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
