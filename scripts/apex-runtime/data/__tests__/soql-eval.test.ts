import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApexDate, ApexDatetime, ApexList, ApexSet, Decimal, SObjectValue } from '../../values.ts';
import { SoqlError } from '../errors.ts';
import { parseSoql } from '../soql/parser.ts';
import type { Store } from '../store.ts';
import { ctx, insert, newStore, query, records, rows } from './helpers.ts';

const at = (iso: string) => new ApexDatetime(Date.parse(iso));

function leads(store: Store): SObjectValue[] {
  return insert(store, 'Lead', [
    {
      LastName: 'Adams',
      Company: 'Acme',
      Rating: 'Hot',
      LeadSource: 'Web',
      AnnualRevenue: new Decimal(100)
    },
    {
      LastName: 'baker',
      Company: 'Beta',
      Rating: 'Cold',
      LeadSource: 'Web',
      AnnualRevenue: new Decimal(300)
    },
    { LastName: 'Clark', Company: 'Acme', Rating: null, LeadSource: 'Other', AnnualRevenue: null },
    {
      LastName: 'Davis',
      Company: 'Delta',
      Rating: 'Warm',
      LeadSource: null,
      AnnualRevenue: new Decimal(50)
    }
  ]);
}

const names = (rs: SObjectValue[]) => rs.map((r) => r.get('LastName'));

function soqlError(fn: () => unknown, message: RegExp, line?: number): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof SoqlError, `expected SoqlError, got ${e.name}: ${e.message}`);
    assert.match(e.platformMessage, message);
    assert.equal(e.exceptionType, 'System.QueryException');
    if (line !== undefined) assert.equal(e.line, line);
    return true;
  });
}

