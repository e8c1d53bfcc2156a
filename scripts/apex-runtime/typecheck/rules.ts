// Static typing rules of the checker: which types are known well enough to judge, whether a
// value of one static type may be assigned to another (Apex "Rules of Conversion"), and Apex
// overload resolution on project classes. Every rule answers 'unknown' rather than guess:
// the checker reports an error only on a definite 'no'.

import type { ClassInfo } from '../model.ts';
import { numKind, splitType } from '../types.ts';

/** How a checker sees a static type. */
export type TypeKind =
  | 'null'
  | 'primitive'
  | 'object'
  | 'anySObject'
  | 'sobject'
  | 'class'
  | 'collection'
  | 'loose';

/** What the rules need from the project: its classes and SObject types. */
export interface TypeEnv {
  /** the project (non-system) class a type name denotes */
  projectClass(name: string): ClassInfo | null;
  /** a concrete SObject type the schema knows (not SObject, not AggregateResult) */
  isConcreteSObject(name: string): boolean;
  /** cls is base or derives from/implements it (null when the hierarchy cannot be walked) */
  derives(cls: ClassInfo, base: ClassInfo): boolean | null;
}

const PRIMITIVES = new Set([
  'integer',
  'long',
  'double',
  'decimal',
  'string',
  'id',
  'boolean',
  'date',
  'datetime',
  'time',
  'blob'
]);

/** The marker type of an expression the checker could not type (never reported on). */
export const UNKNOWN = '$unknown';

export function kindOf(t: string, env: TypeEnv): TypeKind {
  const l = t.toLowerCase();
  if (l === 'null') return 'null';
  if (PRIMITIVES.has(l)) return 'primitive';
  if (l === 'object') return 'object';
  if (l === 'sobject') return 'anySObject';
  const base = splitType(t).base.toLowerCase();
  if (t.includes('<')) {
    return base === 'list' || base === 'set' || base === 'map' ? 'collection' : 'loose';
  }
  if (env.projectClass(t)) return 'class';
  if (env.isConcreteSObject(t)) return 'sobject';
  return 'loose';
}

export type Verdict = 'exact' | 'widen' | 'no' | 'unknown';

const NUM_RANK = { int: 0, long: 1, double: 2, decimal: 2 } as const;

/** May a value of static type `from` be assigned (or passed) where `to` is declared? */
export function assignable(from: string, to: string, env: TypeEnv): Verdict {
  if (from === UNKNOWN || to === UNKNOWN) return 'unknown';
  const fk = kindOf(from, env);
  if (fk === 'null') return 'widen';
  if (from.toLowerCase() === to.toLowerCase()) return 'exact';
  const tk = kindOf(to, env);
  if (tk === 'object') return 'widen';
  if (fk === 'loose' || tk === 'loose' || fk === 'object') return 'unknown';
  if (tk === 'anySObject') {
    if (fk === 'sobject') return 'widen';
    return fk === 'primitive' || fk === 'class' ? 'no' : 'unknown';
  }
  if (fk === 'anySObject') {
    // a downcast on the platform; the runtime types Trigger.new and friends as SObject
    return tk === 'primitive' || tk === 'class' ? 'no' : 'unknown';
  }
  if (fk === 'primitive' && tk === 'primitive') return primitiveAssignable(from, to);
  if (fk === 'class' && tk === 'class') {
    const a = env.projectClass(from)!;
    const b = env.projectClass(to)!;
    const d = env.derives(a, b);
    return d === null ? 'unknown' : d ? 'widen' : 'no';
  }
  if (fk === 'collection' && tk === 'collection') return collectionAssignable(from, to, env);
  // a SOQL result list assigned to a single record
  if (fk === 'collection' && tk === 'sobject') return 'unknown';
  return 'no';
}

function primitiveAssignable(from: string, to: string): Verdict {
  const fn = numKind(from);
  const tn = numKind(to);
  if (fn && tn) return NUM_RANK[fn] <= NUM_RANK[tn] ? 'widen' : 'no';
  const f = from.toLowerCase();
  const t = to.toLowerCase();
  if ((f === 'id' && t === 'string') || (f === 'string' && t === 'id')) return 'widen';
  if (f === 'date' && t === 'datetime') return 'unknown';
  return 'no';
}

