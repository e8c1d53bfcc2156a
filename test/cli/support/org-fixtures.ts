// Tables for the fake org: a healthy speed-to-lead org built from the sample export, with or
// without the stlead namespace, that tests then break in specific ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FakeRecord, FakeTable } from './fake-org.ts';

export const SAMPLE = join(import.meta.dirname, '..', '..', 'fixtures', 'sample-export');

function csv(name: string): FakeRecord[] {
  const rows = parse(readFileSync(join(SAMPLE, name), 'utf8'), {
    columns: true,
    bom: true
  }) as Record<string, string>[];
  return rows.map((r) => {
    const out: FakeRecord = {};
    for (const [k, v] of Object.entries(r))
      out[k] = v === '' ? null : v === 'true' ? true : v === 'false' ? false : v;
    return out;
  });
}

const tableOf = (records: FakeRecord[], extra: string[] = [], prefix?: string): FakeTable => ({
  fields: [...new Set([...records.flatMap((r) => Object.keys(r)), ...extra])],
  records,
  prefix
});

export function healthyOrg(namespace: boolean): Record<string, FakeTable> {
  const ns = (name: string): string => (namespace ? `stlead__${name}` : name);
  const stampFields = [
    'EngagementAt__c',
    'AssignedAt__c',
    'FirstTouchAt__c',
    'SlaStatus__c',
    'SlaDueAt__c',
    'LeadType__c'
  ].map(ns);
  const leads = csv('Lead.csv');
  const activities = (name: string): FakeRecord[] =>
    csv(name).map((r) => ({
      ...r,
      Who: { Type: String(r.WhoId).startsWith('00Q') ? 'Lead' : 'Contact' }
    }));
  const users = csv('User.csv');
  const rule = (
    name: string,
    type: string,
    priority: number,
    criteria: string,
    threshold: number,
    hours: string | null = null
  ): FakeRecord => ({
    DeveloperName: name,
    [ns('LeadType__c')]: type,
    [ns('Priority__c')]: priority,
    [ns('Criteria__c')]: criteria,
    [ns('ThresholdMinutes__c')]: threshold,
    [ns('BusinessHoursName__c')]: hours,
    [ns('IsActive__c')]: true,
    [ns('IsHandRaiser__c')]: name === 'DemoRequest' || name === 'ContactSales',
    [ns('WarningPercent__c')]: 0
  });
  const touch = (
    name: string,
    object: string,
    type: string,
    priority: number,
    criteria: string
  ): FakeRecord => ({
    DeveloperName: name,
    [ns('ActivityObject__c')]: object,
    [ns('TouchType__c')]: type,
    [ns('Priority__c')]: priority,
    [ns('Criteria__c')]: criteria,
    [ns('IsActive__c')]: true
  });
  return {
    Lead: {
      ...tableOf(leads, ['Rating', 'LeadSource', 'Status', ...stampFields], '00Q'),
      // conversion fields: written only by a lead conversion, never by a REST insert or update
      readOnly: [
        'IsConverted',
        'ConvertedDate',
        'ConvertedOpportunityId',
        'ConvertedAccountId',
        'ConvertedContactId'
      ]
    },
    LeadHistory: tableOf(csv('LeadHistory.csv')),
    Task: tableOf(activities('Task.csv'), ['CompletedDateTime'], '00T'),
    Event: tableOf(activities('Event.csv'), [], '00U'),
    EmailMessage: tableOf([], ['Id', 'Incoming', 'Subject']),
    User: tableOf(
      [
        {
          Id: '005000000000001AAA',
          Username: 'admin@fake-org.test',
          Name: 'Ada Admin',
          FirstName: 'Ada',
          LastName: 'Admin',
          IsActive: true,
          ManagerId: null,
          UserType: 'Standard',
          Email: 'admin@fake-org.test',
          TimeZoneSidKey: 'America/New_York',
          LanguageLocaleKey: 'en_US',
          CreatedDate: '2026-01-01T00:00:00.000+0000',
          ProfileId: '00e000000000001AAA'
        },
        ...users
      ],
      ['LanguageLocaleKey', 'CreatedDate', 'ProfileId']
    ),
    Opportunity: {
      ...tableOf(csv('Opportunity.csv'), ['Description'], '006'),
      // derived from StageName by the platform
      readOnly: ['IsWon', 'IsClosed']
    },
    Group: tableOf(csv('Group.csv')),
    QueueSobject: tableOf(
      csv('Group.csv').map((g) => ({
        Id: `03g${String(g.Id).slice(3)}`,
        QueueId: g.Id,
        SobjectType: 'Lead'
      }))
    ),
    BusinessHours: tableOf(csv('BusinessHours.csv')),
    Holiday: tableOf(csv('Holiday.csv'), [
      'StartTimeInMinutes',
      'EndTimeInMinutes',
      'RecurrenceInterval',
      'RecurrenceEndDateOnly'
    ]),
    [ns('SlaTimer__c')]: tableOf([], ['Id', ns('Lead__c'), ns('DueAt__c')]),
    [ns('StlError__c')]: tableOf([], ['Id', ns('Source__c'), ns('Message__c'), 'CreatedDate']),
    [ns('SlaRule__mdt')]: tableOf([
      rule(
        'DemoRequest',
        'Demo Request',
        10,
        '[{"field":"LeadSource","operator":"equals","value":"Demo Request"}]',
        5
      ),
      rule(
        'ContactSales',
        'Contact Sales',
        20,
        '[{"field":"LeadSource","operator":"equals","value":"Contact Sales"}]',
        15
      ),
      rule('Hot', 'Hot', 30, '[{"field":"Rating","operator":"equals","value":"Hot"}]', 30),
      rule('Warm', 'Warm', 40, '[{"field":"Rating","operator":"equals","value":"Warm"}]', 240),
      rule(
        'ContentDownload',
        'Content Download',
        50,
        '[{"field":"LeadSource","operator":"in","values":["Content Download","Webinar"]}]',
        1440
      )
    ]),
    [ns('TouchRule__mdt')]: tableOf([
      touch(
        'Call',
        'Task',
        'Call',
        10,
        '[{"field":"TaskSubtype","operator":"equals","value":"Call"}]'
      ),
      touch(
        'Email',
        'Task',
        'Email',
        20,
        '[{"field":"TaskSubtype","operator":"equals","value":"Email"}]'
      ),
      touch(
        'LinkedIn',
        'Task',
        'LinkedIn',
        30,
        '[{"field":"Type","operator":"equals","value":"LinkedIn"}]'
      ),
      touch('Meeting', 'Event', 'Meeting', 40, '[]')
    ]),
    [ns('ExclusionRule__mdt')]: tableOf([
      {
        DeveloperName: 'Disqualified',
        [ns('Criteria__c')]: '[{"field":"Status","operator":"equals","value":"Unqualified"}]',
        [ns('Reason__c')]: 'Disqualified',
        [ns('IsActive__c')]: true
      }
    ]),
    [ns('StlSetting__mdt')]: tableOf([
      {
        DeveloperName: 'Default',
        [ns('IsEnabled__c')]: true,
        [ns('AlertMode__c')]: 'Live',
        [ns('TestRecipient__c')]: null,
        [ns('EngagementSourceField__c')]: 'FormSubmittedAt__c',
        [ns('ExcludedOwners__c')]: null
      }
    ]),
    CronTrigger: tableOf(
      [
        {
          Id: '08e000000000009AAA',
          State: 'WAITING',
          NextFireTime: '2026-11-22T17:00:00.000+0000',
          CronJobDetail: { Name: 'StlDispatcherWatchdog 1763830800000' }
        }
      ],
      ['CronJobDetail']
    ),
    AsyncApexJob: tableOf(
      [
        {
          Id: '707000000000001AAA',
          Status: 'Completed',
          CompletedDate: '2026-11-22T16:59:00.000+0000',
          ExtendedStatus: null,
          CreatedDate: '2026-11-22T16:58:00.000+0000',
          ApexClass: { Name: 'StlDispatcher' }
        }
      ],
      ['ApexClass']
    ),
    ApexClass: tableOf([
      {
        Id: '01p000000000001AAA',
        Name: 'StlDispatcher',
        NamespacePrefix: namespace ? 'stlead' : null
      }
    ]),
    CustomNotificationType: tableOf([{ Id: '0ML000000000001AAA', DeveloperName: 'StlSlaAlert' }]),
    PermissionSet: tableOf(
      ['StlAdmin', 'StlLeader', 'StlRep', 'StlTriggerBypass'].map((n, i) => ({
        Id: `0PS00000000000${i}AAA`,
        Name: n,
        NamespacePrefix: namespace ? 'stlead' : null
      }))
    ),
    PermissionSetAssignment: tableOf([], ['Id', 'AssigneeId', 'PermissionSetId'], '0Pa')
  };
}
