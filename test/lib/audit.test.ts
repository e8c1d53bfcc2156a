// The audit engine on four hand-built leads, with every expected value derived in the comments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { AuditBuilder, type ActivityInput } from '../../scripts/lib/audit.ts';
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
