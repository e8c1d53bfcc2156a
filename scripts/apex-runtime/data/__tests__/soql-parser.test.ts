import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SoqlError } from '../errors.ts';
import { parseSoql } from '../soql/parser.ts';

function fails(text: string, message: RegExp, line?: number): void {
  assert.throws(
    () => parseSoql(text, 1),
    (e: Error) => {
      assert.ok(e instanceof SoqlError, `SoqlError, got ${e.name}: ${e.message}`);
      assert.match(e.platformMessage, message);
      if (line !== undefined) assert.equal(e.line, line);
      return true;
    }
  );
}

describe('parseSoql', () => {
  it('keeps bind expressions as raw Apex text in source order, subqueries included', () => {
    const q = parseSoql(
      `[SELECT Id, (SELECT Id FROM Tasks WHERE Status = :statuses[0]) FROM Lead
        WHERE OwnerId = :UserInfo.getUserId() AND Id IN :ids AND CreatedDate > :clock.now().addDays(-1)
        LIMIT :max]`,
      20
    );
    assert.deepEqual(
      q.binds.map((b) => [b.index, b.text, b.line]),
      [
        [0, 'statuses[0]', 20],
        [1, 'UserInfo.getUserId()', 21],
        [2, 'ids', 21],
        [3, 'clock.now().addDays(-1)', 21],
        [4, 'max', 22]
      ]
    );
    assert.equal(q.line, 20);
    assert.equal(q.from, 'Lead');
  });
  it('reads every clause', () => {
    const q = parseSoql(
      "SELECT Id FROM Lead l WHERE l.Name LIKE 'a%' WITH USER_MODE ORDER BY Name DESC NULLS LAST, CreatedDate LIMIT 10 OFFSET 5 FOR UPDATE"
    );
    assert.equal(q.fromAlias, 'l');
    assert.equal(q.securityMode, 'USER_MODE');
    assert.deepEqual(
      q.orderBy.map((o) => [o.descending, o.nullsLast]),
      [
        [true, true],
        [false, null]
      ]
    );
    assert.deepEqual(q.limit, { kind: 'number', text: '10' });
    assert.deepEqual(q.offset, { kind: 'number', text: '5' });
    assert.equal(q.forUpdate, true);
  });
  it('reads aggregates with aliases, GROUP BY and HAVING', () => {
    const q = parseSoql(
      'SELECT LeadSource, COUNT(Id) total, MAX(CreatedDate) FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 1'
    );
    assert.equal(q.select.length, 3);
    assert.deepEqual(q.select[1], {
      kind: 'value',
      source: {
        kind: 'aggregate',
        fn: 'COUNT',
        arg: { kind: 'field', path: ['Id'], line: 1 },
        line: 1
      },
      alias: 'total'
    });
    assert.equal(q.groupBy.length, 1);
    assert.equal(q.having?.kind, 'compare');
  });
  it('reads COUNT(), date literals with N, datetime literals with offsets, negative numbers', () => {
    const q = parseSoql(
      'SELECT COUNT() FROM Lead WHERE (CreatedDate = LAST_N_DAYS:7 OR CreatedDate > 2026-01-01T10:00:00-05:00) AND AnnualRevenue > -5'
    );
    assert.deepEqual(q.select, [{ kind: 'countAll', alias: null, line: 1 }]);
    const and = q.where as {
      kind: 'and';
      items: { kind: string; items?: { right: unknown }[]; right?: unknown }[];
    };
    assert.deepEqual(and.items[0]!.items![0]!.right, {
      kind: 'dateLiteral',
      name: 'LAST_N_DAYS',
      n: 7
    });
    assert.deepEqual(and.items[0]!.items![1]!.right, {
      kind: 'datetime',
      epochMs: Date.UTC(2026, 0, 1, 15, 0, 0)
    });
    assert.deepEqual(and.items[1]!.right, { kind: 'number', text: '-5' });
  });
  it('reads semi-joins, INCLUDES lists and NOT', () => {
    const q = parseSoql(
      "SELECT Id FROM Widget__c WHERE Lead__c NOT IN (SELECT WhoId FROM Task) AND Channels__c INCLUDES ('Bell;Email', 'Slack') AND NOT Code__c = 'x'"
    );
    const items = (q.where as { items: { kind: string; op?: string; right?: { kind: string } }[] })
      .items;
    assert.equal(items[0]!.op, 'NOT IN');
    assert.equal(items[0]!.right!.kind, 'subquery');
    assert.equal(items[1]!.op, 'INCLUDES');
    assert.equal(items[2]!.kind, 'not');
  });
  it('decodes string escapes and keeps LIKE wildcards escaped', () => {
    const q = parseSoql("SELECT Id FROM Lead WHERE Name = 'O\\'Brien' OR Name LIKE '50\\%%'");
    const items = (q.where as { items: { right: { value: string } }[] }).items;
    assert.equal(items[0]!.right.value, "O'Brien");
    assert.equal(items[1]!.right.value, '50\\%%');
  });
  it('refuses AND mixed with OR without parentheses, naming the line', () => {
    fails(
      "SELECT Id FROM Lead\nWHERE Name = 'a' AND Company = 'b'\nOR Status = 'c'",
      /unexpected token: 'OR'/,
      3
    );
  });
  it('reports incomplete queries and bad tokens', () => {
    fails('SELECT Id FROM Lead WHERE Name =', /unexpected end of query/);
    fails('SELECT Id Lead', /expecting 'FROM'/);
    fails("SELECT Id FROM Lead WHERE Name = 'open", /unterminated string/);
    fails('SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS', /expecting ':'/);
    fails('SELECT Id FROM Lead LIMIT 1 garbage', /unexpected token/);
  });
  it('refuses what it does not implement as NotSupportedLocally with the line', () => {
    for (const text of [
      'SELECT TYPEOF What WHEN Account THEN Name END FROM Task',
      'SELECT toLabel(Status) FROM Lead',
      'SELECT Id FROM Lead USING SCOPE mine',
      'SELECT Id FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR'
    ]) {
      assert.throws(
        () => parseSoql(text, 4),
        (e: Error) => e.name === 'NotSupportedLocally' && /line 4/.test(e.message),
        text
      );
    }
  });
});