describe('WHERE', () => {
  it('compares text case-insensitively and treats != as matching nulls', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE LastName = 'BAKER'"))),
      ['baker']
    );
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE Rating != 'Hot'"))),
      ['baker', 'Clark', 'Davis']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Rating = null'))),
      ['Clark']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Rating != null'))).length,
      3
    );
  });
  it('never matches null with < or >', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE AnnualRevenue < 200'))),
      ['Adams', 'Davis']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE AnnualRevenue >= 100'))),
      ['Adams', 'baker']
    );
  });
  it('supports AND, OR, NOT and parentheses', () => {
    const store = newStore();
    leads(store);
    const r = records(
      query(
        store,
        "SELECT LastName FROM Lead WHERE (Company = 'Acme' OR Rating = 'Cold') AND NOT LastName = 'Clark'"
      )
    );
    assert.deepEqual(names(r), ['Adams', 'baker']);
  });
  it('matches LIKE with % and _ case-insensitively, with escapes', () => {
    const store = newStore();
    leads(store);
    insert(store, 'Lead', [
      { LastName: '50% off', Company: 'x' },
      { LastName: '500 off', Company: 'x' }
    ]);
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE LastName LIKE 'b%'"))),
      ['baker']
    );
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE LastName LIKE '_avis'"))),
      ['Davis']
    );
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE LastName LIKE '50\\%%'"))),
      ['50% off']
    );
  });
  it('binds lists, sets and single values; = :list works as IN', () => {
    const store = newStore();
    const [a, b] = leads(store);
    const ids = new ApexList('Id', [a!.get('Id'), (b!.get('Id') as string).slice(0, 15)]);
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Id IN :ids', [ids]))),
      ['Adams', 'baker']
    );
    const set = new ApexSet('String');
    set.add('Acme');
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Company NOT IN :s', [set]))),
      ['baker', 'Davis']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Id = :ids', [ids]))),
      ['Adams', 'baker']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead WHERE Id = :lead', [a]))),
      ['Adams'],
      'an SObject binds its Id'
    );
    assert.deepEqual(
      names(records(query(store, "SELECT LastName FROM Lead WHERE Rating IN ('Hot', 'Warm')"))),
      ['Adams', 'Davis']
    );
  });
  it('mixes binds and literals inside an IN list', () => {
    const store = newStore();
    leads(store);
    const r = records(
      query(store, "SELECT LastName FROM Lead WHERE Rating IN (:a, :b, 'Warm') ORDER BY LastName", [
        'Hot',
        null
      ])
    );
    assert.deepEqual(names(r), ['Adams', 'Clark', 'Davis'], 'a null bind matches the empty rating');
  });
  it('accepts 15-character Id literals and refuses malformed ones', () => {
    const store = newStore();
    const [a] = leads(store);
    const id15 = (a!.get('Id') as string).slice(0, 15);
    assert.equal(records(query(store, `SELECT Id FROM Lead WHERE Id = '${id15}'`)).length, 1);
    soqlError(
      () => query(store, "SELECT Id FROM Lead WHERE Id = 'nope'"),
      /invalid ID field: nope/
    );
  });
  it('checks literal types against the field', () => {
    const store = newStore();
    soqlError(
      () => query(store, "SELECT Id FROM Lead WHERE AnnualRevenue = '5'"),
      /must be of type double/
    );
    soqlError(
      () => query(store, "SELECT Id FROM Lead WHERE CreatedDate = '2026-01-01'"),
      /must be of type dateTime/
    );
    soqlError(
      () => query(store, 'SELECT Id FROM Lead WHERE LastName = TODAY'),
      /must be of type string/
    );
    soqlError(
      () => query(store, 'SELECT Id FROM Lead WHERE Id IN :x', ['single']),
      /IN needs a list or set bind/
    );
  });
  it('matches multi-select picklists with INCLUDES and EXCLUDES', () => {
    const store = newStore();
    insert(store, 'Widget__c', [
      { Code__c: 'A', Channels__c: 'Bell;Email' },
      { Code__c: 'B', Channels__c: 'Slack' },
      { Code__c: 'C', Channels__c: null }
    ]);
    const codes = (text: string) => records(query(store, text)).map((r) => r.get('Code__c'));
    assert.deepEqual(codes("SELECT Code__c FROM Widget__c WHERE Channels__c INCLUDES ('Email')"), [
      'A'
    ]);
    assert.deepEqual(
      codes("SELECT Code__c FROM Widget__c WHERE Channels__c INCLUDES ('Bell;Slack', 'Slack')"),
      ['B']
    );
    assert.deepEqual(codes("SELECT Code__c FROM Widget__c WHERE Channels__c EXCLUDES ('Bell')"), [
      'B',
      'C'
    ]);
    assert.deepEqual(
      codes("SELECT Code__c FROM Widget__c WHERE Channels__c = 'Email;Bell'"),
      ['A'],
      '= ignores order'
    );
  });
});

describe('unknown names', () => {
  it('names the object, the field and the line', () => {
    const store = newStore();
    soqlError(
      () => store.query(parseSoql('SELECT Id,\n  NotAField__c\nFROM Lead', 30), () => null, ctx()),
      /No such column 'NotAField__c' on entity 'Lead'/,
      31
    );
    soqlError(() => query(store, 'SELECT Id FROM Leed'), /sObject type 'Leed' is not supported/);
    soqlError(
      () => query(store, 'SELECT Id FROM Lead WHERE Foo__r.Name = null'),
      /Didn't understand relationship 'Foo__r'/
    );
    soqlError(
      () => query(store, 'SELECT Id, (SELECT Id FROM Gadgets) FROM Lead'),
      /Didn't understand relationship 'Gadgets' in FROM part/
    );
  });
  it('refuses querying platform events, formula fields and unsupported field types', () => {
    const store = newStore();
    assert.throws(
      () => query(store, 'SELECT Spot__c FROM Gadget__c'),
      (e: Error) => e.name === 'NotSupportedLocally' && /Location/.test(e.message)
    );
    soqlError(() => query(store, 'SELECT Id FROM Alert__e'), /does not support query/);
    assert.throws(
      () => query(store, 'SELECT Doubled__c FROM Widget__c'),
      (e: Error) => e.name === 'NotSupportedLocally' && /Doubled__c/.test(e.message)
    );
  });
});

