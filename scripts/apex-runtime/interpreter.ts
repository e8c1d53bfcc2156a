// The interpreter: class model operations (resolution, construction, dispatch, statics),
// exceptions, Trigger context, DML orchestration and the bridge to the data layer.

import {
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
  isDecimal,
  isIdShape,
  normalizeId
} from './values.ts';
import {
  ApexThrow,
  EnumValue,
  Frame,
  Instance,
  NORMAL,
  type ClassInfo,
  type Expr,
  type FieldInfo,
  type MethodInfo,
  type Stmt
} from './model.ts';
import { MethodCompiler, elementTypeOf, singleRow, type Typed } from './compiler.ts';
import { apexEquals, npe, runtimeNumKind, stringOf, toKind, typeNameOf } from './ops.ts';
import { canonicalSimple, numKind, splitType, type NumKind } from './types.ts';
import { newClass, type LoadedProject, type TriggerInfo } from './loader.ts';
import type {
  ApexParserRuleContext,
  BlockContext,
  FieldDeclarationContext,
  StatementContext
} from '@apexdevtools/apex-parser';
import { Stdlib } from './stdlib.ts';
import type { DataBridge } from './data-bridge.ts';

/** Builtin (system) types the runtime knows by name. */
const BUILTIN_TYPES = new Set(
  [
    'String',
    'Integer',
    'Long',
    'Double',
    'Decimal',
    'Boolean',
    'Id',
    'Date',
    'Datetime',
    'Time',
    'Blob',
    'Object',
    'SObject',
    'List',
    'Set',
    'Map'
  ].map((s) => s.toLowerCase())
);

const UNCATCHABLE = new Set(['system.assertexception', 'system.limitexception']);

interface TriggerFrame {
  sobject: string;
  event: string;
  isBefore: boolean;
  newList: SObjectValue[] | null;
  oldList: SObjectValue[] | null;
}

export class Interpreter {
  readonly classes = new Map<string, ClassInfo>();
  readonly triggers: TriggerInfo[];
  readonly stdlib: Stdlib;
  /** current line (for error messages and stack traces) */
  line = 0;
  private statics = new Map<ClassInfo, Map<string, unknown>>();
  private staticInit = new Set<ClassInfo>();
  private readonly compiledInits = new WeakMap<object, Expr | Stmt>();
  private readonly systemExceptions = new Map<string, ClassInfo>();
  readonly exceptionBase: ClassInfo;
  /** coverage: file label → line → hit */
  readonly coverageHits = new Map<string, Set<number>>();
  readonly coverageLines = new Map<string, Set<number>>();
  readonly triggerStack: TriggerFrame[] = [];
  private depth = 0;
  readonly data: DataBridge;

  constructor(project: LoadedProject, data: DataBridge) {
    this.data = data;
    this.exceptionBase = this.syntheticClass('Exception', null);
    for (const cls of project.classes.values()) this.register(cls);
    this.triggers = project.triggers;
    this.stdlib = new Stdlib(this);
  }

  private register(cls: ClassInfo): void {
    this.classes.set(cls.name.toLowerCase(), cls);
    for (const inner of cls.inner.values()) this.register(inner);
  }

  private syntheticClass(name: string, superClass: ClassInfo | null): ClassInfo {
    return {
      ...newClass(name, name.split('.').pop()!, 'class', null, '(system)'),
      superName: superClass ? superClass.name : null,
      superClass,
      interfaces: [],
      modifiers: new Set(['virtual']),
      isException: true,
      system: true
    };
  }

  // -------------------------------------------------------------------------------------------
  // per-test state

  /** Resets static state (each test method is its own transaction). */
  resetStatics(): void {
    this.frames.length = 0;
    this.statics = new Map();
    this.staticInit = new Set();
    this.triggerStack.length = 0;
    this.depth = 0;
  }

  coverageMarker(file: string, line: number): () => void {
    let lines = this.coverageLines.get(file);
    if (!lines) this.coverageLines.set(file, (lines = new Set()));
    lines.add(line);
    let hits = this.coverageHits.get(file);
    if (!hits) this.coverageHits.set(file, (hits = new Set()));
    const h = hits;
    if (process.env.APEX_RUNTIME_TRACE) {
      const label = `${file.split('/').pop()}:${line}`;
      return () => {
        console.error(`[trace] ${label}`);
        h.add(line);
      };
    }
    return () => {
      h.add(line);
    };
  }

  // -------------------------------------------------------------------------------------------
  // type resolution

  /** Resolves a type name as seen from `from` (inner classes first). */
  resolveClass(name: string, from: ClassInfo | null): ClassInfo | null {
    const lower = name.toLowerCase();
    for (let c = from; c; c = c.outer) {
      const inner = c.inner.get(lower);
      if (inner) return inner;
      for (let s = this.superOf(c); s; s = this.superOf(s)) {
        const si = s.inner.get(lower);
        if (si) return si;
      }
      if (c.name.toLowerCase() === lower) return c;
    }
    const top = this.classes.get(lower);
    if (top) return top;
    if (lower === 'exception' || lower === 'system.exception') return this.exceptionBase;
    const sys = this.systemExceptionClass(name);
    if (sys) return sys;
    return null;
  }

  systemExceptionClass(name: string): ClassInfo | null {
    const lower = name.toLowerCase();
    const simple = lower.startsWith('system.') ? lower.slice(7) : lower;
    if (!simple.endsWith('exception') || simple.includes('.')) {
      const known = ['auraHandledException', 'dmlexception'];
      void known;
      if (!/^[a-z]+\.[a-z]*exception$/.test(lower)) return null;
    }
    if (this.classes.has(simple)) return null;
    const canonical = this.stdlib.exceptionTypeName(name);
    if (!canonical) return null;
    let cls = this.systemExceptions.get(canonical.toLowerCase());
    if (!cls) {
      cls = this.syntheticClass(canonical, this.exceptionBase);
      this.systemExceptions.set(canonical.toLowerCase(), cls);
    }
    return cls;
  }

