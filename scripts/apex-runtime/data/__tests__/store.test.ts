import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApexDate,
  ApexDatetime,
  ApexTime,
  Decimal,
  decimalScale,
  parseDecimal
} from '../../values.ts';
import { NOW, insert, newStore, record } from './helpers.ts';

describe('Store seeding', () => {
  it('holds the org fixture rows with typed values', () => {
    const store = newStore();
    const admin = store.getStored('005000000000001')!;
    assert.equal(admin.get('Name'), 'Ada Admin', 'User.Name is derived from first and last name');
    assert.equal(admin.get('IsActive'), true);
    const bh = store.getStored('01m000000000001')!;
    assert.ok(bh.get('MondayStartTime') instanceof ApexTime);
    assert.equal((bh.get('MondayStartTime') as ApexTime).msOfDay, 9 * 3_600_000);
    assert.equal(bh.get('SundayStartTime'), null);
    const xmas = store.getStored('0C0000000000001')!;
    assert.deepEqual(xmas.get('ActivityDate'), new ApexDate(2026, 12, 25));
  });
  it('holds custom metadata records as rows with Ids of the type prefix', () => {
    const store = newStore();
    const rules = store.customMetadataRows('Rule__mdt');
    assert.deepEqual(
      rules.map((r) => r.get('DeveloperName')),
      ['Cold', 'Hot']
    );
    assert.ok(String(rules[0]!.get('Id')).startsWith('m00'));
    assert.equal(rules[1]!.get('MasterLabel'), 'Hot leads');
    assert.equal(rules[1]!.get('IsActive__c'), true);
    assert.equal(rules[0]!.get('IsActive__c'), false);
    assert.equal((rules[1]!.get('Priority__c') as Decimal).toNumber(), 1);
  });
  it('keeps the LeadStatus rows in step with the Lead.Status picklist', () => {
    const store = newStore();
    const statuses = store
      .rows(store.schema.getObject('LeadStatus'))
      .sort((a, b) => Number(a.values.get('SortOrder')) - Number(b.values.get('SortOrder')));
    const picklist = store.schema.getField(store.schema.getObject('Lead'), 'Status').picklistValues;
    assert.deepEqual(
      statuses.map((r) => r.values.get('ApiName')),
      picklist.map((p) => p.value)
    );
    const dflt = statuses.find((r) => r.values.get('IsDefault') === true);
    assert.equal(dflt?.values.get('ApiName'), picklist.find((p) => p.default)?.value);
  });
  it('gives every store the same seed (fresh per test)', () => {
    const a = newStore();
    const b = newStore();
    insert(a, 'Lead', [{ LastName: 'Only in a', Company: 'A' }]);
    assert.equal(a.rows(a.schema.getObject('Lead')).length, 1);
    assert.equal(b.rows(b.schema.getObject('Lead')).length, 0);
  });
});

