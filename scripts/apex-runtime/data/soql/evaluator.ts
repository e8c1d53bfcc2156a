/**
 * SOQL evaluation over the Store. A query is compiled once (names resolved against the schema,
 * conditions turned into closures) and cached per parsed query; binds and the clock are read per
 * execution.
 */
import {
  ApexDate,
  ApexDatetime,
  ApexList,
  ApexMap,
  ApexSet,
  ApexTime,
  Decimal,
  SObjectValue,
  isDecimal,
  isIdShape,
  normalizeId
} from '../../values.ts';
import { apexTypeName, asDecimal, compareValues } from '../convert.ts';
import { DataNotSupportedError, SoqlError } from '../errors.ts';
import type { FieldDescribe, ObjectDescribe, Schema } from '../schema.ts';
import type { Store, StoredRow } from '../store.ts';
import type { Condition, Operand, OrderItem, ParsedSoql, SelectItem, ValueSource } from './ast.ts';
import { dateFunction, dateLiteralRange } from './dates.ts';

export interface QueryContext {
  /** IANA zone of the running user: date literals are ranges in it. */
  userTimeZone: string;
  now: ApexDatetime;
  runningUserId: string;
  /** Called once per execution with the number of rows retrieved (child rows included). */
  onRows?: (rows: number) => void;
}

export type QueryResult =
  | { kind: 'records'; records: SObjectValue[] }
  | { kind: 'count'; count: number }
  | { kind: 'aggregate'; rows: SObjectValue[] };

interface ExecState {
  store: Store;
  binds: (index: number) => unknown;
  bindCache: Map<number, unknown>;
  ctx: QueryContext;
  semiJoins: Map<ParsedSoql, Set<string>>;
  /** Per-execution cache of bind-derived operands, keyed by the compiled operand. */
  memo: Map<object, unknown>;
  rows: number;
}

function memo<T>(st: ExecState, key: object, compute: () => T): T {
  if (st.memo.has(key)) return st.memo.get(key) as T;
  const v = compute();
  st.memo.set(key, v);
  return v;
}

/** Operand work run once at the start of every execution, so bad binds fail even on empty tables. */
type Eager = ((st: ExecState) => void)[];

const MESSAGE_CUSTOM_FIELD =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const MESSAGE_CUSTOM_RELATIONSHIP =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

// -----------------------------------------------------------------------------------------------
// Field paths

interface Hop {
  /** Relationship name as the schema spells it, e.g. 'Owner'. */
  relationshipName: string;
  fkField: string;
  polymorphic: boolean;
}

interface ResolvedPath {
  hops: Hop[];
  /** The final field; for polymorphic paths a synthetic describe of the Name field. */
  field: FieldDescribe;
  /** Reads the value for a stored row. */
  get: (row: StoredRow, store: Store) => unknown;
}

function nameObjectValue(row: StoredRow, field: string): unknown {
  if (field === 'Type') {
    return row.object.name === 'Group' && row.values.get('Type') === 'Queue'
      ? 'Queue'
      : row.object.name;
  }
  if (field === 'NameOrAlias') return row.values.get('Name') ?? null;
  return row.values.has(field) ? row.values.get(field) : null;
}

class Compiler {
  readonly eager: Eager = [];

  constructor(
    readonly schema: Schema,
    private readonly line: number
  ) {}

  resolvePath(
    obj: ObjectDescribe,
    rawPath: string[],
    alias: string | null,
    line: number
  ): ResolvedPath {
    let path = rawPath;
    if (path.length > 1 && alias && path[0]!.toLowerCase() === alias.toLowerCase())
      path = path.slice(1);
    const hops: Hop[] = [];
    let current: ObjectDescribe | null = obj;
    for (let i = 0; i < path.length - 1; i++) {
      const relName = path[i]!;
      if (!current) {
        throw new DataNotSupportedError(
          `SOQL relationship ${relName} through a polymorphic relationship`,
          { line }
        );
      }
      const fk = [...current.fields.values()].find(
        (f) =>
          f.relationshipName !== null &&
          f.relationshipName.toLowerCase() === this.schema.stripNamespace(relName).toLowerCase()
      );
      if (!fk)
        throw new SoqlError(
          `Didn't understand relationship '${relName}' in field path. ${MESSAGE_CUSTOM_RELATIONSHIP}`,
          line
        );
      const polymorphic = fk.referenceTo.length > 1;
      hops.push({ relationshipName: fk.relationshipName!, fkField: fk.name, polymorphic });
      if (polymorphic) {
        current = null;
      } else {
        const target = this.schema.findObject(fk.referenceTo[0]!);
        if (!target) {
          throw new DataNotSupportedError(
            `SOQL path through ${fk.referenceTo[0]} (no describe of that object)`,
            { line }
          );
        }
        current = target;
      }
    }
    const last = path[path.length - 1]!;
    let field: FieldDescribe;
    let read: (row: StoredRow) => unknown;
    if (current === null) {
      // The Name object (see standard-objects/Name.json) lists what a polymorphic key exposes.
      const nameObject = this.schema.getObject('Name');
      const f = this.schema.findField(nameObject, last);
      if (!f) {
        throw new SoqlError(
          `No such column '${last}' on entity 'Name'. ${MESSAGE_CUSTOM_FIELD}`,
          line
        );
      }
      field = f;
      const key = f.name;
      read = (row) => nameObjectValue(row, key);
    } else {
      const f = this.schema.findField(current, last);
      if (!f)
        throw new SoqlError(
          `No such column '${last}' on entity '${current.name}'. ${MESSAGE_CUSTOM_FIELD}`,
          line
        );
      if (f.notSupported) throw new DataNotSupportedError(f.notSupported, { line });
      if (f.calculated) {
        throw new DataNotSupportedError(
          `formula or roll-up field ${current.name}.${f.name} in SOQL (its value is not computed locally)`,
          {
            line
          }
        );
      }
      field = f;
      const name = f.name;
      read = (row) => row.values.get(name) ?? null;
    }
    const fks = hops.map((h) => h.fkField);
    const get =
      fks.length === 0
        ? (row: StoredRow) => read(row)
        : (row: StoredRow, store: Store) => {
            let r: StoredRow | undefined = row;
            for (const fk of fks) {
              const id = r.values.get(fk);
              if (typeof id !== 'string') return null;
              r = store.row(id);
              if (!r || r.deleted) return null;
            }
            return read(r);
          };
    return { hops, field, get };
  }

