// The audit engine on four hand-built leads, with every expected value derived in the comments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import {
  AuditBuilder,
  parseInstant,
  type ActivityInput,
  type LeadResult
} from '../../scripts/lib/audit.ts';
import { BusinessCalendar, weekdayHours } from '../../scripts/lib/business-time.ts';
import { parseCriteria, type RuleSet } from '../../scripts/lib/sla.ts';

const NY = 'America/New_York';
const at = (s: string): number => DateTime.fromISO(s, { zone: NY }).toMillis();
const REP = '005000000000001';
const GONE = '005000000000002';
const BOT = '005000000000003';
const QUEUE = '00G000000000001';

const rules: RuleSet = {
  slaRules: [
    {
      developerName: 'Hot',
      leadType: 'Hot',
      priority: 30,
      criteria: parseCriteria('[{"field":"Rating","operator":"equals","value":"Hot"}]', 'Hot'),
      thresholdMinutes: 30,
      isHandRaiser: false,
      warningPercent: 0,
      isActive: true
    }
  ],
  touchRules: [
    {
      developerName: 'Call',
      activityObject: 'Task',
      touchType: 'Call',
      criteria: parseCriteria(
        '[{"field":"TaskSubtype","operator":"equals","value":"Call"}]',
        'Call'
      ),
      priority: 10,
      isActive: true
    }
  ],
  exclusionRules: [],
  settings: { excludedOwners: [] }
};

function task(
  id: string,
  whoId: string,
  when: string,
  subtype: string,
  owner = REP
): ActivityInput {
  return {
    object: 'Task',
    id,
    whoId,
    at: at(when),
    ownerId: owner,
    createdById: owner,
    fields: { TaskSubtype: subtype }
  };
}

describe('AuditBuilder', () => {
  it('derives delays, SLA outcomes and safety nets for hand-built leads', () => {
    const builder = new AuditBuilder({
      rules,
      users: [
        { id: REP, name: 'Rita Rep', isActive: true },
        { id: GONE, name: 'Gary Gone', isActive: false },
        { id: BOT, name: 'Marketing Bot', isActive: true }
      ],
      queues: [{ id: QUEUE, name: 'Inbound' }],
      businessHours: [
        {
          id: 'bh',
          name: 'Default',
          isDefault: true,
          calendar: new BusinessCalendar(weekdayHours(NY, '09:00', '17:00'))
        }
      ],
      asOf: at('2026-11-24T10:00')
    });
    const lead = (id: string, created: string, owner: string, rating: string): void =>
      builder.addLead({
        id,
        createdAt: at(created),
        ownerId: owner,
        fields: { Id: id, Rating: rating, LeadSource: 'Web', Name: id }
      });
    // A: Monday 10:00 into the queue, Rita takes it at 10:20, calls at 10:35 (after an
    // autoresponder at 10:01 that never counts). Systems 20, human 15 (business 15), speed 35;
    // due 10:20 + 30 = 10:50, so a Hit; 20 minutes in the queue.
    lead('A', '2026-11-23T10:00', REP, 'Hot');
    builder.addOwnerChange({
      leadId: 'A',
      at: at('2026-11-23T10:20'),
      oldValue: QUEUE,
      newValue: REP
    });
    builder.addActivity(task('t1', 'A', '2026-11-23T10:01', 'ListEmail', BOT));
    builder.addActivity(task('t2', 'A', '2026-11-23T10:35', 'Call'));
    // B: Friday 18:00, owned by Rita from creation (assigned at creation, systems 0). Called
    // Monday 09:45: human delay 63 h 45 m = 3825 calendar minutes but 45 business minutes; the
    // clock started Monday 09:00, due 09:30, so Missed by 15 business minutes. Arrived after hours.
    lead('B', '2026-11-20T18:00', REP, 'Hot');
    builder.addActivity(task('t3', 'B', '2026-11-20T17:00', 'Call')); // before engagement: ignored
    builder.addActivity(task('t4', 'B', '2026-11-23T09:45', 'Call'));
    // C: Monday 10:00 into the queue and still there at asOf (Tuesday 10:00): 1440 minutes in the
    // queue, unassigned, Pending; untouched for exactly 24 h, which is not over 24 h.
    lead('C', '2026-11-23T10:00', QUEUE, 'Hot');
    // D: Monday 09:00, owned by a user who has left: never assigned, no rule for Warm, untouched
    // for 25 h at asOf.
    lead('D', '2026-11-23T09:00', GONE, 'Warm');

    const rows = new Map<string, ReturnType<typeof Object>>();
    const report = builder.finish((l) => rows.set(l.id, l));
    const a = rows.get('A') as Record<string, unknown>;
    assert.deepEqual(
      [
        a.systemsDelayMinutes,
        a.humanDelayMinutes,
        a.humanDelayBusinessMinutes,
        a.speedToLeadMinutes,
        a.slaStatus,
        a.queueWaitMinutes,
        a.firstTouchType
      ],
      [20, 15, 15, 35, 'Hit', 20, 'Call']
    );
    assert.equal(a.slaDueAt, new Date(at('2026-11-23T10:50')).toISOString());
    const b = rows.get('B') as Record<string, unknown>;
    assert.deepEqual(
      [
        b.systemsDelayMinutes,
        b.humanDelayMinutes,
        b.humanDelayBusinessMinutes,
        b.slaStatus,
        b.slaMissedByMinutes,
        b.afterHours
      ],
      [0, 3825, 45, 'Missed', 15, true]
    );
    assert.equal((rows.get('C') as Record<string, unknown>).slaStatus, 'Pending');
    assert.equal((rows.get('D') as Record<string, unknown>).slaStatus, 'Not Applicable');

    assert.equal(report.leads, 4);
    assert.deepEqual(report.sla, {
      hit: 1,
      missed: 1,
      pending: 1,
      excluded: 0,
      notApplicable: 1,
      superseded: 0,
      duplicates: 0,
      hitRate: 0.5
    });
    assert.deepEqual(report.speedToLead, {
      count: 2,
      mean: 1930,
      median: 1930,
      p90: 3446,
      p95: 3635.5
    });
    assert.deepEqual(report.systemsDelay, { count: 2, mean: 10, median: 10, p90: 18, p95: 19 });
    assert.deepEqual(
      report.safetyNets.inQueueOver60Min.leads.map((l) => [l.id, l.minutes]),
      [['C', 1440]]
    );
    assert.deepEqual(
      report.safetyNets.ownedByInactiveUser.leads.map((l) => l.id),
      ['D']
    );
    assert.deepEqual(
      report.safetyNets.untouchedOver24h.leads.map((l) => [l.id, l.minutes]),
      [['D', 1500]]
    );
    assert.equal(report.bottlenecks.queueWait.leads, 2);
    assert.equal(report.byOwner.find((g) => g.key === 'Rita Rep')?.sla.hitRate, 0.5);
  });
});