function collectionAssignable(from: string, to: string, env: TypeEnv): Verdict {
  const a = splitType(from);
  const b = splitType(to);
  if (a.base.toLowerCase() !== b.base.toLowerCase()) return 'no';
  if (a.args.length !== b.args.length) return 'unknown';
  for (let i = 0; i < a.args.length; i++) {
    const x = a.args[i];
    const y = b.args[i];
    if (kindOf(x, env) === 'primitive' && kindOf(y, env) === 'primitive') {
      if (x.toLowerCase() !== y.toLowerCase() && !(numKind(x) && numKind(y))) {
        if (primitiveAssignable(x, y) === 'no') return 'no';
      }
    }
  }
  return 'unknown';
}

/** Cost of passing `from` where `to` is declared (lower is more specific), or null if illegal. */
function conversionCost(from: string, to: string, env: TypeEnv): number | null {
  const v = assignable(from, to, env);
  if (v === 'no') return null;
  if (v === 'exact') return 0;
  if (v === 'unknown') return 1;
  const fn = numKind(from);
  const tn = numKind(to);
  if (fn && tn) return NUM_RANK[tn] - NUM_RANK[fn] + (tn === 'decimal' ? 0.5 : 0);
  if (kindOf(to, env) === 'object') return 10;
  return 2;
}

export interface Overload {
  params: { type: string }[];
}

/**
 * Apex overload resolution among same-arity candidates: the applicable ones (each argument
 * assignable to its parameter), then the most specific (exact match first, then the narrowest
 * widening). Returns [] when none applies, several when the static types cannot decide.
 */
export function resolveOverload<T extends Overload>(
  cands: T[],
  argTypes: string[],
  paramType: (m: T, i: number) => string,
  env: TypeEnv
): T[] {
  let best: T[] = [];
  let bestCost = Infinity;
  for (const m of cands) {
    let cost = 0;
    let ok = true;
    for (let i = 0; i < argTypes.length; i++) {
      const c = conversionCost(argTypes[i], paramType(m, i), env);
      if (c === null) {
        ok = false;
        break;
      }
      cost += c;
    }
    if (!ok) continue;
    if (cost < bestCost) {
      best = [m];
      bestCost = cost;
    } else if (cost === bestCost) best.push(m);
  }
  return best;
}

/** Type text as the platform prints it in messages. */
export function shown(t: string): string {
  if (t === 'null') return 'NULL';
  return t.replace(/,/g, ', ');
}

/**
 * Simple names of system classes, interfaces and namespaces (Apex Reference Guide). A type name
 * that is none of these, no primitive, no project class and no SObject is an invalid type; the
 * list errs on the side of accepting, since the runtime does not implement every system type.
 */
export const SYSTEM_TYPE_NAMES = new Set(
  [
    'Address',
    'Approval',
    'Assert',
    'AsyncInfo',
    'AsyncOptions',
    'Auth',
    'BusinessHours',
    'Cache',
    'Callable',
    'Canvas',
    'Cases',
    'ChatterAnswers',
    'Comparable',
    'Comparator',
    'ConnectApi',
    'Continuation',
    'Cookie',
    'Crypto',
    'Database',
    'DataSource',
    'DataWeave',
    'Dom',
    'Domain',
    'DomainCreator',
    'DomainParser',
    'EmailMessages',
    'EncodingUtil',
    'EventBus',
    'Exception',
    'FeatureManagement',
    'Flow',
    'FormulaEval',
    'Functions',
    'Http',
    'HttpCalloutMock',
    'HttpRequest',
    'HttpResponse',
    'Ideas',
    'Invocable',
    'Iterable',
    'Iterator',
    'JSON',
    'JSONGenerator',
    'JSONParser',
    'JSONToken',
    'KbManagement',
    'Label',
    'Limits',
    'Location',
    'LoggingLevel',
    'Matcher',
    'Math',
    'Messaging',
    'Metadata',
    'MultiStaticResourceCalloutMock',
    'Network',
    'OrgLimit',
    'OrgLimits',
    'PageReference',
    'Pattern',
    'Process',
    'Queueable',
    'QueueableContext',
    'QuickAction',
    'Quiddity',
    'Reports',
    'Request',
    'RestContext',
    'RestRequest',
    'RestResponse',
    'Savepoint',
    'Schedulable',
    'SchedulableContext',
    'Schema',
    'Search',
    'SelectOption',
    'Site',
    'StaticResourceCalloutMock',
    'StubProvider',
    'Support',
    'System',
    'Test',
    'TimeZone',
    'Trigger',
    'TriggerOperation',
    'TxnSecurity',
    'Type',
    'UserInfo',
    'UserManagement',
    'Url',
    'Version',
    'WebServiceCallout',
    'WebServiceMock',
    'XmlStreamReader',
    'XmlStreamWriter'
  ].map((n) => n.toLowerCase())
);