  get queryLine(): number {
    return this.line;
  }
}

// -----------------------------------------------------------------------------------------------
// Compiled query

type RowGetter = (row: StoredRow, st: ExecState) => unknown;
type RowPredicate = (row: StoredRow, st: ExecState) => boolean;

interface CompiledSource {
  get: RowGetter;
  field: FieldDescribe | null;
  /** Kind of value produced, for typing operands. */
  valueType: 'field' | 'integer' | 'date';
}

interface OutputColumn {
  name: string;
  /** For plain selects: the path to place the value at. */
  path: ResolvedPath | null;
  source: ValueSource;
}

interface Plan {
  object: ObjectDescribe;
  query: ParsedSoql;
  where: RowPredicate | null;
  columns: OutputColumn[];
  subqueries: { relationshipName: string; plan: Plan; fkField: string }[];
  isCount: boolean;
  isAggregate: boolean;
  aggregate: AggregatePlan | null;
  order: ((a: StoredRow, b: StoredRow, st: ExecState) => number) | null;
  eager: Eager;
}

interface AggregatePlan {
  groupKeys: RowGetter[];
  outputs: { name: string; compute: (rows: StoredRow[], st: ExecState) => unknown }[];
  having: ((rows: StoredRow[], st: ExecState) => boolean) | null;
  order: ((a: StoredRow[], b: StoredRow[], st: ExecState) => number) | null;
  /** Only COUNT(field) aggregates: the query-row limit counts groups, not records. */
  countOnly: boolean;
}

const planCache = new WeakMap<Schema, WeakMap<ParsedSoql, Plan>>();

function sourceLine(s: ValueSource): number {
  return s.line;
}

function compileSource(
  c: Compiler,
  obj: ObjectDescribe,
  alias: string | null,
  s: ValueSource
): CompiledSource {
  if (s.kind === 'field') {
    const p = c.resolvePath(obj, s.path, alias, s.line);
    return { get: (row, st) => p.get(row, st.store), field: p.field, valueType: 'field' };
  }
  if (s.kind === 'dateFunction') {
    const p = c.resolvePath(obj, s.path, alias, s.line);
    if (p.field.apexType !== 'Date' && p.field.apexType !== 'Datetime') {
      throw new SoqlError(`${s.fn}() needs a date or dateTime field, not ${p.field.name}`, s.line);
    }
    const fn = s.fn;
    const convert = s.convertTimezone;
    return {
      get: (row, st) => {
        const v = p.get(row, st.store);
        if (v === null) return null;
        const n =
          v instanceof ApexDate
            ? dateFunction(fn, { epochDay: v.toEpochDay() }, null)
            : dateFunction(
                fn,
                { epochMs: (v as ApexDatetime).epochMs },
                convert ? st.ctx.userTimeZone : null
              );
        return fn === 'DAY_ONLY' ? ApexDate.fromEpochDay(n) : n;
      },
      field: null,
      valueType: fn === 'DAY_ONLY' ? 'date' : 'integer'
    };
  }
  throw new SoqlError(
    `aggregate function ${s.fn}() is only allowed in SELECT, HAVING and ORDER BY of an aggregate query`,
    s.line
  );
}

/** The value a bind supplies, flattened to a list when it is a collection. */
function bindValues(v: unknown): unknown[] | null {
  if (v instanceof ApexList) return v.items;
  if (v instanceof ApexSet) return [...v.values()];
  if (Array.isArray(v)) return v;
  if (v instanceof ApexMap) return null;
  return null;
}

function bindValue(st: ExecState, index: number): unknown {
  if (!st.bindCache.has(index)) st.bindCache.set(index, st.binds(index));
  return st.bindCache.get(index);
}

/** Converts an operand value to the comparison type of the field; throws SoqlError on mismatch. */
function coerceOperand(
  value: unknown,
  target: CompiledSource,
  line: number,
  fieldLabel: string
): unknown {
  if (value === null || value === undefined) return null;
  const field = target.field;
  if (target.valueType === 'integer') {
    const d = asDecimal(value);
    if (!d)
      throw new SoqlError(
        `invalid value for ${fieldLabel}: expected a number, got ${apexTypeName(value)}`,
        line
      );
    return d;
  }
  if (target.valueType === 'date') {
    if (value instanceof ApexDate) return value;
    throw new SoqlError(
      `invalid value for ${fieldLabel}: expected a Date, got ${apexTypeName(value)}`,
      line
    );
  }
  const type = field!.apexType;
  if (value instanceof SObjectValue && type === 'Id') {
    const id = value.get('Id');
    if (typeof id !== 'string')
      throw new SoqlError(`Bind variable of type ${value.sobjectType} has no Id`, line);
    return normalizeId(id);
  }
  switch (type) {
    case 'Id':
      if (typeof value === 'string') {
        if (!isIdShape(value)) throw new SoqlError(`invalid ID field: ${value}`, line);
        return normalizeId(value);
      }
      break;
    case 'String':
      if (typeof value === 'string') return value;
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'Integer':
    case 'Long':
    case 'Decimal': {
      const d = asDecimal(value);
      if (d) return d;
      break;
    }
    case 'Date':
      if (value instanceof ApexDate) return value;
      break;
    case 'Datetime':
      if (value instanceof ApexDatetime) return value;
      if (value instanceof ApexDate) {
        throw new DataNotSupportedError(
          `comparing the Datetime field ${fieldLabel} with a Date bind`,
          { line }
        );
      }
      break;
    case 'Time':
      if (value instanceof ApexTime) return value;
      break;
  }
  throw new SoqlError(
    `Invalid bind expression type of ${apexTypeName(value)} for column of type ${type}`,
    line
  );
}