describe('ORDER BY, LIMIT, OFFSET', () => {
  it('puts nulls first by default in both directions (the ORDER BY page)', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead ORDER BY AnnualRevenue'))),
      ['Clark', 'Davis', 'Adams', 'baker']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead ORDER BY AnnualRevenue DESC'))),
      ['Clark', 'baker', 'Adams', 'Davis']
    );
    assert.deepEqual(
      names(
        records(query(store, 'SELECT LastName FROM Lead ORDER BY AnnualRevenue ASC NULLS LAST'))
      ),
      ['Davis', 'Adams', 'baker', 'Clark']
    );
    assert.deepEqual(
      names(
        records(query(store, 'SELECT LastName FROM Lead ORDER BY AnnualRevenue DESC NULLS LAST'))
      ),
      ['baker', 'Adams', 'Davis', 'Clark']
    );
  });
  it('sorts text case-insensitively, picklists by value order, and by several keys', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(names(records(query(store, 'SELECT LastName FROM Lead ORDER BY LastName'))), [
      'Adams',
      'baker',
      'Clark',
      'Davis'
    ]);
    // Rating values are Hot, Warm, Cold in that order.
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead ORDER BY Rating NULLS LAST'))),
      ['Adams', 'Davis', 'baker', 'Clark']
    );
    assert.deepEqual(
      names(
        records(query(store, 'SELECT LastName FROM Lead ORDER BY Company DESC, LastName DESC'))
      ),
      ['Davis', 'baker', 'Clark', 'Adams']
    );
  });
  it('applies OFFSET then LIMIT, from literals or binds', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1'))),
      ['baker', 'Clark']
    );
    assert.deepEqual(
      names(records(query(store, 'SELECT LastName FROM Lead ORDER BY LastName LIMIT :n', [1]))),
      ['Adams']
    );
    soqlError(
      () => query(store, 'SELECT Id FROM Lead OFFSET 2001'),
      /Maximum SOQL offset allowed is 2000/
    );
    soqlError(() => query(store, 'SELECT Id FROM Lead ORDER BY Description'), /can not be sorted/);
  });
});

