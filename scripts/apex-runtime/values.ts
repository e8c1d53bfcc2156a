// The value model of the local Apex runtime: how every Apex value is represented in JavaScript.
// This file is the seam between the interpreter (R1) and the data layer (R2, `data/`): both
// sides create and read values only through what is exported here. Keep the API stable.
//
//   Apex type        JS representation
//   ---------------  ------------------------------------------------------------------
//   null             null                 (never undefined)
//   Boolean          boolean
//   Integer          number               (int32; the interpreter enforces overflow)
//   Long             bigint               (int64; the interpreter enforces overflow)
//   Double           number               (Integer and Double are both numbers: the static
//                                          type decides which one a number is)
//   Decimal          Decimal (exported below, decimal.js clone; never JS floats)
//   String           string
//   Id               string               (18 characters once normalised, see normalizeId)
//   Date             ApexDate             {year, month (1-12), day}
//   Datetime         ApexDatetime         {epochMs} (an instant; GMT based)
//   Time             ApexTime             {msOfDay}
//   Blob             ApexBlob             {bytes}
//   SObject          SObjectValue
//   List/Set/Map     ApexList / ApexSet / ApexMap (interpreter-side collections)
//
// SObject field values use the same representation, by field type: id/reference → 18-char
// string; string/textarea/picklist/multipicklist/email/phone/url → string; boolean → boolean;
// int → number; double/currency/percent → Decimal; long → bigint; date → ApexDate;
// datetime → ApexDatetime; time → ApexTime.
//
// Errors: a platform exception raised by this layer (or the data layer) is an `ApexError`
// carrying the Apex exception type name ('System.SObjectException', 'System.DmlException',
// 'System.QueryException', ...); the interpreter turns it into a catchable Apex exception.
// Anything not implemented is a `NotSupportedLocally` error: the test outcome is NotSupported.

import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The Decimal constructor every part of the runtime must use (a decimal.js clone, so that
 * `instanceof Decimal` holds for all runtime decimals). 40 significant digits, half-even
 * rounding; Apex scale rules are applied by the interpreter (setScale, divide).
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN });
export type Decimal = DecimalJs;

/** True for a runtime Decimal value. */
export function isDecimal(v: unknown): v is Decimal {
  return v instanceof Decimal;
}

const SCALE = Symbol('apexScale');

/**
 * Apex Decimals keep their scale (1.10 prints '1.10'); decimal.js drops trailing zeros, so the
 * scale is recorded on the instance. Returns a Decimal whose decimalScale() is `scale`
 * (the value is rounded half-up to that scale when it has more digits, as setScale does).
 */
export function decimalWithScale(d: Decimal, scale: number): Decimal {
  const r = d.decimalPlaces() > scale ? d.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP) : d;
  const out = new Decimal(r);
  (out as unknown as Record<symbol, number>)[SCALE] = scale;
  return out;
}

/** The Apex scale of a Decimal: the recorded one, else its number of decimal places. */
export function decimalScale(d: Decimal): number {
  const s = (d as unknown as Record<symbol, number | undefined>)[SCALE];
  return s ?? d.decimalPlaces();
}

/** Parses a Decimal literal/string keeping its scale ('1.10' → scale 2). */
export function parseDecimal(text: string): Decimal {
  const t = text.trim();
  const d = new Decimal(t);
  const m = /\.(\d+)(?:[eE]([+-]?\d+))?$/.exec(t);
  const exp = /[eE]([+-]?\d+)$/.exec(t);
  let scale = m ? m[1].length : 0;
  if (exp) scale = Math.max(0, scale - Number(exp[1]));
  return decimalWithScale(d, scale);
}

/** Plain (non-exponent) text of a Decimal with its scale, as String.valueOf(Decimal) gives. */
export function formatDecimal(d: Decimal): string {
  return d.toFixed(decimalScale(d));
}

/** A platform exception thrown by runtime code; becomes a catchable Apex exception. */
export class ApexError extends Error {
  /**
   * @param exceptionType fully qualified Apex type, e.g. 'System.SObjectException'
   * @param message the message `getMessage()` returns, worded like the platform's
   * @param extra optional data (e.g. DML row errors for System.DmlException)
   */
  constructor(
    readonly exceptionType: string,
    message: string,
    readonly extra?: Record<string, unknown>
  ) {
    super(message);
    this.name = exceptionType;
  }
}