/** A literal operand as a runtime value, typed by the field it is compared with. */
function literalValue(
  op: Operand,
  target: CompiledSource,
  line: number,
  fieldLabel: string
): unknown {
  switch (op.kind) {
    case 'null':
      return null;
    case 'string': {
      const t = target.field?.apexType;
      if (target.valueType !== 'field' || (t !== 'String' && t !== 'Id')) {
        throw new SoqlError(
          `value of filter criterion for field '${fieldLabel}' must be of type ${describeType(target)} and should not be enclosed in quotes`,
          line
        );
      }
      return coerceOperand(op.value, target, line, fieldLabel);
    }
    case 'number': {
      const t = target.field?.apexType;
      if (target.valueType === 'field' && t !== 'Integer' && t !== 'Long' && t !== 'Decimal') {
        throw new SoqlError(
          `value of filter criterion for field '${fieldLabel}' must be of type ${describeType(target)}`,
          line
        );
      }
      return new Decimal(op.text.replace(/[lLdD]$/, ''));
    }
    case 'boolean':
      if (target.field?.apexType !== 'Boolean') {
        throw new SoqlError(
          `value of filter criterion for field '${fieldLabel}' must be of type ${describeType(target)}`,
          line
        );
      }
      return op.value;
    case 'date':
      if (target.valueType !== 'date' && target.field?.apexType !== 'Date') {
        throw new SoqlError(
          `value of filter criterion for field '${fieldLabel}' must be of type ${describeType(target)} and should not be enclosed in quotes`,
          line
        );
      }
      return new ApexDate(op.year, op.month, op.day);
    case 'datetime':
      if (target.field?.apexType !== 'Datetime') {
        throw new SoqlError(
          `value of filter criterion for field '${fieldLabel}' must be of type ${describeType(target)}`,
          line
        );
      }
      return new ApexDatetime(op.epochMs);
    default:
      throw new SoqlError(`unexpected operand for ${fieldLabel}`, line);
  }
}

function describeType(t: CompiledSource): string {
  if (t.valueType === 'integer') return 'integer';
  if (t.valueType === 'date') return 'date';
  switch (t.field!.apexType) {
    case 'Datetime':
      return 'dateTime';
    case 'Date':
      return 'date';
    case 'Boolean':
      return 'boolean';
    case 'Integer':
    case 'Long':
    case 'Decimal':
      return 'double';
    case 'Time':
      return 'time';
    default:
      return 'string';
  }
}

function eq(a: unknown, b: unknown, multi: boolean): boolean {
  if (a === null || b === null) return a === b;
  if (multi && typeof a === 'string' && typeof b === 'string') {
    const sa = new Set(a.toLowerCase().split(';'));
    const sb = new Set(b.toLowerCase().split(';'));
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
  }
  try {
    return compareValues(a, b) === 0;
  } catch {
    return false;
  }
}

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      re += pattern[i + 1];
      i++;
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function compileCondition(
  c: Compiler,
  obj: ObjectDescribe,
  alias: string | null,
  cond: Condition,
  schema: Schema
): RowPredicate {
  switch (cond.kind) {
    case 'and': {
      const items = cond.items.map((i) => compileCondition(c, obj, alias, i, schema));
      return (row, st) => items.every((p) => p(row, st));
    }
    case 'or': {
      const items = cond.items.map((i) => compileCondition(c, obj, alias, i, schema));
      return (row, st) => items.some((p) => p(row, st));
    }
    case 'not': {
      const inner = compileCondition(c, obj, alias, cond.item, schema);
      return (row, st) => !inner(row, st);
    }
    case 'compare':
      return compileComparison(c, cond, compileSource(c, obj, alias, cond.left));
  }
}

type ValueTest = (v: unknown, st: ExecState) => boolean;