  superOf(cls: ClassInfo): ClassInfo | null {
    if (cls.superClass !== undefined) return cls.superClass;
    if (!cls.superName) {
      cls.superClass = null;
      return null;
    }
    const sup = this.resolveClass(cls.superName, cls.outer ?? cls);
    if (!sup) throw new NotSupportedLocally(`superclass ${cls.superName} of ${cls.name}`, cls.file);
    cls.superClass = sup;
    if (sup.isException) cls.isException = true;
    return sup;
  }

  interfacesOf(cls: ClassInfo): ClassInfo[] {
    if (cls.interfaces) return cls.interfaces;
    const out: ClassInfo[] = [];
    for (const n of cls.interfaceNames) {
      const i = this.resolveClass(n.split('<')[0], cls.outer ?? cls);
      if (i) out.push(i);
      else {
        const b = this.stdlib.builtinInterface(n);
        if (!b)
          throw new NotSupportedLocally(`interface ${n} implemented by ${cls.name}`, cls.file);
      }
    }
    cls.interfaces = out;
    return out;
  }

  /** Builtin interfaces a class implements (Queueable, Schedulable, Comparable ...), lower-case. */
  builtinInterfacesOf(cls: ClassInfo): Set<string> {
    const out = new Set<string>();
    for (let c: ClassInfo | null = cls; c; c = this.superOf(c)) {
      for (const n of c.interfaceNames) {
        const b = this.stdlib.builtinInterface(n);
        if (b) out.add(b.toLowerCase());
      }
      for (const i of this.interfacesOf(c)) for (const x of this.builtinInterfacesOf(i)) out.add(x);
    }
    return out;
  }

  isSubclass(cls: ClassInfo, base: ClassInfo): boolean {
    if (cls === base) return true;
    for (const i of this.interfacesOf(cls)) if (this.isSubclass(i, base)) return true;
    const sup = this.superOf(cls);
    return sup ? this.isSubclass(sup, base) : false;
  }

  isSObjectType(type: string): boolean {
    const l = type.toLowerCase();
    if (l === 'sobject' || l === 'aggregateresult') return true;
    return !!this.data.findObject(type);
  }

  /** Canonical text of a type as seen from `from`. Unknown names are kept as written. */
  resolveTypeName(text: string, from: ClassInfo | null): string {
    const { base, args } = splitType(text);
    const b = canonicalSimple(base);
    if (args.length) return `${b}<${args.map((a) => this.resolveTypeName(a, from)).join(',')}>`;
    if (BUILTIN_TYPES.has(b.toLowerCase())) return b;
    const cls = this.resolveClass(b, from);
    if (cls) return cls.name;
    const obj = this.data.findObject(b);
    if (obj) return obj.name;
    return this.stdlib.canonicalBuiltinType(b) ?? b;
  }

  resolveTypeOrNull(
    name: string,
    from: ClassInfo
  ):
    | { kind: 'class'; cls: ClassInfo }
    | { kind: 'sobject'; name: string }
    | { kind: 'builtin'; name: string }
    | null {
    const cls = this.resolveClass(name, from);
    if (cls && !cls.system) return { kind: 'class', cls };
    if (cls && cls.system) return { kind: 'builtin', name: cls.name };
    if (!name.includes('.') || name.toLowerCase().startsWith('schema.')) {
      const n = name.toLowerCase().startsWith('schema.') ? name.slice(7) : name;
      const obj = this.data.findObject(n);
      if (obj) return { kind: 'sobject', name: obj.name };
    }
    const b = this.stdlib.canonicalBuiltinType(name);
    if (b) return { kind: 'builtin', name: b };
    return null;
  }

  builtinNamespace(names: string[]): { name: string; consumed: number } | null {
    return this.stdlib.namespace(names);
  }

  isTriggerContext(cls: ClassInfo): boolean {
    return cls.file.endsWith('.trigger') || !!this.triggers.find((t) => t.name === cls.name);
  }

  // -------------------------------------------------------------------------------------------
  // values

  toId(v: string): string {
    if (!isIdShape(v)) throw new ApexError('System.StringException', `Invalid id: ${v}`);
    return normalizeId(v);
  }

  str(v: unknown, kind?: NumKind | null): string {
    return stringOf(v, kind, (i) => this.userToString(i));
  }

  private userToString(i: Instance): string | null {
    const m = this.findMethods(i.cls, 'toString', 0, false);
    if (!m.length || m[0].owner.system) return null;
    return this.str(this.invokeMethod(m[0], i, [], this.line));
  }

  equals(a: unknown, b: unknown): boolean {
    return apexEquals(a, b, (x, y) => {
      const m = this.findMethods(x.cls, 'equals', 1, false);
      if (!m.length) return x === y;
      return this.invokeMethod(m[0], x, [y], this.line) === true;
    });
  }

  exactEquals(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (
      a instanceof SObjectValue ||
      a instanceof Instance ||
      a instanceof ApexList ||
      a instanceof ApexMap ||
      a instanceof ApexSet
    ) {
      return false;
    }
    if (typeof a === 'string' && typeof b === 'string') return a === b;
    return apexEquals(a, b);
  }

