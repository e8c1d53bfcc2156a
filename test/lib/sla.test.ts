// SLA evaluation: criteria operators, rule priority, and the outcome with hand-derived times.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { BusinessCalendar, weekdayHours } from '../../scripts/lib/business-time.ts';
import {
  activeSlaRules,
  activeTouchRules,
  CriteriaError,
  criteriaTest,
  evaluateSla,
  firstMatch,
  matchesCriteria,
  matchSlaRule,
  matchTouchRule,
  parseCriteria,
  type SlaRule,
  type TouchRule
} from '../../scripts/lib/sla.ts';

const NY = 'America/New_York';
const at = (s: string): number => DateTime.fromISO(s, { zone: NY }).toMillis();
const cal = new BusinessCalendar(weekdayHours(NY, '09:00', '17:00'));

const rule = (name: string, priority: number, criteria: string, threshold: number): SlaRule => ({
  developerName: name,
  leadType: name,
  priority,
  criteria: parseCriteria(criteria, name),
  thresholdMinutes: threshold,
  isHandRaiser: false,
  warningPercent: 0,
  isActive: true
});

describe('criteria', () => {
  const lead = {
    LeadSource: 'Demo Request',
    Rating: 'hot',
    AnnualRevenue: '5000000',
    Email: 'x@Example.com',
    Industry: ''
  };
  const holds = (json: string): boolean => matchesCriteria(lead, parseCriteria(json, 'test'));

  it('evaluates every operator, ignoring case for text', () => {
    assert.equal(holds('[{"field":"Rating","operator":"equals","value":"Hot"}]'), true);
    assert.equal(holds('[{"field":"rating","operator":"notEquals","value":"HOT"}]'), false);
    assert.equal(
      holds('[{"field":"LeadSource","operator":"in","values":["Web","demo request"]}]'),
      true
    );
    assert.equal(holds('[{"field":"LeadSource","operator":"notIn","values":["Web"]}]'), true);
    assert.equal(holds('[{"field":"Email","operator":"contains","value":"@example.com"}]'), true);
    assert.equal(holds('[{"field":"LeadSource","operator":"startsWith","value":"demo"}]'), true);
    assert.equal(holds('[{"field":"Industry","operator":"isBlank"}]'), true);
    assert.equal(holds('[{"field":"Missing","operator":"isNotBlank"}]'), false);
    assert.equal(
      holds('[{"field":"AnnualRevenue","operator":"greaterThan","value":1000000}]'),
      true
    );
    assert.equal(
      holds('[{"field":"AnnualRevenue","operator":"lessThan","value":"900000"}]'),
      false
    );
    assert.equal(holds('[]'), true, 'an empty array matches all');
    assert.equal(
      holds(
        '[{"field":"Rating","operator":"equals","value":"Hot"},{"field":"LeadSource","operator":"equals","value":"Web"}]'
      ),
      false,
      'all conditions must hold'
    );
  });

  it('rejects malformed criteria, saying where', () => {
    assert.throws(
      () => parseCriteria('{"field":"x"}', 'SlaRule Hot'),
      /SlaRule Hot: criteria must be a JSON array/
    );
    assert.throws(
      () => parseCriteria('[{"field":"x","operator":"like","value":1}]', 'R'),
      /R: condition 1: unknown operator "like"/
    );
    assert.throws(
      () => parseCriteria('[{"field":"x","operator":"in","value":1}]', 'R'),
      /needs a "values" array/
    );
    assert.throws(() => parseCriteria('[{"operator":"isBlank"}]', 'R'), CriteriaError);
    assert.throws(() => parseCriteria('[{', 'R'), /R: criteria is not valid JSON/);
  });
});

