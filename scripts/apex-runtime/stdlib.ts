// The Apex standard library of the local runtime: static methods and properties of system
// classes, instance methods of builtin values, system objects (Type, Schema describe, Database
// results, Messaging, Http), the test context (Test, Limits, async queues) and the clock.
// Anything not listed here throws NotSupportedLocally naming the method and the line.

import { DateTime } from 'luxon';
import {
  ApexBlob,
  ApexDate,
  ApexDatetime,
  ApexError,
  ApexList,
  ApexMap,
  ApexSet,
  ApexTime,
  Decimal,
  NotSupportedLocally,
  SObjectValue,
  decimalScale,
  decimalWithScale,
  formatDecimal,
  isDecimal,
  isIdShape,
  parseDecimal
} from './values.ts';
import { EnumValue, Instance } from './model.ts';
import {
  apexCompare,
  formatDouble,
  npe,
  runtimeNumKind,
  toKind,
  typeNameOf,
  INT_MAX,
  INT_MIN
} from './ops.ts';
import { numKind, splitType } from './types.ts';
import type { Interpreter } from './interpreter.ts';
import type { MethodCompiler, Typed } from './compiler.ts';
import {
  BusinessCalendar,
  type HolidaySpec,
  type WeeklyHours,
  type DayName
} from '../lib/business-time.ts';

type Fn = (v: unknown[], types: string[]) => unknown;
interface StaticDef {
  ret: string | ((types: string[]) => string);
  fn: Fn;
}

const SYSTEM_EXCEPTIONS = [
  'AssertException',
  'AsyncException',
  'CalloutException',
  'DmlException',
  'EmailException',
  'FinalException',
  'HandledException',
  'IllegalArgumentException',
  'InvalidParameterValueException',
  'JSONException',
  'LimitException',
  'ListException',
  'MathException',
  'NoAccessException',
  'NoDataFoundException',
  'NoSuchElementException',
  'NullPointerException',
  'QueryException',
  'RequiredFeatureMissingException',
  'SearchException',
  'SecurityException',
  'SerializationException',
  'SObjectException',
  'StringException',
  'TypeException',
  'UnexpectedException',
  'VisualforceException',
  'XmlException',
  'AuraHandledException',
  'InvalidHeaderException',
  'NoAccessException'
];

const BUILTIN_INTERFACES = new Map(
  [
    'Queueable',
    'Schedulable',
    'Comparable',
    'Finalizer',
    'HttpCalloutMock',
    'Database.Batchable',
    'Database.Stateful',
    'Database.AllowsCallouts',
    'Database.RaisesPlatformEvents',
    'Iterable',
    'Iterator',
    'System.Comparator',
    'Callable',
    'StubProvider',
    'System.StubProvider'
  ].map((n) => [n.toLowerCase(), n])
);

const BUILTIN_ENUMS: Record<string, string[]> = {
  'System.LoggingLevel': ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'FINE', 'FINER', 'FINEST'],
  'System.RoundingMode': [
    'CEILING',
    'DOWN',
    'FLOOR',
    'HALF_DOWN',
    'HALF_EVEN',
    'HALF_UP',
    'UNNECESSARY',
    'UP'
  ],
  'System.TriggerOperation': [
    'BEFORE_INSERT',
    'BEFORE_UPDATE',
    'BEFORE_DELETE',
    'AFTER_INSERT',
    'AFTER_UPDATE',
    'AFTER_DELETE',
    'AFTER_UNDELETE'
  ],
  'System.AccessLevel': ['USER_MODE', 'SYSTEM_MODE'],
  'Schema.SObjectDescribeOptions': ['DEFAULT', 'DEFERRED', 'FULL'],
  'System.AccessType': ['CREATABLE', 'READABLE', 'UPDATABLE', 'UPSERTABLE'],
  'Schema.DisplayType': [
    'ADDRESS',
    'ANYTYPE',
    'BASE64',
    'BOOLEAN',
    'COMBOBOX',
    'CURRENCY',
    'DATACATEGORYGROUPREFERENCE',
    'DATE',
    'DATETIME',
    'DOUBLE',
    'EMAIL',
    'ENCRYPTEDSTRING',
    'ID',
    'INTEGER',
    'LONG',
    'MULTIPICKLIST',
    'PERCENT',
    'PHONE',
    'PICKLIST',
    'REFERENCE',
    'STRING',
    'TEXTAREA',
    'TIME',
    'URL'
  ],
  'System.StatusCode': [
    'DUPLICATE_VALUE',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    'REQUIRED_FIELD_MISSING',
    'STRING_TOO_LONG',
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    'INVALID_FIELD',
    'INVALID_TYPE_ON_FIELD_IN_RECORD',
    'ENTITY_IS_DELETED',
    'INVALID_CROSS_REFERENCE_KEY',
    'MIXED_DML_OPERATION',
    'MALFORMED_ID',
    'INVALID_ID_FIELD',
    'UNABLE_TO_LOCK_ROW',
    'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
    'DUPLICATES_DETECTED',
    'FIELD_INTEGRITY_EXCEPTION',
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    'NUMBER_OUTSIDE_VALID_RANGE',
    'INSUFFICIENT_ACCESS_OR_READONLY',
    'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
    'DELETE_FAILED',
    'UNDELETE_FAILED',
    'INVALID_EMAIL_ADDRESS',
    'NO_MASS_MAIL_PERMISSION',
    'SINGLE_EMAIL_LIMIT_EXCEEDED',
    'MISSING_ARGUMENT'
  ]
};

const ENUM_ALIASES: Record<string, string> = {};
for (const full of Object.keys(BUILTIN_ENUMS)) {
  ENUM_ALIASES[full.toLowerCase()] = full;
  ENUM_ALIASES[full.split('.')[1].toLowerCase()] = full;
}

/** System object types with their Apex names (instances carry `apexType`). */
const OBJECT_TYPES = [
  'System.Type',
  'Schema.SObjectType',
  'Schema.SObjectField',
  'Schema.DescribeSObjectResult',
  'Schema.DescribeFieldResult',
  'Schema.PicklistEntry',
  'Schema.ChildRelationship',
  'Database.SaveResult',
  'Database.UpsertResult',
  'Database.DeleteResult',
  'Database.UndeleteResult',
  'Database.Error',
  'Database.QueryLocator',
  'Database.LeadConvert',
  'Database.LeadConvertResult',
  'Database.BatchableContext',
  'System.Savepoint',
  'System.QueueableContext',
  'System.SchedulableContext',
  'System.FinalizerContext',
  'Messaging.SingleEmailMessage',
  'Messaging.SendEmailResult',
  'Messaging.SendEmailError',
  'Messaging.CustomNotification',
  'System.HttpRequest',
  'System.HttpResponse',
  'System.Http',
  'System.TimeZone',
  'System.Url',
  'System.Pattern',
  'System.Matcher',
  'System.JSONGenerator',
  'AggregateResult',
  'System.Request',
  'System.TriggerOperation',
  'System.EventBus',
  'System.Test',
  'System.Limits',
  'System.UserInfo',
  'System.Math',
  'System.JSON',
  'System.Database',
  'System.Schema',
  'System.Crypto',
  'System.EncodingUtil',
  'System.FeatureManagement',
  'System.BusinessHours',
  'System.Messaging',
  'System.Assert'
];

const TYPE_ALIASES = new Map<string, string>();
for (const t of OBJECT_TYPES) {
  TYPE_ALIASES.set(t.toLowerCase(), t);
  const simple = t.split('.').pop()!.toLowerCase();
  if (!TYPE_ALIASES.has(simple)) TYPE_ALIASES.set(simple, t);
}
for (const e of Object.keys(BUILTIN_ENUMS)) {
  TYPE_ALIASES.set(e.toLowerCase(), e);
  TYPE_ALIASES.set(e.split('.')[1].toLowerCase(), e);
}
for (const i of BUILTIN_INTERFACES.values()) TYPE_ALIASES.set(i.toLowerCase(), i);