describe('COUNT() and aggregates', () => {
  it('returns an Integer count for COUNT()', () => {
    const store = newStore();
    leads(store);
    assert.deepEqual(query(store, "SELECT COUNT() FROM Lead WHERE Company = 'Acme'"), {
      kind: 'count',
      count: 2
    });
    assert.deepEqual(query(store, 'SELECT COUNT() FROM Lead LIMIT 3'), { kind: 'count', count: 3 });
  });
  it('groups with default expr aliases and explicit aliases', () => {
    const store = newStore();
    leads(store);
    const r = rows(
      query(
        store,
        'SELECT Company, COUNT(Id), SUM(AnnualRevenue) total, MAX(LastName) FROM Lead GROUP BY Company ORDER BY Company'
      )
    );
    assert.deepEqual(
      r.map((x) => [x.get('Company'), x.get('expr0'), String(x.get('total')), x.get('expr1')]),
      [
        ['Acme', 2, '100', 'Clark'],
        ['Beta', 1, '300', 'baker'],
        ['Delta', 1, '50', 'Davis']
      ]
    );
    assert.equal(r[0]!.sobjectType, 'AggregateResult');
  });
  it('filters groups with HAVING and orders by an aggregate', () => {
    const store = newStore();
    leads(store);
    const r = rows(
      query(
        store,
        'SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 1'
      )
    );
    assert.deepEqual(
      r.map((x) => [x.get('LeadSource'), x.get('n')]),
      [['Web', 2]]
    );
    const ordered = rows(
      query(
        store,
        'SELECT Company, SUM(AnnualRevenue) s FROM Lead GROUP BY Company ORDER BY SUM(AnnualRevenue) DESC NULLS LAST'
      )
    );
    assert.deepEqual(
      ordered.map((x) => x.get('Company')),
      ['Beta', 'Acme', 'Delta']
    );
  });
  it('accepts aliases on grouped fields only', () => {
    const store = newStore();
    leads(store);
    const r = rows(
      query(store, 'SELECT Company co, COUNT(Id) n FROM Lead GROUP BY Company ORDER BY Company')
    );
    assert.deepEqual(
      r.map((x) => [x.get('co'), x.get('n')]),
      [
        ['Acme', 2],
        ['Beta', 1],
        ['Delta', 1]
      ]
    );
    soqlError(() => query(store, 'SELECT LastName ln FROM Lead'), /unexpected token: 'ln'/);
  });
  it('returns one row with COUNT 0 and null SUM over no rows', () => {
    const store = newStore();
    const r = rows(
      query(store, 'SELECT COUNT(Id), SUM(AnnualRevenue), AVG(AnnualRevenue) FROM Lead')
    );
    assert.equal(r.length, 1);
    assert.equal(r[0]!.get('expr0'), 0);
    assert.equal(r[0]!.get('expr1'), null);
    assert.equal(r[0]!.get('expr2'), null);
  });
  it('averages as Decimal, counts distinct values and refuses ungrouped fields', () => {
    const store = newStore();
    leads(store);
    const r = rows(
      query(store, 'SELECT AVG(AnnualRevenue) a, COUNT_DISTINCT(Company) c FROM Lead')
    );
    assert.equal((r[0]!.get('a') as Decimal).toString(), '150');
    assert.equal(r[0]!.get('c'), 3);
    soqlError(
      () => query(store, 'SELECT Company, LastName, COUNT(Id) FROM Lead GROUP BY Company'),
      /Field must be grouped or aggregated: LastName/
    );
  });
  it('groups by a date function', () => {
    const store = newStore();
    insert(store, 'Lead', [{ LastName: 'a', Company: 'x' }], at('2025-03-01T12:00:00Z'));
    insert(
      store,
      'Lead',
      [
        { LastName: 'b', Company: 'x' },
        { LastName: 'c', Company: 'x' }
      ],
      at('2026-03-01T12:00:00Z')
    );
    const r = rows(
      query(
        store,
        'SELECT CALENDAR_YEAR(CreatedDate) y, COUNT(Id) n FROM Lead GROUP BY CALENDAR_YEAR(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate)'
      )
    );
    assert.deepEqual(
      r.map((x) => [x.get('y'), x.get('n')]),
      [
        [2025, 1],
        [2026, 2]
      ]
    );
  });
});