// Engagement cycles and duplicates (docs/CYCLES.md) on five hand-built leads. Business hours
// Monday-Friday 09:00-17:00 New York (480 business minutes a day); 2026-11-23 is a Monday.
const cycleRules: RuleSet = {
  ...rules,
  slaRules: [
    {
      developerName: 'Demo',
      leadType: 'Demo Request',
      priority: 10,
      criteria: parseCriteria(
        '[{"field":"LeadSource","operator":"equals","value":"Demo Request"}]',
        'Demo'
      ),
      thresholdMinutes: 15,
      isHandRaiser: true,
      warningPercent: 0,
      isActive: true
    },
    {
      developerName: 'Content',
      leadType: 'Content Download',
      priority: 50,
      criteria: parseCriteria(
        '[{"field":"LeadSource","operator":"equals","value":"Content Download"}]',
        'Content'
      ),
      thresholdMinutes: 1440,
      isHandRaiser: false,
      warningPercent: 0,
      isActive: true
    }
  ],
  settings: { excludedOwners: [], engagementSourceField: 'FormAt__c' }
};

function cycleBuilder(): AuditBuilder {
  return new AuditBuilder({
    rules: cycleRules,
    users: [{ id: REP, name: 'Rita Rep', isActive: true }],
    queues: [{ id: QUEUE, name: 'Inbound' }],
    businessHours: [
      {
        id: 'bh',
        name: 'Default',
        isDefault: true,
        calendar: new BusinessCalendar(weekdayHours(NY, '09:00', '17:00'))
      }
    ],
    asOf: at('2026-11-25T12:00')
  });
}

const isoAt = (s: string): string => new Date(at(s)).toISOString();