/** Builds the test of one comparison against an already-compiled left side. */
function compileTest(
  target: CompiledSource,
  cond: Extract<Condition, { kind: 'compare' }>,
  schema: Schema,
  label: string,
  eager: Eager
): ValueTest {
  /** Wraps an operand producer: computed once per execution, and eagerly. */
  const once = <T>(raw: (st: ExecState) => T): ((st: ExecState) => T) => {
    const key = {};
    const f = (st: ExecState) => memo(st, key, () => raw(st));
    eager.push((st) => void f(st));
    return f;
  };
  const { op, right, line } = cond;
  const multi = target.field?.type === 'multipicklist';
  const isPicklistOrder = target.field?.type === 'picklist';

  if (op === 'INCLUDES' || op === 'EXCLUDES') {
    if (!multi)
      throw new SoqlError(
        `${op} can only be used with a multi-select picklist field, not ${label}`,
        line
      );
    const itemsOf = once((st: ExecState): string[] => {
      if (right.kind === 'list') {
        return right.items.map(
          (i) =>
            (i.kind === 'bind'
              ? coerceOperand(bindValue(st, i.index), target, line, label)
              : literalValue(i, target, line, label)) as string
        );
      }
      if (right.kind === 'bind') {
        const v = bindValue(st, right.index);
        const list = bindValues(v) ?? [v];
        return list.map((x) => coerceOperand(x, target, line, label) as string);
      }
      throw new SoqlError(`${op} needs a list of strings`, line);
    });
    return (v, st) => {
      const items = itemsOf(st);
      if (v === null) return op === 'EXCLUDES';
      const have = new Set((v as string).toLowerCase().split(';'));
      const any = items.some(
        (item) =>
          item !== null &&
          item
            .toLowerCase()
            .split(';')
            .every((p) => have.has(p))
      );
      return op === 'INCLUDES' ? any : !any;
    };
  }

  if (op === 'IN' || op === 'NOT IN') {
    let values: (st: ExecState) => unknown[];
    if (right.kind === 'list') {
      // Items are literals or single-value binds: `IN (:pending, 'Hit')`.
      const items = right.items.map((i): ((st: ExecState) => unknown) => {
        if (i.kind !== 'bind') {
          const lit = literalValue(i, target, line, label);
          return () => lit;
        }
        return (st) => coerceOperand(bindValue(st, i.index), target, line, label);
      });
      values = (st) => items.map((f) => f(st));
    } else if (right.kind === 'bind') {
      values = (st) => {
        const v = bindValue(st, right.index);
        const list = bindValues(v);
        if (list === null)
          throw new SoqlError(`IN needs a list or set bind, got ${apexTypeName(v)}`, line);
        return list.map((x) => coerceOperand(x, target, line, label));
      };
    } else if (right.kind === 'subquery') {
      const sub = right.query;
      if (target.field?.apexType !== 'Id')
        throw new SoqlError('A semi-join needs an Id or reference field on the left', line);
      const subPlan = compilePlan(schema, sub, sub.from, null);
      values = (st) => [...semiJoinIds(subPlan, st)];
    } else {
      throw new SoqlError(`${op} needs a list`, line);
    }
    if (multi) {
      const lists = once(values);
      return (v, st) => {
        const hit = lists(st).some((x) => eq(v, x, true));
        return op === 'IN' ? hit : !hit;
      };
    }
    // Membership by normalised key: text case-insensitively, numbers by value.
    const keys = once((st) => new Set(values(st).map(groupKey)));
    return (v, st) => {
      const hit = keys(st).has(groupKey(v));
      return op === 'IN' ? hit : !hit;
    };
  }

  if (op === 'LIKE') {
    if (target.field?.apexType !== 'String' && target.field?.apexType !== 'Id') {
      throw new SoqlError(`invalid operator on ${label}: LIKE needs a text field`, line);
    }
    const pattern = once((st: ExecState): RegExp | null => {
      const p =
        right.kind === 'bind'
          ? bindValue(st, right.index)
          : right.kind === 'string'
            ? right.value
            : undefined;
      if (p === undefined) throw new SoqlError('LIKE needs a string', line);
      if (p === null) return null;
      if (typeof p !== 'string')
        throw new SoqlError(`LIKE needs a string, got ${apexTypeName(p)}`, line);
      return likeRegex(p);
    });
    return (v, st) => {
      const re = pattern(st);
      return re !== null && typeof v === 'string' && re.test(v);
    };
  }

  // =, !=, <, <=, >, >=
  if (right.kind === 'dateLiteral') {
    const t = target.field?.apexType;
    if (target.valueType !== 'date' && t !== 'Date' && t !== 'Datetime') {
      throw new SoqlError(
        `value of filter criterion for field '${label}' must be of type ${describeType(target)}`,
        line
      );
    }
    const isDate = target.valueType === 'date' || t === 'Date';
    return (v, st) => {
      const r = dateLiteralRange(right.name, right.n, st.ctx.now.epochMs, st.ctx.userTimeZone);
      if (v === null) return op === '!=';
      const x = isDate ? (v as ApexDate).toEpochDay() : (v as ApexDatetime).epochMs;
      const [lo, hi] = isDate ? [r.startDay, r.endDay] : [r.startMs, r.endMs];
      switch (op) {
        case '=':
          return x >= lo && x < hi;
        case '!=':
          return x < lo || x >= hi;
        case '<':
          return x < lo;
        case '<=':
          return x < hi;
        case '>':
          return x >= hi;
        case '>=':
          return x >= lo;
      }
    };
  }
  let operand: (st: ExecState) => unknown;
  let listBind = false;
  if (right.kind === 'bind') {
    operand = once((st) => {
      const raw = bindValue(st, right.index);
      const list = bindValues(raw);
      if (list !== null) {
        if (op !== '=' && op !== '!=')
          throw new SoqlError(`${op} cannot compare with a list bind`, line);
        return list.map((x) => coerceOperand(x, target, line, label));
      }
      return coerceOperand(raw, target, line, label);
    });
    listBind = true;
  } else {
    const lit = literalValue(right, target, line, label);
    operand = () => lit;
  }
  const order = isPicklistOrder ? picklistComparator(target.field!) : null;
  return (v, st) => {
    const b = operand(st);
    if (listBind && Array.isArray(b)) {
      // `field = :list` behaves as IN, `!=` as NOT IN.
      const hit = b.some((x) => eq(v, x, multi));
      return op === '=' ? hit : !hit;
    }
    if (op === '=') return eq(v, b, multi);
    if (op === '!=') return !eq(v, b, multi);
    if (v === null || b === null) return false;
    let cmp: number;
    try {
      cmp = order ? order(v, b) : compareValues(v, b);
    } catch {
      throw new SoqlError(`cannot compare ${label} with ${apexTypeName(b)}`, line);
    }
    switch (op) {
      case '<':
        return cmp < 0;
      case '<=':
        return cmp <= 0;
      case '>':
        return cmp > 0;
      default:
        return cmp >= 0;
    }
  };
}