describe('insert', () => {
  it('assigns an 18-character Id with the key prefix and system fields', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', FirstName: 'Jo', Company: 'Acme' }]);
    const id = lead!.get('Id') as string;
    assert.match(id, /^00Q[A-Za-z0-9]{15}$/);
    assert.deepEqual(lead!.get('CreatedDate'), NOW);
    assert.deepEqual(lead!.get('LastModifiedDate'), NOW);
    assert.equal(lead!.get('CreatedById'), '005000000000001AAA');
    assert.equal(
      lead!.get('OwnerId'),
      '005000000000001AAA',
      'OwnerId defaults to the running user'
    );
    assert.equal(lead!.get('Status'), 'Open - Not Contacted', 'Status defaults from the picklist');
    assert.equal(lead!.get('Name'), 'Jo Smith');
    assert.equal(store.getStored(id)!.get('IsDeleted'), false);
  });
  it('applies checkbox and picklist defaults of custom fields', () => {
    const store = newStore();
    const [w] = insert(store, 'Widget__c', [{ Code__c: 'W1' }]);
    const stored = store.getStored(w!.get('Id') as string)!;
    assert.equal(stored.get('Active__c'), true);
    assert.equal(stored.get('Stage__c'), 'New');
    assert.equal(stored.get('Name'), 'W-0001', 'auto number with its display format');
    const [w2] = insert(store, 'Widget__c', [{ Code__c: 'W2' }]);
    assert.equal(w2!.get('Name'), 'W-0002');
  });
  it('reports all missing required fields in one REQUIRED_FIELD_MISSING error', () => {
    const store = newStore();
    const errors = store.prepareInsert('Lead', [record('Lead', { FirstName: 'x' })]);
    assert.deepEqual(errors, [
      {
        index: 0,
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [LastName, Company]',
        fields: ['LastName', 'Company']
      }
    ]);
  });
  it('reports STRING_TOO_LONG with the label and max length', () => {
    const store = newStore();
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: '12345678901' })
    ]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.statusCode, 'STRING_TOO_LONG');
    assert.equal(errors[0]!.message, 'Code__c: data value too large: 12345678901 (max length=10)');
  });
  it('reports INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, also per multi-select value', () => {
    const store = newStore();
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: 'A', Stage__c: 'Started' }),
      record('Widget__c', { Code__c: 'B', Channels__c: 'Bell;Pager' }),
      record('Widget__c', { Code__c: 'C', Channels__c: 'Bell;Slack' })
    ]);
    assert.deepEqual(
      errors.map((e) => [e.index, e.statusCode, e.message]),
      [
        [
          0,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          'Stage__c: bad value for restricted picklist field: Started'
        ],
        [
          1,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          'Channels__c: bad value for restricted picklist field: Pager'
        ]
      ]
    );
  });
  it('accepts any value on an unrestricted standard picklist', () => {
    const store = newStore();
    assert.deepEqual(
      store.prepareInsert('Lead', [
        record('Lead', { LastName: 'x', Company: 'y', Status: 'Unqualified' })
      ]),
      []
    );
  });
  it('rejects an Id on insert', () => {
    const store = newStore();
    const errors = store.prepareInsert('Lead', [
      record('Lead', { Id: '00Q000000000001', LastName: 'x', Company: 'y' })
    ]);
    assert.equal(errors[0]!.statusCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });
  it('checks reference types and targets', () => {
    const store = newStore();
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: 'A', Lead__c: '005000000000001' }),
      record('Widget__c', { Code__c: 'B', Lead__c: '00Q000000000099' })
    ]);
    assert.deepEqual(
      errors.map((e) => e.statusCode),
      ['FIELD_INTEGRITY_EXCEPTION', 'INVALID_CROSS_REFERENCE_KEY']
    );
  });
  it('rounds numbers to the field scale and refuses too many digits', () => {
    const store = newStore();
    const [w] = insert(store, 'Widget__c', [{ Code__c: 'A', Size__c: parseDecimal('1.005') }]);
    const size = store.getStored(w!.get('Id') as string)!.get('Size__c') as Decimal;
    assert.equal(size.toString(), '1.01', 'half up to scale 2');
    assert.equal(decimalScale(size), 2);
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: 'B', Size__c: new Decimal('1234567') })
    ]);
    assert.equal(errors[0]!.statusCode, 'NUMBER_OUTSIDE_VALID_RANGE');
  });
  it('refuses values of the wrong type put with SObject.put', () => {
    const store = newStore();
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: 'A', DueAt__c: new ApexDate(2026, 1, 1) })
    ]);
    assert.equal(errors[0]!.statusCode, 'INVALID_TYPE_ON_FIELD_IN_RECORD');
    assert.match(errors[0]!.message, /Illegal assignment from Date to Datetime/);
  });
  it('enforces unique fields case-insensitively, against the table and within the batch', () => {
    const store = newStore();
    insert(store, 'Widget__c', [{ Code__c: 'abc' }]);
    const errors = store.prepareInsert('Widget__c', [
      record('Widget__c', { Code__c: 'ABC' }),
      record('Widget__c', { Code__c: 'new' }),
      record('Widget__c', { Code__c: 'NEW' })
    ]);
    assert.deepEqual(
      errors.map((e) => [e.index, e.statusCode]),
      [
        [0, 'DUPLICATE_VALUE'],
        [2, 'DUPLICATE_VALUE']
      ]
    );
  });
  it('validates email fields', () => {
    const store = newStore();
    const errors = store.prepareInsert('Lead', [
      record('Lead', { LastName: 'x', Company: 'y', Email: 'not-an-email' })
    ]);
    assert.equal(errors[0]!.statusCode, 'INVALID_EMAIL_ADDRESS');
  });
  it('derives Event end and duration, and requires one of them', () => {
    const store = newStore();
    const start = new ApexDatetime(Date.UTC(2026, 10, 20, 17, 0));
    const [e] = insert(store, 'Event', [{ StartDateTime: start, DurationInMinutes: 30 }]);
    const stored = store.getStored(e!.get('Id') as string)!;
    assert.deepEqual(stored.get('EndDateTime'), new ApexDatetime(start.epochMs + 30 * 60_000));
    assert.deepEqual(stored.get('ActivityDateTime'), start);
    const errors = store.prepareInsert('Event', [record('Event', { StartDateTime: start })]);
    assert.equal(errors[0]!.statusCode, 'REQUIRED_FIELD_MISSING');
    assert.match(errors[0]!.message, /DurationInMinutes/);
  });
  it('refuses DML on objects tests cannot write', () => {
    const store = newStore();
    assert.throws(
      () => store.prepareInsert('BusinessHours', [record('BusinessHours', { Name: 'x' })]),
      /not allowed on BusinessHours/
    );
    assert.throws(
      () => store.prepareInsert('Rule__mdt', [record('Rule__mdt', {})]),
      /not allowed on Rule__mdt/
    );
  });
  it('refuses values on read-only fields but ignores system and derived ones', () => {
    const store = newStore();
    const errors = store.prepareInsert('Lead', [
      record('Lead', { LastName: 'x', Company: 'y', ConvertedDate: new ApexDate(2026, 1, 1) }),
      record('Lead', { LastName: 'x', Company: 'y', Name: 'ignored', CreatedDate: NOW })
    ]);
    assert.deepEqual(
      errors.map((e) => [e.index, e.statusCode, e.fields]),
      [[0, 'INVALID_FIELD_FOR_INSERT_UPDATE', ['ConvertedDate']]]
    );
    assert.match(errors[0]!.message, /^Unable to create\/update fields: ConvertedDate\./);
    const [lead] = insert(store, 'Lead', [{ LastName: 'x', Company: 'y' }]);
    const queried = store.getStored(lead!.get('Id') as string)!;
    queried.put('LastName', 'changed');
    assert.deepEqual(store.prepareUpdate('Lead', [queried]), [], 'unchanged read-only fields pass');
    const bad = record('Lead', { Id: lead!.get('Id'), IsConverted: true });
    assert.equal(
      store.prepareUpdate('Lead', [bad])[0]!.statusCode,
      'INVALID_FIELD_FOR_INSERT_UPDATE'
    );
  });
  it('creates users with derived and platform-owned fields', () => {
    const store = newStore();
    const [u] = insert(store, 'User', [
      {
        Username: 'rep@speedtolead.local',
        LastName: 'Rep',
        FirstName: 'Riley',
        Alias: 'rrep',
        Email: 'rep@speedtolead.local',
        TimeZoneSidKey: 'America/New_York',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: '00e000000000002'
      }
    ]);
    const stored = store.getStored(u!.get('Id') as string)!;
    assert.equal(stored.get('Name'), 'Riley Rep');
    assert.equal(stored.get('UserType'), 'Standard');
    assert.equal(stored.get('IsActive'), true);
    const dup = store.prepareInsert('User', [
      record('User', {
        Username: 'REP@speedtolead.local',
        LastName: 'Again',
        Alias: 'again',
        Email: 'again@speedtolead.local',
        TimeZoneSidKey: 'America/New_York',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: '00e000000000002'
      })
    ]);
    assert.equal(dup[0]!.statusCode, 'DUPLICATE_USERNAME');
  });
  it('derives IsClosed, IsWon and Probability of an opportunity from its stage', () => {
    const store = newStore();
    const [open, won] = insert(store, 'Opportunity', [
      { Name: 'open', StageName: 'Prospecting', CloseDate: new ApexDate(2026, 12, 1) },
      { Name: 'won', StageName: 'Closed Won', CloseDate: new ApexDate(2026, 12, 1) }
    ]);
    const o = store.getStored(open!.get('Id') as string)!;
    assert.equal(o.get('IsClosed'), false);
    assert.equal(o.get('IsWon'), false);
    assert.equal(String(o.get('Probability')), '10');
    assert.equal(store.objectOf('01J000000000101')?.name, 'OpportunityStage', 'shared prefix');
    assert.equal(store.objectOf('01J000000000001')?.name, 'LeadStatus', 'shared prefix');
    const w = store.getStored(won!.get('Id') as string)!;
    assert.equal(w.get('IsWon'), true);
    assert.equal(w.get('ForecastCategoryName'), 'Closed');
  });
  it('lets the platform own Group.OwnerId', () => {
    const store = newStore();
    const [g] = insert(store, 'Group', [{ Name: 'Inbound', Type: 'Queue' }]);
    assert.equal(store.getStored(g!.get('Id') as string)!.get('OwnerId'), '005000000000001AAA');
  });
  it('refuses, when used, fields and defaults the runtime cannot handle', () => {
    const store = newStore();
    const [w] = insert(store, 'Widget__c', [{ Code__c: 'W' }]);
    const due = new ApexDate(2026, 12, 1);
    const gadget = (extra: Record<string, unknown>) =>
      record('Gadget__c', { Widget__c: w!.get('Id'), ...extra });
    assert.throws(
      () => store.prepareInsert('Gadget__c', [gadget({})]),
      (e: Error) => e.name === 'NotSupportedLocally' && /TODAY\(\) \+ 7/.test(e.message)
    );
    assert.deepEqual(store.prepareInsert('Gadget__c', [gadget({ Due__c: due })]), []);
    assert.throws(
      () => store.prepareInsert('Gadget__c', [gadget({ Due__c: due, Spot__c: 'x' })]),
      (e: Error) =>
        e.name === 'NotSupportedLocally' &&
        /field type Location of Gadget__c.Spot__c/.test(e.message)
    );
  });
  it('refuses commit without prepare', () => {
    const store = newStore();
    assert.throws(
      () => store.commitInsert('Lead', [record('Lead', { LastName: 'x', Company: 'y' })]),
      /not validated/
    );
  });
});