describe('date literals and functions in the user time zone', () => {
  // NOW is Friday 2026-11-20 10:00 in Los Angeles (18:00Z).
  function dated(store: Store): void {
    insert(
      store,
      'Lead',
      [{ LastName: 'lateYesterdayLA', Company: 'x' }],
      at('2026-11-20T07:30:00Z')
    ); // Nov 19 23:30 LA
    insert(store, 'Lead', [{ LastName: 'earlyTodayLA', Company: 'x' }], at('2026-11-20T08:30:00Z')); // Nov 20 00:30 LA
    insert(store, 'Lead', [{ LastName: 'sundayLA', Company: 'x' }], at('2026-11-15T09:00:00Z')); // Sun Nov 15 01:00 LA
    insert(store, 'Lead', [{ LastName: 'saturdayLA', Company: 'x' }], at('2026-11-15T07:00:00Z')); // Sat Nov 14 23:00 LA
    insert(store, 'Lead', [{ LastName: 'lastMonth', Company: 'x' }], at('2026-10-31T12:00:00Z'));
  }
  const q = (store: Store, where: string, zone = 'America/Los_Angeles') =>
    names(
      records(
        query(
          store,
          `SELECT LastName FROM Lead WHERE ${where} ORDER BY CreatedDate`,
          [],
          ctx({ userTimeZone: zone })
        )
      )
    );

  it('TODAY and YESTERDAY are the user days', () => {
    const store = newStore();
    dated(store);
    assert.deepEqual(q(store, 'CreatedDate = TODAY'), ['earlyTodayLA']);
    assert.deepEqual(q(store, 'CreatedDate = YESTERDAY'), ['lateYesterdayLA']);
    // In GMT both of those fall on Nov 20.
    assert.deepEqual(q(store, 'CreatedDate = TODAY', 'GMT'), ['lateYesterdayLA', 'earlyTodayLA']);
  });
  it('weeks start on Sunday; < and > compare with the range ends', () => {
    const store = newStore();
    dated(store);
    assert.deepEqual(q(store, 'CreatedDate = THIS_WEEK'), [
      'sundayLA',
      'lateYesterdayLA',
      'earlyTodayLA'
    ]);
    assert.deepEqual(q(store, 'CreatedDate < THIS_WEEK'), ['lastMonth', 'saturdayLA']);
    assert.deepEqual(q(store, 'CreatedDate = LAST_MONTH'), ['lastMonth']);
    assert.deepEqual(q(store, 'CreatedDate > YESTERDAY'), ['earlyTodayLA']);
    assert.deepEqual(q(store, 'CreatedDate != TODAY').length, 4);
  });
  it('LAST_N_DAYS:n covers today and the n days before', () => {
    const store = newStore();
    dated(store);
    assert.deepEqual(q(store, 'CreatedDate = LAST_N_DAYS:1'), ['lateYesterdayLA', 'earlyTodayLA']);
    assert.deepEqual(q(store, 'CreatedDate = LAST_N_DAYS:5'), [
      'sundayLA',
      'lateYesterdayLA',
      'earlyTodayLA'
    ]);
    assert.deepEqual(q(store, 'CreatedDate = N_DAYS_AGO:6'), ['saturdayLA']);
  });
  it('compares Date fields by day', () => {
    const store = newStore();
    insert(store, 'Widget__c', [
      { Code__c: 'A', Day__c: new ApexDate(2026, 11, 20) },
      { Code__c: 'B', Day__c: new ApexDate(2026, 11, 21) },
      { Code__c: 'C', Day__c: new ApexDate(2026, 12, 1) }
    ]);
    const codes = (where: string) =>
      records(query(store, `SELECT Code__c FROM Widget__c WHERE ${where}`)).map((r) =>
        r.get('Code__c')
      );
    assert.deepEqual(codes('Day__c = TODAY'), ['A']);
    assert.deepEqual(codes('Day__c = NEXT_N_DAYS:1'), ['B']);
    assert.deepEqual(codes('Day__c = NEXT_MONTH'), ['C']);
    assert.deepEqual(codes('Day__c > 2026-11-20'), ['B', 'C']);
    assert.deepEqual(codes('Day__c = :d'), [], 'no bind given is null');
  });
  it('evaluates date functions in GMT unless convertTimezone() is used', () => {
    const store = newStore();
    dated(store);
    assert.deepEqual(q(store, 'HOUR_IN_DAY(CreatedDate) = 7'), ['saturdayLA', 'lateYesterdayLA']);
    assert.deepEqual(q(store, 'HOUR_IN_DAY(convertTimezone(CreatedDate)) = 23'), [
      'saturdayLA',
      'lateYesterdayLA'
    ]);
    assert.deepEqual(q(store, 'DAY_IN_WEEK(convertTimezone(CreatedDate)) = 1'), ['sundayLA']);
    assert.deepEqual(q(store, 'DAY_ONLY(convertTimezone(CreatedDate)) = 2026-11-19'), [
      'lateYesterdayLA'
    ]);
  });
});