  isInstanceOf(v: unknown, type: string): boolean {
    if (v === null || v === undefined) return false;
    const { base, args } = splitType(type);
    const l = base.toLowerCase();
    switch (l) {
      case 'object':
        return true;
      case 'string':
        return typeof v === 'string';
      case 'id':
        return typeof v === 'string' && isIdShape(v);
      case 'boolean':
        return typeof v === 'boolean';
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v);
      case 'double':
        return typeof v === 'number';
      case 'long':
        return typeof v === 'bigint';
      case 'decimal':
        return isDecimal(v) || typeof v === 'number';
      case 'date':
        return v instanceof ApexDate;
      case 'datetime':
        return v instanceof ApexDatetime;
      case 'time':
        return v instanceof ApexTime;
      case 'sobject':
        return v instanceof SObjectValue;
      case 'list':
        return v instanceof ApexList && (!args[0] || this.typeAssignable(v.elementType, args[0]));
      case 'set':
        return v instanceof ApexSet && (!args[0] || this.typeAssignable(v.elementType, args[0]));
      case 'map':
        return v instanceof ApexMap;
    }
    if (v instanceof SObjectValue) return v.sobjectType.toLowerCase() === l;
    if (v instanceof Instance) {
      const cls = this.resolveClass(base, null);
      if (cls) return this.isSubclass(v.cls, cls);
      const bi = this.stdlib.builtinInterface(base);
      return !!bi && this.builtinInterfacesOf(v.cls).has(bi.toLowerCase());
    }
    if (v instanceof EnumValue) return v.typeName().toLowerCase() === l;
    const t = (v as { apexType?: string }).apexType;
    if (t) return t.toLowerCase() === l || t.toLowerCase().endsWith('.' + l);
    return false;
  }

  /** Element type compatibility for List/Set instanceof (List<Lead> is a List<SObject>). */
  private typeAssignable(actual: string, wanted: string): boolean {
    const a = actual.toLowerCase();
    const w = wanted.toLowerCase();
    if (a === w || w === 'object') return true;
    if (w === 'sobject') return this.isSObjectType(actual);
    const ac = this.resolveClass(actual, null);
    const wc = this.resolveClass(wanted, null);
    return !!ac && !!wc && this.isSubclass(ac, wc);
  }

  /** Converts a runtime value for storage in a location of the given static type. */
  coerce(v: unknown, type: string): unknown {
    if (v === null || v === undefined) return null;
    const k = numKind(type);
    if (k) return runtimeNumKind(v) ? toKind(v, k) : v;
    if (typeof v === 'string' && (type === 'Id' || type === 'id' || type === 'ID'))
      return this.toId(v);
    return v;
  }

  temporalArith(op: string, a: unknown, b: unknown): unknown {
    return this.stdlib.temporalArith(op, a, b);
  }

  iterate(coll: unknown): Iterable<unknown> {
    if (coll instanceof ApexMap)
      throw new NotSupportedLocally('for loop over a Map', `line ${this.line}`);
    if (coll instanceof Instance) return this.stdlib.userIterable(coll);
    throw new NotSupportedLocally(`for loop over ${typeNameOf(coll)}`, `line ${this.line}`);
  }

  listGet(list: unknown, index: unknown): unknown {
    if (list === null || index === null) throw npe();
    if (list instanceof ApexList) {
      const i = Number(index);
      if (i < 0 || i >= list.items.length) {
        throw new ApexError('System.ListException', `List index out of bounds: ${i}`);
      }
      return list.items[i];
    }
    if (list instanceof ApexMap) return list.get(index);
    throw new NotSupportedLocally(`[] on ${typeNameOf(list)}`, `line ${this.line}`);
  }

  listSet(list: unknown, index: unknown, v: unknown): void {
    if (list === null || index === null) throw npe();
    if (!(list instanceof ApexList)) throw new NotSupportedLocally(`[]= on ${typeNameOf(list)}`);
    const i = Number(index);
    if (i < 0 || i >= list.items.length) {
      throw new ApexError('System.ListException', `List index out of bounds: ${i}`);
    }
    list.items[i] = this.coerce(v, list.elementType);
  }

  newCollection(type: string, init?: unknown): ApexList | ApexSet | ApexMap {
    const { base, args } = splitType(type);
    const l = base.toLowerCase();
    if (l === 'list') {
      const list = new ApexList(args[0] ?? 'Object');
      if (init !== undefined) {
        if (init === null) throw npe();
        if (init instanceof ApexList)
          list.items = init.items.map((x) => this.coerce(x, list.elementType));
        else if (init instanceof ApexSet)
          list.items = [...init.values()].map((x) => this.coerce(x, list.elementType));
        else if (typeof init === 'number') list.items = [];
        else throw new NotSupportedLocally(`new List from ${typeNameOf(init)}`);
      }
      return list;
    }
    if (l === 'set') {
      const set = new ApexSet(args[0] ?? 'Object');
      if (init !== undefined) {
        if (init === null) throw npe();
        const src =
          init instanceof ApexList
            ? init.items
            : init instanceof ApexSet
              ? [...init.values()]
              : null;
        if (!src) throw new NotSupportedLocally(`new Set from ${typeNameOf(init)}`);
        for (const x of src) this.collectionAdd(set, this.coerce(x, set.elementType));
      }
      return set;
    }
    const map = new ApexMap(args[0] ?? 'Object', args[1] ?? 'Object');
    if (init !== undefined) {
      if (init === null) throw npe();
      if (init instanceof ApexMap) for (const [k, v] of init.entries()) map.set(k, v);
      else if (init instanceof ApexList) {
        for (const so of init.items) {
          if (!(so instanceof SObjectValue))
            throw new NotSupportedLocally('new Map from a non-SObject list');
          const id = so.get('Id');
          if (id === null)
            throw new ApexError(
              'System.ListException',
              'Row with null Id at index: ' + init.items.indexOf(so)
            );
          if (map.has(id))
            throw new ApexError(
              'System.ListException',
              `Row with duplicate Id at index: ${init.items.indexOf(so)}`
            );
          map.set(id, so);
        }
      } else throw new NotSupportedLocally(`new Map from ${typeNameOf(init)}`);
    }
    return map;
  }

  collectionAdd(c: unknown, v: unknown): void {
    if (c instanceof ApexList) {
      c.items.push(v);
      c.modCount++;
    } else if (c instanceof ApexSet) {
      this.checkHashable(v);
      c.add(v);
    } else throw new NotSupportedLocally(`add to ${typeNameOf(c)}`);
  }

  /** User classes overriding equals/hashCode used as set elements or map keys are not supported. */
  checkHashable(v: unknown): void {
    if (
      v instanceof Instance &&
      (this.findMethods(v.cls, 'hashCode', 0, false).length ||
        this.findMethods(v.cls, 'equals', 1, false).length)
    ) {
      throw new NotSupportedLocally(
        `${v.cls.name} with equals/hashCode as a Set element or Map key`,
        `line ${this.line}`
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // enums

  private enumCache = new Map<ClassInfo, EnumValue[]>();

  enumValues(cls: ClassInfo): EnumValue[] {
    let vals = this.enumCache.get(cls);
    if (!vals) {
      vals = cls.enumValues.map((n, i) => new EnumValue(cls, n, i));
      this.enumCache.set(cls, vals);
    }
    return vals;
  }

  enumValue(typeName: string, name: string, from: ClassInfo | null): EnumValue | null {
    const cls = this.resolveClass(typeName, from);
    if (cls && cls.kind === 'enum') {
      return this.enumValues(cls).find((v) => v.name.toLowerCase() === name.toLowerCase()) ?? null;
    }
    return this.stdlib.builtinEnumValue(typeName, name);
  }

  enumValueOf(cls: ClassInfo, v: unknown): EnumValue | null {
    if (v === null) throw npe();
    const s = String(v);
    const found = this.enumValues(cls).find((e) => e.name === s);
    if (!found) {
      throw new ApexError('System.NoSuchElementException', `No enum constant ${cls.name}.${s}`);
    }
    return found;
  }

  // -------------------------------------------------------------------------------------------
  // fields

  lookupField(cls: ClassInfo, name: string): FieldInfo | null {
    const key = name.toLowerCase();
    for (let c: ClassInfo | null = cls; c; c = this.superOf(c)) {
      const f = c.fields.get(key);
      if (f) return f;
    }
    return null;
  }

  private ensureStatics(cls: ClassInfo): Map<string, unknown> {
    let m = this.statics.get(cls);
    if (m) return m;
    m = new Map();
    this.statics.set(cls, m);
    if (!this.staticInit.has(cls)) {
      this.staticInit.add(cls);
      for (const item of cls.staticInitOrder) {
        if ('name' in item && 'isStatic' in item) {
          const fld = item as FieldInfo;
          m.set(
            fld.name.toLowerCase(),
            fld.init ? this.coerce(this.evalInit(fld, null), fld.type) : defaultValue(fld.type)
          );
        } else {
          const st = this.compileInitBlock(cls, item as ApexParserRuleContext, true);
          st(new Frame(null, cls, this.initSlots.get(item) ?? 0));
        }
      }
    }
    return m;
  }

  private initSlots = new WeakMap<object, number>();

  private compileInitBlock(cls: ClassInfo, block: ApexParserRuleContext, isStatic: boolean): Stmt {
    const cached = this.compiledInits.get(block);
    if (cached) return cached as Stmt;
    const mc = new MethodCompiler(this, cls, isStatic, cls.lines, cls.file);
    const st = mc.block(block as BlockContext);
    this.initSlots.set(block, mc.slotCount);
    this.compiledInits.set(block, st);
    return st;
  }

  private evalInit(fld: FieldInfo, self: Instance | null): unknown {
    let e = this.compiledInits.get(fld) as Expr | undefined;
    if (!e) {
      const mc = new MethodCompiler(this, fld.owner, fld.isStatic, fld.owner.lines, fld.owner.file);
      const t = mc.expr(fld.init as import('@apexdevtools/apex-parser').ExpressionContext);
      const conv = mc.converter(t.type, fld.type, fld.init!);
      const mark = this.coverageMarker(fld.owner.file, fld.line);
      const slots = () => mc.slotCount;
      e = (f: Frame) => {
        mark();
        return conv(t.fn(f));
      };
      this.initSlots.set(fld, slots());
      this.compiledInits.set(fld, e);
    }
    return e(new Frame(self, fld.owner, this.initSlots.get(fld) ?? 0));
  }

  getStatic(owner: ClassInfo, fld: FieldInfo): unknown {
    if (fld.getter) return this.callAccessor(fld.getter, null, []);
    return this.getStaticRaw(owner, fld, false);
  }

  getStaticRaw(owner: ClassInfo, fld: FieldInfo, backing: boolean): unknown {
    if (fld.getter && !backing) return this.callAccessor(fld.getter, null, []);
    return this.ensureStatics(fld.owner ?? owner).get(fld.name.toLowerCase()) ?? null;
  }

  setStaticRaw(owner: ClassInfo, fld: FieldInfo, v: unknown): void {
    this.ensureStatics(fld.owner ?? owner).set(fld.name.toLowerCase(), v);
  }

  getInstanceField(inst: Instance, fld: FieldInfo): unknown {
    if (fld.isStatic) return this.getStatic(fld.owner, fld);
    if (fld.getter) return this.callAccessor(fld.getter, inst, []);
    return inst.fields.get(fld.name.toLowerCase()) ?? null;
  }

  setInstanceField(inst: Instance, fld: FieldInfo, v: unknown): void {
    if (fld.isStatic) return this.setStaticRaw(fld.owner, fld, v);
    if (fld.setter) {
      this.callAccessor(fld.setter, inst, [v]);
      return;
    }
    inst.fields.set(fld.name.toLowerCase(), v);
  }

  callAccessor(m: MethodInfo, self: Instance | null, args: unknown[]): unknown {
    return this.invokeMethod(m, self, args, this.line, m.name.slice(4).toLowerCase());
  }

  // -------------------------------------------------------------------------------------------
  // members of values

  /** Static type of `obj.member`. */
  memberType(type: string, member: string): string {
    if (type.startsWith('List<') && this.isSObjectType(elementTypeOf(type)))
      type = elementTypeOf(type);
    const obj = this.data.findObject(type);
    if (obj) return this.data.fieldApexType(obj.name, member) ?? 'Object';
    const cls = this.resolveClass(type, null);
    if (cls) {
      const f = this.lookupField(cls, member);
      if (f) return f.type;
    }
    return this.stdlib.builtinMemberType(type, member);
  }

  getMember(obj: unknown, name: string): unknown {
    if (obj === null || obj === undefined) throw npe();
    if (obj instanceof SObjectValue) return this.data.getField(obj, name);
    if (obj instanceof ApexList && this.isSObjectType(obj.elementType)) {
      return this.getMember(singleRow(obj), name);
    }
    if (obj instanceof Instance) {
      const f = this.lookupField(obj.cls, name);
      if (!f) {
        if (obj.cls.isException && obj.fields.has(name.toLowerCase()))
          return obj.fields.get(name.toLowerCase());
        throw new NotSupportedLocally(`field ${obj.cls.name}.${name}`, `line ${this.line}`);
      }
      return this.getInstanceField(obj, f);
    }
    return this.stdlib.getProperty(obj, name);
  }

  setMember(obj: unknown, name: string, v: unknown): void {
    if (obj === null || obj === undefined) throw npe();
    if (obj instanceof SObjectValue) {
      this.data.setField(obj, name, v);
      return;
    }
    if (obj instanceof Instance) {
      const f = this.lookupField(obj.cls, name);
      if (!f) throw new NotSupportedLocally(`field ${obj.cls.name}.${name}`, `line ${this.line}`);
      this.setInstanceField(obj, f, this.coerce(v, f.type));
      return;
    }
    this.stdlib.setProperty(obj, name, v);
  }

  canonicalField(type: string, field: string, loc: string): string {
    return this.data.canonicalField(type, field, loc);
  }

  newSObject(type: string): SObjectValue {
    return new SObjectValue(this.data.getObjectName(type));
  }

  // -------------------------------------------------------------------------------------------
  // methods

  private readonly methodCache = new WeakMap<ClassInfo, Map<string, MethodInfo[]>>();

  findMethods(cls: ClassInfo, name: string, nargs: number, staticOnly: boolean): MethodInfo[] {
    let perClass = this.methodCache.get(cls);
    if (!perClass) this.methodCache.set(cls, (perClass = new Map()));
    const cacheKey = `${name.toLowerCase()}/${nargs}/${staticOnly ? 's' : 'a'}`;
    const hit = perClass.get(cacheKey);
    if (hit) return hit;
    const found = this.findMethodsUncached(cls, name, nargs, staticOnly);
    perClass.set(cacheKey, found);
    return found;
  }

  private findMethodsUncached(
    cls: ClassInfo,
    name: string,
    nargs: number,
    staticOnly: boolean
  ): MethodInfo[] {
    const key = name.toLowerCase();
    const out: MethodInfo[] = [];
    const seen = new Set<ClassInfo>();
    const visit = (c: ClassInfo | null): void => {
      for (; c && !seen.has(c); c = this.superOf(c)) {
        seen.add(c);
        for (const m of c.methods.get(key) ?? []) {
          if (m.params.length === nargs && (!staticOnly || m.isStatic)) out.push(m);
        }
        if (c.kind === 'interface' || c.modifiers.has('abstract')) {
          for (const i of this.interfacesOf(c)) visit(i);
        }
      }
    };
    visit(cls);
    if (!out.length && cls.kind === 'interface') for (const i of this.interfacesOf(cls)) visit(i);
    return out;
  }

  methodReturnType(type: string, name: string, nargs: number, args?: Typed[]): string {
    const cls = this.resolveClass(splitType(type).base, null);
    if (cls && !cls.system) {
      const ms = this.findMethods(cls, name, nargs, false);
      if (ms.length) return ms[0].returnType;
    }
    return this.stdlib.methodReturnType(type, name, nargs, args);
  }

  private pickMethod(cands: MethodInfo[], vals: unknown[], args?: Typed[]): MethodInfo {
    if (cands.length === 1) return cands[0];
    let best = cands[0];
    let bestScore = -1;
    for (const m of cands) {
      let score = 0;
      let ok = true;
      m.params.forEach((p, i) => {
        const v = vals[i];
        const st = args?.[i]?.type;
        if (st && st.toLowerCase() === p.type.toLowerCase()) score += 3;
        else if (v === null) score += 1;
        else if (this.isInstanceOf(v, p.type)) score += 2;
        else ok = false;
      });
      if (ok && score > bestScore) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }

  invokeStatic(
    cls: ClassInfo,
    name: string,
    vals: unknown[],
    line: number,
    args?: Typed[]
  ): unknown {
    const cands = this.findMethods(cls, name, vals.length, false);
    if (!cands.length) throw new NotSupportedLocally(`method ${cls.name}.${name}`, `line ${line}`);
    return this.invokeMethod(this.pickMethod(cands, vals, args), null, vals, line);
  }

  /** Virtual dispatch of an instance method (or a super.call when isSuper). */
  invokeOn(
    self: Instance,
    cls: ClassInfo,
    name: string,
    vals: unknown[],
    line: number,
    isSuper: boolean,
    args?: Typed[]
  ): unknown {
    const start = isSuper ? cls : self.cls;
    let cands = this.findMethods(start, name, vals.length, false).filter((m) => !m.isAbstract);
    if (!cands.length) {
      const sys = this.stdlib.objectMethod(self, name, vals);
      if (sys.handled) return sys.value;
      throw new NotSupportedLocally(
        `method ${self.cls.name}.${name}(${vals.length})`,
        `line ${line}`
      );
    }
    // the most derived implementation wins
    const firstOwner = cands[0].owner;
    cands = cands.filter((m) => m.owner === firstOwner);
    return this.invokeMethod(this.pickMethod(cands, vals, args), self, vals, line);
  }

  callMethod(
    o: unknown,
    name: string,
    vals: unknown[],
    line: number,
    staticType: string,
    args?: Typed[]
  ): unknown {
    if (o instanceof Instance) {
      if (
        o.cls.system ||
        (o.cls.isException && !this.findMethods(o.cls, name, vals.length, false).length)
      ) {
        return this.stdlib.exceptionMethod(o, name, vals);
      }
      return this.invokeOn(o, o.cls, name, vals, line, false, args);
    }
    return this.stdlib.callMethod(o, name, vals, staticType, args);
  }

  invokeMethod(
    m: MethodInfo,
    self: Instance | null,
    vals: unknown[],
    line: number,
    accessorOf?: string
  ): unknown {
    if (m.native) return m.native(self, vals);
    if (!m.compiled) {
      if (!m.body)
        throw new NotSupportedLocally(`abstract method ${m.owner.name}.${m.name}`, `line ${line}`);
      const mc = new MethodCompiler(this, m.owner, m.isStatic, m.owner.lines, m.owner.file);
      mc.returnType = m.returnType;
      if (accessorOf) mc.accessorOf = accessorOf;
      for (const p of m.params) mc.declare(p.name, this.resolveTypeName(p.type, m.owner));
      const body = mc.block(m.body as BlockContext);
      m.compiled = { body, slots: mc.slotCount };
    }
    if (m.isStatic && !this.futureDirect && m.annotations.has('future')) {
      const args = [...vals];
      this.stdlib.enqueueFuture(m.owner, () => {
        this.futureDirect = true;
        try {
          this.invokeMethod(m, null, args, line);
        } finally {
          this.futureDirect = false;
        }
      });
      return null;
    }
    this.futureDirect = false;
    if (++this.depth > 1000) {
      this.depth = 0;
      throw new ApexError('System.LimitException', 'Maximum stack depth reached: 1001');
    }
    const f = new Frame(self, m.owner, m.compiled.slots);
    for (let i = 0; i < vals.length; i++) f.locals[i] = this.coerce(vals[i], m.params[i].type);
    const savedLine = this.line;
    this.frames.push({ label: (m.label ??= `${m.owner.name}.${m.name}`), callLine: savedLine });
    try {
      m.compiled.body(f);
    } catch (err) {
      this.noteTrace(err);
      throw err;
    } finally {
      this.frames.pop();
      this.depth--;
      this.line = savedLine;
    }
    return m.returnType === 'void' ? null : this.coerce(f.ret, m.returnType);
  }

  private futureDirect = false;
  /** Apex call frames, for stack traces. */
  readonly frames: { label: string; callLine: number }[] = [];
  /** Stack trace of an error, recorded where it first left a method. */
  readonly traces = new WeakMap<object, string>();

  noteTrace(err: unknown): void {
    if (!err || typeof err !== 'object' || this.traces.has(err)) return;
    const lines: string[] = [];
    let line = this.line;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const fr = this.frames[i];
      lines.push(
        `${fr.label.startsWith('Trigger.') ? '' : 'Class.'}${fr.label}: line ${line}, column 1`
      );
      line = fr.callLine;
    }
    const trace = lines.join('\n');
    this.traces.set(err, trace);
    if (err instanceof ApexThrow && !err.ex.fields.has('$stack'))
      err.ex.fields.set('$stack', trace);
  }

  // -------------------------------------------------------------------------------------------
  // construction

  construct(type: string, vals: unknown[], line: number, from: ClassInfo, args?: Typed[]): unknown {
    const cls = this.resolveClass(splitType(type).base, from);
    if (cls && cls.system) return this.newException(cls, vals);
    if (!cls) return this.stdlib.newBuiltin(type, vals, `line ${line}`);
    if (cls.kind !== 'class' || cls.modifiers.has('abstract')) {
      throw new NotSupportedLocally(`new ${cls.name} (abstract or interface)`, `line ${line}`);
    }
    const inst = new Instance(cls);
    if (cls.isException || this.isSubclass(cls, this.exceptionBase)) {
      cls.isException = true;
      inst.fields.set('$exceptionType', cls.name);
    }
    this.runConstructor(cls, inst, vals, line, args);
    return inst;
  }

  newException(cls: ClassInfo, vals: unknown[]): Instance {
    const inst = new Instance(cls);
    inst.fields.set('$exceptionType', cls.name);
    this.applyExceptionArgs(inst, vals);
    return inst;
  }

  private applyExceptionArgs(inst: Instance, vals: unknown[]): void {
    for (const v of vals) {
      if (v instanceof Instance) inst.fields.set('cause', v);
      else if (v !== null) inst.fields.set('message', this.str(v));
    }
    if (!inst.fields.has('message')) {
      const cause = inst.fields.get('cause');
      inst.fields.set('message', cause instanceof Instance ? this.str(cause) : null);
    }
  }

  private ctorCache = new WeakMap<
    MethodInfo,
    { chain: Stmt | null; chainIsThis: boolean; body: Stmt; slots: number }
  >();

  private runConstructor(
    cls: ClassInfo,
    inst: Instance,
    vals: unknown[],
    line: number,
    args?: Typed[]
  ): void {
    const cands = cls.ctors.filter((c) => c.params.length === vals.length);
    if (!cands.length) {
      if (cls.system || cls === this.exceptionBase) {
        this.applyExceptionArgs(inst, vals);
        return;
      }
      if (cls.ctors.length === 0 && vals.length === 0) {
        const sup = this.superOf(cls);
        if (sup) this.runConstructor(sup, inst, [], line);
        this.runInstanceInit(cls, inst);
        return;
      }
      if (cls.isException && cls.ctors.length === 0 && vals.length <= 2) {
        this.runInstanceInit(cls, inst);
        this.applyExceptionArgs(inst, vals);
        return;
      }
      throw new NotSupportedLocally(
        `constructor ${cls.name}(${vals.length} argument(s))`,
        `line ${line}`
      );
    }
    const ctor = this.pickMethod(cands, vals, args);
    let c = this.ctorCache.get(ctor);
    if (!c) {
      const mc = new MethodCompiler(this, cls, false, cls.lines, cls.file);
      for (const p of ctor.params) mc.declare(p.name, this.resolveTypeName(p.type, cls));
      const block = ctor.body as BlockContext;
      const stmts = block.statement_list();
      let chain: Stmt | null = null;
      let chainIsThis = false;
      let rest: StatementContext[] = stmts;
      const first = stmts[0]?.getText() ?? '';
      if (/^(this|super)\(/i.test(first)) {
        chainIsThis = /^this\(/i.test(first);
        chain = mc.statement(stmts[0]);
        rest = stmts.slice(1);
      }
      const compiled = rest.map((s) => mc.statement(s));
      const body: Stmt = (f) => {
        for (const s of compiled) {
          const r = s(f);
          if (r !== NORMAL) return r;
        }
        return NORMAL;
      };
      c = { chain, chainIsThis, body, slots: mc.slotCount };
      this.ctorCache.set(ctor, c);
    }
    const f = new Frame(inst, cls, c.slots);
    for (let i = 0; i < vals.length; i++) f.locals[i] = this.coerce(vals[i], ctor.params[i].type);
    if (++this.depth > 1000)
      throw new ApexError('System.LimitException', 'Maximum stack depth reached: 1001');
    try {
      if (c.chain) c.chain(f);
      if (!c.chainIsThis) {
        if (!c.chain) {
          const sup = this.superOf(cls);
          if (sup) this.runConstructor(sup, inst, [], line);
        }
        this.runInstanceInit(cls, inst);
      }
      c.body(f);
    } finally {
      this.depth--;
    }
  }

  /** Explicit this(...)/super(...) from a constructor body. */
  chainConstructor(
    self: Instance,
    cls: ClassInfo,
    vals: unknown[],
    line: number,
    isSuper: boolean
  ): void {
    if (isSuper && (cls.system || cls === this.exceptionBase)) {
      this.applyExceptionArgs(self, vals);
      return;
    }
    this.runConstructor(cls, self, vals, line);
  }

  private runInstanceInit(cls: ClassInfo, inst: Instance): void {
    for (const item of cls.instanceInitOrder) {
      if ('isStatic' in item && 'name' in item) {
        const fld = item as FieldInfo;
        inst.fields.set(
          fld.name.toLowerCase(),
          fld.init ? this.coerce(this.evalInit(fld, inst), fld.type) : defaultValue(fld.type)
        );
      } else {
        const st = this.compileInitBlock(cls, item as ApexParserRuleContext, false);
        st(new Frame(inst, cls, this.initSlots.get(item) ?? 0));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // exceptions

  resolveExceptionClass(name: string, from: ClassInfo, ctx: ApexParserRuleContext): ClassInfo {
    const cls = this.resolveClass(name, from);
    if (!cls)
      throw new NotSupportedLocally(`exception type ${name}`, `${from.file}:${ctx.start.line}`);
    return cls;
  }

  stampException(ex: Instance, line: number): void {
    if (!ex.fields.has('$line')) ex.fields.set('$line', line);
  }

  /** Converts a JS error into an Apex exception instance, or null if it is not catchable Apex. */
  toApexException(err: unknown): Instance | null {
    if (err instanceof ApexThrow) return err.ex;
    if (err instanceof ApexError) {
      const cls = this.systemExceptionClass(err.exceptionType) ?? this.exceptionBase;
      const inst = this.newException(cls, [err.message]);
      inst.fields.set('$line', this.line);
      if (err.extra) inst.fields.set('$extra', err.extra);
      return inst;
    }
    return null;
  }

  isUncatchable(ex: Instance): boolean {
    return UNCATCHABLE.has(String(ex.fields.get('$exceptionType') ?? ex.cls.name).toLowerCase());
  }

  // -------------------------------------------------------------------------------------------
  // static properties and calls on SObject types and builtins

  sobjectStaticProperty(sobject: string, name: string, ctx: ApexParserRuleContext): Typed {
    return this.stdlib.sobjectStaticProperty(sobject, name, `${ctx.start.line}`);
  }

  sobjectStaticCall(sobject: string, name: string, args: Typed[], loc: string): Typed {
    return this.stdlib.sobjectStaticCall(sobject, name, args, loc);
  }

  builtinStaticProperty(
    type: string,
    name: string,
    loc: string
  ): { kind: 'value'; t: Typed } | { kind: 'builtin'; name: string } {
    return this.stdlib.staticProperty(type, name, loc);
  }

  builtinStaticCall(
    type: string,
    name: string,
    args: Typed[],
    loc: string,
    mc: MethodCompiler
  ): Typed {
    return this.stdlib.staticCall(type, name, args, loc, mc);
  }

  typeToken(t: string): unknown {
    return this.stdlib.typeToken(t);
  }

  // -------------------------------------------------------------------------------------------
  // SOQL and DML (delegated to the data bridge)

  parseSoql(
    text: string,
    line: number,
    loc: string
  ): { query: unknown; bindTexts: string[]; fromType: string; isCount: boolean } {
    return this.data.parseSoql(text, line, loc);
  }

  runQuery(query: unknown, binds: (i: number) => unknown, line: number, fromType: string): unknown {
    return this.data.runQuery(query, binds, line, fromType);
  }

  dmlStatement(op: string, value: unknown, extField: string | null): void {
    this.data.dml(op, value, extField, true);
  }

  runAs(user: unknown, body: () => number): 0 | 1 | 2 | 3 {
    return this.data.runAs(user, body) as 0 | 1 | 2 | 3;
  }

  // -------------------------------------------------------------------------------------------
  // triggers

  private triggerCompiled = new Map<TriggerInfo, { body: Stmt; slots: number; cls: ClassInfo }>();

  runTriggers(
    sobject: string,
    event: string,
    isBefore: boolean,
    newList: SObjectValue[] | null,
    oldList: SObjectValue[] | null
  ): void {
    const key = `${isBefore ? 'before' : 'after'}${event}`;
    for (const t of this.triggers) {
      if (t.sobject.toLowerCase() !== sobject.toLowerCase() || !t.events.has(key)) continue;
      let c = this.triggerCompiled.get(t);
      if (!c) {
        const cls = this.syntheticClass(t.name, null);
        cls.isException = false;
        cls.system = false;
        cls.file = t.file;
        const mc = new MethodCompiler(this, cls, true, cls.lines, t.file);
        const members = (
          t.body as unknown as {
            triggerBlockMember_list(): {
              statement(): StatementContext | null;
              triggerMemberDeclaration(): {
                fieldDeclaration(): FieldDeclarationContext | null;
              } | null;
            }[];
          }
        ).triggerBlockMember_list();
        const stmts: Stmt[] = [];
        for (const m of members) {
          const s = m.statement();
          const field = m.triggerMemberDeclaration()?.fieldDeclaration() ?? null;
          if (s) stmts.push(mc.statement(s));
          else if (field) stmts.push(mc.triggerVariable(field));
          else
            throw new NotSupportedLocally(
              `method or class declarations in trigger ${t.name}`,
              t.file
            );
        }
        c = {
          cls,
          slots: mc.slotCount,
          body: (f) => {
            for (const s of stmts) if (s(f) !== NORMAL) break;
            return NORMAL;
          }
        };
        this.triggerCompiled.set(t, c);
      }
      if (this.triggerStack.length >= 16) {
        throw new ApexError('System.DmlException', 'maximum trigger depth exceeded');
      }
      this.triggerStack.push({ sobject, event, isBefore, newList, oldList });
      const savedLine = this.line;
      this.frames.push({ label: `Trigger.${t.name}`, callLine: savedLine });
      try {
        c.body(new Frame(null, c.cls, c.slots));
      } catch (err) {
        this.noteTrace(err);
        const ex = err instanceof TriggerFailure ? null : this.toApexException(err);
        if (!ex || this.isUncatchable(ex)) throw err;
        // an unhandled exception in a trigger fails the DML statement (the caller gets a
        // DmlException naming the trigger and the cause)
        const phase = `${isBefore ? 'Before' : 'After'}${event.charAt(0).toUpperCase()}${event.slice(1)}`;
        const cause = `${String(ex.fields.get('$exceptionType') ?? ex.cls.name)}: ${this.str(ex.fields.get('message') ?? null)}`;
        const full = (this.traces.get(err as object) ?? '').split('\n');
        const upTo = full.findIndex((l) => l.startsWith(`Trigger.${t.name}:`));
        const trace = (upTo >= 0 ? full.slice(0, upTo + 1) : full).join('\n');
        throw new TriggerFailure(
          `${t.name}: execution of ${phase}\n\ncaused by: ${cause}\n\n${trace}`
        );
      } finally {
        this.frames.pop();
        this.triggerStack.pop();
        this.line = savedLine;
      }
    }
  }

  hasTriggers(sobject: string): boolean {
    return this.triggers.some((t) => t.sobject.toLowerCase() === sobject.toLowerCase());
  }

  currentTrigger(): TriggerFrame | null {
    return this.triggerStack[this.triggerStack.length - 1] ?? null;
  }
}

/** An unhandled exception in a trigger; the DML orchestration turns it into row errors. */
export class TriggerFailure extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'TriggerFailure';
  }
}

export function defaultValue(_type: string): unknown {
  return null;
}

export { elementTypeOf, Decimal };
