/**
 * The data layer of the local Apex runtime: schema (project metadata + described standard
 * objects + org fixture), the in-memory Store with two-phase DML, and SOQL (parser, evaluator).
 * The interpreter imports only from this module. See README.md beside it.
 */
export { loadSchema, Schema, standardObjects, apexTypeOf } from './schema.ts';
export type {
  ApexFieldType,
  ChildRelationship,
  CustomMetadataRecord,
  FieldDescribe,
  FieldType,
  ObjectDescribe,
  ObjectKind,
  PicklistValue
} from './schema.ts';
export { loadOrgFixture, DEFAULT_ORG_FIXTURE } from './org.ts';
export type { OrgFixture, FixtureRow } from './org.ts';
export { Store } from './store.ts';
export type { DmlContext, RowError, StoredRow } from './store.ts';
export { parseSoql } from './soql/parser.ts';
export { checkSoql, runQuery } from './soql/evaluator.ts';
export type { QueryContext, QueryResult } from './soql/evaluator.ts';
export type * from './soql/ast.ts';
export { dateLiteralRange, dateFunction } from './soql/dates.ts';
export { DataNotSupportedError, SchemaError, SoqlError } from './errors.ts';
export { compareValues, fromExternal, toStored } from './convert.ts';
