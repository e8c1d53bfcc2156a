// Rule configuration from the package's own custom metadata, a rules file, and org records.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadPackageRules } from '../../scripts/cli/rules-source.ts';
import { parseRulesFile, slaRuleOf, stripNamespace } from '../../scripts/lib/rules.ts';

describe('rules', () => {
  it('reads the package defaults from force-app custom metadata', () => {
    const { rules } = loadPackageRules();
    const demo = rules.slaRules.find((r) => r.developerName === 'DemoRequest');
    assert.ok(demo, 'the DemoRequest rule exists');
    assert.equal(demo.thresholdMinutes, 5);
    assert.equal(demo.leadType, 'Demo Request');
    assert.deepEqual(demo.criteria, [
      { field: 'LeadSource', operator: 'equals', value: 'Demo Request', values: undefined }
    ]);
    assert.ok(rules.touchRules.some((t) => t.activityObject === 'Event'));
    assert.ok(rules.exclusionRules.some((e) => e.reason === 'Disqualified' && e.isActive));
  });

  it('reads a rules file with namespaced field names', () => {
    const rules = parseRulesFile(
      JSON.stringify({
        stlead__SlaRule__mdt: [
          {
            DeveloperName: 'Vip',
            stlead__LeadType__c: 'VIP',
            stlead__Priority__c: 1,
            stlead__ThresholdMinutes__c: 2,
            stlead__Criteria__c: [{ field: 'Rating', operator: 'equals', value: 'Hot' }]
          }
        ],
        StlSetting__mdt: {
          EngagementSourceField__c: 'Form_Submitted_At__c',
          ExcludedOwners__c: 'integration@acme.com\n005000000000009'
        }
      }),
      'rules.json'
    );
    assert.equal(rules.slaRules[0].leadType, 'VIP');
    assert.equal(rules.settings.engagementSourceField, 'Form_Submitted_At__c');
    assert.deepEqual(rules.settings.excludedOwners, ['integration@acme.com', '005000000000009']);
  });

  it('names the file and record in every error', () => {
    assert.throws(() => parseRulesFile('{', 'rules.json'), /rules.json is not valid JSON/);
    assert.throws(
      () =>
        parseRulesFile(
          JSON.stringify({ SlaRule__mdt: [{ DeveloperName: 'X', Criteria__c: '[]' }] }),
          'r.json'
        ),
      /r.json: SlaRule__mdt X: ThresholdMinutes__c is missing/
    );
    assert.throws(
      () => slaRuleOf({ DeveloperName: 'Y', ThresholdMinutes__c: 'soon' }),
      /"soon" is not a number/
    );
    assert.deepEqual(stripNamespace({ stlead__A__c: 1, B__c: 2 }), { A__c: 1, B__c: 2 });
  });
});