/** A system object (Type token, describe result, Database.SaveResult ...). */
export class SysObject {
  constructor(
    readonly apexType: string,
    readonly props: Record<string, unknown> = {}
  ) {}
  apexString(): string {
    if (this.apexType === 'System.Type') return String(this.props.name);
    if (this.apexType === 'Schema.SObjectType') return String(this.props.name);
    if (this.apexType === 'Schema.SObjectField') return String(this.props.name);
    if (this.apexType === 'System.TimeZone') return String(this.props.id);
    return `${this.apexType.split('.').pop()}:${JSON.stringify(this.props, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
  }
}

const DAY_NAMES: DayName[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday'
];

function typed(type: string, fn: (f: import('./model.ts').Frame) => unknown): Typed {
  return { type, fn };
}

function str(v: unknown): string {
  if (v === null || v === undefined) throw npe();
  return v as string;
}

function int(v: unknown): number {
  if (v === null || v === undefined) throw npe();
  return Number(v);
}

export interface AsyncJob {
  kind: 'queueable' | 'future' | 'schedule' | 'batch' | 'event';
  run: () => void;
  id: string;
}

/** Governor limits (synchronous Apex, per the Execution Governors and Limits page). */
export const LIMITS: Record<string, number> = {
  queries: 100,
  queryRows: 50000,
  dmlStatements: 150,
  dmlRows: 10000,
  callouts: 100,
  emailInvocations: 10,
  queueableJobs: 50,
  futureCalls: 50,
  publishImmediateDml: 150
};

export class Stdlib {
  // ------------------------------------------------------------------ per-test state
  now = new ApexDatetime(0);
  usage: Record<string, number> = {};
  inTestBlock = false;
  testStarted = false;
  testStopped = false;
  asyncQueue: AsyncJob[] = [];
  emails: SysObject[] = [];
  notifications: SysObject[] = [];
  debugLog: string[] = [];
  mocks = new Map<string, unknown>();
  asyncContext: string | null = null;
  private idCounter = 0;

  constructor(readonly rt: Interpreter) {}

  resetForTest(nowMs: number): void {
    this.now = new ApexDatetime(nowMs);
    this.usage = {};
    this.testStarted = false;
    this.testStopped = false;
    this.asyncQueue = [];
    this.emails = [];
    this.notifications = [];
    this.debugLog = [];
    this.mocks = new Map();
    this.asyncContext = null;
  }

  /** Counts a governor-limited operation; throws System.LimitException past the limit. */
  count(what: string, n = 1): void {
    const v = (this.usage[what] ?? 0) + n;
    this.usage[what] = v;
    const limit = LIMITS[what];
    if (limit !== undefined && v > limit) {
      const names: Record<string, string> = {
        queries: 'Too many SOQL queries',
        queryRows: 'Too many query rows',
        dmlStatements: 'Too many DML statements',
        dmlRows: 'Too many DML rows',
        callouts: 'Too many callouts',
        emailInvocations: 'Too many Email Invocations',
        queueableJobs: 'Too many queueable jobs added to the queue',
        futureCalls: 'Too many future calls'
      };
      throw new ApexError('System.LimitException', `${names[what] ?? what}: ${v}`);
    }
  }

  newId(prefix: string): string {
    this.idCounter++;
    const body = this.idCounter
      .toString(36)
      .toUpperCase()
      .padStart(12 - prefix.length + 3, '0');
    return this.rt.toId((prefix + body).slice(0, 15));
  }

  get userTimeZone(): string {
    return this.rt.data.userTimeZone();
  }

  // ------------------------------------------------------------------ names and types

  exceptionTypeName(name: string): string | null {
    const lower = name.toLowerCase();
    const simple = lower.startsWith('system.') ? lower.slice(7) : lower;
    const found = SYSTEM_EXCEPTIONS.find((e) => e.toLowerCase() === simple);
    if (found) return `System.${found}`;
    const nsMap: Record<string, string> = {
      'database.dmlexception': 'System.DmlException'
    };
    return nsMap[lower] ?? null;
  }

  builtinInterface(name: string): string | null {
    const base = splitType(name).base.toLowerCase();
    const b = base.startsWith('system.') ? base.slice(7) : base;
    return BUILTIN_INTERFACES.get(b) ?? BUILTIN_INTERFACES.get(base) ?? null;
  }

  canonicalBuiltinType(name: string): string | null {
    const l = name.toLowerCase();
    return (
      TYPE_ALIASES.get(l) ??
      (l.startsWith('system.') ? (TYPE_ALIASES.get(l.slice(7)) ?? null) : null)
    );
  }

  builtinEnumValue(typeName: string, name: string): EnumValue | null {
    const full = ENUM_ALIASES[typeName.toLowerCase()];
    if (!full) return null;
    const vals = BUILTIN_ENUMS[full];
    const i = vals.findIndex((v) => v.toLowerCase() === name.toLowerCase());
    if (i < 0) return null;
    return this.enumConst(full, i);
  }

  private enumConsts = new Map<string, EnumValue[]>();
  enumConst(full: string, i: number): EnumValue {
    let list = this.enumConsts.get(full);
    if (!list) {
      list = BUILTIN_ENUMS[full].map((n, k) => new EnumValue(full, n, k));
      this.enumConsts.set(full, list);
    }
    return list[i];
  }
  enumByName(full: string, name: string): EnumValue {
    const v = this.builtinEnumValue(full, name);
    if (!v) throw new NotSupportedLocally(`${full}.${name}`);
    return v;
  }

  /** Recognises a namespace or system class at the start of a dotted name. */
  namespace(names: string[]): { name: string; consumed: number } | null {
    const a = names[0].toLowerCase();
    const b = names[1]?.toLowerCase();
    const known = new Set([
      'system',
      'schema',
      'database',
      'test',
      'math',
      'json',
      'limits',
      'userinfo',
      'assert',
      'messaging',
      'eventbus',
      'crypto',
      'encodingutil',
      'featuremanagement',
      'url',
      'label',
      'string',
      'integer',
      'long',
      'double',
      'decimal',
      'boolean',
      'date',
      'datetime',
      'time',
      'id',
      'blob',
      'type',
      'trigger',
      'businesshours',
      'timezone',
      'pattern',
      'http',
      'httprequest',
      'httpresponse',
      'sobjecttype',
      'accesslevel',
      'loggingLevel'.toLowerCase(),
      'roundingmode',
      'statuscode',
      'triggeroperation',
      'displaytype',
      'sobjectdescribeoptions',
      'object'
    ]);
    if (a === 'system' && b && known.has(b)) return { name: canonicalNs(b), consumed: 2 };
    if (a === 'schema' && b === 'sobjecttype') return { name: 'Schema.SObjectType', consumed: 2 };
    if (a === 'schema' && b === 'displaytype') return { name: 'Schema.DisplayType', consumed: 2 };
    if (known.has(a)) return { name: canonicalNs(a), consumed: 1 };
    return null;
  }

  // ------------------------------------------------------------------ static properties

  staticProperty(
    type: string,
    name: string,
    loc: string
  ): { kind: 'value'; t: Typed } | { kind: 'builtin'; name: string } {
    const t = type.toLowerCase();
    const n = name.toLowerCase();
    const rt = this.rt;
    const enumFull = ENUM_ALIASES[t];
    if (enumFull) {
      const ev = this.builtinEnumValue(enumFull, name);
      if (!ev) throw new NotSupportedLocally(`${type}.${name}`, loc);
      if (enumFull === 'System.AccessLevel')
        return { kind: 'value', t: typed('System.AccessLevel', () => ev) };
      return { kind: 'value', t: typed(enumFull, () => ev) };
    }
    if (t === 'system' && ENUM_ALIASES[n]) return { kind: 'builtin', name: ENUM_ALIASES[n] };
    if (t === 'trigger') {
      const cur = (): ReturnType<Interpreter['currentTrigger']> => rt.currentTrigger();
      const listOf = (l: SObjectValue[] | null, so: string): ApexList | null =>
        l ? new ApexList(so, l) : null;
      const mapOf = (l: SObjectValue[] | null, so: string): ApexMap | null => {
        if (!l) return null;
        const m = new ApexMap('Id', so);
        for (const r of l) m.set(r.get('Id'), r);
        return m;
      };
      const so = 'SObject';
      // outside a trigger the context variables are null and isExecuting is false
      const NONE = { sobject: 'SObject', event: '', isBefore: false, newList: null, oldList: null };
      const get = (): NonNullable<ReturnType<Interpreter['currentTrigger']>> => cur() ?? NONE;
      const props: Record<string, Typed> = {
        new: typed(`List<${so}>`, () => {
          const c = get();
          return c.event === 'delete' ? null : listOf(c.newList, c.sobject);
        }),
        old: typed(`List<${so}>`, () => {
          const c = get();
          return listOf(c.oldList, c.sobject);
        }),
        newmap: typed(`Map<Id,${so}>`, () => {
          const c = get();
          return c.event === 'insert' && c.isBefore
            ? null
            : c.event === 'delete'
              ? null
              : mapOf(c.newList, c.sobject);
        }),
        oldmap: typed(`Map<Id,${so}>`, () => {
          const c = get();
          return mapOf(c.oldList, c.sobject);
        }),
        isbefore: typed('Boolean', () => (cur() ? get().isBefore : false)),
        isafter: typed('Boolean', () => (cur() ? !get().isBefore : false)),
        isinsert: typed('Boolean', () => get().event === 'insert'),
        isupdate: typed('Boolean', () => get().event === 'update'),
        isdelete: typed('Boolean', () => get().event === 'delete'),
        isundelete: typed('Boolean', () => get().event === 'undelete'),
        isexecuting: typed('Boolean', () => !!cur()),
        size: typed('Integer', () => {
          const c = cur();
          return c ? (c.newList ?? c.oldList ?? []).length : null;
        }),
        operationtype: typed('System.TriggerOperation', () => {
          const c = cur();
          if (!c) return null;
          return this.enumByName(
            'System.TriggerOperation',
            `${c.isBefore ? 'BEFORE' : 'AFTER'}_${c.event.toUpperCase()}`
          );
        })
      };
      const p = props[n];
      if (!p) throw new NotSupportedLocally(`Trigger.${name}`, loc);
      return { kind: 'value', t: p };
    }
    if (t === 'schema.sobjecttype') {
      const obj = rt.data.findObject(name);
      if (!obj) throw new NotSupportedLocally(`Schema.SObjectType.${name} (unknown object)`, loc);
      return {
        kind: 'value',
        t: typed('Schema.DescribeSObjectResult', () => this.describeSObject(obj.name))
      };
    }
    if (t === 'schema') {
      const obj = rt.data.findObject(name);
      if (obj) return { kind: 'builtin', name: `Schema.$sobject.${obj.name}` };
      return { kind: 'builtin', name: `Schema.${name}` };
    }
    if (t.startsWith('schema.$sobject.')) {
      const so = type.slice('schema.$sobject.'.length);
      return { kind: 'value', t: this.sobjectStaticProperty(so, name, loc) };
    }
    if (t === 'label') {
      throw new NotSupportedLocally(`custom label Label.${name}`, loc);
    }
    if (t === 'system' || t === 'database' || t === 'messaging') {
      const full = this.canonicalBuiltinType(`${type}.${name}`);
      if (full) return { kind: 'builtin', name: full };
      return { kind: 'builtin', name: `${canonicalNs(t)}.${name}` };
    }
    throw new NotSupportedLocally(`static property ${type}.${name}`, loc);
  }

  sobjectStaticProperty(sobject: string, name: string, loc: string): Typed {
    const n = name.toLowerCase();
    if (n === 'sobjecttype') return typed('Schema.SObjectType', () => this.sobjectType(sobject));
    const f = this.rt.data.findField(sobject, name);
    if (f) return typed('Schema.SObjectField', () => this.fieldToken(sobject, f.name));
    throw new NotSupportedLocally(`${sobject}.${name}`, loc);
  }

  sobjectStaticCall(sobject: string, name: string, args: Typed[], loc: string): Typed {
    const n = name.toLowerCase();
    const rt = this.rt;
    if (sobject.toLowerCase() === 'businesshours') {
      return this.staticCall('BusinessHours', name, args, loc, null);
    }
    const kind = rt.data.objectKind(sobject);
    if (kind === 'customMetadata') {
      if (n === 'getall' && args.length === 0) {
        return typed(`Map<String,${sobject}>`, () => {
          const m = new ApexMap('String', sobject);
          for (const r of rt.data.customMetadata(sobject)) m.set(r.get('DeveloperName'), r);
          return m;
        });
      }
      if (n === 'getinstance' && args.length === 1) {
        return typed(sobject, (f) => {
          const key = args[0].fn(f);
          if (key === null) throw npe();
          const recs = rt.data.customMetadata(sobject);
          const k = String(key);
          return (
            recs.find(
              (r) =>
                r.get('DeveloperName') === k ||
                r.get('Id') === k ||
                (isIdShape(k) && r.get('Id') === rt.toId(k))
            ) ?? null
          );
        });
      }
    }
    throw new NotSupportedLocally(`${sobject}.${name}()`, loc);
  }

  // ------------------------------------------------------------------ static calls

  staticCall(
    type: string,
    name: string,
    args: Typed[],
    loc: string,
    _mc: MethodCompiler | null
  ): Typed {
    let lt = type.toLowerCase();
    if (lt.startsWith('system.') && !lt.startsWith('system.$')) lt = lt.slice(7);
    const key = `${lt}.${name.toLowerCase()}`;
    if ((key === 'database.query' || key === 'database.countquery') && _mc && args.length >= 1) {
      // dynamic SOQL binds name variables in scope of the call
      const resolve = _mc.bindResolver();
      const q = args[0];
      const rt = this.rt;
      return {
        type: key === 'database.query' ? 'List<SObject>' : 'Integer',
        fn: (f) => rt.data.dynamicQuery(str(q.fn(f)), null, rt.line, (text) => resolve(f, text))
      };
    }
    const def = this.statics()[key] ?? this.statics()[`${key}/${args.length}`];
    if (!def) {
      // Schema.<SObject>.method
      if (type.toLowerCase().startsWith('schema.$sobject.')) {
        return this.sobjectStaticCall(type.slice(16), name, args, loc);
      }
      throw new NotSupportedLocally(`${type}.${name}(${args.length} argument(s))`, loc);
    }
    const types = args.map((a) => a.type);
    const ret = typeof def.ret === 'function' ? def.ret(types) : def.ret;
    const n = args.length;
    return {
      type: ret,
      fn: (f) => {
        const vals = new Array(n);
        for (let i = 0; i < n; i++) vals[i] = args[i].fn(f);
        return def.fn(vals, types);
      }
    };
  }

  private staticTable: Record<string, StaticDef> | null = null;

  private statics(): Record<string, StaticDef> {
    if (this.staticTable) return this.staticTable;
    const rt = this.rt;
    const t: Record<string, StaticDef> = {};
    const def = (names: string[], ret: StaticDef['ret'], fn: Fn): void => {
      for (const n of names) t[n.toLowerCase()] = { ret, fn };
    };
    // ---- System / Assert
    const assertFail = (msg: string): never => {
      throw new ApexError('System.AssertException', `Assertion Failed: ${msg}`);
    };
    const withMsg = (base: string, m: unknown): string =>
      m === null || m === undefined ? base : `${rt.str(m)}: ${base}`;
    const ex = (e: unknown, types: string[], i: number): string =>
      rt.str(e, numKind(types[i] ?? ''));
    def(
      ['system.assertequals/2', 'system.assertequals/3', 'assert.areequal/2', 'assert.areequal/3'],
      'void',
      (v, ty) => {
        if (!rt.equals(v[0], v[1])) {
          const base = `Expected: ${ex(v[0], ty, 0)}, Actual: ${ex(v[1], ty, 1)}`;
          assertFail(v.length > 2 && v[2] !== null ? `${rt.str(v[2])}: ${base}` : base);
        }
        return null;
      }
    );
    def(
      [
        'system.assertnotequals/2',
        'system.assertnotequals/3',
        'assert.arenotequal/2',
        'assert.arenotequal/3'
      ],
      'void',
      (v, ty) => {
        if (rt.equals(v[0], v[1])) {
          const base = `Expected: ${ex(v[0], ty, 0)}, Actual: ${ex(v[1], ty, 1)}`;
          assertFail(v.length > 2 && v[2] !== null ? `${rt.str(v[2])}: ${base}` : base);
        }
        return null;
      }
    );
    def(['system.assert/1', 'system.assert/2'], 'void', (v) => {
      if (v[0] !== true)
        assertFail(v.length > 1 && v[1] !== null ? rt.str(v[1]) : 'Assertion Failed');
      return null;
    });
    def(['assert.istrue/1', 'assert.istrue/2'], 'void', (v) => {
      if (v[0] !== true) assertFail(withMsg('Expected: true, Actual: ' + rt.str(v[0]), v[1]));
      return null;
    });
    def(['assert.isfalse/1', 'assert.isfalse/2'], 'void', (v) => {
      if (v[0] !== false) assertFail(withMsg('Expected: false, Actual: ' + rt.str(v[0]), v[1]));
      return null;
    });
    def(['assert.isnull/1', 'assert.isnull/2'], 'void', (v, ty) => {
      if (v[0] !== null) assertFail(withMsg(`Expected: null, Actual: ${ex(v[0], ty, 0)}`, v[1]));
      return null;
    });
    def(['assert.isnotnull/1', 'assert.isnotnull/2'], 'void', (v) => {
      if (v[0] === null) assertFail(withMsg('Expected: not null, Actual: null', v[1]));
      return null;
    });
    def(['assert.fail/0', 'assert.fail/1'], 'void', (v) =>
      assertFail(v.length && v[0] !== null ? rt.str(v[0]) : '')
    );
    def(['assert.isinstanceoftype/2', 'assert.isinstanceoftype/3'], 'void', (v) => {
      const ty = v[1] as SysObject;
      if (!rt.isInstanceOf(v[0], String(ty.props.name))) {
        assertFail(
          withMsg(`Expected instance of ${ty.props.name}, Actual: ${typeNameOf(v[0])}`, v[2])
        );
      }
      return null;
    });
    def(['assert.isnotinstanceoftype/2', 'assert.isnotinstanceoftype/3'], 'void', (v) => {
      const ty = v[1] as SysObject;
      if (rt.isInstanceOf(v[0], String(ty.props.name))) {
        assertFail(
          withMsg(`Expected not instance of ${ty.props.name}, Actual: ${typeNameOf(v[0])}`, v[2])
        );
      }
      return null;
    });
    def(['system.now/0'], 'Datetime', () => this.now);
    def(['system.today/0', 'date.today/0'], 'Date', () => this.today());
    def(['system.debug/1', 'system.debug/2'], 'void', (v) => {
      this.debugLog.push(rt.str(v[v.length - 1]));
      return null;
    });
    def(['system.currenttimemillis/0'], 'Long', () => BigInt(this.now.epochMs));
    def(['system.enqueuejob/1', 'system.enqueuejob/2'], 'Id', (v) =>
      this.enqueueJob(v[0], v[1] ?? null)
    );
    def(['system.schedule/3'], 'Id', (v) => this.schedule(str(v[0]), str(v[1]), v[2]));
    def(['system.abortjob/1'], 'void', (v) => {
      rt.data.abortJob(str(v[0]));
      return null;
    });
    def(['system.isqueueable/0'], 'Boolean', () => this.asyncContext === 'queueable');
    def(['system.isbatch/0'], 'Boolean', () => this.asyncContext === 'batch');
    def(['system.isfuture/0'], 'Boolean', () => this.asyncContext === 'future');
    def(['system.isscheduled/0'], 'Boolean', () => this.asyncContext === 'schedule');
    // ---- Test
    def(['test.starttest/0'], 'void', () => {
      if (this.testStarted) throw new ApexError('System.FinalException', 'Testing already started');
      this.testStarted = true;
      this.inTestBlock = true;
      this.usage = {};
      // DML made before startTest does not block callouts made after it
      rt.data.clearUncommittedWork();
      return null;
    });
    def(['test.stoptest/0'], 'void', () => {
      if (!this.testStarted || this.testStopped) {
        throw new ApexError('System.FinalException', 'Testing has not started');
      }
      this.testStopped = true;
      this.inTestBlock = false;
      this.runAsyncQueue();
      return null;
    });
    def(['test.isrunningtest/0'], 'Boolean', () => true);
    def(['test.setmock/2'], 'void', (v) => {
      const ty = v[0] as SysObject;
      this.mocks.set(String(ty.props.name).toLowerCase(), v[1]);
      return null;
    });
    def(['test.getstandardpricebookid/0'], 'Id', () => {
      throw new NotSupportedLocally('Test.getStandardPricebookId');
    });
    def(['test.geteventbus/0'], 'System.EventBus', () => new SysObject('System.TestEventBus'));
    def(['test.setcreateddate/2'], 'void', (v) => {
      rt.data.setCreatedDate(str(v[0]), v[1] as ApexDatetime);
      return null;
    });
    // ---- Limits
    const lim = (name: string, key: string): void => {
      def([`limits.get${name}/0`], 'Integer', () => this.usage[key] ?? 0);
      def([`limits.getlimit${name}/0`], 'Integer', () => LIMITS[key]);
    };
    lim('queries', 'queries');
    lim('queryrows', 'queryRows');
    lim('dmlstatements', 'dmlStatements');
    lim('dmlrows', 'dmlRows');
    lim('callouts', 'callouts');
    lim('emailinvocations', 'emailInvocations');
    lim('queueablejobs', 'queueableJobs');
    lim('futurecalls', 'futureCalls');
    lim('publishimmediatedml', 'publishImmediateDml');
    // ---- UserInfo
    def(['userinfo.getuserid/0'], 'Id', () => rt.data.runningUserId());
    def(['userinfo.getname/0'], 'String', () => rt.data.runningUserField('Name'));
    def(['userinfo.getfirstname/0'], 'String', () => rt.data.runningUserField('FirstName'));
    def(['userinfo.getlastname/0'], 'String', () => rt.data.runningUserField('LastName'));
    def(['userinfo.getusername/0'], 'String', () => rt.data.runningUserField('Username'));
    def(['userinfo.getuseremail/0'], 'String', () => rt.data.runningUserField('Email'));
    def(['userinfo.getprofileid/0'], 'Id', () => rt.data.runningUserField('ProfileId'));
    def(['userinfo.getuserroleid/0'], 'Id', () => rt.data.runningUserField('UserRoleId'));
    def(['userinfo.getusertype/0'], 'String', () => rt.data.runningUserField('UserType'));
    def(['userinfo.getlocale/0'], 'String', () => rt.data.runningUserField('LocaleSidKey'));
    def(['userinfo.getlanguage/0'], 'String', () => rt.data.runningUserField('LanguageLocaleKey'));
    def(['userinfo.getorganizationid/0'], 'Id', () => rt.data.organizationId());
    def(['userinfo.gettimezone/0'], 'System.TimeZone', () => this.timeZone(this.userTimeZone));
    def(['timezone.gettimezone/1'], 'System.TimeZone', (v) => this.timeZone(str(v[0])));
    // ---- FeatureManagement
    def(['featuremanagement.checkpermission/1'], 'Boolean', (v) =>
      rt.data.checkPermission(str(v[0]))
    );
    // ---- Url
    def(
      ['url.getorgdomainurl/0'],
      'System.Url',
      () => new SysObject('System.Url', { url: rt.data.orgDomainUrl() })
    );
    // ---- Math
    const numT = (types: string[]): string => {
      const ks = types.map((x) => numKind(x));
      if (ks.includes('decimal')) return 'Decimal';
      if (ks.includes('double')) return 'Double';
      if (ks.includes('long')) return 'Long';
      return 'Integer';
    };
    def(['math.max/2'], numT, (v, ty) => {
      if (v[0] === null || v[1] === null) throw npe();
      const k = numKind(numT(ty))!;
      const a = toKind(v[0], k);
      const b = toKind(v[1], k);
      return (apexCompare(a, b) ?? 0) >= 0 ? a : b;
    });
    def(['math.min/2'], numT, (v, ty) => {
      if (v[0] === null || v[1] === null) throw npe();
      const k = numKind(numT(ty))!;
      const a = toKind(v[0], k);
      const b = toKind(v[1], k);
      return (apexCompare(a, b) ?? 0) <= 0 ? a : b;
    });
    def(['math.abs/1'], numT, (v) => {
      const x = v[0];
      if (x === null) throw npe();
      if (isDecimal(x)) return decimalWithScale(x.abs(), decimalScale(x));
      if (typeof x === 'bigint') return x < 0n ? -x : x;
      return Math.abs(x as number);
    });
    def(['math.mod/2'], numT, (v) => {
      if (v[0] === null || v[1] === null) throw npe();
      if (typeof v[0] === 'bigint' || typeof v[1] === 'bigint') {
        const b = BigInt(v[1] as bigint);
        if (b === 0n) throw new ApexError('System.MathException', 'Divide by 0');
        return BigInt(v[0] as bigint) % b;
      }
      if ((v[1] as number) === 0) throw new ApexError('System.MathException', 'Divide by 0');
      return (v[0] as number) % (v[1] as number);
    });
    def(
      ['math.round/1'],
      (ty) => (numKind(ty[0]) === 'decimal' ? 'Long' : 'Integer'),
      (v, ty) => {
        const x = v[0];
        if (x === null) throw npe();
        if (isDecimal(x)) return BigInt(x.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
        void ty;
        return Math.round(x as number);
      }
    );
    def(['math.roundtolong/1'], 'Long', (v) => {
      const x = v[0];
      if (isDecimal(x)) return BigInt(x.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
      return BigInt(Math.round(x as number));
    });
    def(['math.floor/1'], 'Decimal', (v) =>
      isDecimal(v[0]) ? decimalWithScale(v[0].floor(), 0) : Math.floor(v[0] as number)
    );
    def(['math.ceil/1'], 'Decimal', (v) =>
      isDecimal(v[0]) ? decimalWithScale(v[0].ceil(), 0) : Math.ceil(v[0] as number)
    );
    def(['math.sqrt/1'], 'Double', (v) => Math.sqrt(Number(toKind(v[0], 'double'))));
    def(['math.pow/2'], 'Double', (v) =>
      Math.pow(Number(toKind(v[0], 'double')), Number(toKind(v[1], 'double')))
    );
    def(['math.exp/1'], 'Double', (v) => Math.exp(Number(toKind(v[0], 'double'))));
    def(['math.log/1'], 'Double', (v) => Math.log(Number(toKind(v[0], 'double'))));
    def(['math.log10/1'], 'Double', (v) => Math.log10(Number(toKind(v[0], 'double'))));
    // ---- Crypto
    def(['crypto.getrandominteger/0'], 'Integer', () => (Math.random() * 2 ** 32) | 0);
    def(['crypto.getrandomlong/0'], 'Long', () =>
      BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 53)))
    );
    def(['math.random/0'], 'Double', () => Math.random());
    // ---- String
    def(['string.isblank/1'], 'Boolean', (v) => v[0] === null || String(v[0]).trim() === '');
    def(['string.isnotblank/1'], 'Boolean', (v) => !(v[0] === null || String(v[0]).trim() === ''));
    def(['string.isempty/1'], 'Boolean', (v) => v[0] === null || v[0] === '');
    def(['string.isnotempty/1'], 'Boolean', (v) => !(v[0] === null || v[0] === ''));
    def(['string.valueof/1'], 'String', (v, ty) =>
      v[0] === null ? null : rt.str(v[0], numKind(ty[0]))
    );
    def(['string.escapesinglequotes/1'], 'String', (v) => str(v[0]).replace(/'/g, "\\'"));
    def(['string.join/2'], 'String', (v) => {
      const c = v[0];
      if (c === null) throw npe();
      const items = c instanceof ApexList ? c.items : c instanceof ApexSet ? [...c.values()] : null;
      if (!items) throw new NotSupportedLocally(`String.join on ${typeNameOf(c)}`);
      return items.map((x) => rt.str(x)).join(v[1] === null ? 'null' : str(v[1]));
    });
    def(['string.format/2'], 'String', (v) => {
      const args = (v[1] as ApexList).items;
      return str(v[0]).replace(/\{(\d+)\}/g, (_m, i: string) =>
        Number(i) < args.length ? rt.str(args[Number(i)]) : `{${i}}`
      );
    });
    def(['string.fromchararray/1'], 'String', (v) =>
      String.fromCharCode(...(v[0] as ApexList).items.map(Number))
    );
    // ---- numbers
    def(['integer.valueof/1'], 'Integer', (v) => {
      const x = v[0];
      if (x === null) return null;
      if (typeof x === 'string') return parseIntStrict(x);
      if (runtimeNumKind(x)) return toKind(x, 'int');
      throw new ApexError('System.TypeException', `Invalid integer: ${rt.str(x)}`);
    });
    def(['long.valueof/1'], 'Long', (v) => {
      const x = v[0];
      if (x === null) return null;
      if (typeof x === 'string') {
        if (!/^[+-]?\d+$/.test(x.trim()))
          throw new ApexError('System.TypeException', `Invalid long: ${x}`);
        return BigInt(x.trim());
      }
      return toKind(x, 'long');
    });
    def(['decimal.valueof/1'], 'Decimal', (v, ty) => {
      const x = v[0];
      if (x === null) return null;
      if (typeof x === 'string') {
        const s = x.trim();
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
          throw new ApexError('System.TypeException', `Invalid decimal: ${x}`);
        }
        return parseDecimal(s);
      }
      if (numKind(ty[0]) === 'double' || (typeof x === 'number' && !Number.isInteger(x))) {
        return parseDecimal(formatDouble(x as number).replace('E', 'e'));
      }
      return toKind(x, 'decimal');
    });
    def(['double.valueof/1'], 'Double', (v) => {
      const x = v[0];
      if (x === null) return null;
      if (typeof x === 'string') {
        const n = Number(x.trim());
        if (x.trim() === '' || Number.isNaN(n))
          throw new ApexError('System.TypeException', `Invalid double: ${x}`);
        return n;
      }
      return toKind(x, 'double');
    });
    def(['boolean.valueof/1'], 'Boolean', (v) => {
      const x = v[0];
      if (x === null) return null;
      if (typeof x === 'boolean') return x;
      return String(x).toLowerCase() === 'true';
    });
    def(['id.valueof/1'], 'Id', (v) => (v[0] === null ? null : rt.toId(str(v[0]))));
    // ---- Date / Datetime / Time
    def(['date.newinstance/3'], 'Date', (v) => newDate(int(v[0]), int(v[1]), int(v[2])));
    def(['date.valueof/1'], 'Date', (v) => {
      const x = v[0];
      if (x === null) return null;
      if (x instanceof ApexDatetime) return this.localDate(x, 'UTC');
      return ApexDate.parseIso(str(x));
    });
    def(['date.daysinmonth/2'], 'Integer', (v) =>
      new Date(Date.UTC(int(v[0]), int(v[1]), 0)).getUTCDate()
    );
    def(['date.isleapyear/1'], 'Boolean', (v) => {
      const y = int(v[0]);
      return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    });
    def(['datetime.now/0'], 'Datetime', () => this.now);
    def(
      ['datetime.newinstancegmt/3'],
      'Datetime',
      (v) => new ApexDatetime(Date.UTC(int(v[0]), int(v[1]) - 1, int(v[2])))
    );
    def(
      ['datetime.newinstancegmt/6'],
      'Datetime',
      (v) =>
        new ApexDatetime(
          Date.UTC(int(v[0]), int(v[1]) - 1, int(v[2]), int(v[3]), int(v[4]), int(v[5]))
        )
    );
    def(['datetime.newinstancegmt/2'], 'Datetime', (v) => {
      const d = v[0] as ApexDate;
      const tm = v[1] as ApexTime;
      return new ApexDatetime(Date.UTC(d.year, d.month - 1, d.day) + tm.msOfDay);
    });
    def(
      ['datetime.newinstance/1'],
      'Datetime',
      (v) => new ApexDatetime(Number(toKind(v[0], 'long')))
    );
    def(['datetime.newinstance/3'], 'Datetime', (v) =>
      this.localDatetime(int(v[0]), int(v[1]), int(v[2]), 0, 0, 0, 0)
    );
    def(['datetime.newinstance/6'], 'Datetime', (v) =>
      this.localDatetime(int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4]), int(v[5]), 0)
    );
    def(['datetime.newinstance/2'], 'Datetime', (v) => {
      const d = v[0] as ApexDate;
      const tm = v[1] as ApexTime;
      if (d === null || tm === null) throw npe();
      const ms = tm.msOfDay;
      return this.localDatetime(
        d.year,
        d.month,
        d.day,
        Math.floor(ms / 3600000),
        Math.floor(ms / 60000) % 60,
        Math.floor(ms / 1000) % 60,
        ms % 1000
      );
    });
    def(['datetime.valueof/1'], 'Datetime', (v) => {
      const s = str(v[0]).trim();
      const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s);
      if (!m) throw new ApexError('System.TypeException', `Invalid date/time: ${s}`);
      return this.localDatetime(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0);
    });
    def(['datetime.valueofgmt/1'], 'Datetime', (v) => {
      const s = str(v[0]).trim();
      const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s);
      if (!m) throw new ApexError('System.TypeException', `Invalid date/time: ${s}`);
      return new ApexDatetime(
        Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
      );
    });
    def(
      ['time.newinstance/4'],
      'Time',
      (v) => new ApexTime(((int(v[0]) * 60 + int(v[1])) * 60 + int(v[2])) * 1000 + int(v[3]))
    );
    // ---- JSON
    def(['json.serialize/1', 'json.serialize/2'], 'String', (v) =>
      JSON.stringify(this.toJson(v[0], v[1] === true))
    );
    def(['json.serializepretty/1', 'json.serializepretty/2'], 'String', (v) =>
      JSON.stringify(this.toJson(v[0], v[1] === true), null, 2)
    );
    def(['json.deserializeuntyped/1'], 'Object', (v) => this.fromJsonUntyped(parseJson(str(v[0]))));
    def(['json.deserialize/2', 'json.deserializestrict/2'], 'Object', (v) => {
      const ty = v[1] as SysObject;
      return this.fromJsonTyped(parseJson(str(v[0])), String(ty.props.name));
    });
    // ---- Type
    def(['type.forname/1'], 'System.Type', (v) => {
      const n = str(v[0]);
      const r = rt.resolveTypeOrNull(n, rt.classes.values().next().value!);
      if (!r) return null;
      return this.typeToken(r.kind === 'class' ? r.cls.name : r.name);
    });
    def(['type.forname/2'], 'System.Type', (v) => {
      const n = v[0] ? `${str(v[0])}.${str(v[1])}` : str(v[1]);
      const r = rt.resolveTypeOrNull(n, rt.classes.values().next().value!);
      return r ? this.typeToken(r.kind === 'class' ? r.cls.name : r.name) : null;
    });
    // ---- Schema
    def(['schema.getglobaldescribe/0'], 'Map<String,Schema.SObjectType>', () => {
      const m = new ApexMap('String', 'Schema.SObjectType');
      m.caseInsensitiveKeys = true;
      for (const name of rt.data.objectNames()) m.set(name.toLowerCase(), this.sobjectType(name));
      return m;
    });
    // ---- Database
    const dmlOpts = (v: unknown): boolean => {
      if (v === null || v === undefined) return true;
      if (typeof v === 'boolean') return v;
      if (v instanceof EnumValue) return true;
      return true;
    };
    for (const op of ['insert', 'update', 'delete', 'undelete', 'upsert']) {
      const resultType = dmlResultType(op);
      // upsert also takes (records, externalIdField, allOrNone, accessLevel)
      for (const n of op === 'upsert' ? [1, 2, 3, 4] : [1, 2, 3]) {
        t[`database.${op}/${n}`] = {
          ret: (types) => (types[0].startsWith('List') ? `List<${resultType}>` : resultType),
          fn: (v, types) => {
            let ext: string | null = null;
            let all = true;
            if (op === 'upsert' && v[1] instanceof SysObject) {
              ext = String(v[1].props.name);
              all = dmlOpts(v[2]);
            } else all = dmlOpts(v[1]);
            if (v[0] === null) throw npe();
            const results = rt.data.dml(op, v[0], ext, all);
            void types;
            return v[0] instanceof ApexList ? new ApexList(resultType, results) : results[0];
          }
        };
      }
    }
    def(['database.query/1', 'database.query/2'], 'List<SObject>', (v) =>
      rt.data.dynamicQuery(str(v[0]), null, rt.line)
    );
    def(['database.querywithbinds/2', 'database.querywithbinds/3'], 'List<SObject>', (v) =>
      rt.data.dynamicQuery(str(v[0]), v[1] as ApexMap, rt.line)
    );
    def(['database.countquery/1', 'database.countquery/2'], 'Integer', (v) =>
      rt.data.dynamicQuery(str(v[0]), null, rt.line)
    );
    def(['database.countquerywithbinds/2', 'database.countquerywithbinds/3'], 'Integer', (v) =>
      rt.data.dynamicQuery(str(v[0]), v[1] as ApexMap, rt.line)
    );
    def(
      ['database.getquerylocator/1', 'database.getquerylocator/2'],
      'Database.QueryLocator',
      (v) => {
        const q = v[0];
        const records = q instanceof ApexList ? q : rt.data.dynamicQuery(str(q), null, rt.line);
        return new SysObject('Database.QueryLocator', { records });
      }
    );
    def(
      ['database.convertlead/1', 'database.convertlead/2'],
      (ty) =>
        ty[0].startsWith('List')
          ? 'List<Database.LeadConvertResult>'
          : 'Database.LeadConvertResult',
      (v) => {
        const one = (x: unknown): SysObject => {
          if (!(x instanceof SysObject) || x.apexType !== 'Database.LeadConvert') throw npe();
          return new SysObject('Database.LeadConvertResult', rt.data.convertLead(x.props));
        };
        if (v[1] === false)
          throw new NotSupportedLocally('Database.convertLead with allOrNone=false');
        return v[0] instanceof ApexList
          ? new ApexList('Database.LeadConvertResult', v[0].items.map(one))
          : one(v[0]);
      }
    );
    def(['database.setsavepoint/0'], 'System.Savepoint', () => {
      this.count('dmlStatements');
      return new SysObject('System.Savepoint', { snapshot: rt.data.snapshot() });
    });
    def(['database.rollback/1'], 'void', (v) => {
      this.count('dmlStatements');
      const sp = v[0] as SysObject;
      rt.data.restore(sp.props.snapshot);
      return null;
    });
    def(['database.executebatch/1', 'database.executebatch/2'], 'Id', (v) =>
      this.executeBatch(v[0], v[1] === undefined ? 200 : int(v[1]))
    );
    // ---- EventBus
    def(
      ['eventbus.publish/1'],
      (ty) => (ty[0].startsWith('List') ? 'List<Database.SaveResult>' : 'Database.SaveResult'),
      (v) => this.publish(v[0])
    );
    // ---- Messaging
    def(
      ['messaging.sendemail/1', 'messaging.sendemail/2'],
      'List<Messaging.SendEmailResult>',
      (v) => this.sendEmail(v[0] as ApexList, v[1] !== false)
    );
    def(['messaging.reserveSingleEmailCapacity/1'.toLowerCase()], 'void', () => null);
    // ---- BusinessHours
    def(['businesshours.add/3'], 'Datetime', (v) => this.bh(v[0]).add3(v[1] as ApexDatetime, v[2]));
    def(['businesshours.addgmt/3'], 'Datetime', (v) =>
      this.bh(v[0]).add3(v[1] as ApexDatetime, v[2])
    );
    def(['businesshours.diff/3'], 'Long', (v) =>
      this.bh(v[0]).diff3(v[1] as ApexDatetime, v[2] as ApexDatetime)
    );
    def(['businesshours.iswithin/2'], 'Boolean', (v) => this.bh(v[0]).within(v[1] as ApexDatetime));
    def(['businesshours.nextstartdate/2'], 'Datetime', (v) =>
      this.bh(v[0]).next(v[1] as ApexDatetime)
    );
    // ---- EncodingUtil
    def(['encodingutil.urlencode/2'], 'String', (v) =>
      encodeURIComponent(str(v[0])).replace(/%20/g, '+')
    );
    def(['encodingutil.urldecode/2'], 'String', (v) =>
      decodeURIComponent(str(v[0]).replace(/\+/g, ' '))
    );
    def(['encodingutil.base64encode/1'], 'String', (v) =>
      Buffer.from((v[0] as ApexBlob).bytes).toString('base64')
    );
    def(
      ['blob.valueof/1'],
      'Blob',
      (v) => new ApexBlob(new Uint8Array(Buffer.from(str(v[0]), 'utf8')))
    );
    this.staticTable = t;
    return t;
  }

  // ------------------------------------------------------------------ clock helpers

  today(): ApexDate {
    return this.localDate(this.now, this.userTimeZone);
  }

  localDate(dt: ApexDatetime, zone: string): ApexDate {
    const d = DateTime.fromMillis(dt.epochMs, { zone });
    return new ApexDate(d.year, d.month, d.day);
  }

  localDatetime(
    y: number,
    mo: number,
    d: number,
    h: number,
    mi: number,
    s: number,
    ms: number
  ): ApexDatetime {
    const dt = DateTime.fromObject(
      { year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms },
      { zone: this.userTimeZone }
    );
    return new ApexDatetime(dt.toMillis());
  }

  timeZone(id: string): SysObject {
    return new SysObject('System.TimeZone', { id });
  }

  temporalArith(op: string, a: unknown, b: unknown): unknown {
    if (a === null || b === null) throw npe();
    const sign = op === '+' ? 1 : op === '-' ? -1 : 0;
    if (!sign) throw new NotSupportedLocally(`operator ${op} on ${typeNameOf(a)}`);
    if (a instanceof ApexDate && runtimeNumKind(b))
      return ApexDate.fromEpochDay(a.toEpochDay() + sign * Number(toKind(b, 'int')));
    if (a instanceof ApexDatetime && runtimeNumKind(b)) {
      return new ApexDatetime(
        a.epochMs + sign * Math.round(Number(toKind(b, 'double')) * 86_400_000)
      );
    }
    if (a instanceof ApexTime && runtimeNumKind(b)) {
      throw new NotSupportedLocally('Time arithmetic with +/-');
    }
    throw new NotSupportedLocally(`operator ${op} on ${typeNameOf(a)} and ${typeNameOf(b)}`);
  }

  // ------------------------------------------------------------------ types and tokens

  private typeTokens = new Map<string, SysObject>();
  typeToken(t: string): SysObject {
    let tok = this.typeTokens.get(t.toLowerCase());
    if (!tok) {
      tok = new SysObject('System.Type', { name: t });
      this.typeTokens.set(t.toLowerCase(), tok);
    }
    return tok;
  }

  private sobjectTokens = new Map<string, SysObject>();
  sobjectType(name: string): SysObject {
    const canonical = this.rt.data.getObjectName(name);
    let tok = this.sobjectTokens.get(canonical.toLowerCase());
    if (!tok) {
      tok = new SysObject('Schema.SObjectType', { name: canonical });
      this.sobjectTokens.set(canonical.toLowerCase(), tok);
    }
    return tok;
  }

  private fieldTokens = new Map<string, SysObject>();
  fieldToken(sobject: string, field: string): SysObject {
    const key = `${sobject}.${field}`.toLowerCase();
    let tok = this.fieldTokens.get(key);
    if (!tok) {
      tok = new SysObject('Schema.SObjectField', { name: field, sobject });
      this.fieldTokens.set(key, tok);
    }
    return tok;
  }

  describeSObject(name: string): SysObject {
    return new SysObject('Schema.DescribeSObjectResult', {
      name: this.rt.data.getObjectName(name)
    });
  }

  // ------------------------------------------------------------------ members of builtin values

  builtinMemberType(type: string, member: string): string {
    const t = type.toLowerCase();
    const m = member.toLowerCase();
    if (t === 'schema.describesobjectresult' && m === 'fields') return 'Schema.$fields';
    if (t === 'schema.$fields') return 'Schema.SObjectField';
    return 'Object';
  }

  getProperty(obj: unknown, name: string): unknown {
    const n = name.toLowerCase();
    if (obj instanceof SysObject) {
      if (obj.apexType === 'Schema.DescribeSObjectResult' && n === 'fields') {
        return new SysObject('Schema.$fields', { sobject: obj.props.name });
      }
      if (obj.apexType === 'Schema.$fields') {
        const f = this.rt.data.findField(String(obj.props.sobject), name);
        if (!f)
          throw new ApexError(
            'System.SObjectException',
            `Invalid field ${name} for ${obj.props.sobject}`
          );
        return this.fieldToken(String(obj.props.sobject), f.name);
      }
    }
    throw new NotSupportedLocally(`property ${name} of ${typeNameOf(obj)}`, `line ${this.rt.line}`);
  }

  setProperty(obj: unknown, name: string, _v: unknown): void {
    throw new NotSupportedLocally(
      `setting property ${name} of ${typeNameOf(obj)}`,
      `line ${this.rt.line}`
    );
  }

  methodReturnType(type: string, name: string, nargs: number, args?: Typed[]): string {
    const { base, args: targs } = splitType(type);
    const b = base.toLowerCase();
    const n = name.toLowerCase();
    if (b === 'list') {
      if (n === 'get' || n === 'remove') return targs[0] ?? 'Object';
      if (n === 'size' || n === 'indexof') return 'Integer';
      if (n === 'clone' || n === 'deepclone') return type;
      return n.startsWith('is') || n === 'contains' || n === 'equals' ? 'Boolean' : 'Object';
    }
    if (b === 'set') {
      if (n === 'size') return 'Integer';
      if (n === 'clone') return type;
      return 'Boolean';
    }
    if (b === 'map') {
      if (n === 'get' || n === 'remove' || n === 'put') return targs[1] ?? 'Object';
      if (n === 'keyset') return `Set<${targs[0] ?? 'Object'}>`;
      if (n === 'values') return `List<${targs[1] ?? 'Object'}>`;
      if (n === 'size') return 'Integer';
      if (n === 'clone') return type;
      return n === 'containskey' || n === 'isempty' ? 'Boolean' : 'Object';
    }
    const tbl = INSTANCE_RETURNS[b];
    if (tbl) {
      const r = tbl[n];
      if (r) return r;
    }
    if (this.rt.data.findObject(base) || b === 'sobject') {
      if (n === 'get' || n === 'put') {
        // typed by the field when the name is a literal; otherwise Object
        void args;
        return 'Object';
      }
      if (n === 'clone') return type;
      if (n === 'getsobjecttype') return 'Schema.SObjectType';
      if (n === 'getsobject') return 'SObject';
      if (n === 'getsobjects') return 'List<SObject>';
      if (n === 'isset') return 'Boolean';
    }
    void nargs;
    return 'Object';
  }

  objectMethod(
    self: Instance,
    name: string,
    vals: unknown[]
  ): { handled: boolean; value?: unknown } {
    const n = name.toLowerCase();
    if (n === 'tostring' && vals.length === 0) return { handled: true, value: this.rt.str(self) };
    if (n === 'equals' && vals.length === 1) return { handled: true, value: self === vals[0] };
    if (n === 'hashcode' && vals.length === 0) {
      throw new NotSupportedLocally(`default hashCode() of ${self.cls.name}`);
    }
    if (self.cls.isException)
      return { handled: true, value: this.exceptionMethod(self, name, vals) };
    return { handled: false };
  }

  exceptionMethod(ex: Instance, name: string, vals: unknown[]): unknown {
    const n = name.toLowerCase();
    const extra = ex.fields.get('$extra') as
      | {
          rows?: {
            index: number;
            statusCode: string;
            message: string;
            fields: string[];
            id?: string | null;
          }[];
        }
      | undefined;
    const row = (
      i: unknown
    ): {
      index: number;
      statusCode: string;
      message: string;
      fields: string[];
      id?: string | null;
    } => {
      const r = extra?.rows?.[Number(i)];
      if (!r) throw new ApexError('System.ListException', `List index out of bounds: ${String(i)}`);
      return r;
    };
    switch (n) {
      case 'getmessage':
        return ex.fields.get('message') ?? null;
      case 'setmessage':
        ex.fields.set('message', vals[0]);
        return null;
      case 'getcause':
        return ex.fields.get('cause') ?? null;
      case 'initcause':
        ex.fields.set('cause', vals[0]);
        return null;
      case 'gettypename':
        return String(ex.fields.get('$exceptionType') ?? ex.cls.name);
      case 'getlinenumber':
        return ex.fields.get('$line') ?? -1;
      case 'getstacktracestring':
        return String(
          ex.fields.get('$stack') ??
            `Class.${ex.cls.name}: line ${ex.fields.get('$line') ?? -1}, column 1`
        );
      case 'getnumdml':
        return extra?.rows?.length ?? 0;
      case 'getdmlmessage':
        return row(vals[0]).message;
      case 'getdmlstatuscode':
        return row(vals[0]).statusCode;
      case 'getdmltype':
        return this.builtinEnumValue('System.StatusCode', row(vals[0]).statusCode);
      case 'getdmlfieldnames':
        return new ApexList('String', [...row(vals[0]).fields]);
      case 'getdmlindex':
        return row(vals[0]).index;
      case 'getdmlid':
        return row(vals[0]).id ?? null;
      case 'tostring':
        return this.rt.str(ex);
      case 'equals':
        return ex === vals[0];
    }
    throw new NotSupportedLocally(`exception method ${name}`, `line ${this.rt.line}`);
  }

  userIterable(inst: Instance): Iterable<unknown> {
    const rt = this.rt;
    const iterM = rt.findMethods(inst.cls, 'iterator', 0, false);
    const iter = iterM.length ? (rt.invokeMethod(iterM[0], inst, [], rt.line) as Instance) : inst;
    return {
      *[Symbol.iterator]() {
        while (rt.callMethod(iter, 'hasNext', [], rt.line, iter.cls.name) === true) {
          yield rt.callMethod(iter, 'next', [], rt.line, iter.cls.name);
        }
      }
    };
  }

  // ------------------------------------------------------------------ instance methods

  callMethod(o: unknown, name: string, v: unknown[], staticType: string, _args?: Typed[]): unknown {
    const n = name.toLowerCase();
    const rt = this.rt;
    if (typeof o === 'string') return this.stringMethod(o, n, v, name, staticType);
    if (o instanceof ApexList) return this.listMethod(o, n, v, name);
    if (o instanceof ApexSet) return this.setMethod(o, n, v, name);
    if (o instanceof ApexMap) return this.mapMethod(o, n, v, name);
    if (o instanceof SObjectValue) return rt.data.sobjectMethod(o, n, v, name);
    if (typeof o === 'number' || typeof o === 'bigint' || isDecimal(o))
      return this.numberMethod(o, n, v, name, staticType);
    if (typeof o === 'boolean') {
      if (n === 'equals') return rt.equals(o, v[0]);
      if (n === 'hashcode') return o ? 1231 : 1237;
    }
    if (o instanceof ApexDatetime) return this.datetimeMethod(o, n, v, name);
    if (o instanceof ApexDate) return this.dateMethod(o, n, v, name);
    if (o instanceof ApexTime) return this.timeMethod(o, n, v, name);
    if (o instanceof EnumValue) {
      if (n === 'name') return o.name;
      if (n === 'ordinal') return o.ordinal;
      if (n === 'equals') return o === v[0];
      if (n === 'hashcode') return o.ordinal;
      if (n === 'tostring') return o.name;
    }
    if (o instanceof SysObject) return this.sysMethod(o, n, v, name);
    if (o instanceof ApexBlob) {
      if (n === 'tostring') return Buffer.from(o.bytes).toString('utf8');
      if (n === 'size') return o.bytes.length;
    }
    throw new NotSupportedLocally(`${typeNameOf(o)}.${name}()`, `line ${rt.line}`);
  }

  private stringMethod(s: string, n: string, v: unknown[], name: string, _st: string): unknown {
    const a = (i: number): string => str(v[i]);
    switch (n) {
      case 'length':
        return s.length;
      case 'tolowercase':
        return s.toLowerCase();
      case 'touppercase':
        return s.toUpperCase();
      case 'trim':
        return s.replace(/^[\s\u0000-\u0020]+|[\s\u0000-\u0020]+$/g, '');
      case 'contains':
        return s.includes(a(0));
      case 'containsignorecase':
        return s.toLowerCase().includes(a(0).toLowerCase());
      case 'startswith':
        return s.startsWith(a(0));
      case 'endswith':
        return s.endsWith(a(0));
      case 'startswithignorecase':
        return s.toLowerCase().startsWith(a(0).toLowerCase());
      case 'endswithignorecase':
        return s.toLowerCase().endsWith(a(0).toLowerCase());
      case 'equals':
        return typeof v[0] === 'string' && s === v[0];
      case 'equalsignorecase':
        return typeof v[0] === 'string' && s.toLowerCase() === v[0].toLowerCase();
      case 'compareto':
        return s < a(0) ? -1 : s > a(0) ? 1 : 0;
      case 'indexof':
        return v.length > 1 ? s.indexOf(a(0), int(v[1])) : s.indexOf(a(0));
      case 'lastindexof':
        return s.lastIndexOf(a(0));
      case 'substring': {
        const b = int(v[0]);
        const e = v.length > 1 ? int(v[1]) : s.length;
        if (b < 0 || e > s.length || b > e) {
          throw new ApexError('System.StringException', `Ending position out of bounds: ${e}`);
        }
        return s.substring(b, e);
      }
      case 'left':
        return s.slice(0, Math.max(0, int(v[0])));
      case 'right':
        return int(v[0]) <= 0 ? '' : s.slice(-int(v[0]));
      case 'mid':
        return s.substr(Math.max(0, int(v[0])), Math.max(0, int(v[1])));
      case 'substringbefore': {
        const sep = v[0] as string | null;
        if (!sep) return sep === '' ? '' : s;
        const i = s.indexOf(sep);
        return i < 0 ? s : s.slice(0, i);
      }
      case 'substringafter': {
        const sep = v[0] as string | null;
        if (sep === null) return '';
        const i = s.indexOf(sep);
        return i < 0 ? '' : s.slice(i + sep.length);
      }
      case 'substringbeforelast': {
        const sep = a(0);
        const i = s.lastIndexOf(sep);
        return i < 0 ? s : s.slice(0, i);
      }
      case 'substringafterlast': {
        const sep = a(0);
        const i = s.lastIndexOf(sep);
        return i < 0 || i === s.length - sep.length ? '' : s.slice(i + sep.length);
      }
      case 'split': {
        const re = new RegExp(javaRegex(a(0)));
        const limit = v.length > 1 ? int(v[1]) : 0;
        let parts = s === '' ? [''] : s.split(re);
        if (limit > 0 && parts.length > limit) {
          // re-split keeping the remainder
          const out: string[] = [];
          let rest = s;
          for (let i = 0; i < limit - 1; i++) {
            const m = re.exec(rest);
            if (!m) break;
            out.push(rest.slice(0, m.index));
            rest = rest.slice(m.index + m[0].length);
          }
          out.push(rest);
          parts = out;
        } else if (limit === 0) {
          while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
        }
        return new ApexList('String', parts);
      }
      case 'replace':
        return s.split(a(0)).join(a(1));
      case 'replaceall':
        return s.replace(new RegExp(javaRegex(a(0)), 'g'), a(1).replace(/\$(\d)/g, '$$$1'));
      case 'replacefirst':
        return s.replace(new RegExp(javaRegex(a(0))), a(1));
      case 'abbreviate': {
        const max = int(v[0]);
        if (max < 4)
          throw new ApexError('System.StringException', 'Minimum abbreviation width is 4');
        return s.length <= max ? s : s.slice(0, max - 3) + '...';
      }
      case 'capitalize':
        return s.charAt(0).toUpperCase() + s.slice(1);
      case 'uncapitalize':
        return s.charAt(0).toLowerCase() + s.slice(1);
      case 'isblank':
        return s.trim() === '';
      case 'isnotblank':
        return s.trim() !== '';
      case 'isempty':
        return s === '';
      case 'isnotempty':
        return s !== '';
      case 'isnumeric':
        return /^\d+$/.test(s);
      case 'isalpha':
        return /^[A-Za-z]+$/.test(s);
      case 'isalphanumeric':
        return /^[A-Za-z0-9]+$/.test(s);
      case 'leftpad': {
        const pad = v.length > 1 ? a(1) : ' ';
        return padTo(s, int(v[0]), pad, true);
      }
      case 'rightpad': {
        const pad = v.length > 1 ? a(1) : ' ';
        return padTo(s, int(v[0]), pad, false);
      }
      case 'repeat':
        return v.length > 1 ? Array(int(v[1])).fill(s).join(a(0)) : s.repeat(int(v[0]));
      case 'reverse':
        return [...s].reverse().join('');
      case 'remove':
        return s.split(a(0)).join('');
      case 'removeend':
        return s.endsWith(a(0)) ? s.slice(0, s.length - a(0).length) : s;
      case 'removestart':
        return s.startsWith(a(0)) ? s.slice(a(0).length) : s;
      case 'normalizespace':
        return s.trim().replace(/\s+/g, ' ');
      case 'deletewhitespace':
        return s.replace(/\s+/g, '');
      case 'countmatches':
        return a(0) === '' ? 0 : s.split(a(0)).length - 1;
      case 'charat':
        return s.charCodeAt(int(v[0]));
      case 'hashcode': {
        let h = 0;
        for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
        return h;
      }
      case 'tostring':
        return s;
      case 'escapesinglequotes':
        return s.replace(/'/g, "\\'");
      case 'containsany':
        return [...a(0)].some((c) => s.includes(c));
      case 'containsnone':
        return ![...a(0)].some((c) => s.includes(c));
      case 'containswhitespace':
        return /\s/.test(s);
      case 'difference':
        throw new NotSupportedLocally('String.difference');
      case 'getsobjecttype': {
        const obj = this.rt.data.objectForId(s);
        if (!obj) throw new ApexError('System.SObjectException', `Invalid id: ${s}`);
        return this.sobjectType(obj);
      }
      case 'to15':
        return s.slice(0, 15);
      case 'format':
        return s;
    }
    throw new NotSupportedLocally(`String.${name}()`, `line ${this.rt.line}`);
  }

  private listMethod(l: ApexList, n: string, v: unknown[], name: string): unknown {
    const rt = this.rt;
    const idx = (i: unknown, max: number): number => {
      const k = int(i);
      if (k < 0 || k >= max)
        throw new ApexError('System.ListException', `List index out of bounds: ${k}`);
      return k;
    };
    switch (n) {
      case 'add':
        if (v.length === 2) {
          const k = int(v[0]);
          if (k < 0 || k > l.items.length)
            throw new ApexError('System.ListException', `List index out of bounds: ${k}`);
          l.items.splice(k, 0, rt.coerce(v[1], l.elementType));
        } else l.items.push(rt.coerce(v[0], l.elementType));
        l.modCount++;
        return null;
      case 'addall': {
        const src = v[0];
        if (src === null) throw npe();
        const items =
          src instanceof ApexList ? src.items : src instanceof ApexSet ? [...src.values()] : null;
        if (!items) throw new NotSupportedLocally(`List.addAll(${typeNameOf(src)})`);
        for (const x of items) l.items.push(rt.coerce(x, l.elementType));
        l.modCount++;
        return null;
      }
      case 'get':
        return l.items[idx(v[0], l.items.length)];
      case 'set':
        l.items[idx(v[0], l.items.length)] = rt.coerce(v[1], l.elementType);
        return null;
      case 'size':
        return l.items.length;
      case 'isempty':
        return l.items.length === 0;
      case 'contains':
        return l.items.some((x) => this.sameElement(x, v[0]));
      case 'indexof':
        return l.items.findIndex((x) => this.sameElement(x, v[0]));
      case 'remove': {
        const k = idx(v[0], l.items.length);
        l.modCount++;
        return l.items.splice(k, 1)[0];
      }
      case 'clear':
        l.items.length = 0;
        l.modCount++;
        return null;
      case 'clone':
        return new ApexList(l.elementType, [...l.items]);
      case 'deepclone':
        return new ApexList(
          l.elementType,
          l.items.map((x) =>
            x instanceof SObjectValue
              ? x.clone(v[0] === true, true, v[1] === true, v[2] === true)
              : x
          )
        );
      case 'equals':
        return rt.equals(l, v[0]);
      case 'sort':
        this.sortList(l, v[0]);
        l.modCount++;
        return null;
      case 'iterator':
        throw new NotSupportedLocally('List.iterator()');
      case 'hashcode':
        throw new NotSupportedLocally('List.hashCode()');
      case 'tostring':
        return rt.str(l);
      case 'getsobjecttype':
        return rt.data.findObject(l.elementType) ? this.sobjectType(l.elementType) : null;
    }
    throw new NotSupportedLocally(`List.${name}()`, `line ${rt.line}`);
  }

  /** List.contains/indexOf equality: like Set membership (case-sensitive strings). */
  private sameElement(a: unknown, b: unknown): boolean {
    if (typeof a === 'string' && typeof b === 'string') return a === b;
    return this.rt.equals(a, b);
  }

  private sortList(l: ApexList, comparator: unknown): void {
    const rt = this.rt;
    if (comparator instanceof Instance) {
      l.items.sort((x, y) =>
        Number(rt.callMethod(comparator, 'compare', [x, y], rt.line, comparator.cls.name))
      );
      return;
    }
    if (l.items.some((x) => x instanceof SObjectValue))
      throw new NotSupportedLocally('List<SObject>.sort() (platform sObject sort order)');
    l.items.sort((x, y) => {
      if (x === null) return y === null ? 0 : -1;
      if (y === null) return 1;
      if (x instanceof Instance)
        return Number(rt.callMethod(x, 'compareTo', [y], rt.line, x.cls.name));
      if (x instanceof EnumValue && y instanceof EnumValue) return x.ordinal - y.ordinal;
      if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
      return apexCompare(x, y) ?? 0;
    });
  }

  private setMethod(s: ApexSet, n: string, v: unknown[], name: string): unknown {
    const rt = this.rt;
    const items = (c: unknown): unknown[] => {
      if (c === null) throw npe();
      if (c instanceof ApexList) return c.items;
      if (c instanceof ApexSet) return [...c.values()];
      throw new NotSupportedLocally(`Set.${name}(${typeNameOf(c)})`);
    };
    switch (n) {
      case 'add':
        rt.checkHashable(v[0]);
        return s.add(rt.coerce(v[0], s.elementType));
      case 'addall': {
        let changed = false;
        for (const x of items(v[0])) changed = s.add(rt.coerce(x, s.elementType)) || changed;
        return changed;
      }
      case 'contains':
        return s.has(rt.coerce(v[0], s.elementType));
      case 'containsall':
        return items(v[0]).every((x) => s.has(rt.coerce(x, s.elementType)));
      case 'remove':
        return s.delete(rt.coerce(v[0], s.elementType));
      case 'removeall': {
        let changed = false;
        for (const x of items(v[0])) changed = s.delete(x) || changed;
        return changed;
      }
      case 'retainall': {
        const keep = new ApexSet(s.elementType);
        for (const x of items(v[0])) keep.add(x);
        let changed = false;
        for (const x of [...s.values()]) if (!keep.has(x)) changed = s.delete(x) || changed;
        return changed;
      }
      case 'size':
        return s.size;
      case 'isempty':
        return s.size === 0;
      case 'clear':
        s.clear();
        return null;
      case 'clone': {
        const c = new ApexSet(s.elementType);
        for (const x of s.values()) c.add(x);
        return c;
      }
      case 'equals':
        return rt.equals(s, v[0]);
      case 'tostring':
        return rt.str(s);
    }
    throw new NotSupportedLocally(`Set.${name}()`, `line ${rt.line}`);
  }

  private mapMethod(m: ApexMap, n: string, v: unknown[], name: string): unknown {
    const rt = this.rt;
    const key = (k: unknown): unknown =>
      m.caseInsensitiveKeys && typeof k === 'string' ? k.toLowerCase() : rt.coerce(k, m.keyType);
    switch (n) {
      case 'put':
        rt.checkHashable(v[0]);
        return m.set(key(v[0]), rt.coerce(v[1], m.valueType));
      case 'get':
        return m.get(key(v[0]));
      case 'containskey':
        return m.has(key(v[0]));
      case 'remove':
        return m.delete(key(v[0]));
      case 'keyset': {
        const s = new ApexSet(m.keyType);
        for (const k of m.keys()) s.add(k);
        return s;
      }
      case 'values':
        return new ApexList(m.valueType, [...m.values()]);
      case 'size':
        return m.size;
      case 'isempty':
        return m.size === 0;
      case 'clear':
        m.clear();
        return null;
      case 'putall': {
        const src = v[0];
        if (src instanceof ApexMap) for (const [k, x] of src.entries()) m.set(k, x);
        else if (src instanceof ApexList)
          for (const so of src.items) m.set((so as SObjectValue).get('Id'), so);
        else throw new NotSupportedLocally(`Map.putAll(${typeNameOf(src)})`);
        return null;
      }
      case 'clone': {
        const c = new ApexMap(m.keyType, m.valueType);
        for (const [k, x] of m.entries()) c.set(k, x);
        return c;
      }
      case 'equals':
        return rt.equals(m, v[0]);
      case 'tostring':
        return rt.str(m);
    }
    throw new NotSupportedLocally(`Map.${name}()`, `line ${rt.line}`);
  }

  private numberMethod(o: unknown, n: string, v: unknown[], name: string, st: string): unknown {
    const rt = this.rt;
    switch (n) {
      case 'intvalue':
        return toKind(o, 'int');
      case 'longvalue':
        return toKind(o, 'long');
      case 'doublevalue':
        return toKind(o, 'double');
      case 'format':
        return formatNumber(o, numKind(st));
      case 'tostring':
        return rt.str(o, numKind(st));
      case 'equals':
        return rt.equals(o, v[0]);
      case 'abs':
        if (isDecimal(o)) return decimalWithScale(o.abs(), decimalScale(o));
        return typeof o === 'bigint' ? (o < 0n ? -o : o) : Math.abs(o as number);
    }
    if (isDecimal(o) || numKind(st) === 'decimal') {
      const d = toKind(o, 'decimal') as Decimal;
      switch (n) {
        case 'setscale': {
          const scale = int(v[0]);
          const mode = v[1] instanceof EnumValue ? v[1].name : 'HALF_UP';
          return decimalWithScale(d.toDecimalPlaces(scale, roundingMode(mode, d, scale)), scale);
        }
        case 'scale':
          return decimalScale(d);
        case 'round': {
          const mode = v[0] instanceof EnumValue ? v[0].name : 'HALF_EVEN';
          return BigInt(d.toDecimalPlaces(0, roundingMode(mode, d, 0)).toFixed(0));
        }
        case 'striptrailingzeros':
          return new Decimal(d.toString());
        case 'toplainstring':
          return formatDecimal(d);
        case 'precision':
          return d.precision(true);
        case 'divide': {
          const scale = int(v[1]);
          const mode = v[2] instanceof EnumValue ? v[2].name : 'HALF_UP';
          const q = d.div(toKind(v[0], 'decimal') as Decimal);
          return decimalWithScale(q.toDecimalPlaces(scale, roundingMode(mode, q, scale)), scale);
        }
        case 'pow':
          return d.pow(int(v[0]));
      }
    }
    throw new NotSupportedLocally(`${typeNameOf(o)}.${name}()`, `line ${rt.line}`);
  }

  private datetimeMethod(d: ApexDatetime, n: string, v: unknown[], name: string): unknown {
    const zone = this.userTimeZone;
    const local = (): DateTime => DateTime.fromMillis(d.epochMs, { zone });
    const gmt = (): DateTime => DateTime.fromMillis(d.epochMs, { zone: 'UTC' });
    switch (n) {
      case 'gettime':
        return BigInt(d.epochMs);
      case 'addseconds':
        return new ApexDatetime(d.epochMs + int(v[0]) * 1000);
      case 'addminutes':
        return new ApexDatetime(d.epochMs + int(v[0]) * 60_000);
      case 'addhours':
        return new ApexDatetime(d.epochMs + int(v[0]) * 3_600_000);
      case 'adddays':
        return new ApexDatetime(
          local()
            .plus({ days: int(v[0]) })
            .toMillis()
        );
      case 'addmonths':
        return new ApexDatetime(
          local()
            .plus({ months: int(v[0]) })
            .toMillis()
        );
      case 'addyears':
        return new ApexDatetime(
          local()
            .plus({ years: int(v[0]) })
            .toMillis()
        );
      case 'date':
        return this.localDate(d, zone);
      case 'dategmt':
        return this.localDate(d, 'UTC');
      case 'time': {
        const l = local();
        return new ApexTime(((l.hour * 60 + l.minute) * 60 + l.second) * 1000 + l.millisecond);
      }
      case 'timegmt':
        return new ApexTime(((d.epochMs % 86_400_000) + 86_400_000) % 86_400_000);
      case 'year':
        return local().year;
      case 'month':
        return local().month;
      case 'day':
        return local().day;
      case 'hour':
        return local().hour;
      case 'minute':
        return local().minute;
      case 'second':
        return local().second;
      case 'millisecond':
        return local().millisecond;
      case 'yeargmt':
        return gmt().year;
      case 'monthgmt':
        return gmt().month;
      case 'daygmt':
        return gmt().day;
      case 'hourgmt':
        return gmt().hour;
      case 'minutegmt':
        return gmt().minute;
      case 'secondgmt':
        return gmt().second;
      case 'dayofyear':
        return local().ordinal;
      case 'format':
        if (v.length === 0) return local().toFormat('M/d/yyyy, h:mm a');
        return javaFormat(
          DateTime.fromMillis(d.epochMs, { zone: v.length > 1 ? str(v[1]) : zone }),
          str(v[0])
        );
      case 'formatgmt':
        return javaFormat(gmt(), str(v[0]));
      case 'formatlong':
        throw new NotSupportedLocally('Datetime.formatLong');
      case 'isSameDay'.toLowerCase():
        return (
          this.localDate(d, zone).toString() ===
          this.localDate(v[0] as ApexDatetime, zone).toString()
        );
      case 'equals':
        return this.rt.equals(d, v[0]);
      case 'getdate':
        return this.localDate(d, zone);
    }
    throw new NotSupportedLocally(`Datetime.${name}()`, `line ${this.rt.line}`);
  }

  private dateMethod(d: ApexDate, n: string, v: unknown[], name: string): unknown {
    const lux = (): DateTime =>
      DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone: 'UTC' });
    const from = (x: DateTime): ApexDate => new ApexDate(x.year, x.month, x.day);
    switch (n) {
      case 'adddays':
        return ApexDate.fromEpochDay(d.toEpochDay() + int(v[0]));
      case 'addmonths':
        return from(lux().plus({ months: int(v[0]) }));
      case 'addyears':
        return from(lux().plus({ years: int(v[0]) }));
      case 'daysbetween': {
        const o = v[0] as ApexDate;
        if (o === null) throw npe();
        return o.toEpochDay() - d.toEpochDay();
      }
      case 'monthsbetween': {
        const o = v[0] as ApexDate;
        return (o.year - d.year) * 12 + (o.month - d.month);
      }
      case 'year':
        return d.year;
      case 'month':
        return d.month;
      case 'day':
        return d.day;
      case 'dayofyear':
        return lux().ordinal;
      case 'tostartofmonth':
        return new ApexDate(d.year, d.month, 1);
      case 'tostartofweek': {
        // en_US locale: weeks start on Sunday
        const dow = lux().weekday % 7;
        return ApexDate.fromEpochDay(d.toEpochDay() - dow);
      }
      case 'issameday':
        return v[0] instanceof ApexDate && v[0].toEpochDay() === d.toEpochDay();
      case 'format':
        return `${d.month}/${d.day}/${d.year}`;
      case 'equals':
        return this.rt.equals(d, v[0]);
      case 'daysinmonth':
        return new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
    }
    throw new NotSupportedLocally(`Date.${name}()`, `line ${this.rt.line}`);
  }

  private timeMethod(t: ApexTime, n: string, v: unknown[], name: string): unknown {
    const ms = t.msOfDay;
    const wrap = (x: number): ApexTime =>
      new ApexTime(((x % 86_400_000) + 86_400_000) % 86_400_000);
    switch (n) {
      case 'hour':
        return Math.floor(ms / 3_600_000);
      case 'minute':
        return Math.floor(ms / 60_000) % 60;
      case 'second':
        return Math.floor(ms / 1000) % 60;
      case 'millisecond':
        return ms % 1000;
      case 'addhours':
        return wrap(ms + int(v[0]) * 3_600_000);
      case 'addminutes':
        return wrap(ms + int(v[0]) * 60_000);
      case 'addseconds':
        return wrap(ms + int(v[0]) * 1000);
      case 'addmilliseconds':
        return wrap(ms + int(v[0]));
      case 'equals':
        return this.rt.equals(t, v[0]);
    }
    throw new NotSupportedLocally(`Time.${name}()`, `line ${this.rt.line}`);
  }

  // ------------------------------------------------------------------ system objects

  newBuiltin(type: string, vals: unknown[], loc: string): unknown {
    const canonical = this.canonicalBuiltinType(splitType(type).base) ?? type;
    switch (canonical) {
      case 'Messaging.SingleEmailMessage':
        return new SysObject(canonical, {});
      case 'Messaging.CustomNotification':
        return new SysObject(
          canonical,
          vals.length
            ? { typeId: vals[0], sender: vals[1], title: vals[2], body: vals[3], targetId: vals[4] }
            : {}
        );
      case 'System.HttpRequest':
        return new SysObject(canonical, { headers: new Map<string, string>() });
      case 'System.HttpResponse':
        return new SysObject(canonical, {
          headers: new Map<string, string>(),
          statusCode: null,
          body: null,
          status: null
        });
      case 'System.Http':
        return new SysObject(canonical, {});
      case 'Database.DMLOptions':
        return new SysObject(canonical, {});
      case 'Database.LeadConvert':
        return new SysObject(canonical, {});
    }
    throw new NotSupportedLocally(`new ${type}`, loc);
  }

  private sysMethod(o: SysObject, n: string, v: unknown[], name: string): unknown {
    const rt = this.rt;
    const p = o.props;
    const t = o.apexType;
    if (n === 'equals')
      return (
        o === v[0] || (o.apexType === (v[0] as SysObject)?.apexType && rt.str(o) === rt.str(v[0]))
      );
    if (n === 'tostring') return o.apexString();
    if (n === 'hashcode') return stringHash(o.apexString());
    switch (t) {
      case 'System.Type':
        if (n === 'getname') return String(p.name);
        if (n === 'newinstance')
          return rt.construct(String(p.name), [], rt.line, [...rt.classes.values()][0]);
        if (n === 'isassignablefrom') {
          const other = v[0] as SysObject;
          const a = rt.resolveClass(String(p.name), null);
          const b = rt.resolveClass(String(other.props.name), null);
          return !!a && !!b && rt.isSubclass(b, a);
        }
        break;
      case 'Schema.SObjectType':
        if (n === 'getdescribe') return this.describeSObject(String(p.name));
        if (n === 'newsobject') {
          const so = rt.newSObject(String(p.name));
          if (v.length && v[0] !== null) so.put('Id', rt.toId(str(v[0])));
          return so;
        }
        break;
      case 'Schema.DescribeSObjectResult': {
        const obj = rt.data.describe(String(p.name));
        switch (n) {
          case 'getname':
            return obj.name;
          case 'getlabel':
            return obj.label;
          case 'getlabelplural':
            return obj.labelPlural;
          case 'getkeyprefix':
            return obj.keyPrefix || null;
          case 'iscustom':
            return obj.custom;
          case 'isaccessible':
          case 'isqueryable':
            return true;
          case 'iscreateable':
            return obj.createable;
          case 'isupdateable':
            return obj.updateable;
          case 'isdeletable':
            return obj.deletable;
          case 'getsobjecttype':
            return this.sobjectType(obj.name);
          case 'fields':
            return new SysObject('Schema.$fields', { sobject: obj.name });
        }
        break;
      }
      case 'Schema.$fields':
        if (n === 'getmap') {
          const m = new ApexMap('String', 'Schema.SObjectField');
          m.caseInsensitiveKeys = true;
          for (const f of rt.data.describe(String(p.sobject)).fields.values()) {
            m.set(f.name.toLowerCase(), this.fieldToken(String(p.sobject), f.name));
          }
          return m;
        }
        break;
      case 'Schema.SObjectField':
        if (n === 'getdescribe')
          return new SysObject('Schema.DescribeFieldResult', { sobject: p.sobject, name: p.name });
        break;
      case 'Schema.DescribeFieldResult': {
        const f = rt.data.findField(String(p.sobject), String(p.name));
        if (!f) break;
        switch (n) {
          case 'getname':
            return f.name;
          case 'getlocalname':
            return f.name;
          case 'getlabel':
            return f.label;
          case 'getlength':
            return f.length;
          case 'getprecision':
            return f.precision;
          case 'getscale':
            return f.scale;
          case 'gettype':
            return this.enumByName('Schema.DisplayType', displayType(f.type));
          case 'isnillable':
            return f.nillable;
          case 'iscreateable':
            return f.createable;
          case 'isupdateable':
            return f.updateable;
          case 'isaccessible':
            return true;
          case 'iscustom':
            return f.custom;
          case 'iscalculated':
            return f.calculated;
          case 'isautonumber':
            return f.autoNumber;
          case 'isexternalid':
            return f.externalId;
          case 'isunique':
            return f.unique;
          case 'getreferenceto':
            return new ApexList(
              'Schema.SObjectType',
              f.referenceTo.map((r) => this.sobjectType(r))
            );
          case 'getrelationshipname':
            return f.relationshipName;
          case 'getsobjectfield':
            return this.fieldToken(String(p.sobject), f.name);
          case 'getpicklistvalues':
            return new ApexList(
              'Schema.PicklistEntry',
              f.picklistValues.map(
                (pv) =>
                  new SysObject('Schema.PicklistEntry', {
                    value: pv.value,
                    label: pv.label,
                    active: pv.active,
                    default: pv.default
                  })
              )
            );
          case 'getdefaultvalue':
            return f.defaultValue;
        }
        break;
      }
      case 'Schema.PicklistEntry':
        if (n === 'getvalue') return p.value;
        if (n === 'getlabel') return p.label;
        if (n === 'isactive') return p.active;
        if (n === 'isdefaultvalue') return p.default;
        break;
      case 'Database.SaveResult':
      case 'Database.UpsertResult':
      case 'Database.DeleteResult':
      case 'Database.UndeleteResult':
        if (n === 'issuccess') return p.success;
        if (n === 'getid') return p.id ?? null;
        if (n === 'geterrors')
          return new ApexList('Database.Error', (p.errors as SysObject[]) ?? []);
        if (n === 'iscreated') return p.created ?? false;
        break;
      case 'Database.LeadConvert':
        return this.beanMethod(o, n, v, name);
      case 'Database.LeadConvertResult':
        if (n === 'issuccess') return p.success;
        if (n === 'getleadid') return p.leadId ?? null;
        if (n === 'getaccountid') return p.accountId ?? null;
        if (n === 'getcontactid') return p.contactId ?? null;
        if (n === 'getopportunityid') return p.opportunityId ?? null;
        if (n === 'geterrors') return new ApexList('Database.Error', []);
        break;
      case 'Database.Error':
        if (n === 'getmessage') return p.message;
        if (n === 'getstatuscode')
          return this.builtinEnumValue('System.StatusCode', String(p.statusCode)) ?? p.statusCode;
        if (n === 'getfields') return new ApexList('String', [...((p.fields as string[]) ?? [])]);
        break;
      case 'System.TimeZone':
        if (n === 'getid') return p.id;
        if (n === 'getdisplayname') return String(p.id);
        if (n === 'getoffset') {
          const dt = v[0] as ApexDatetime;
          if (dt === null) throw npe();
          return DateTime.fromMillis(dt.epochMs, { zone: String(p.id) }).offset * 60_000;
        }
        break;
      case 'System.Url':
        if (n === 'toexternalform') return p.url;
        if (n === 'gethost') return new URL(String(p.url)).host;
        break;
      case 'Messaging.SingleEmailMessage':
      case 'Messaging.CustomNotification':
      case 'System.HttpRequest':
      case 'System.HttpResponse':
        return this.beanMethod(o, n, v, name);
      case 'System.Http':
        if (n === 'send') return this.callout(v[0] as SysObject);
        break;
      case 'Messaging.SendEmailResult':
        if (n === 'issuccess') return p.success;
        if (n === 'geterrors') return new ApexList('Messaging.SendEmailError', []);
        break;
      case 'System.TestEventBus':
        if (n === 'deliver') {
          this.deliverEvents();
          return null;
        }
        break;
      case 'System.QueueableContext':
      case 'System.SchedulableContext':
      case 'Database.BatchableContext':
      case 'System.FinalizerContext':
        if (n === 'getjobid') return p.jobId;
        if (n === 'gettriggerid') return p.jobId;
        if (n === 'getchildjobid') return p.jobId;
        if (n === 'getresult') return this.enumByName('System.ParentJobResult', String(p.result));
        if (n === 'getexception') return p.exception ?? null;
        break;
      case 'AggregateResult':
        break;
    }
    throw new NotSupportedLocally(`${t}.${name}()`, `line ${rt.line}`);
  }

  /** Setter/getter style system objects (SingleEmailMessage, CustomNotification, Http*). */
  private beanMethod(o: SysObject, n: string, v: unknown[], name: string): unknown {
    const p = o.props;
    if (o.apexType === 'Messaging.CustomNotification' && n === 'send') {
      const recipients = v[0];
      if (!(recipients instanceof ApexSet) || recipients.size === 0) {
        throw new ApexError(
          'System.IllegalArgumentException',
          'Recipients cannot be null or empty'
        );
      }
      if (!p.typeid && !p.notificationtypeid)
        throw new ApexError('System.IllegalArgumentException', 'Notification type Id is required');
      this.notifications.push(
        new SysObject('Messaging.CustomNotification', {
          ...p,
          recipients: [...recipients.values()]
        })
      );
      return null;
    }
    if (o.apexType === 'System.HttpRequest' || o.apexType === 'System.HttpResponse') {
      const headers = p.headers as Map<string, string>;
      if (n === 'setheader') {
        headers.set(str(v[0]), str(v[1]));
        return null;
      }
      if (n === 'getheader') return headers.get(str(v[0])) ?? null;
      if (n === 'getheaderkeys') return new ApexList('String', [...headers.keys()]);
      if (n === 'getstatuscode') return p.statuscode ?? 0;
    }
    if (n.startsWith('set') && v.length === 1) {
      p[n.slice(3)] = v[0];
      return null;
    }
    if (n.startsWith('get') && v.length === 0) return p[n.slice(3)] ?? null;
    if (n.startsWith('set') && v.length > 1)
      throw new NotSupportedLocally(`${o.apexType}.${name} with ${v.length} arguments`);
    throw new NotSupportedLocally(`${o.apexType}.${name}()`, `line ${this.rt.line}`);
  }

  // ------------------------------------------------------------------ Messaging, Http, events

  private sendEmail(list: ApexList, allOrNone: boolean): ApexList {
    if (list === null) throw npe();
    this.count('emailInvocations');
    const results: SysObject[] = [];
    for (const m of list.items) {
      const msg = m as SysObject;
      const p = msg.props;
      const hasRecipient =
        p.targetobjectid ||
        (p.toaddresses instanceof ApexList && p.toaddresses.items.length) ||
        (p.ccaddresses instanceof ApexList && p.ccaddresses.items.length) ||
        (p.bccaddresses instanceof ApexList && p.bccaddresses.items.length);
      if (!hasRecipient) {
        if (allOrNone) {
          throw new ApexError(
            'System.EmailException',
            'SendEmail failed. First exception on row 0; first error: REQUIRED_FIELD_MISSING, Add a recipient to send an email.: []'
          );
        }
        results.push(new SysObject('Messaging.SendEmailResult', { success: false }));
        continue;
      }
      this.emails.push(msg);
      results.push(new SysObject('Messaging.SendEmailResult', { success: true }));
    }
    return new ApexList('Messaging.SendEmailResult', results);
  }

  private callout(req: SysObject): SysObject {
    const rt = this.rt;
    if (this.rt.data.hasUncommittedWork() && !this.asyncContext) {
      throw new ApexError(
        'System.CalloutException',
        'You have uncommitted work pending. Please commit or rollback before calling out'
      );
    }
    this.count('callouts');
    const mock = this.mocks.get('httpcalloutmock');
    if (!mock) {
      throw new ApexError(
        'System.TypeException',
        'Methods defined as TestMethod do not support Web service callouts'
      );
    }
    const res = rt.callMethod(mock, 'respond', [req], rt.line, 'HttpCalloutMock');
    return res as SysObject;
  }

  private pendingEvents: SObjectValue[] = [];

  private publish(v: unknown): unknown {
    const list = v instanceof ApexList ? (v.items as SObjectValue[]) : [v as SObjectValue];
    const results = list.map((e) => {
      if (e === null) throw npe();
      const id = this.newId('e00');
      this.pendingEvents.push(e);
      return new SysObject('Database.SaveResult', { success: true, id, errors: [] });
    });
    if (!this.testStarted || this.testStopped) {
      // outside startTest/stopTest, events are delivered when the test calls deliver()
    }
    return v instanceof ApexList ? new ApexList('Database.SaveResult', results) : results[0];
  }

  deliverEvents(): void {
    while (this.pendingEvents.length) {
      const batch = this.pendingEvents.splice(0);
      const byType = new Map<string, SObjectValue[]>();
      for (const e of batch) {
        const l = byType.get(e.sobjectType) ?? [];
        l.push(e);
        byType.set(e.sobjectType, l);
      }
      for (const [type, events] of byType) {
        for (let i = 0; i < events.length; i += 2000) {
          this.rt.runTriggers(type, 'insert', false, events.slice(i, i + 2000), null);
        }
      }
    }
  }

  // ------------------------------------------------------------------ async

  private enqueueJob(job: unknown, delay: unknown): string {
    if (job === null) throw npe();
    if (!(job instanceof Instance) || !this.rt.builtinInterfacesOf(job.cls).has('queueable')) {
      throw new NotSupportedLocally('System.enqueueJob with a non-Queueable');
    }
    if (delay !== null && (int(delay) < 0 || int(delay) > 10)) {
      throw new ApexError('System.AsyncException', 'The delay must be between 0 and 10 minutes');
    }
    if (this.asyncContext === 'queueable') {
      // chaining: in a test only one chained job may be enqueued and it does not run
      const count = (this.usage.chainedQueueable ?? 0) + 1;
      this.usage.chainedQueueable = count;
      if (count > 1)
        throw new ApexError(
          'System.LimitException',
          'Too many queueable jobs added to the queue: 2'
        );
      return this.newId('707');
    }
    this.count('queueableJobs');
    const rt = this.rt;
    const id = rt.data.recordAsyncJob('Queueable', topLevel(job.cls));
    this.asyncQueue.push({
      kind: 'queueable',
      id,
      run: () => {
        const ctx = new SysObject('System.QueueableContext', { jobId: id });
        this.runJob(id, 'queueable', () =>
          rt.callMethod(job, 'execute', [ctx], rt.line, job.cls.name)
        );
      }
    });
    return id;
  }

  /** Queues a @future call (the interpreter calls this for @future methods). */
  enqueueFuture(cls: import('./model.ts').ClassInfo, run: () => void): void {
    if (this.asyncContext === 'future' || this.asyncContext === 'batch') {
      throw new ApexError(
        'System.AsyncException',
        'Future method cannot be called from a future or batch method'
      );
    }
    this.count('futureCalls');
    const id = this.rt.data.recordAsyncJob('Future', topLevel(cls));
    this.asyncQueue.push({ kind: 'future', id, run: () => this.runJob(id, 'future', run) });
  }

  private schedule(name: string, cron: string, job: unknown): string {
    if (!(job instanceof Instance) || !this.rt.builtinInterfacesOf(job.cls).has('schedulable')) {
      throw new NotSupportedLocally('System.schedule with a non-Schedulable');
    }
    const id = this.rt.data.scheduleJob(name, cron, this.now);
    const rt = this.rt;
    this.asyncQueue.push({
      kind: 'schedule',
      id,
      run: () => {
        if (!rt.data.jobExists(id)) return;
        const ctx = new SysObject('System.SchedulableContext', { jobId: id });
        this.inAsync('schedule', () => rt.callMethod(job, 'execute', [ctx], rt.line, job.cls.name));
      }
    });
    return id;
  }

  private executeBatch(job: unknown, size: number): string {
    if (!(job instanceof Instance)) throw npe();
    if (size < 1 || size > 2000)
      throw new ApexError(
        'System.InvalidParameterValueException',
        'Batch size must be between 1 and 2000'
      );
    const rt = this.rt;
    const id = rt.data.recordAsyncJob('BatchApex', topLevel(job.cls));
    this.asyncQueue.push({
      kind: 'batch',
      id,
      run: () => {
        const ctx = new SysObject('Database.BatchableContext', { jobId: id });
        this.runJob(id, 'batch', () => {
          const start = rt.callMethod(job, 'start', [ctx], rt.line, job.cls.name);
          const records =
            start instanceof SysObject
              ? (start.props.records as ApexList).items
              : start instanceof ApexList
                ? start.items
                : null;
          if (!records)
            throw new NotSupportedLocally('Batchable start() returning a custom Iterable');
          for (let i = 0; i < records.length; i += size) {
            rt.callMethod(
              job,
              'execute',
              [ctx, new ApexList('SObject', records.slice(i, i + size))],
              rt.line,
              job.cls.name
            );
          }
          rt.callMethod(job, 'finish', [ctx], rt.line, job.cls.name);
        });
      }
    });
    return id;
  }

  /** Runs a recorded job, keeping its AsyncApexJob status. */
  private runJob(id: string, kind: string, run: () => unknown): void {
    const data = this.rt.data;
    data.setJobStatus(id, 'Processing');
    try {
      this.inAsync(kind, run);
      data.setJobStatus(id, 'Completed');
    } catch (e) {
      data.setJobStatus(id, 'Failed', (e as Error).message);
      throw e;
    }
  }

  private inAsync(kind: string, run: () => unknown): void {
    const saved = this.asyncContext;
    const savedUsage = this.usage;
    this.asyncContext = kind;
    this.usage = {};
    try {
      run();
    } finally {
      this.asyncContext = saved;
      this.usage = savedUsage;
    }
  }

  /** Runs queued async work (at Test.stopTest), including work that work queues, in order. */
  runAsyncQueue(): void {
    this.deliverEvents();
    let guard = 0;
    while (this.asyncQueue.length) {
      const job = this.asyncQueue.shift()!;
      job.run();
      this.deliverEvents();
      if (++guard > 1000)
        throw new ApexError('System.AsyncException', 'Too many async jobs run at Test.stopTest');
    }
  }

  // ------------------------------------------------------------------ BusinessHours

  private calendars = new Map<string, BusinessCalendar>();

  private bh(id: unknown): {
    add3: (s: ApexDatetime, ms: unknown) => ApexDatetime;
    diff3: (a: ApexDatetime, b: ApexDatetime) => bigint;
    within: (d: ApexDatetime) => boolean;
    next: (d: ApexDatetime) => ApexDatetime;
  } {
    if (id === null) throw npe();
    const key = this.rt.toId(String(id));
    let cal = this.calendars.get(key);
    if (!cal) {
      const row = this.rt.data.businessHoursRow(key);
      if (!row)
        throw new ApexError('System.NoDataFoundException', `Invalid BusinessHours Id: ${key}`);
      const days = {} as WeeklyHours['days'];
      for (let i = 0; i < 7; i++) {
        const d = DAY_NAMES[i];
        const cap = d.charAt(0).toUpperCase() + d.slice(1);
        const s = row.get(`${cap}StartTime`) as ApexTime | null;
        const e = row.get(`${cap}EndTime`) as ApexTime | null;
        days[d] = s && e ? { start: hhmm(s), end: hhmm(e) } : null;
      }
      const holidays: HolidaySpec[] = this.rt.data.holidaysFor(key).map((h) => holidaySpec(h));
      cal = new BusinessCalendar({ timeZone: String(row.get('TimeZoneSidKey')), days }, holidays);
      this.calendars.set(key, cal);
    }
    const c = cal;
    const need = (d: unknown): ApexDatetime => {
      if (d === null) throw npe();
      return d as ApexDatetime;
    };
    return {
      add3: (s, ms) => new ApexDatetime(c.add(need(s).epochMs, Number(toKind(ms, 'long')))),
      diff3: (a, b) => BigInt(c.diff(need(a).epochMs, need(b).epochMs)),
      within: (d) => c.isWithin(need(d).epochMs),
      next: (d) => new ApexDatetime(c.nextStartDate(need(d).epochMs))
    };
  }

  /** Clears cached calendars (BusinessHours/Holiday rows may differ between tests). */
  resetCalendars(): void {
    this.calendars.clear();
  }

  // ------------------------------------------------------------------ JSON

  toJson(v: unknown, suppressNulls: boolean): unknown {
    const rt = this.rt;
    if (v === null || v === undefined) return null;
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return new RawJson(v.toString());
    if (isDecimal(v)) return new RawJson(formatDecimal(v));
    if (v instanceof ApexDate) return v.toString();
    if (v instanceof ApexDatetime) return new Date(v.epochMs).toISOString().replace('Z', '+0000');
    if (v instanceof ApexTime) return v.toString();
    if (v instanceof EnumValue) return v.name;
    if (v instanceof ApexList) return v.items.map((x) => this.toJson(x, suppressNulls));
    if (v instanceof ApexSet) return [...v.values()].map((x) => this.toJson(x, suppressNulls));
    if (v instanceof ApexMap) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v.entries()) o[rt.str(k)] = this.toJson(x, suppressNulls);
      return o;
    }
    if (v instanceof SObjectValue) {
      const o: Record<string, unknown> = { attributes: rt.data.jsonAttributes(v) };
      for (const [k, x] of v.getPopulatedFieldsAsMap()) {
        if (suppressNulls && x === null) continue;
        o[k] =
          x instanceof Array
            ? {
                totalSize: x.length,
                done: true,
                records: x.map((r) => this.toJson(r, suppressNulls))
              }
            : this.toJson(x, suppressNulls);
      }
      return o;
    }
    if (v instanceof Instance) {
      const o: Record<string, unknown> = {};
      const chain: import('./model.ts').ClassInfo[] = [];
      for (let c: import('./model.ts').ClassInfo | null = v.cls; c; c = rt.superOf(c))
        chain.unshift(c);
      for (const c of chain) {
        for (const f of c.fieldOrder) {
          if (f.isStatic || f.getter) continue;
          const x = v.fields.get(f.name.toLowerCase()) ?? null;
          if (suppressNulls && x === null) continue;
          o[f.name] = this.toJson(x, suppressNulls);
        }
      }
      return o;
    }
    throw new NotSupportedLocally(`JSON.serialize of ${typeNameOf(v)}`);
  }

  fromJsonUntyped(j: unknown): unknown {
    if (j === null) return null;
    if (Array.isArray(j))
      return new ApexList(
        'Object',
        j.map((x) => this.fromJsonUntyped(x))
      );
    if (j instanceof JsonNumber)
      return j.integral
        ? Math.abs(Number(j.text)) <= INT_MAX
          ? Number(j.text)
          : BigInt(j.text)
        : parseDecimal(j.text);
    if (typeof j === 'object') {
      const m = new ApexMap('String', 'Object');
      for (const [k, x] of Object.entries(j as Record<string, unknown>))
        m.set(k, this.fromJsonUntyped(x));
      return m;
    }
    return j;
  }

  fromJsonTyped(j: unknown, type: string): unknown {
    const rt = this.rt;
    if (j === null || j === undefined) return null;
    const { base, args } = splitType(type);
    const b = base.toLowerCase();
    const bad = (): never => {
      throw new ApexError(
        'System.JSONException',
        `Malformed JSON: Expected ${type} but found ${JSON.stringify(j)?.slice(0, 40)}`
      );
    };
    switch (b) {
      case 'object':
        return this.fromJsonUntyped(j);
      case 'string':
      case 'id':
        if (typeof j !== 'string') bad();
        return b === 'id' ? rt.toId(j as string) : j;
      case 'boolean':
        if (typeof j !== 'boolean') bad();
        return j;
      case 'integer':
      case 'long':
      case 'double':
      case 'decimal': {
        const text = j instanceof JsonNumber ? j.text : typeof j === 'string' ? j : bad();
        const k = numKind(base)!;
        if (k === 'decimal') return parseDecimal(text);
        if (k === 'double') return Number(text);
        if (k === 'long') return BigInt(Math.trunc(Number(text)));
        return Math.trunc(Number(text)) | 0;
      }
      case 'date':
        return ApexDate.parseIso(String(j));
      case 'datetime': {
        const ms = Date.parse(String(j).replace(/\+0000$/, 'Z'));
        if (Number.isNaN(ms)) bad();
        return new ApexDatetime(ms);
      }
      case 'list':
      case 'set': {
        if (!Array.isArray(j)) bad();
        const items = (j as unknown[]).map((x) => this.fromJsonTyped(x, args[0] ?? 'Object'));
        if (b === 'list') return new ApexList(args[0] ?? 'Object', items);
        const s = new ApexSet(args[0] ?? 'Object');
        for (const x of items) s.add(x);
        return s;
      }
      case 'map': {
        if (typeof j !== 'object' || Array.isArray(j)) bad();
        const m = new ApexMap(args[0] ?? 'String', args[1] ?? 'Object');
        for (const [k, x] of Object.entries(j as Record<string, unknown>))
          m.set(rt.coerce(k, args[0] ?? 'String'), this.fromJsonTyped(x, args[1] ?? 'Object'));
        return m;
      }
    }
    const cls = rt.resolveClass(base, null);
    if (cls && cls.kind === 'enum') return rt.enumValues(cls).find((e) => e.name === j) ?? null;
    if (cls && cls.kind === 'class') {
      if (typeof j !== 'object' || Array.isArray(j)) bad();
      const inst = rt.construct(cls.name, [], rt.line, cls) as Instance;
      for (const [k, x] of Object.entries(j as Record<string, unknown>)) {
        const f = rt.lookupField(cls, k);
        if (!f || f.isStatic) continue;
        inst.fields.set(
          f.name.toLowerCase(),
          this.fromJsonTyped(x, rt.resolveTypeName(f.type, f.owner))
        );
      }
      return inst;
    }
    if (rt.data.findObject(base)) {
      if (typeof j !== 'object' || Array.isArray(j)) bad();
      const so = rt.newSObject(base);
      for (const [k, x] of Object.entries(j as Record<string, unknown>)) {
        if (k === 'attributes') continue;
        const ft = rt.memberType(base, k);
        rt.setMember(so, k, this.fromJsonTyped(x, ft));
      }
      return so;
    }
    throw new NotSupportedLocally(`JSON.deserialize into ${type}`);
  }
}

// -------------------------------------------------------------------------------------------
// helpers

const INSTANCE_RETURNS: Record<string, Record<string, string>> = {
  string: {
    length: 'Integer',
    indexof: 'Integer',
    lastindexof: 'Integer',
    compareto: 'Integer',
    countmatches: 'Integer',
    hashcode: 'Integer',
    charat: 'Integer',
    split: 'List<String>',
    getsobjecttype: 'Schema.SObjectType',
    contains: 'Boolean',
    startswith: 'Boolean',
    endswith: 'Boolean',
    equals: 'Boolean',
    equalsignorecase: 'Boolean',
    isblank: 'Boolean',
    isnotblank: 'Boolean'
  },
  id: { getsobjecttype: 'Schema.SObjectType', to15: 'String', length: 'Integer' },
  datetime: {
    gettime: 'Long',
    year: 'Integer',
    month: 'Integer',
    day: 'Integer',
    hour: 'Integer',
    minute: 'Integer',
    second: 'Integer',
    millisecond: 'Integer',
    hourgmt: 'Integer',
    minutegmt: 'Integer',
    date: 'Date',
    dategmt: 'Date',
    time: 'Time',
    timegmt: 'Time',
    format: 'String',
    formatgmt: 'String',
    addminutes: 'Datetime',
    addhours: 'Datetime',
    adddays: 'Datetime',
    addseconds: 'Datetime',
    addmonths: 'Datetime',
    addyears: 'Datetime'
  },
  date: {
    daysbetween: 'Integer',
    monthsbetween: 'Integer',
    year: 'Integer',
    month: 'Integer',
    day: 'Integer',
    dayofyear: 'Integer',
    adddays: 'Date',
    addmonths: 'Date',
    addyears: 'Date',
    tostartofweek: 'Date',
    tostartofmonth: 'Date',
    format: 'String'
  },
  time: { hour: 'Integer', minute: 'Integer', second: 'Integer', millisecond: 'Integer' },
  decimal: {
    intvalue: 'Integer',
    longvalue: 'Long',
    doublevalue: 'Double',
    setscale: 'Decimal',
    scale: 'Integer',
    round: 'Long',
    abs: 'Decimal',
    divide: 'Decimal',
    pow: 'Decimal',
    format: 'String',
    precision: 'Integer',
    striptrailingzeros: 'Decimal',
    toplainstring: 'String'
  },
  integer: { intvalue: 'Integer', longvalue: 'Long', doublevalue: 'Double', format: 'String' },
  long: { intvalue: 'Integer', longvalue: 'Long', doublevalue: 'Double', format: 'String' },
  double: {
    intvalue: 'Integer',
    longvalue: 'Long',
    doublevalue: 'Double',
    format: 'String',
    round: 'Long'
  },
  'system.timezone': { getoffset: 'Integer', getid: 'String' },
  'database.saveresult': { issuccess: 'Boolean', getid: 'Id', geterrors: 'List<Database.Error>' },
  'database.upsertresult': {
    issuccess: 'Boolean',
    getid: 'Id',
    geterrors: 'List<Database.Error>',
    iscreated: 'Boolean'
  },
  'database.deleteresult': { issuccess: 'Boolean', getid: 'Id', geterrors: 'List<Database.Error>' },
  'database.error': {
    getmessage: 'String',
    getstatuscode: 'System.StatusCode',
    getfields: 'List<String>'
  },
  'schema.describefieldresult': {
    getlength: 'Integer',
    getpicklistvalues: 'List<Schema.PicklistEntry>',
    getname: 'String',
    getlabel: 'String'
  },
  'schema.describesobjectresult': { getname: 'String', getlabel: 'String', getkeyprefix: 'String' },
  'system.type': { getname: 'String' },
  'system.httpresponse': { getstatuscode: 'Integer', getbody: 'String', getstatus: 'String' }
};

class RawJson {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** A JSON number as written (so Decimal/Long keep their digits). */
class JsonNumber {
  constructor(readonly text: string) {}
  get integral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

function parseJson(text: string): unknown {
  // JSON.parse with a reviver cannot see the source text of numbers; wrap them first.
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))!;
      out += JSON.stringify({ $num: m[0] });
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  try {
    return JSON.parse(out, (_k, v) =>
      v && typeof v === 'object' && '$num' in v && Object.keys(v).length === 1
        ? new JsonNumber(v.$num)
        : v
    );
  } catch (e) {
    throw new ApexError('System.JSONException', `Malformed JSON: ${(e as Error).message}`);
  }
}

function topLevel(cls: import('./model.ts').ClassInfo): string {
  let c = cls;
  while (c.outer) c = c.outer;
  return c.name;
}

function canonicalNs(lower: string): string {
  const map: Record<string, string> = {
    userinfo: 'UserInfo',
    json: 'JSON',
    encodingutil: 'EncodingUtil',
    featuremanagement: 'FeatureManagement',
    eventbus: 'EventBus',
    businesshours: 'BusinessHours',
    datetime: 'Datetime',
    sobjecttype: 'Schema.SObjectType',
    accesslevel: 'System.AccessLevel',
    logginglevel: 'System.LoggingLevel',
    roundingmode: 'System.RoundingMode',
    statuscode: 'System.StatusCode',
    triggeroperation: 'System.TriggerOperation',
    displaytype: 'Schema.DisplayType',
    sobjectdescribeoptions: 'Schema.SObjectDescribeOptions',
    httprequest: 'System.HttpRequest',
    httpresponse: 'System.HttpResponse',
    timezone: 'TimeZone',
    url: 'Url'
  };
  return map[lower] ?? lower.charAt(0).toUpperCase() + lower.slice(1);
}

function parseIntStrict(s: string): number {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ApexError('System.TypeException', `Invalid integer: ${s}`);
  const n = Number(t);
  if (n > INT_MAX || n < INT_MIN)
    throw new ApexError('System.TypeException', `Invalid integer: ${s}`);
  return n;
}

function newDate(y: number, m: number, d: number): ApexDate {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return new ApexDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

function padTo(s: string, len: number, pad: string, left: boolean): string {
  if (s.length >= len || pad === '') return s;
  let fill = '';
  while (fill.length < len - s.length) fill += pad;
  fill = fill.slice(0, len - s.length);
  return left ? fill + s : s + fill;
}

function javaRegex(re: string): string {
  return re.replace(/\(\?i\)/g, '');
}

function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function roundingMode(mode: string, d: Decimal, _scale: number): 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 {
  switch (mode) {
    case 'CEILING':
      return Decimal.ROUND_CEIL;
    case 'FLOOR':
      return Decimal.ROUND_FLOOR;
    case 'DOWN':
      return Decimal.ROUND_DOWN;
    case 'UP':
      return Decimal.ROUND_UP;
    case 'HALF_DOWN':
      return Decimal.ROUND_HALF_DOWN;
    case 'HALF_EVEN':
      return Decimal.ROUND_HALF_EVEN;
    case 'HALF_UP':
      return Decimal.ROUND_HALF_UP;
    case 'UNNECESSARY':
      if (d.decimalPlaces() > _scale)
        throw new ApexError('System.MathException', 'Rounding necessary');
      return Decimal.ROUND_DOWN;
  }
  throw new NotSupportedLocally(`RoundingMode ${mode}`);
}

/** Number.format() in the en_US locale (grouping separators). */
function formatNumber(o: unknown, kind: ReturnType<typeof numKind>): string {
  if (typeof o === 'bigint') return o.toLocaleString('en-US');
  if (isDecimal(o)) {
    const [i, f] = formatDecimal(o).split('.');
    const grouped = BigInt(i).toLocaleString('en-US');
    const sign = i.startsWith('-') && grouped.charAt(0) !== '-' ? '-' : '';
    return sign + grouped + (f ? '.' + f.slice(0, 3) : '');
  }
  const n = o as number;
  if (kind === 'double' || !Number.isInteger(n))
    return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return n.toLocaleString('en-US');
}

/** The Database.*Result class a Database DML method returns for op. */
export function dmlResultType(op: string): string {
  if (op === 'upsert') return 'Database.UpsertResult';
  if (op === 'delete') return 'Database.DeleteResult';
  if (op === 'undelete') return 'Database.UndeleteResult';
  return 'Database.SaveResult';
}

/** Formats with a Java SimpleDateFormat pattern (the common letters) via luxon. */
export function javaFormat(dt: DateTime, pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      const j = pattern.indexOf("'", i + 1);
      if (j === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      out += pattern.slice(i + 1, j < 0 ? pattern.length : j);
      i = j < 0 ? pattern.length : j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let j = i;
    while (j < pattern.length && pattern[j] === c) j++;
    const n = j - i;
    i = j;
    const p2 = (x: number, w: number): string => String(x).padStart(w, '0');
    switch (c) {
      case 'y':
        out += n === 2 ? p2(dt.year % 100, 2) : p2(dt.year, n);
        break;
      case 'M':
        out += n >= 4 ? dt.toFormat('MMMM') : n === 3 ? dt.toFormat('MMM') : p2(dt.month, n);
        break;
      case 'd':
        out += p2(dt.day, n);
        break;
      case 'H':
        out += p2(dt.hour, n);
        break;
      case 'h':
        out += p2(dt.hour % 12 === 0 ? 12 : dt.hour % 12, n);
        break;
      case 'k':
        out += p2(dt.hour === 0 ? 24 : dt.hour, n);
        break;
      case 'm':
        out += p2(dt.minute, n);
        break;
      case 's':
        out += p2(dt.second, n);
        break;
      case 'S':
        out += p2(dt.millisecond, 3).slice(0, Math.max(n, 3));
        break;
      case 'a':
        out += dt.hour < 12 ? 'AM' : 'PM';
        break;
      case 'E':
        out += n >= 4 ? dt.toFormat('cccc') : dt.toFormat('ccc');
        break;
      case 'u':
        out += String(dt.weekday);
        break;
      case 'D':
        out += p2(dt.ordinal, n);
        break;
      case 'Z':
        out += dt.toFormat('ZZZ');
        break;
      case 'X':
        out += dt.offset === 0 ? 'Z' : n >= 3 ? dt.toFormat('ZZ') : dt.toFormat('ZZZ');
        break;
      case 'z':
        out += dt.toFormat('ZZZZ');
        break;
      default:
        throw new NotSupportedLocally(`date format letter '${c}'`);
    }
  }
  return out;
}

function displayType(t: string): string {
  const m: Record<string, string> = {
    id: 'ID',
    string: 'STRING',
    textarea: 'TEXTAREA',
    picklist: 'PICKLIST',
    multipicklist: 'MULTIPICKLIST',
    boolean: 'BOOLEAN',
    int: 'INTEGER',
    double: 'DOUBLE',
    currency: 'CURRENCY',
    percent: 'PERCENT',
    date: 'DATE',
    datetime: 'DATETIME',
    time: 'TIME',
    reference: 'REFERENCE',
    email: 'EMAIL',
    phone: 'PHONE',
    url: 'URL',
    long: 'LONG'
  };
  return m[t] ?? 'STRING';
}

function hhmm(t: ApexTime): string {
  const h = Math.floor(t.msOfDay / 3_600_000);
  const m = Math.floor(t.msOfDay / 60_000) % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function holidaySpec(h: SObjectValue): HolidaySpec {
  const g = (f: string): unknown => (h.isSet(f) ? h.get(f) : null);
  const date = g('ActivityDate') as ApexDate | null;
  const spec: HolidaySpec = {
    name: String(g('Name') ?? ''),
    activityDate: date ? date.toString() : '',
    isAllDay: g('IsAllDay') !== false
  };
  const st = g('StartTimeInMinutes');
  const et = g('EndTimeInMinutes');
  if (st !== null) spec.startTimeInMinutes = Number(st);
  if (et !== null) spec.endTimeInMinutes = Number(et);
  if (g('IsRecurrence') === true) {
    spec.isRecurrence = true;
    if (g('RecurrenceType'))
      spec.recurrenceType = g('RecurrenceType') as HolidaySpec['recurrenceType'];
    if (g('RecurrenceInterval') !== null) spec.recurrenceInterval = Number(g('RecurrenceInterval'));
    if (g('RecurrenceDayOfWeekMask') !== null)
      spec.recurrenceDayOfWeekMask = Number(g('RecurrenceDayOfWeekMask'));
    if (g('RecurrenceDayOfMonth') !== null)
      spec.recurrenceDayOfMonth = Number(g('RecurrenceDayOfMonth'));
    if (g('RecurrenceInstance'))
      spec.recurrenceInstance = g('RecurrenceInstance') as HolidaySpec['recurrenceInstance'];
    if (g('RecurrenceMonthOfYear')) spec.recurrenceMonthOfYear = String(g('RecurrenceMonthOfYear'));
    const rs = g('RecurrenceStartDate') as ApexDate | null;
    const re = g('RecurrenceEndDateOnly') as ApexDate | null;
    if (rs) spec.recurrenceStartDate = rs.toString();
    if (re) spec.recurrenceEndDateOnly = re.toString();
  }
  return spec;
}