/** A construct, method or behaviour the runtime does not implement. Outcome: NotSupported. */
export class NotSupportedLocally extends Error {
  /**
   * @param construct what is not supported, e.g. 'String.format with 3 arguments'
   * @param location 'ClassName.cls:12' when known
   */
  constructor(
    readonly construct: string,
    readonly location?: string
  ) {
    super(`NotSupportedLocally: ${construct}${location ? ` (${location})` : ''}`);
    this.name = 'NotSupportedLocally';
  }
}

// ---------------------------------------------------------------------------------------------
// Date / Datetime / Time

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Apex Date: a calendar day without time zone. Immutable. */
export class ApexDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number
  ) {}

  /** Days since 1970-01-01 (for arithmetic and comparison). */
  toEpochDay(): number {
    return Math.floor(Date.UTC(this.year, this.month - 1, this.day) / 86_400_000);
  }

  static fromEpochDay(days: number): ApexDate {
    const d = new Date(days * 86_400_000);
    return new ApexDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }

  /** Parses 'yyyy-MM-dd' (what Date.valueOf accepts); throws TypeException otherwise. */
  static parseIso(text: string): ApexDate {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(text.trim());
    if (!m) throw new ApexError('System.TypeException', `Invalid date: ${text}`);
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
      throw new ApexError('System.TypeException', `Invalid date: ${text}`);
    }
    return new ApexDate(y, mo, d);
  }

  /** 'yyyy-MM-dd' as String.valueOf(Date) gives it. */
  toString(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }
}

/** Apex Datetime: an instant (milliseconds since the epoch, GMT). Immutable. */
export class ApexDatetime {
  constructor(readonly epochMs: number) {}

