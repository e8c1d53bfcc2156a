import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Decimal, formatDecimal } from '../../values.ts';
import { fromExternal } from '../convert.ts';
import { SchemaError } from '../errors.ts';
import { loadOrgFixture } from '../org.ts';
import { labelFromName, loadSchema, standardObjects } from '../schema.ts';
import { FIXTURE_PROJECT, REPO_ROOT, fixtureSchema } from './helpers.ts';

describe('standard object describes', () => {
  const required = [
    'Lead',
    'Task',
    'Event',
    'EmailMessage',
    'User',
    'Group',
    'GroupMember',
    'QueueSobject',
    'BusinessHours',
    'Holiday',
    'Profile',
    'PermissionSet',
    'PermissionSetAssignment',
    'Organization',
    'AsyncApexJob',
    'CronTrigger',
    'Contact',
    'Account',
    'Opportunity',
    'CustomNotificationType',
    'RecordType',
    'UserRole',
    'LeadHistory'
  ];
  it('describes every object the runtime promises', () => {
    const std = standardObjects();
    for (const name of required) assert.ok(std.has(name.toLowerCase()), `${name} is described`);
  });
  it('uses the platform key prefixes', () => {
    const std = standardObjects();
    const prefixes: Record<string, string> = {
      Lead: '00Q',
      Task: '00T',
      Event: '00U',
      EmailMessage: '02s',
      User: '005',
      Group: '00G',
      Account: '001',
      Contact: '003',
      Opportunity: '006',
      Profile: '00e',
      BusinessHours: '01m'
    };
    for (const [name, prefix] of Object.entries(prefixes)) {
      assert.equal(std.get(name.toLowerCase())!.keyPrefix, prefix, name);
    }
    // Picklist-value objects share 01J on the platform; Name has no Ids of its own.
    const all = [...std.values()].map((o) => o.keyPrefix).filter((p) => p !== '01J' && p !== '');
    assert.equal(new Set(all).size, all.length, 'other key prefixes are unique');
  });
  it('adds audit fields and keeps Lead.Status defaulted from its picklist', () => {
    const lead = standardObjects().get('lead')!;
    for (const f of [
      'Id',
      'CreatedDate',
      'CreatedById',
      'LastModifiedDate',
      'SystemModstamp',
      'IsDeleted'
    ]) {
      assert.ok(lead.fields.has(f.toLowerCase()), f);
      assert.equal(lead.fields.get(f.toLowerCase())!.createable, false, `${f} is not createable`);
    }
    const status = lead.fields.get('status')!;
    assert.equal(status.defaultValue, 'Open - Not Contacted');
    assert.equal(status.nillable, false);
    assert.deepEqual(lead.fields.get('ownerid')!.referenceTo, ['Group', 'User']);
    assert.equal(lead.fields.get('lastname')!.label, 'Last Name');
  });
  it('derives labels from API names', () => {
    assert.equal(labelFromName('OwnerId'), 'Owner ID');
    assert.equal(labelFromName('NumberOfEmployees'), 'Number Of Employees');
  });
});