function addCycleLeads(builder: AuditBuilder, withHistory: boolean): void {
  const lead = (id: string, created: string, owner: string, fields: Record<string, string>): void =>
    builder.addLead({
      id,
      createdAt: at(created),
      ownerId: owner,
      fields: { Id: id, Name: id, ...fields }
    });
  // E: a content download on Monday 10:00 comes back as a demo request on Tuesday 11:00 (saved
  // 30 s later): a hand-raise, so cycle 2 starts although cycle 1 (due Thursday 10:00) is open.
  lead('E', '2026-11-23T10:00', REP, {
    LeadSource: 'Demo Request',
    FormAt__c: isoAt('2026-11-24T11:00'),
    Email: 'E@x.com'
  });
  // F: a second download on Monday 14:00 while the first cycle is open: not a hand-raise, ignored
  lead('F', '2026-11-23T10:00', REP, {
    LeadSource: 'Content Download',
    FormAt__c: isoAt('2026-11-23T14:00'),
    Email: 'f@x.com'
  });
  // G: touched Monday 10:30, downloads again Wednesday 09:00: cycle 1 is closed, so any rule
  // starts cycle 2
  lead('G', '2026-11-23T10:00', REP, {
    LeadSource: 'Content Download',
    FormAt__c: isoAt('2026-11-25T09:00'),
    Email: 'g@x.com'
  });
  // H: the same email as E (case and spaces ignored) five minutes later, while E is Pending:
  // a likely duplicate of E; it waits in the queue
  lead('H', '2026-11-23T10:05', QUEUE, { LeadSource: 'Content Download', Email: ' e@X.com' });
  // I: the same email as G, but G was touched at 10:30, before I arrived at 11:00: not a duplicate
  lead('I', '2026-11-23T11:00', REP, { LeadSource: 'Content Download', Email: 'G@X.COM' });
  if (withHistory) {
    const change = (leadId: string, when: string, field: string, from: string, to: string) =>
      assert.ok(
        builder.addFieldChange({ leadId, at: at(when), field, oldValue: from, newValue: to })
      );
    change(
      'E',
      '2026-11-24T11:00:30',
      'FormAt__c',
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-24T11:00')
    );
    change('E', '2026-11-24T11:00:30', 'LeadSource', 'Content Download', 'Demo Request');
    change(
      'F',
      '2026-11-23T14:00:20',
      'FormAt__c',
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-23T14:00')
    );
    change(
      'G',
      '2026-11-25T09:00:10',
      'FormAt__c',
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-25T09:00')
    );
    assert.equal(
      builder.addFieldChange({
        leadId: 'nobody',
        at: 0,
        field: 'FormAt__c',
        oldValue: '',
        newValue: ''
      }),
      false
    );
  }
  builder.addActivity(task('e0', 'E', '2026-11-23T09:30', 'Call')); // before any engagement
  builder.addActivity(task('e1', 'E', '2026-11-24T11:20', 'Call')); // E2: 20 min, due 11:15
  builder.addActivity(task('f1', 'F', '2026-11-23T15:00', 'Call')); // F1: 300 min, Hit
  builder.addActivity(task('g1', 'G', '2026-11-23T10:30', 'Call')); // G1: 30 min, Hit
  builder.addActivity(task('g2', 'G', '2026-11-24T12:00', 'Call')); // between G's cycles
  builder.addActivity(task('g3', 'G', '2026-11-25T10:00', 'Call')); // G2: 60 min, Hit
}