describe('update, delete, undelete', () => {
  it('merges changed fields onto the stored row and stamps LastModified*', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', Company: 'Acme' }]);
    const id = lead!.get('Id') as string;
    const later = new ApexDatetime(NOW.epochMs + 60_000);
    const change = record('Lead', { Id: id, FirstName: 'Jo', CreatedDate: later });
    assert.deepEqual(store.prepareUpdate('Lead', [change]), []);
    const before = store.getStored(id)!;
    store.commitUpdate('Lead', [change], { now: later, userId: '005000000000003AAA' });
    const after = store.getStored(id)!;
    assert.equal(after.get('Name'), 'Jo Smith');
    assert.equal(after.get('Company'), 'Acme', 'unchanged fields kept');
    assert.deepEqual(after.get('CreatedDate'), NOW, 'read-only fields of the record are ignored');
    assert.deepEqual(after.get('LastModifiedDate'), later);
    assert.equal(after.get('LastModifiedById'), '005000000000003AAA');
    assert.equal(before.get('FirstName'), null, 'getStored returns a snapshot');
  });
  it('reports a required field cleared on update', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', Company: 'Acme' }]);
    const errors = store.prepareUpdate('Lead', [
      record('Lead', { Id: lead!.get('Id'), Company: null })
    ]);
    assert.equal(errors[0]!.statusCode, 'REQUIRED_FIELD_MISSING');
  });
  it('reports a missing Id and a duplicate Id', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', Company: 'Acme' }]);
    assert.equal(
      store.prepareUpdate('Lead', [record('Lead', { LastName: 'x' })])[0]!.statusCode,
      'MISSING_ARGUMENT'
    );
    const id = lead!.get('Id');
    assert.throws(
      () => store.prepareUpdate('Lead', [record('Lead', { Id: id }), record('Lead', { Id: id })]),
      /Duplicate id in list/
    );
  });
  it('deletes to the recycle bin, cascades master-detail, clears SetNull lookups, and undeletes', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', Company: 'Acme' }]);
    const leadId = lead!.get('Id') as string;
    const [w] = insert(store, 'Widget__c', [{ Code__c: 'A', Lead__c: leadId }]);
    const wId = w!.get('Id') as string;
    const [g] = insert(store, 'Gadget__c', [
      { Name: 'g', Widget__c: wId, Due__c: new ApexDate(2026, 12, 1) }
    ]);
    const gId = g!.get('Id') as string;

    assert.deepEqual(store.prepareDelete('Widget__c', [wId]), []);
    assert.deepEqual(store.commitDelete('Widget__c', [wId]), [gId]);
    assert.equal(store.getStored(wId), null);
    assert.equal(store.getStored(gId), null, 'master-detail child deleted with its parent');
    assert.equal(store.prepareDelete('Widget__c', [wId])[0]!.statusCode, 'ENTITY_IS_DELETED');
    assert.equal(
      store.prepareUpdate('Widget__c', [record('Widget__c', { Id: wId })])[0]!.statusCode,
      'ENTITY_IS_DELETED'
    );

    assert.deepEqual(store.prepareUndelete('Widget__c', [wId]), []);
    store.commitUndelete('Widget__c', [wId]);
    assert.ok(store.getStored(wId));
    assert.ok(store.getStored(gId), 'cascaded child restored');
    assert.equal(store.prepareUndelete('Widget__c', [wId])[0]!.statusCode, 'UNDELETE_FAILED');

    store.commitDelete('Lead', [leadId]);
    assert.equal(store.getStored(wId)!.get('Lead__c'), null, 'SetNull lookup cleared');
  });
  it('deletes and restores a lead with its activities', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'Smith', Company: 'Acme' }]);
    const leadId = lead!.get('Id') as string;
    const [task] = insert(store, 'Task', [{ Subject: 'Call', WhoId: leadId }]);
    const taskId = task!.get('Id') as string;
    assert.deepEqual(store.commitDelete('Lead', [leadId]), [taskId]);
    assert.equal(store.getStored(taskId), null);
    store.commitUndelete('Lead', [leadId]);
    assert.ok(store.getStored(taskId));
  });
  it('lets the interpreter write platform-owned fields for convert and merge', () => {
    const store = newStore();
    const [master, loser] = insert(store, 'Lead', [
      { LastName: 'Master', Company: 'Acme' },
      { LastName: 'Loser', Company: 'Acme' }
    ]);
    const masterId = master!.get('Id') as string;
    const loserId = loser!.get('Id') as string;
    const converted = record('Lead', {
      Id: masterId,
      IsConverted: true,
      Status: 'Closed - Converted'
    });
    assert.deepEqual(
      store.prepareUpdate('Lead', [converted], { systemWritable: ['IsConverted'] }),
      []
    );
    store.commitUpdate('Lead', [converted]);
    assert.equal(store.getStored(masterId)!.get('IsConverted'), true);

    const [task] = insert(store, 'Task', [{ Subject: 'Call', WhoId: loserId }]);
    assert.deepEqual(store.reparentChildren(loserId, masterId), [task!.get('Id')]);
    store.setSystemValues(loserId, { MasterRecordId: masterId });
    store.commitDelete('Lead', [loserId]);
    assert.equal(
      store.getStored(task!.get('Id') as string)!.get('WhoId'),
      masterId,
      'the task survives'
    );
    assert.equal(store.row(loserId)!.values.get('MasterRecordId'), masterId);
  });
  it('rolls back to a savepoint without reusing Ids', () => {
    const store = newStore();
    const [a] = insert(store, 'Lead', [{ LastName: 'A', Company: 'Acme' }]);
    const sp = store.savepoint();
    const [b] = insert(store, 'Lead', [{ LastName: 'B', Company: 'Acme' }]);
    const change = record('Lead', { Id: a!.get('Id'), LastName: 'A2' });
    store.prepareUpdate('Lead', [change]);
    store.commitUpdate('Lead', [change]);
    sp.restore();
    assert.equal(store.getStored(b!.get('Id') as string), null);
    assert.equal(store.getStored(a!.get('Id') as string)!.get('LastName'), 'A');
    const [c] = insert(store, 'Lead', [{ LastName: 'C', Company: 'Acme' }]);
    assert.notEqual(c!.get('Id'), b!.get('Id'));
  });
  it('sets CreatedDate for Test.setCreatedDate', () => {
    const store = newStore();
    const [lead] = insert(store, 'Lead', [{ LastName: 'A', Company: 'Acme' }]);
    const when = new ApexDatetime(Date.UTC(2026, 0, 1));
    store.setCreatedDate(lead!.get('Id') as string, when);
    assert.deepEqual(store.getStored(lead!.get('Id') as string)!.get('CreatedDate'), when);
  });
});