  /** 'yyyy-MM-dd HH:mm:ss' in GMT, as String.valueOf(Datetime) gives it. */
  toString(): string {
    const d = new Date(this.epochMs);
    return (
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
      `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
    );
  }
}

/** Apex Time: a time of day (milliseconds since midnight, 0..86_399_999). Immutable. */
export class ApexTime {
  constructor(readonly msOfDay: number) {}

  /** 'HH:mm:ss.SSSZ' as String.valueOf(Time) gives it. */
  toString(): string {
    const ms = this.msOfDay;
    return (
      `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:` +
      `${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}Z`
    );
  }
}

/** Apex Blob: bytes. */
export class ApexBlob {
  constructor(readonly bytes: Uint8Array) {}
}

// ---------------------------------------------------------------------------------------------
// Ids

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** True when `id` has the shape of a 15- or 18-character Salesforce Id (alphanumeric). */
export function isIdShape(id: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id);
}

/**
 * Returns the 18-character form of a 15- or 18-character Id (the 3-character suffix encodes
 * the case of the 15 characters). An 18-character Id is returned with its suffix recomputed
 * from its first 15 characters. Throws System.StringException for anything else.
 */
export function normalizeId(id: string): string {
  if (!isIdShape(id)) {
    throw new ApexError('System.StringException', `Invalid id: ${id}`);
  }
  const base = id.slice(0, 15);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = base.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += ID_CHARS[bits];
  }
  return base + suffix;
}

/** The 3-character key prefix of an Id (e.g. '00Q' for a Lead). */
export function idPrefix(id: string): string {
  return id.slice(0, 3);
}

// ---------------------------------------------------------------------------------------------
// SObjects

/** Fields the platform sets itself; `clone` drops them unless asked to keep them. */
const READONLY_TIMESTAMP_FIELDS = new Set([
  'createddate',
  'createdbyid',
  'lastmodifieddate',
  'lastmodifiedbyid',
  'systemmodstamp'
]);

interface Slot<T> {
  name: string;
  value: T;
}

/**
 * An SObject record. Fields, parent relationships and child relationship lists are stored
 * case-insensitively under their canonical names (the name given on first put; the
 * interpreter and data layer always put canonical schema names).
 *
 * A record that came from SOQL has a `queried` set: reading a field (or relationship) that was
 * neither queried nor put since throws the platform's SObjectException.
 */
export class SObjectValue {
  private readonly fields = new Map<string, Slot<unknown>>();
  private readonly parents = new Map<string, Slot<SObjectValue | null>>();
  private readonly children = new Map<string, Slot<SObjectValue[] | null>>();
  /** Lower-case names of queried fields/relationships; null for records not from SOQL. */
  private queried: Set<string> | null = null;

  /** @param sobjectType canonical API name, e.g. 'Lead', 'Stl_Sla_Clock__c', 'AggregateResult' */
  constructor(readonly sobjectType: string) {}

  /**
   * Marks this record as retrieved via SOQL with the given fields/relationship names (any case).
   * Id is always accessible. Call again to add more names.
   */
  markQueried(names: Iterable<string>): void {
    if (!this.queried) this.queried = new Set(['id']);
    for (const n of names) this.queried.add(n.toLowerCase());
  }

  /** True if this record came from SOQL (see markQueried). */
  isQueried(): boolean {
    return this.queried !== null;
  }

  private notQueried(name: string): ApexError {
    return new ApexError(
      'System.SObjectException',
      `SObject row was retrieved via SOQL without querying the requested field: ${this.sobjectType}.${name}`
    );
  }

  /** Field value (case-insensitive name); null when unset. Throws for unqueried SOQL fields. */
  get(field: string): unknown {
    const key = field.toLowerCase();
    const slot = this.fields.get(key);
    if (slot) return slot.value;
    if (this.queried && !this.queried.has(key)) throw this.notQueried(field);
    return null;
  }

  /** Sets a field; returns the previous value (as SObject.put does). */
  put(field: string, value: unknown): unknown {
    const key = field.toLowerCase();
    const slot = this.fields.get(key);
    if (slot) {
      const old = slot.value;
      slot.value = value;
      return old;
    }
    this.fields.set(key, { name: field, value });
    return null;
  }

  /** True if the field has been put (or queried), even when its value is null. */
  isSet(field: string): boolean {
    return this.fields.has(field.toLowerCase());
  }

  /** Removes a field entirely (used by the data layer, e.g. for clone without Id). */
  unset(field: string): void {
    this.fields.delete(field.toLowerCase());
  }

  /** Canonical names of the fields that are set, in insertion order. */
  fieldNames(): string[] {
    return [...this.fields.values()].map((s) => s.name);
  }

  /**
   * Populated fields, parent records and child lists, in insertion order, keyed by canonical
   * name (the content of SObject.getPopulatedFieldsAsMap()).
   */
  getPopulatedFieldsAsMap(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const s of this.fields.values()) out.set(s.name, s.value);
    for (const s of this.parents.values()) out.set(s.name, s.value);
    for (const s of this.children.values()) if (s.value) out.set(s.name, s.value);
    return out;
  }

  /** Parent record by relationship name (e.g. 'Owner'); null when unset. */
  getSObject(relationshipName: string): SObjectValue | null {
    const key = relationshipName.toLowerCase();
    const slot = this.parents.get(key);
    if (slot) return slot.value;
    if (this.queried && !this.queried.has(key)) throw this.notQueried(relationshipName);
    return null;
  }

  /** Sets a parent record; returns the previous one. */
  putSObject(relationshipName: string, value: SObjectValue | null): SObjectValue | null {
    const key = relationshipName.toLowerCase();
    const slot = this.parents.get(key);
    if (slot) {
      const old = slot.value;
      slot.value = value;
      return old;
    }
    this.parents.set(key, { name: relationshipName, value });
    return null;
  }

  /** True if a parent relationship has been put. */
  hasSObject(relationshipName: string): boolean {
    return this.parents.has(relationshipName.toLowerCase());
  }

  /** Child records by child relationship name (e.g. 'Tasks'); null when not set. */
  getSObjects(childRelationshipName: string): SObjectValue[] | null {
    const key = childRelationshipName.toLowerCase();
    const slot = this.children.get(key);
    if (slot) return slot.value;
    if (this.queried && !this.queried.has(key)) throw this.notQueried(childRelationshipName);
    return null;
  }

  /** Sets a child relationship list (subquery result). */
  putChildren(childRelationshipName: string, records: SObjectValue[] | null): void {
    const key = childRelationshipName.toLowerCase();
    const slot = this.children.get(key);
    if (slot) slot.value = records;
    else this.children.set(key, { name: childRelationshipName, value: records });
  }

  /**
   * SObject.clone(preserveId, isDeepClone, preserveReadonlyTimestamps, preserveAutonumber).
   * A shallow clone shares parent records; a deep clone copies them. Child lists are not
   * copied (the platform does not copy them either). `autonumberFields` names the record's
   * auto-number fields (dropped unless preserveAutonumber).
   */
  clone(
    preserveId = true,
    isDeepClone = false,
    preserveReadonlyTimestamps = false,
    preserveAutonumber = false,
    autonumberFields: Iterable<string> = []
  ): SObjectValue {
    const auto = new Set([...autonumberFields].map((f) => f.toLowerCase()));
    const c = new SObjectValue(this.sobjectType);
    for (const [key, s] of this.fields) {
      if (key === 'id' && !preserveId) continue;
      if (READONLY_TIMESTAMP_FIELDS.has(key) && !preserveReadonlyTimestamps) continue;
      if (auto.has(key) && !preserveAutonumber) continue;
      c.fields.set(key, { name: s.name, value: s.value });
    }
    for (const [key, s] of this.parents) {
      c.parents.set(key, {
        name: s.name,
        value: isDeepClone && s.value ? s.value.clone(true, true, true, true) : s.value
      });
    }
    if (this.queried) c.queried = new Set(this.queried);
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Collections (interpreter side; the data layer may return plain arrays of SObjectValue)

/**
 * A value that defines its own Apex equality (a user class overriding equals/hashCode).
 * The interpreter implements this on instances of such classes.
 */
export interface ApexHashable {
  apexHashCode(): number;
  apexEquals(other: unknown): boolean;
}

function isHashable(v: unknown): v is ApexHashable {
  return typeof v === 'object' && v !== null && 'apexHashCode' in v && 'apexEquals' in v;
}

const identityKeys = new WeakMap<object, number>();
let nextIdentity = 1;

/**
 * The collection key of a value (for Set elements and Map keys): case-sensitive for strings,
 * value-based for Decimal (numeric value, so 1.0 and 1 match), dates, SObjects (all field
 * values), lists, sets and maps; identity for other objects. Objects implementing ApexHashable
 * get 'h:' + hash code and are further compared with apexEquals by the collection.
 */
export function collectionKey(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return 's:' + v;
    case 'number':
      return 'n:' + (Object.is(v, -0) ? 0 : v);
    case 'bigint':
      return 'n:' + v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof Decimal) return 'n:' + (v.isZero() ? '0' : v.toString());
  if (v instanceof ApexDate) return 'D:' + v.toString();
  if (v instanceof ApexDatetime) return 'T:' + v.epochMs;
  if (v instanceof ApexTime) return 't:' + v.msOfDay;
  if (v instanceof SObjectValue) {
    const parts = v
      .fieldNames()
      .map((f) => f.toLowerCase())
      .sort()
      .map((f) => f + '=' + collectionKey(v.get(f)));
    return 'O:' + v.sobjectType.toLowerCase() + '{' + parts.join(',') + '}';
  }
  if (v instanceof ApexList) return 'L[' + v.items.map(collectionKey).join(',') + ']';
  if (v instanceof ApexSet) return 'S[' + [...v.keys()].sort().join(',') + ']';
  if (v instanceof ApexMap) {
    return (
      'M[' +
      [...v.entries()]
        .map(([k, val]) => collectionKey(k) + '=>' + collectionKey(val))
        .sort()
        .join(',') +
      ']'
    );
  }
  if (isHashable(v)) return 'h:' + v.apexHashCode();
  if (typeof v === 'object') {
    let id = identityKeys.get(v);
    if (id === undefined) {
      id = nextIdentity++;
      identityKeys.set(v, id);
    }
    return 'i:' + id;
  }
  return 'x:' + String(v);
}

/** Apex List (and array). `elementType` is the Apex type name of the elements, e.g. 'Lead'. */
export class ApexList {
  /** Counts structural modifications, for modification-during-iteration detection. */
  modCount = 0;
  constructor(
    public elementType: string,
    public items: unknown[] = []
  ) {}
}

/**
 * Apex Set: insertion-ordered, keyed by collectionKey. `elementType` is the Apex type name.
 */
export class ApexSet {
  modCount = 0;
  private readonly buckets = new Map<string, unknown[]>();
  private count = 0;
  constructor(public elementType: string) {}

  get size(): number {
    return this.count;
  }

  has(v: unknown): boolean {
    const b = this.buckets.get(collectionKey(v));
    if (!b) return false;
    return !isHashable(v) || b.some((x) => hashableEquals(x, v));
  }

  /** Adds; returns true if the set changed. */
  add(v: unknown): boolean {
    const k = collectionKey(v);
    const b = this.buckets.get(k);
    if (!b) {
      this.buckets.set(k, [v]);
    } else {
      if (!isHashable(v) || b.some((x) => hashableEquals(x, v))) return false;
      b.push(v);
    }
    this.count++;
    this.modCount++;
    return true;
  }

  /** Removes; returns true if the set changed. */
  delete(v: unknown): boolean {
    const k = collectionKey(v);
    const b = this.buckets.get(k);
    if (!b) return false;
    const i = isHashable(v) ? b.findIndex((x) => hashableEquals(x, v)) : 0;
    if (i < 0) return false;
    b.splice(i, 1);
    if (b.length === 0) this.buckets.delete(k);
    this.count--;
    this.modCount++;
    return true;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
    this.modCount++;
  }

  /** Collection keys (for internal comparisons). */
  keys(): IterableIterator<string> {
    return this.buckets.keys();
  }

  *values(): IterableIterator<unknown> {
    for (const b of this.buckets.values()) yield* b;
  }
}

function hashableEquals(a: unknown, b: unknown): boolean {
  if (isHashable(a)) return a.apexEquals(b);
  return collectionKey(a) === collectionKey(b);
}

/** Apex Map: insertion-ordered, keys compared by collectionKey (+ apexEquals for hashables). */
export class ApexMap {
  modCount = 0;
  /**
   * String keys compared case-insensitively (the maps of Schema describe calls); the
   * interpreter lower-cases such keys before every access.
   */
  caseInsensitiveKeys = false;
  private readonly buckets = new Map<string, [unknown, unknown][]>();
  private count = 0;
  /** @param keyType Apex type name of keys; @param valueType Apex type name of values */
  constructor(
    public keyType: string,
    public valueType: string
  ) {}

  get size(): number {
    return this.count;
  }

  private find(k: unknown): [unknown, unknown] | undefined {
    const b = this.buckets.get(collectionKey(k));
    if (!b) return undefined;
    if (!isHashable(k)) return b[0];
    return b.find((e) => hashableEquals(e[0], k));
  }

  has(k: unknown): boolean {
    return this.find(k) !== undefined;
  }

  /** Value for a key; null when absent. */
  get(k: unknown): unknown {
    const e = this.find(k);
    return e ? e[1] : null;
  }

  /** Puts; returns the previous value or null. */
  set(k: unknown, v: unknown): unknown {
    const e = this.find(k);
    if (e) {
      const old = e[1];
      e[1] = v;
      return old;
    }
    const key = collectionKey(k);
    const b = this.buckets.get(key);
    if (b) b.push([k, v]);
    else this.buckets.set(key, [[k, v]]);
    this.count++;
    this.modCount++;
    return null;
  }

  /** Removes; returns the removed value or null. */
  delete(k: unknown): unknown {
    const key = collectionKey(k);
    const b = this.buckets.get(key);
    if (!b) return null;
    const i = isHashable(k) ? b.findIndex((e) => hashableEquals(e[0], k)) : 0;
    if (i < 0) return null;
    const [, old] = b[i];
    b.splice(i, 1);
    if (b.length === 0) this.buckets.delete(key);
    this.count--;
    this.modCount++;
    return old;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
    this.modCount++;
  }

  *entries(): IterableIterator<[unknown, unknown]> {
    for (const b of this.buckets.values()) for (const e of b) yield [e[0], e[1]];
  }

  *keys(): IterableIterator<unknown> {
    for (const b of this.buckets.values()) for (const e of b) yield e[0];
  }

  *values(): IterableIterator<unknown> {
    for (const b of this.buckets.values()) for (const e of b) yield e[1];
  }
}