describe('AuditBuilder: engagement cycles and likely duplicates', () => {
  it('starts, ignores and judges cycles the way the package does', () => {
    const builder = cycleBuilder();
    addCycleLeads(builder, true);
    const rows: LeadResult[] = [];
    const report = builder.finish((c) => rows.push(c));
    const row = (id: string, n: number): LeadResult =>
      rows.find((r) => r.id === id && r.cycleNumber === n) as LeadResult;
    const pick = (r: LeadResult) => [
      r.engagementAt,
      r.assignedAt,
      r.firstTouchAt,
      r.leadType,
      r.slaStatus,
      r.closedReason,
      r.speedToLeadMinutes
    ];
    // E1: engaged Monday 10:00 (the field's value before its first change), assigned at creation,
    // judged as a Content Download (LeadSource as it was then), untouched when superseded
    assert.deepEqual(pick(row('E', 1)), [
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-23T10:00'),
      null,
      'Content Download',
      'Pending',
      'Superseded',
      null
    ]);
    // E2: Rita owns the lead, so it is assigned at the engagement (systems delay 0); the 09:30
    // call belongs to no cycle; called at 11:20, due 11:15: Missed by 5 business minutes
    assert.deepEqual(pick(row('E', 2)), [
      isoAt('2026-11-24T11:00'),
      isoAt('2026-11-24T11:00'),
      isoAt('2026-11-24T11:20'),
      'Demo Request',
      'Missed',
      null,
      20
    ]);
    assert.equal(row('E', 2).systemsDelayMinutes, 0);
    assert.equal(row('E', 2).slaMissedByMinutes, 5);
    assert.equal(row('E', 2).isCurrentCycle, true);
    assert.equal(row('E', 1).isCurrentCycle, false);
    // F: one cycle from Monday 10:00 (the 14:00 download did not qualify), touched at 15:00
    assert.equal(rows.filter((r) => r.id === 'F').length, 1);
    assert.deepEqual(pick(row('F', 1)).slice(0, 5), [
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-23T10:00'),
      isoAt('2026-11-23T15:00'),
      'Content Download',
      'Hit'
    ]);
    // G1 closed by its 10:30 touch; the Tuesday call falls between the cycles and is nobody's
    // first touch; G2 is touched Wednesday 10:00, 60 minutes after its engagement
    assert.equal(row('G', 1).closedReason, 'Touched');
    assert.equal(row('G', 1).speedToLeadMinutes, 30);
    assert.equal(row('G', 2).firstTouchAt, isoAt('2026-11-25T10:00'));
    assert.equal(row('G', 2).speedToLeadMinutes, 60);
    assert.equal(row('G', 2).slaStatus, 'Hit');
    // H is E's likely duplicate; I is not G's (G was already touched)
    assert.equal(row('H', 1).likelyDuplicateOf, 'E');
    assert.equal(row('I', 1).likelyDuplicateOf, null);
    assert.deepEqual(
      report.likelyDuplicates.leads.map((d) => [d.id, d.duplicateOf]),
      [['H', 'E']]
    );

    assert.equal(report.leads, 5);
    assert.equal(report.cycles, 7); // E 2, F 1, G 2, H 1, I 1
    assert.deepEqual(report.reEngagement, {
      historyAvailable: true,
      engagementField: 'FormAt__c',
      leadsReEngaged: 2,
      reEngagementCycles: 2,
      ignoredReEngagements: 1
    });
    // cycles: E1 superseded, E2 missed, F1 G1 G2 hit, H1 a duplicate (left out), I1 pending
    // (due Thursday 11:00, after asOf): hit rate 3 / (3 + 1)
    assert.deepEqual(report.sla, {
      hit: 3,
      missed: 1,
      pending: 1,
      excluded: 0,
      notApplicable: 0,
      superseded: 1,
      duplicates: 1,
      hitRate: 0.75
    });
    // speed to lead over the touched cycles: 20, 30, 60, 300 -> median 45, mean 102.5
    assert.equal(report.speedToLead.count, 4);
    assert.equal(report.speedToLead.median, 45);
    assert.equal(report.speedToLead.mean, 102.5);
    // sources count leads once, by LeadSource as it was at creation (E was a Content Download)
    assert.deepEqual(
      report.bySource.map((g) => [g.key, g.leads, g.cycles]),
      [['Content Download', 5, 5]]
    );
    assert.deepEqual(
      report.byLeadType.map((g) => [g.key, g.leads, g.cycles]),
      [
        ['Content Download', 5, 6],
        ['Demo Request', 1, 1]
      ]
    );
    assert.equal(report.units.sla, 'cycle');
    assert.equal(report.units.bySource, 'lead');
    // safety nets look at each lead's current cycle: I untouched for 49 h (Mon 11:00 to Wed
    // 12:00 = 2940 min); H untouched and in the queue since Mon 10:05 (2995 min)
    assert.deepEqual(
      report.safetyNets.untouchedOver24h.leads.map((l) => [l.id, l.minutes]),
      [
        ['H', 2995],
        ['I', 2940]
      ]
    );
    assert.equal(builder.warnings.length, 0, builder.warnings.join('; '));
  });

  it('treats each lead as one cycle, with one warning, when the field has no history', () => {
    const builder = cycleBuilder();
    addCycleLeads(builder, false);
    const report = builder.finish();
    assert.equal(report.cycles, 5);
    assert.equal(report.reEngagement.historyAvailable, false);
    const warned = builder.warnings.filter((w) => /no LeadHistory rows for the engagement/.test(w));
    assert.equal(warned.length, 1);
    // without history the engagement is the field's current value: E engaged Tuesday 11:00
    assert.equal(report.slowest.find((r) => r.id === 'E')?.engagementAt, isoAt('2026-11-24T11:00'));
  });

  it('moves the engagement back on a correction and starts nothing after a conversion', () => {
    const builder = cycleBuilder();
    // J: a demo request created Monday 10:00; five seconds later the form time is corrected to
    // 09:50 (earlier: the same cycle moves back); converted on Tuesday (2026-11-24, midnight
    // UTC), so Wednesday's form fill starts no cycle
    builder.addLead({
      id: 'J',
      createdAt: at('2026-11-23T10:00'),
      ownerId: REP,
      fields: {
        Id: 'J',
        Name: 'J',
        LeadSource: 'Demo Request',
        FormAt__c: isoAt('2026-11-25T09:00'),
        IsConverted: 'true',
        ConvertedDate: '2026-11-24'
      }
    });
    const write = (when: string, from: string, to: string): boolean =>
      builder.addFieldChange({
        leadId: 'J',
        at: at(when),
        field: 'FormAt__c',
        oldValue: isoAt(from),
        newValue: isoAt(to)
      });
    assert.ok(write('2026-11-23T10:00:05', '2026-11-23T10:00', '2026-11-23T09:50'));
    assert.ok(write('2026-11-25T09:00:10', '2026-11-23T09:50', '2026-11-25T09:00'));
    builder.addActivity(task('j1', 'J', '2026-11-23T10:02', 'Call'));
    const rows: LeadResult[] = [];
    const report = builder.finish((c) => rows.push(c));
    assert.equal(rows.length, 1);
    // engaged 09:50, assigned at creation 10:00 (systems 10), called 10:02 (speed 12), due 10:15
    assert.deepEqual(
      [rows[0].engagementAt, rows[0].systemsDelayMinutes, rows[0].speedToLeadMinutes],
      [isoAt('2026-11-23T09:50'), 10, 12]
    );
    assert.equal(rows[0].slaStatus, 'Hit');
    assert.equal(rows[0].converted, true);
    assert.equal(report.reEngagement.leadsReEngaged, 0);
  });

  it('refuses field history after the activities', () => {
    const builder = cycleBuilder();
    addCycleLeads(builder, false);
    assert.throws(
      () =>
        builder.addFieldChange({
          leadId: 'E',
          at: 0,
          field: 'FormAt__c',
          oldValue: '',
          newValue: ''
        }),
      /field history must be added before the activities/
    );
  });
});