describe('relationships', () => {
  it('reads parent fields along lookup paths into parent SObjects', () => {
    const store = newStore();
    const [a] = leads(store);
    insert(store, 'Widget__c', [{ Code__c: 'A', Lead__c: a!.get('Id') }, { Code__c: 'B' }]);
    const r = records(
      query(
        store,
        'SELECT Code__c, Lead__r.Company, Lead__r.Owner.Name FROM Widget__c ORDER BY Code__c'
      )
    );
    const lead = r[0]!.getSObject('Lead__r')!;
    assert.equal(lead.get('Company'), 'Acme');
    assert.equal(lead.get('Id'), a!.get('Id'));
    assert.equal(lead.getSObject('Owner')!.get('Name'), 'Ada Admin');
    assert.equal(r[1]!.getSObject('Lead__r'), null, 'a null lookup gives a null parent');
    const filtered = records(
      query(store, "SELECT Code__c FROM Widget__c WHERE Lead__r.Company = 'Acme'")
    );
    assert.deepEqual(
      filtered.map((x) => x.get('Code__c')),
      ['A']
    );
  });
  it('reads a queue owner as a Name record of Type Queue', () => {
    const store = newStore();
    const [queue] = insert(store, 'Group', [{ Name: 'Inbound', Type: 'Queue' }]);
    insert(store, 'Lead', [{ LastName: 'Queued', Company: 'x', OwnerId: queue!.get('Id') }]);
    const [r] = records(query(store, 'SELECT Owner.Name, Owner.Type FROM Lead'));
    const owner = r!.getSObject('Owner')!;
    assert.equal(owner.sobjectType, 'Name');
    assert.equal(owner.get('Name'), 'Inbound');
    assert.equal(owner.get('Type'), 'Queue');
  });
  it('allows only Name fields through the polymorphic Owner', () => {
    const store = newStore();
    leads(store);
    const r = records(
      query(
        store,
        "SELECT Owner.Name, Owner.Type, Owner.Email FROM Lead WHERE Owner.Type = 'User' LIMIT 1"
      )
    );
    assert.equal(r[0]!.getSObject('Owner')!.get('Name'), 'Ada Admin');
    assert.equal(r[0]!.getSObject('Owner')!.get('Type'), 'User');
    soqlError(
      () => query(store, 'SELECT Owner.Department FROM Lead'),
      /No such column 'Department' on entity 'Name'/
    );
  });
  it('returns child subqueries as lists, filtered, ordered and limited per parent', () => {
    const store = newStore();
    const [a, b] = leads(store);
    insert(store, 'Widget__c', [
      { Code__c: 'A1', Lead__c: a!.get('Id'), Size__c: new Decimal(1) },
      { Code__c: 'A2', Lead__c: a!.get('Id'), Size__c: new Decimal(2) },
      { Code__c: 'A3', Lead__c: a!.get('Id'), Size__c: new Decimal(3) },
      { Code__c: 'B1', Lead__c: b!.get('Id'), Size__c: new Decimal(9) }
    ]);
    const r = records(
      query(
        store,
        "SELECT LastName, (SELECT Code__c FROM Widgets__r WHERE Size__c > 1 ORDER BY Size__c DESC LIMIT 1) FROM Lead WHERE Company != 'Delta' ORDER BY LastName"
      )
    );
    assert.deepEqual(
      r.map((x) => [x.get('LastName'), x.getSObjects('Widgets__r')!.map((w) => w.get('Code__c'))]),
      [
        ['Adams', ['A3']],
        ['baker', ['B1']],
        ['Clark', []]
      ]
    );
  });
  it('filters with a semi-join and an anti-join', () => {
    const store = newStore();
    const [a] = leads(store);
    insert(store, 'Widget__c', [{ Code__c: 'A1', Lead__c: a!.get('Id') }]);
    assert.deepEqual(
      names(
        records(
          query(store, 'SELECT LastName FROM Lead WHERE Id IN (SELECT Lead__c FROM Widget__c)')
        )
      ),
      ['Adams']
    );
    assert.equal(
      records(
        query(store, 'SELECT LastName FROM Lead WHERE Id NOT IN (SELECT Lead__c FROM Widget__c)')
      ).length,
      3
    );
  });
});