function compileComparison(
  c: Compiler,
  cond: Extract<Condition, { kind: 'compare' }>,
  left: CompiledSource
): RowPredicate {
  const label =
    cond.left.kind === 'field'
      ? cond.left.path.join('.')
      : cond.left.kind === 'dateFunction'
        ? `${cond.left.fn}(${cond.left.path.join('.')})`
        : cond.left.fn;
  const test = compileTest(left, cond, c.schema, label, c.eager);
  return (row, st) => test(left.get(row, st), st);
}

/** Picklist fields sort by the order of their values, not alphabetically. */
function picklistComparator(field: FieldDescribe): (a: unknown, b: unknown) => number {
  const pos = new Map(field.picklistValues.map((p, i) => [p.value.toLowerCase(), i]));
  const n = field.picklistValues.length;
  return (a, b) => {
    const ia = pos.get(String(a).toLowerCase()) ?? n;
    const ib = pos.get(String(b).toLowerCase()) ?? n;
    return ia !== ib ? ia - ib : compareValues(a, b);
  };
}

function orderComparator<T>(
  keys: {
    get: (x: T, st: ExecState) => unknown;
    cmp: (a: unknown, b: unknown) => number;
    item: OrderItem;
  }[]
): (a: T, b: T, st: ExecState) => number {
  return (a, b, st) => {
    for (const k of keys) {
      const va = k.get(a, st);
      const vb = k.get(b, st);
      // "By default, null values are sorted first" (SOQL ORDER BY page), whatever the direction.
      const nullsLast = k.item.nullsLast ?? false;
      if (va === null || vb === null) {
        if (va === vb) continue;
        return (va === null ? -1 : 1) * (nullsLast ? -1 : 1);
      }
      const c = k.cmp(va, vb);
      if (c !== 0) return k.item.descending ? -c : c;
    }
    return 0;
  };
}

// -----------------------------------------------------------------------------------------------
// Aggregates

function aggregateCompute(
  c: Compiler,
  obj: ObjectDescribe,
  alias: string | null,
  s: ValueSource
): (rows: StoredRow[], st: ExecState) => unknown {
  if (s.kind !== 'aggregate') {
    const src = compileSource(c, obj, alias, s);
    return (rows, st) => (rows.length ? src.get(rows[0]!, st) : null);
  }
  if (s.arg === null) return (rows) => rows.length; // COUNT() inside an aggregate query
  const src = compileSource(c, obj, alias, s.arg);
  const f = src.field;
  const numeric =
    src.valueType === 'integer' ||
    (f !== null && ['Integer', 'Long', 'Decimal'].includes(f.apexType));
  const order = f?.type === 'picklist' ? picklistComparator(f) : compareValues;
  switch (s.fn) {
    case 'COUNT':
      return (rows, st) => rows.filter((r) => src.get(r, st) !== null).length;
    case 'COUNT_DISTINCT':
      return (rows, st) => {
        const seen = new Set<string>();
        for (const r of rows) {
          const v = src.get(r, st);
          if (v === null) continue;
          seen.add(
            typeof v === 'string'
              ? v.toLowerCase()
              : isDecimal(v)
                ? v.toString()
                : String(v instanceof ApexDatetime ? v.epochMs : v)
          );
        }
        return seen.size;
      };
    case 'SUM':
    case 'AVG': {
      if (!numeric)
        throw new SoqlError(
          `field ${s.arg.kind === 'field' ? s.arg.path.join('.') : ''} does not support aggregate operator ${s.fn}`,
          s.line
        );
      const isInt = f?.apexType === 'Integer' || src.valueType === 'integer';
      return (rows, st) => {
        let sum = new Decimal(0);
        let n = 0;
        for (const r of rows) {
          const v = asDecimal(src.get(r, st));
          if (v === null) continue;
          sum = sum.plus(v);
          n++;
        }
        if (n === 0) return null;
        if (s.fn === 'SUM') return isInt ? sum.toNumber() : sum;
        return sum.dividedBy(n);
      };
    }
    case 'MIN':
    case 'MAX':
      return (rows, st) => {
        let best: unknown = null;
        for (const r of rows) {
          const v = src.get(r, st);
          if (v === null) continue;
          if (best === null) best = v;
          else {
            const cmp = order(v, best);
            if ((s.fn === 'MIN' && cmp < 0) || (s.fn === 'MAX' && cmp > 0)) best = v;
          }
        }
        return best;
      };
  }
}

function compileHaving(
  c: Compiler,
  obj: ObjectDescribe,
  alias: string | null,
  cond: Condition
): (rows: StoredRow[], st: ExecState) => boolean {
  switch (cond.kind) {
    case 'and': {
      const items = cond.items.map((i) => compileHaving(c, obj, alias, i));
      return (rows, st) => items.every((p) => p(rows, st));
    }
    case 'or': {
      const items = cond.items.map((i) => compileHaving(c, obj, alias, i));
      return (rows, st) => items.some((p) => p(rows, st));
    }
    case 'not': {
      const inner = compileHaving(c, obj, alias, cond.item);
      return (rows, st) => !inner(rows, st);
    }
    case 'compare': {
      const compute = aggregateCompute(c, obj, alias, cond.left);
      let target: CompiledSource;
      if (cond.left.kind === 'aggregate') {
        const inner = cond.left.arg ? compileSource(c, obj, alias, cond.left.arg) : null;
        const countLike = cond.left.fn === 'COUNT' || cond.left.fn === 'COUNT_DISTINCT';
        target =
          countLike || !inner ? { get: () => null, field: null, valueType: 'integer' } : inner;
      } else {
        target = compileSource(c, obj, alias, cond.left);
      }
      const label = cond.left.kind === 'aggregate' ? `${cond.left.fn}()` : cond.left.path.join('.');
      const test = compileTest(target, cond, c.schema, label, c.eager);
      return (rows, st) => {
        const v = compute(rows, st);
        return test(
          typeof v === 'number' && target.valueType === 'integer' ? new Decimal(v) : v,
          st
        );
      };
    }
  }
}