describe('loadSchema on the fixture project', () => {
  const schema = fixtureSchema();
  it('reads custom objects with stable key prefixes in name order', () => {
    assert.equal(schema.getObject('Gadget__c').keyPrefix, 'a00');
    assert.equal(schema.getObject('Widget__c').keyPrefix, 'a01');
    assert.equal(schema.getObject('Rule__mdt').keyPrefix, 'm00');
    assert.equal(schema.getObject('Alert__e').keyPrefix, 'e00');
    assert.equal(schema.getObject('Rule__mdt').kind, 'customMetadata');
    assert.equal(schema.getObject('Alert__e').kind, 'platformEvent');
    assert.equal(schema.getObject('Alert__e').queryable, false);
  });
  it('accepts names in any case and with the project namespace', () => {
    assert.equal(schema.getObject('fx__widget__C').name, 'Widget__c');
    const w = schema.getObject('Widget__c');
    assert.equal(schema.getField(w, 'fx__Code__c').name, 'Code__c');
  });
  it('maps field types, lengths, precision and flags', () => {
    const w = schema.getObject('Widget__c');
    const f = (n: string) => schema.getField(w, n);
    assert.equal(f('Code__c').type, 'string');
    assert.equal(f('Code__c').length, 10);
    assert.equal(f('Code__c').nillable, false);
    assert.equal(f('Code__c').unique, true);
    assert.equal(f('Code__c').externalId, true);
    assert.equal(f('Size__c').type, 'double');
    assert.equal(f('Size__c').apexType, 'Decimal');
    assert.equal(f('Size__c').precision, 8);
    assert.equal(f('Size__c').scale, 2);
    assert.equal(f('Price__c').type, 'currency');
    assert.equal(f('Active__c').type, 'boolean');
    assert.equal(f('Active__c').defaultValue, true);
    assert.equal(f('DueAt__c').apexType, 'Datetime');
    assert.equal(f('Day__c').apexType, 'Date');
    assert.equal(f('Notes__c').type, 'textarea');
    assert.equal(f('Notes__c').length, 1000);
    assert.equal(f('Doubled__c').calculated, true);
    assert.equal(f('Doubled__c').createable, false);
    assert.equal(f('Name').autoNumber, true);
    assert.equal(f('Name').displayFormat, 'W-{0000}');
  });
  it('reads picklists, restricted flags, defaults and global value sets', () => {
    const w = schema.getObject('Widget__c');
    const stage = schema.getField(w, 'Stage__c');
    assert.deepEqual(
      stage.picklistValues.map((p) => p.value),
      ['New', 'Done']
    );
    assert.equal(stage.restrictedPicklist, true);
    assert.equal(stage.defaultValue, 'New');
    assert.equal(schema.getField(w, 'Channels__c').type, 'multipicklist');
    const color = schema.getField(w, 'Color__c');
    assert.deepEqual(
      color.picklistValues.map((p) => p.value),
      ['Red', 'Blue']
    );
    assert.equal(color.restrictedPicklist, true, 'global value sets are always restricted');
  });
  it('links lookups and master-detail into child relationships', () => {
    const lead = schema.getObject('Lead');
    const rel = lead.childRelationships.find((r) => r.relationshipName === 'Widgets__r');
    assert.deepEqual(rel, {
      relationshipName: 'Widgets__r',
      childSObject: 'Widget__c',
      field: 'Lead__c',
      cascadeDelete: false
    });
    const md = schema
      .getObject('Widget__c')
      .childRelationships.find((r) => r.relationshipName === 'Gadgets__r');
    assert.equal(md?.cascadeDelete, true);
    const gw = schema.getField(schema.getObject('Gadget__c'), 'Widget__c');
    assert.equal(gw.nillable, false);
    assert.equal(gw.updateable, false, 'not reparentable');
    assert.equal(gw.relationshipName, 'Widget__r');
    assert.equal(gw.childRelationshipName, 'Gadgets__r');
  });
  it('lets tasks and events relate to objects with activities enabled', () => {
    assert.ok(
      schema.getField(schema.getObject('Task'), 'WhatId').referenceTo.includes('Widget__c')
    );
    const rel = schema
      .getObject('Widget__c')
      .childRelationships.find((r) => r.relationshipName === 'Tasks');
    assert.deepEqual(rel, {
      relationshipName: 'Tasks',
      childSObject: 'Task',
      field: 'WhatId',
      cascadeDelete: true
    });
    assert.ok(
      !schema.getField(schema.getObject('Task'), 'WhatId').referenceTo.includes('Gadget__c')
    );
  });
  it('lets queues hold the project custom objects', () => {
    const values = schema.getField(schema.getObject('QueueSobject'), 'SobjectType').picklistValues;
    assert.ok(values.some((v) => v.value === 'Widget__c'));
    assert.ok(values.some((v) => v.value === 'Lead'));
  });
  it('extends standard objects with the project fields', () => {
    const lead = schema.getObject('Lead');
    assert.equal(schema.getField(lead, 'Score__c').custom, true);
    assert.equal(schema.getField(lead, 'LastName').custom, false);
    assert.equal(schema.findField(lead, 'NotAField__c'), undefined);
  });
  it('reads custom metadata records with typed values', () => {
    const recs = schema.customMetadataRecords('Rule__mdt');
    assert.deepEqual(
      recs.map((r) => r.developerName),
      ['Cold', 'Hot']
    );
    const hot = recs[1]!;
    assert.equal(hot.label, 'Hot leads');
    const threshold = hot.values.get('Threshold__c')!;
    const value = fromExternal(threshold.field, threshold.raw) as Decimal;
    assert.equal(formatDecimal(value), '30.50', 'the field scale (2) is kept');
    assert.equal(recs[0]!.values.get('LeadType__c'), null, 'xsi:nil is null');
    const rule = schema.getObject('Rule__mdt');
    assert.ok(rule.fields.has('developername'));
    assert.ok(rule.fields.has('qualifiedapiname'));
  });
  it('refuses unknown objects with a SchemaError naming them', () => {
    assert.throws(
      () => schema.getObject('Nope__c'),
      (e: Error) => e instanceof SchemaError && /Nope__c/.test(e.message)
    );
  });
});