describe('AuditBuilder: large inputs', () => {
  it('parses exported date-times digit by digit exactly as Date.parse reads them', () => {
    // the common shape takes a fast path; month ends, odd shapes and bad values take the general one
    const texts = [
      '2026-04-24T19:40:10.000Z',
      '2026-02-28T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z',
      '2024-02-29T12:00:00.500Z',
      '2026-12-31T23:59:59.999Z',
      '1999-01-01T00:00:00.000Z',
      '0999-06-15T10:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-10T24:00:00.000Z',
      '2026-01-10T23:60:00.000Z',
      '2026-01-10T23:59:60.000Z',
      '2026-01-1xT10:00:00.000Z',
      '2026-01-10T10:00:00.000+',
      ' 2026-01-10T10:00:00.000Z',
      '2026-01-10T10:00:00.000z'
    ];
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1990, 0, 1) + Math.floor(((i * 7919) % 2000) * 20.3e8 + i * 977);
      texts.push(new Date(ms).toISOString());
    }
    for (const text of texts) {
      const expected = Date.parse(text.trim());
      assert.equal(
        parseInstant(text),
        Number.isNaN(expected) || !/^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? null : expected,
        text
      );
    }
  });

  it('lists the same slowest cycles and flagged leads while streaming thousands of ties', () => {
    // 6000 leads in three speed classes (many ties), more than the builder holds before it trims
    // its candidates: the lists must equal a stable sort of every cycle
    const builder = new AuditBuilder({
      rules,
      users: [{ id: REP, name: 'Rita Rep', isActive: true }],
      queues: [],
      businessHours: [],
      asOf: Date.UTC(2026, 10, 30),
      slowestCount: 12
    });
    const start = Date.UTC(2026, 10, 2, 9);
    for (let i = 0; i < 6000; i++) {
      const id = `00Q${String(i).padStart(12, '0')}`;
      builder.addLead({
        id,
        createdAt: start + i * 1000,
        ownerId: REP,
        fields: { Id: id, Name: `Lead ${i}`, Rating: 'Hot' }
      });
    }
    for (let i = 0; i < 6000; i++) {
      if (i % 5 === 0) continue; // every fifth lead stays untouched (flagged after 24 h)
      const id = `00Q${String(i).padStart(12, '0')}`;
      const minutes = [5, 90, 90 + (i % 3)][i % 3];
      builder.addActivity({
        object: 'Task',
        id: `t${i}`,
        whoId: id,
        at: start + i * 1000 + minutes * 60_000,
        ownerId: REP,
        createdById: REP,
        fields: { TaskSubtype: 'Call' }
      });
    }
    const all: LeadResult[] = [];
    const report = builder.finish((c) => all.push(c));
    const expected = all
      .filter((r) => r.speedToLeadMinutes !== null)
      .sort((a, b) => (b.speedToLeadMinutes as number) - (a.speedToLeadMinutes as number))
      .slice(0, 12)
      .map((r) => r.id);
    assert.deepEqual(
      report.slowest.map((r) => r.id),
      expected
    );
    assert.equal(report.slowest[0].speedToLeadMinutes, 92);
    const untouched = all.filter((r) => r.firstTouchAt === null);
    assert.equal(report.safetyNets.untouchedOver24h.count, untouched.length);
    assert.equal(untouched.length, 1200);
    // the earliest leads have waited longest; among equal minutes the earlier lead comes first
    assert.deepEqual(
      report.safetyNets.untouchedOver24h.leads.map((l) => l.id),
      untouched.slice(0, 25).map((r) => r.id)
    );
    assert.equal(report.speedToLead.count, 4800);
    assert.equal(report.byLeadType[0].leads, 6000);
  });

  it('reads every day of every month (29-31 and leap days too) as Date.parse does', () => {
    // the digit-by-digit reader takes days 1-31 of any month: Date.parse rolls a day past the
    // month's end over into the next month, and so must the reader
    const pad = (v: number, w: number): string => String(v).padStart(w, '0');
    let checked = 0;
    for (const year of [1000, 1600, 1900, 1970, 2000, 2024, 2026, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '12:60:00.000']) {
            const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}Z`;
            const expected = Date.parse(text);
            assert.equal(parseInstant(text), Number.isNaN(expected) ? null : expected, text);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 9 * 14 * 33 * 4);
    assert.equal(parseInstant('2026-02-30T00:00:00.000Z'), Date.UTC(2026, 2, 2));
  });
});

describe('AuditBuilder: activities skipped before they are built', () => {
  it('says which activities could be a first touch, and the report is the same without the others', () => {
    const all = cycleBuilder();
    addCycleLeads(all, true);
    const allRows: LeadResult[] = [];
    const allReport = all.finish((c) => allRows.push(c));

    // the same leads and history; activities only when couldTouch says they may matter
    const filtered = cycleBuilder();
    const asked: [string, boolean | undefined][] = [];
    const original = filtered.addActivity.bind(filtered);
    filtered.addActivity = (a: ActivityInput): boolean => {
      const could = filtered.couldTouch(a.whoId, a.at);
      asked.push([a.id, could]);
      return could ? original(a) : could !== undefined;
    };
    addCycleLeads(filtered, true);
    assert.equal(filtered.couldTouch('nobody', at('2026-11-23T10:00')), undefined);
    const rows: LeadResult[] = [];
    const report = filtered.finish((c) => rows.push(c));
    assert.deepEqual(rows, allRows);
    assert.deepEqual(report, allReport);
    // e0 precedes every engagement of E; g2 falls after G1's touch (10:30) and before G's second
    // engagement, so it can be no first touch; the others are each the first after a start
    assert.deepEqual(asked, [
      ['e0', false],
      ['e1', true],
      ['f1', true],
      ['g1', true],
      ['g2', false],
      ['g3', true]
    ]);
  });

  it('takes the engagement time given beside the fields as if it were one of them', () => {
    const inFields = cycleBuilder();
    addCycleLeads(inFields, true);
    const beside = cycleBuilder();
    const addLead = beside.addLead.bind(beside);
    beside.addLead = (lead) => {
      const { FormAt__c: engagement, ...fields } = lead.fields;
      addLead({ ...lead, fields, engagementValue: engagement ?? '' });
    };
    addCycleLeads(beside, true);
    const a: LeadResult[] = [];
    const b: LeadResult[] = [];
    inFields.finish((c) => a.push(c));
    beside.finish((c) => b.push(c));
    assert.deepEqual(
      b.map((r) => [r.id, r.cycleNumber, r.engagementAt, r.engagementSource, r.slaStatus]),
      a.map((r) => [r.id, r.cycleNumber, r.engagementAt, r.engagementSource, r.slaStatus])
    );
    assert.ok(b.some((r) => r.engagementSource === 'FormAt__c'));
  });
});