// -----------------------------------------------------------------------------------------------
// Plans

function resolveObject(schema: Schema, name: string, line: number): ObjectDescribe {
  const obj = schema.findObject(name);
  if (!obj) {
    throw new SoqlError(
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      line
    );
  }
  if (obj.name === 'Name') throw new DataNotSupportedError('SOQL FROM Name', { line });
  if (!obj.queryable)
    throw new SoqlError(`sObject type '${obj.name}' does not support query`, line);
  return obj;
}

function hasAggregate(items: SelectItem[]): boolean {
  return items.some((i) => i.kind === 'value' && i.source.kind === 'aggregate');
}

/**
 * Compiles a query against `fromObject` (for a child subquery, the child object; `childOf` is
 * the parent object the relationship name was resolved on).
 */
function compilePlan(
  schema: Schema,
  q: ParsedSoql,
  fromName: string,
  forcedObject: ObjectDescribe | null
): Plan {
  const c = new Compiler(schema, q.line);
  const obj = forcedObject ?? resolveObject(schema, fromName, q.line);
  const alias = q.fromAlias;
  const where = q.where ? compileCondition(c, obj, alias, q.where, schema) : null;
  const isAggregate = hasAggregate(q.select) || q.groupBy.length > 0;
  const countItems = q.select.filter((i) => i.kind === 'countAll');
  const isCount = countItems.length > 0 && !isAggregate;
  if (countItems.length && (q.select.length > 1 || q.groupBy.length)) {
    throw new SoqlError('COUNT() must be the only element in the SELECT list', countItems[0]!.line);
  }
  if (q.offset && q.offset.kind === 'number' && Number(q.offset.text) > 2000) {
    throw new SoqlError('Maximum SOQL offset allowed is 2000', q.line);
  }

  const columns: OutputColumn[] = [];
  const subqueries: Plan['subqueries'] = [];
  let aggregate: AggregatePlan | null = null;

  if (isAggregate) {
    const groupKeys = q.groupBy.map((g) => compileSource(c, obj, alias, g).get);
    const groupedNames = new Set(
      q.groupBy
        .filter((g) => g.kind === 'field')
        .map((g) => (g as { path: string[] }).path.join('.').toLowerCase())
    );
    let expr = 0;
    const outputs: AggregatePlan['outputs'] = [];
    for (const item of q.select) {
      if (item.kind === 'subquery')
        throw new SoqlError('Aggregate queries cannot have subqueries', item.line);
      if (item.kind === 'countAll') continue;
      const s = item.source;
      if (s.kind === 'field') {
        if (!groupedNames.has(s.path.join('.').toLowerCase())) {
          throw new SoqlError(`Field must be grouped or aggregated: ${s.path.join('.')}`, s.line);
        }
        const p = c.resolvePath(obj, s.path, alias, s.line);
        outputs.push({
          name: item.alias ?? p.field.name,
          compute: aggregateCompute(c, obj, alias, s)
        });
      } else {
        outputs.push({
          name: item.alias ?? `expr${expr++}`,
          compute: aggregateCompute(c, obj, alias, s)
        });
      }
    }
    const having = q.having ? compileHaving(c, obj, alias, q.having) : null;
    const order =
      q.orderBy.length === 0
        ? null
        : orderComparator<StoredRow[]>(
            q.orderBy.map((item) => {
              const compute = aggregateCompute(c, obj, alias, item.source);
              const f =
                item.source.kind === 'field'
                  ? c.resolvePath(obj, item.source.path, alias, item.source.line).field
                  : null;
              return {
                get: (rows: StoredRow[], st: ExecState) => compute(rows, st),
                cmp: f?.type === 'picklist' ? picklistComparator(f) : compareValues,
                item
              };
            })
          );
    const aggregates = [
      ...q.select.flatMap((i) => (i.kind === 'value' ? [i.source] : [])),
      ...q.orderBy.map((o) => o.source)
    ].filter((x) => x.kind === 'aggregate');
    const countOnly = aggregates.every((x) => x.kind === 'aggregate' && x.fn === 'COUNT');
    aggregate = { groupKeys, outputs, having, order, countOnly };
  } else {
    if (q.having) throw new SoqlError('HAVING needs GROUP BY or an aggregate function', q.line);
    for (const item of q.select) {
      if (item.kind === 'countAll') continue;
      if (item.kind === 'subquery') {
        const sub = item.query;
        const rel = obj.childRelationships.find(
          (r) => r.relationshipName.toLowerCase() === schema.stripNamespace(sub.from).toLowerCase()
        );
        if (!rel) {
          throw new SoqlError(
            `Didn't understand relationship '${sub.from}' in FROM part of query call. ${MESSAGE_CUSTOM_RELATIONSHIP}`,
            item.line
          );
        }
        const child = schema.getObject(rel.childSObject);
        subqueries.push({
          relationshipName: rel.relationshipName,
          plan: compilePlan(schema, sub, child.name, child),
          fkField: rel.field
        });
        continue;
      }
      if (item.source.kind !== 'field') {
        throw new DataNotSupportedError(
          `SOQL ${item.source.kind === 'dateFunction' ? item.source.fn + '()' : 'function'} in the SELECT list of a non-aggregate query`,
          {
            line: sourceLine(item.source)
          }
        );
      }
      if (item.alias !== null) {
        throw new SoqlError(`unexpected token: '${item.alias}'`, item.source.line);
      }
      const p = c.resolvePath(obj, item.source.path, alias, item.source.line);
      columns.push({ name: p.field.name, path: p, source: item.source });
    }
  }

  const order =
    isAggregate || q.orderBy.length === 0
      ? null
      : orderComparator<StoredRow>(
          q.orderBy.map((item) => {
            if (item.source.kind === 'aggregate')
              throw new SoqlError(
                'ORDER BY an aggregate needs an aggregate query',
                item.source.line
              );
            const src = compileSource(c, obj, alias, item.source);
            const f = src.field;
            if (f && (f.type === 'multipicklist' || (f.type === 'textarea' && f.length > 255))) {
              throw new SoqlError(
                `field '${f.name}' can not be sorted in a query call`,
                item.source.line
              );
            }
            return {
              get: (row: StoredRow, st: ExecState) => src.get(row, st),
              cmp: f?.type === 'picklist' ? picklistComparator(f) : compareValues,
              item
            };
          })
        );

  return {
    object: obj,
    query: q,
    where,
    columns,
    subqueries,
    isCount,
    isAggregate,
    aggregate,
    order,
    eager: c.eager
  };
}