describe('rule matching', () => {
  const rules = [
    rule('Warm', 40, '[{"field":"Rating","operator":"equals","value":"Warm"}]', 240),
    rule(
      'DemoRequest',
      10,
      '[{"field":"LeadSource","operator":"equals","value":"Demo Request"}]',
      5
    ),
    rule('Hot', 30, '[{"field":"Rating","operator":"equals","value":"Hot"}]', 30),
    { ...rule('Everything', 1, '[]', 1), isActive: false }
  ];

  it('takes the lowest priority number among active rules that match', () => {
    assert.equal(
      matchSlaRule({ LeadSource: 'Demo Request', Rating: 'Hot' }, rules)?.developerName,
      'DemoRequest'
    );
    assert.equal(matchSlaRule({ LeadSource: 'Web', Rating: 'Hot' }, rules)?.developerName, 'Hot');
    assert.equal(matchSlaRule({ LeadSource: 'Web', Rating: 'Cold' }, rules), undefined);
  });

  it('matches touch rules per activity object', () => {
    const touch: TouchRule[] = [
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
      },
      {
        developerName: 'Meeting',
        activityObject: 'Event',
        touchType: 'Meeting',
        criteria: [],
        priority: 40,
        isActive: true
      }
    ];
    assert.equal(matchTouchRule('Task', { TaskSubtype: 'Call' }, touch)?.touchType, 'Call');
    assert.equal(matchTouchRule('Task', { TaskSubtype: 'ListEmail' }, touch), undefined);
    assert.equal(matchTouchRule('Event', {}, touch)?.touchType, 'Meeting');
  });
});

describe('evaluateSla', () => {
  const hot = rule('Hot', 30, '[]', 30);
  const base = { rule: hot, calendar: cal, asOf: at('2026-11-30T12:00') };

  it('is Not Applicable without a rule', () => {
    const o = evaluateSla({
      ...base,
      rule: null,
      assignedAt: at('2026-11-23T10:00'),
      firstTouchAt: null
    });
    assert.equal(o.status, 'Not Applicable');
    assert.equal(o.dueAt, null);
  });

  it('starts the clock at the next opening and judges a touch at due as a Hit', () => {
    // assigned Friday 16:50 -> 10 min Friday + 20 min Monday: due Monday 09:20
    const assigned = at('2026-11-20T16:50');
    const o = evaluateSla({ ...base, assignedAt: assigned, firstTouchAt: at('2026-11-23T09:20') });
    assert.equal(o.status, 'Hit');
    assert.equal(o.dueAt, at('2026-11-23T09:20'));
    const sat = evaluateSla({ ...base, assignedAt: at('2026-11-21T10:00'), firstTouchAt: null });
    assert.equal(
      sat.clockStartAt,
      at('2026-11-23T09:00'),
      'assigned Saturday: the clock starts Monday 09:00'
    );
  });

  it('keeps a late touch Missed and records missed-by in business minutes', () => {
    // due Monday 09:20; touched Monday 11:05 -> 105 business minutes late
    const o = evaluateSla({
      ...base,
      assignedAt: at('2026-11-20T16:50'),
      firstTouchAt: at('2026-11-23T11:05')
    });
    assert.equal(o.status, 'Missed');
    assert.equal(o.missedByMinutes, 105);
  });

  it('is Pending before due and Missed after due while untouched', () => {
    const assigned = at('2026-11-23T10:00'); // due 10:30
    assert.equal(
      evaluateSla({
        ...base,
        assignedAt: assigned,
        firstTouchAt: null,
        asOf: at('2026-11-23T10:29')
      }).status,
      'Pending'
    );
    const missed = evaluateSla({
      ...base,
      assignedAt: assigned,
      firstTouchAt: null,
      asOf: at('2026-11-23T18:00')
    });
    assert.equal(missed.status, 'Missed');
    assert.equal(missed.missedByMinutes, 390, '10:30 to 17:00 in business time');
    assert.equal(
      evaluateSla({ ...base, assignedAt: null, firstTouchAt: null }).status,
      'Pending',
      'not assigned yet'
    );
  });

  it('is Excluded when disqualified or converted before due, untouched', () => {
    const assigned = at('2026-11-23T10:00');
    const dq = evaluateSla({
      ...base,
      assignedAt: assigned,
      firstTouchAt: null,
      excludedReason: 'Disqualified'
    });
    assert.deepEqual([dq.status, dq.excludedReason], ['Excluded', 'Disqualified']);
    const conv = evaluateSla({
      ...base,
      assignedAt: assigned,
      firstTouchAt: null,
      convertedAt: at('2026-11-23T10:10')
    });
    assert.deepEqual([conv.status, conv.excludedReason], ['Excluded', 'Converted']);
    const late = evaluateSla({
      ...base,
      assignedAt: assigned,
      firstTouchAt: null,
      convertedAt: at('2026-11-23T11:00')
    });
    assert.equal(late.status, 'Missed', 'converted after due, never touched');
  });
});

