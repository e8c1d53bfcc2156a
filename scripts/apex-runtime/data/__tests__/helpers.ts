/** Shared set-up for the data layer's unit tests. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApexDatetime, SObjectValue } from '../../values.ts';
import { loadSchema, type Schema } from '../schema.ts';
import { Store } from '../store.ts';
import { parseSoql } from '../soql/parser.ts';
import type { QueryContext, QueryResult } from '../soql/evaluator.ts';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE_PROJECT = path.resolve(HERE, '..', '__fixtures__', 'project');
export const REPO_ROOT = path.resolve(HERE, '..', '..', '..', '..');

let cached: Schema | undefined;
export function fixtureSchema(): Schema {
  cached ??= loadSchema(FIXTURE_PROJECT);
  return cached;
}

/** 2026-11-20T18:00:00Z: a Friday, 10:00 in Los Angeles. */
export const NOW = new ApexDatetime(Date.UTC(2026, 10, 20, 18, 0, 0));

export function newStore(now: ApexDatetime = NOW): Store {
  const store = new Store(fixtureSchema());
  store.now = () => now;
  return store;
}

export function record(type: string, fields: Record<string, unknown>): SObjectValue {
  const r = new SObjectValue(type);
  for (const [k, v] of Object.entries(fields)) r.put(k, v);
  return r;
}

/** Inserts records and fails the test on any row error. Returns the records (with Ids). */
export function insert(
  store: Store,
  type: string,
  rows: Record<string, unknown>[],
  now?: ApexDatetime
): SObjectValue[] {
  const records = rows.map((f) => record(type, f));
  const ctx = now ? { now, userId: store.runningUserId } : undefined;
  const errors = store.prepareInsert(type, records, ctx);
  if (errors.length) throw new Error(`insert ${type} failed: ${JSON.stringify(errors)}`);
  store.commitInsert(type, records, ctx);
  return records;
}

export function ctx(overrides: Partial<QueryContext> = {}): QueryContext {
  return {
    userTimeZone: 'America/Los_Angeles',
    now: NOW,
    runningUserId: '005000000000001AAA',
    ...overrides
  };
}

/** Runs SOQL text with positional bind values. */
export function query(
  store: Store,
  text: string,
  binds: unknown[] = [],
  c: QueryContext = ctx()
): QueryResult {
  return store.query(parseSoql(text), (i) => binds[i], c);
}

export function records(result: QueryResult): SObjectValue[] {
  if (result.kind !== 'records') throw new Error(`expected records, got ${result.kind}`);
  return result.records;
}

export function rows(result: QueryResult): SObjectValue[] {
  if (result.kind !== 'aggregate') throw new Error(`expected aggregate rows, got ${result.kind}`);
  return result.rows;
}