function planFor(schema: Schema, q: ParsedSoql): Plan {
  let bySchema = planCache.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    planCache.set(schema, bySchema);
  }
  let plan = bySchema.get(q);
  if (!plan) {
    plan = compilePlan(schema, q, q.from, null);
    bySchema.set(q, plan);
  }
  return plan;
}

/**
 * Resolves every object and field of a query against the schema without running it: the check
 * for static SOQL at load time. Throws SoqlError / NotSupportedLocally naming the line.
 */
export function checkSoql(schema: Schema, q: ParsedSoql): void {
  planFor(schema, q);
}

function intOperand(op: Operand | null, st: ExecState, what: string, line: number): number | null {
  if (!op) return null;
  let v: unknown;
  if (op.kind === 'number') v = Number(op.text);
  else if (op.kind === 'bind') v = bindValue(st, op.index);
  else throw new SoqlError(`${what} needs an integer`, line);
  const n = isDecimal(v) ? v.toNumber() : typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new SoqlError(
      `${what} must be a non-negative integer, got ${apexTypeName(v)} ${String(v)}`,
      line
    );
  }
  if (what === 'OFFSET' && n > 2000)
    throw new SoqlError('Maximum SOQL offset allowed is 2000', line);
  return n;
}

function filterRows(plan: Plan, st: ExecState, candidates: StoredRow[]): StoredRow[] {
  const where = plan.where;
  return where ? candidates.filter((r) => where(r, st)) : candidates;
}

function sliceRows<T>(rows: T[], plan: Plan, st: ExecState): T[] {
  const offset = intOperand(plan.query.offset, st, 'OFFSET', plan.query.line) ?? 0;
  const limit = intOperand(plan.query.limit, st, 'LIMIT', plan.query.line);
  return rows.slice(offset, limit === null ? undefined : offset + limit);
}

function sortRows(plan: Plan, st: ExecState, rows: StoredRow[]): StoredRow[] {
  const order = plan.order;
  if (!order) return rows;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order(a.r, b.r, st) || a.i - b.i)
    .map((x) => x.r);
}

function semiJoinIds(plan: Plan, st: ExecState): Set<string> {
  const cached = st.semiJoins.get(plan.query);
  if (cached) return cached;
  for (const e of plan.eager) e(st);
  const col = plan.columns;
  if (col.length !== 1 || plan.subqueries.length || plan.isAggregate || plan.isCount) {
    throw new SoqlError(
      'A semi-join subquery must select exactly one Id or reference field',
      plan.query.line
    );
  }
  const path = col[0]!.path!;
  if (path.field.apexType !== 'Id')
    throw new SoqlError(
      'A semi-join subquery must select an Id or reference field',
      plan.query.line
    );
  const rows = filterRows(plan, st, st.store.rows(plan.object, plan.query.allRows));
  const out = new Set<string>();
  for (const r of rows) {
    const v = path.get(r, st.store);
    if (typeof v === 'string') out.add(v);
  }
  st.semiJoins.set(plan.query, out);
  return out;
}