describe('loadSchema errors name the file', () => {
  function copyFixture(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-data-'));
    cpSync(FIXTURE_PROJECT, dir, { recursive: true });
    return dir;
  }
  it('reports malformed XML', () => {
    const dir = copyFixture();
    const file = path.join(dir, 'src/main/objects/Widget__c/fields/Broken__c.field-meta.xml');
    writeFileSync(file, '<CustomField><fullName>Broken__c</fullName><type>Text</type>');
    assert.throws(
      () => loadSchema(dir),
      (e: Error) => e instanceof SchemaError && e.message.includes('Broken__c.field-meta.xml')
    );
  });
  it('reports a custom metadata value for an unknown field', () => {
    const dir = copyFixture();
    const file = path.join(dir, 'src/main/customMetadata/Rule.Bad.md-meta.xml');
    writeFileSync(
      file,
      '<?xml version="1.0"?><CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><label>Bad</label>' +
        '<values><field>Missing__c</field><value>1</value></values></CustomMetadata>'
    );
    assert.throws(
      () => loadSchema(dir),
      (e: Error) =>
        /Invalid field Missing__c for Rule__mdt/.test(e.message) && e.message.includes('Rule.Bad')
    );
  });
  it('refuses a standard object the runtime does not describe when it is used', () => {
    const dir = copyFixture();
    mkdirSync(path.join(dir, 'src/main/objects/Case/fields'), { recursive: true });
    writeFileSync(
      path.join(dir, 'src/main/objects/Case/fields/Tier__c.field-meta.xml'),
      '<?xml version="1.0"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Tier__c</fullName><type>Text</type><length>5</length></CustomField>'
    );
    const schema = loadSchema(dir);
    assert.throws(
      () => schema.getObject('Case'),
      (e: Error) => e.name === 'NotSupportedLocally' && /Case/.test(e.message)
    );
  });
});

describe('the real project', () => {
  it('loads force-app with the data model names', () => {
    const schema = loadSchema(REPO_ROOT);
    const lead = schema.getObject('Lead');
    for (const f of ['EngagementAt__c', 'AssignedAt__c', 'SlaStatus__c', 'SlaDueAt__c']) {
      assert.ok(schema.findField(lead, f), `Lead.${f}`);
    }
    assert.equal(schema.getObject('SlaTimer__c').kind, 'custom');
    assert.ok(schema.customMetadataRecords('SlaRule__mdt').length > 0);
  });
});

describe('org fixture', () => {
  const org = loadOrgFixture();
  it('declares the running user, the org time zone and business hours', () => {
    assert.equal(org.runningUserId, '005000000000001AAA');
    assert.equal(org.timeZone, 'America/Los_Angeles');
    const bh = org.records.get('BusinessHours')!;
    assert.equal(bh.filter((b) => b['IsDefault'] === true).length, 1, 'exactly one default');
    assert.deepEqual(org.businessHoursHolidays.get(bh[0]!['Id'] as string)?.length, 2);
  });
  it('rejects a fixture whose running user is missing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-org-'));
    const file = path.join(dir, 'org.json');
    writeFileSync(
      file,
      JSON.stringify({ timeZone: 'UTC', runningUser: '005000000000009', records: { User: [] } })
    );
    assert.throws(() => loadOrgFixture(file), /runningUser/);
  });
  it('rejects an unknown time zone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-org-'));
    const file = path.join(dir, 'org.json');
    writeFileSync(
      file,
      JSON.stringify({ timeZone: 'Mars/Olympus', runningUser: '005000000000001', records: {} })
    );
    assert.throws(() => loadOrgFixture(file), /Mars\/Olympus/);
  });
  it('declares how convertLead fills the Opportunity, with a stage the org has', () => {
    assert.deepEqual(org.leadConvertOpportunity, {
      stageName: 'Prospecting',
      closeDate: 'endOfQuarter'
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-org-'));
    const file = path.join(dir, 'org.json');
    const users = [{ Id: '005000000000001', LastName: 'Admin' }];
    writeFileSync(
      file,
      JSON.stringify({
        timeZone: 'UTC',
        runningUser: '005000000000001',
        records: { User: users, OpportunityStage: [{ Id: '01J000000000101', ApiName: 'Open' }] },
        leadConvertOpportunity: { stageName: 'Qualification', closeDate: 'endOfQuarter' }
      })
    );
    assert.throws(
      () => loadOrgFixture(file),
      /Qualification is not among records.OpportunityStage/
    );
  });
});