describe('rules sorted once', () => {
  it('matches what matchSlaRule and matchTouchRule find lead by lead', () => {
    const rules: SlaRule[] = [
      rule('Warm', 40, '[{"field":"Rating","operator":"equals","value":"Warm"}]', 240),
      rule('Demo', 10, '[{"field":"LeadSource","operator":"equals","value":"Demo"}]', 5),
      { ...rule('Off', 1, '[]', 1), isActive: false },
      rule('Any', 90, '[]', 1440),
      rule('Alpha', 40, '[{"field":"Rating","operator":"in","values":["Warm","Hot"]}]', 60)
    ];
    const sorted = activeSlaRules(rules);
    assert.deepEqual(
      sorted.map((r) => r.developerName),
      ['Demo', 'Alpha', 'Warm', 'Any'],
      'active rules by priority, then name'
    );
    const leads = [
      { Rating: 'Warm', LeadSource: 'Demo' },
      { Rating: 'Warm' },
      { rating: 'hot' },
      { Rating: 'Cold' },
      {}
    ];
    for (const lead of leads) {
      assert.equal(firstMatch(lead, sorted), matchSlaRule(lead, rules), JSON.stringify(lead));
    }
    assert.equal(firstMatch({ Rating: 'Warm' }, sorted)?.developerName, 'Alpha');
    const touch = (name: string, object: TouchRule['activityObject'], p: number): TouchRule => ({
      developerName: name,
      activityObject: object,
      touchType: name,
      criteria: parseCriteria('[{"field":"Type","operator":"isNotBlank"}]', name),
      priority: p,
      isActive: true
    });
    const touchRules = [
      touch('Late', 'Task', 20),
      touch('Meet', 'Event', 5),
      touch('Early', 'Task', 10)
    ];
    const tasks = activeTouchRules('Task', touchRules);
    assert.deepEqual(
      tasks.map((r) => r.developerName),
      ['Early', 'Late']
    );
    for (const activity of [{ Type: 'Call' }, { Type: '' }]) {
      assert.equal(firstMatch(activity, tasks), matchTouchRule('Task', activity, touchRules));
    }
  });
});

describe('criteriaTest', () => {
  it('answers as matchesCriteria for every operator, value shape and record', () => {
    const values = [
      '',
      '  ',
      'Hot',
      'hot ',
      'Warm',
      '10',
      '10.0',
      ' 9.5',
      '2026-11-23',
      'Demo Request'
    ];
    const conditions = parseCriteria(
      JSON.stringify([
        { field: 'Rating', operator: 'equals', value: 'HOT' },
        { field: 'rating', operator: 'notEquals', value: '' },
        { field: 'Score', operator: 'equals', value: 10 },
        { field: 'Score', operator: 'in', values: ['9.5', 10, ''] },
        { field: 'Score', operator: 'notIn', values: ['hot'] },
        { field: 'LeadSource', operator: 'contains', value: 'REQ' },
        { field: 'LeadSource', operator: 'startsWith', value: 'demo' },
        { field: 'Rating', operator: 'isBlank' },
        { field: 'Rating', operator: 'isNotBlank' },
        { field: 'Score', operator: 'greaterThan', value: 9.75 },
        { field: 'Day', operator: 'lessThan', value: '2026-12-01' },
        { field: 'Missing', operator: 'equals', value: '' }
      ]),
      'test'
    );
    let records = 0;
    for (const rating of values) {
      for (const score of values) {
        for (const source of values) {
          const record = { Rating: rating, Score: score, LeadSource: source, Day: score };
          records++;
          for (const c of conditions) {
            assert.equal(
              criteriaTest([c])(record),
              matchesCriteria(record, [c]),
              `${c.operator} ${JSON.stringify(record)}`
            );
          }
          // lists of conditions: all must hold; the empty list matches everything
          assert.equal(
            criteriaTest(conditions.slice(0, 3))(record),
            matchesCriteria(record, conditions.slice(0, 3))
          );
          assert.equal(criteriaTest([])(record), true);
        }
      }
    }
    assert.equal(records, 1000);
  });

  it('throws the same error as matchesCriteria for a comparison without a value', () => {
    const criteria = [{ field: 'Score', operator: 'greaterThan' as const, value: '' }];
    assert.throws(() => matchesCriteria({ Score: '5' }, criteria), /a value is needed to compare/);
    assert.throws(() => criteriaTest(criteria)({ Score: '5' }), /a value is needed to compare/);
  });
});