/** Builds the SObject for a row: selected fields, parent records along paths, child lists. */
function buildRecord(
  plan: Plan,
  row: StoredRow,
  st: ExecState,
  childRows: Map<string, StoredRow[]>[] | null
): SObjectValue {
  const rec = new SObjectValue(plan.object.name);
  rec.put('Id', row.id);
  const names = new Set<string>();
  const parents = new Map<string, SObjectValue | null>();
  for (const col of plan.columns) {
    const p = col.path!;
    if (p.hops.length === 0) {
      names.add(p.field.name);
      const v = row.values.get(p.field.name) ?? null;
      if (v !== null) rec.put(p.field.name, v);
      continue;
    }
    // Walk the relationship path, creating parent SObjects once per record.
    let holder: SObjectValue = rec;
    let current: StoredRow | undefined = row;
    let key = '';
    names.add(p.hops[0]!.relationshipName);
    for (let i = 0; i < p.hops.length; i++) {
      const hop = p.hops[i]!;
      key += '.' + hop.relationshipName.toLowerCase();
      const fkValue: unknown = current?.values.get(hop.fkField);
      const target: StoredRow | undefined =
        typeof fkValue === 'string' ? st.store.row(fkValue) : undefined;
      const live: StoredRow | undefined = target && !target.deleted ? target : undefined;
      let parent = parents.get(key);
      if (parent === undefined) {
        if (!live) {
          parent = null;
        } else {
          // Through a polymorphic relationship the parent is a `Name` record, as its static
          // type in Apex is Name.
          parent = new SObjectValue(hop.polymorphic ? 'Name' : live.object.name);
          parent.put('Id', live.id);
        }
        parents.set(key, parent);
        if (!holder.hasSObject(hop.relationshipName))
          holder.putSObject(hop.relationshipName, parent);
      }
      holder.markQueried([hop.relationshipName]);
      if (parent === null) break;
      if (i < p.hops.length - 1) parent.markQueried([p.hops[i + 1]!.relationshipName]);
      holder = parent;
      current = live;
      if (i === p.hops.length - 1) {
        const v = p.get(row, st.store);
        holder.markQueried([p.field.name]);
        if (v !== null) holder.put(p.field.name, v);
      }
    }
  }
  plan.subqueries.forEach((sq, i) => {
    names.add(sq.relationshipName);
    const children = childRows?.[i]?.get(row.id) ?? [];
    rec.putChildren(
      sq.relationshipName,
      children.map((ch) => buildRecord(sq.plan, ch, st, null))
    );
  });
  rec.markQueried(names);
  return rec;
}

/** Child rows of each subquery grouped by parent Id, filtered, sorted and limited per parent. */
function childRowsFor(
  plan: Plan,
  st: ExecState,
  parentIds: Set<string>
): Map<string, StoredRow[]>[] {
  return plan.subqueries.map((sq) => {
    const byParent = new Map<string, StoredRow[]>();
    for (const r of st.store.rows(sq.plan.object, sq.plan.query.allRows)) {
      const fk = r.values.get(sq.fkField);
      if (typeof fk !== 'string' || !parentIds.has(fk)) continue;
      if (sq.plan.where && !sq.plan.where(r, st)) continue;
      const list = byParent.get(fk) ?? [];
      list.push(r);
      byParent.set(fk, list);
    }
    for (const [k, list] of byParent) {
      const sorted = sliceRows(sortRows(sq.plan, st, list), sq.plan, st);
      byParent.set(k, sorted);
      st.rows += sorted.length;
    }
    return byParent;
  });
}

function groupKey(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 's:' + v.toLowerCase();
  if (isDecimal(v)) return 'n:' + v.toString();
  if (v instanceof ApexDate) return 'D:' + v.toString();
  if (v instanceof ApexDatetime) return 'T:' + v.epochMs;
  return typeof v + ':' + String(v);
}

/** Runs a parsed query against the store. */
export function runQuery(
  store: Store,
  q: ParsedSoql,
  binds: (index: number) => unknown,
  ctx: QueryContext
): QueryResult {
  const plan = planFor(store.schema, q);
  const st: ExecState = {
    store,
    binds,
    bindCache: new Map(),
    ctx,
    semiJoins: new Map(),
    memo: new Map(),
    rows: 0
  };
  for (const e of plan.eager) e(st);
  for (const sq of plan.subqueries) for (const e of sq.plan.eager) e(st);
  const matched = filterRows(plan, st, store.rows(plan.object, q.allRows));

  if (plan.isCount) {
    const n = sliceRows(matched, plan, st).length;
    // COUNT() counts as one query row (Apex Developer Guide, "Working with SOQL Aggregate
    // Functions").
    st.rows += 1;
    ctx.onRows?.(st.rows);
    return { kind: 'count', count: n };
  }

  if (plan.aggregate) {
    const agg = plan.aggregate;
    const groups = new Map<string, StoredRow[]>();
    if (agg.groupKeys.length === 0) groups.set('', matched);
    else {
      for (const r of matched) {
        const key = agg.groupKeys.map((g) => groupKey(g(r, st))).join('|');
        const list = groups.get(key) ?? [];
        list.push(r);
        groups.set(key, list);
      }
    }
    let list = [...groups.values()];
    if (agg.having) list = list.filter((rows) => agg.having!(rows, st));
    if (agg.order) {
      const order = agg.order;
      list = list
        .map((rows, i) => ({ rows, i }))
        .sort((a, b) => order(a.rows, b.rows, st) || a.i - b.i)
        .map((x) => x.rows);
    }
    list = sliceRows(list, plan, st);
    const rows = list.map((groupRows) => {
      const ar = new SObjectValue('AggregateResult');
      for (const o of agg.outputs) ar.put(o.name, o.compute(groupRows, st));
      ar.markQueried(agg.outputs.map((o) => o.name));
      return ar;
    });
    // Query rows (Apex Developer Guide, "Working with SOQL Aggregate Functions"): with only
    // COUNT(field) aggregates, one row per group (one without GROUP BY); otherwise every row
    // the aggregation used.
    st.rows += agg.countOnly ? Math.max(rows.length, agg.groupKeys.length ? 0 : 1) : matched.length;
    ctx.onRows?.(st.rows);
    return { kind: 'aggregate', rows };
  }

  const selected = sliceRows(sortRows(plan, st, matched), plan, st);
  st.rows += selected.length;
  const children = plan.subqueries.length
    ? childRowsFor(plan, st, new Set(selected.map((r) => r.id)))
    : null;
  const records = selected.map((r) => buildRecord(plan, r, st, children));
  ctx.onRows?.(st.rows);
  return { kind: 'records', records };
}