describe('records returned', () => {
  it('mark queried fields: reading another field throws the SObjectException', () => {
    const store = newStore();
    leads(store);
    const [r] = records(query(store, 'SELECT LastName FROM Lead LIMIT 1'));
    assert.equal(r!.get('LastName'), 'Adams');
    assert.match(String(r!.get('Id')), /^00Q/);
    assert.throws(
      () => r!.get('Company'),
      /SObject row was retrieved via SOQL without querying the requested field: Lead.Company/
    );
  });
  it('skips deleted rows unless ALL ROWS', () => {
    const store = newStore();
    const [a] = leads(store);
    store.commitDelete('Lead', [a!.get('Id') as string]);
    assert.equal(records(query(store, 'SELECT Id FROM Lead')).length, 3);
    const all = records(
      query(store, 'SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true ALL ROWS')
    );
    assert.equal(all.length, 1);
  });
  it('queries custom metadata and the org fixture', () => {
    const store = newStore();
    const r = records(
      query(store, 'SELECT DeveloperName, Threshold__c FROM Rule__mdt WHERE IsActive__c = true')
    );
    assert.deepEqual(
      r.map((x) => [x.get('DeveloperName'), String(x.get('Threshold__c'))]),
      [['Hot', '30.5']]
    );
    const bh = records(
      query(store, 'SELECT Id, TimeZoneSidKey FROM BusinessHours WHERE IsDefault = true')
    );
    assert.equal(bh[0]!.get('TimeZoneSidKey'), 'America/Los_Angeles');
  });
  it('reports the rows retrieved, child rows included', () => {
    const store = newStore();
    const [a] = leads(store);
    insert(store, 'Widget__c', [
      { Code__c: 'A1', Lead__c: a!.get('Id') },
      { Code__c: 'A2', Lead__c: a!.get('Id') }
    ]);
    let counted = -1;
    store.query(
      parseSoql('SELECT Id, (SELECT Id FROM Widgets__r) FROM Lead'),
      () => null,
      ctx({ onRows: (n) => (counted = n) })
    );
    assert.equal(counted, 6);
  });
  it('counts query rows as the platform does for COUNT() and aggregates', () => {
    const store = newStore();
    leads(store);
    const counted = (text: string) => {
      let n = -1;
      store.query(parseSoql(text), () => null, ctx({ onRows: (r) => (n = r) }));
      return n;
    };
    assert.equal(counted('SELECT COUNT() FROM Lead'), 1, 'COUNT() is one row');
    assert.equal(counted('SELECT COUNT(Id) FROM Lead'), 1, 'COUNT(field) without GROUP BY');
    assert.equal(
      counted('SELECT Company, COUNT(Id) FROM Lead GROUP BY Company'),
      3,
      'one per group'
    );
    assert.equal(counted('SELECT SUM(AnnualRevenue) FROM Lead'), 4, 'every row aggregated');
    assert.equal(counted("SELECT Id FROM Lead WHERE Company = 'Acme'"), 2, 'rows returned');
  });
  it('caches the compiled plan per parsed query and re-reads binds per run', () => {
    const store = newStore();
    leads(store);
    const parsed = parseSoql('SELECT LastName FROM Lead WHERE Company = :c ORDER BY LastName');
    const run = (c: string) => names(records(store.query(parsed, () => c, ctx())));
    assert.deepEqual(run('Acme'), ['Adams', 'Clark']);
    assert.deepEqual(run('Beta'), ['baker']);
  });
});
