// Value operations with Apex semantics: arithmetic by static numeric kind, equality, ordering,
// string conversion (String.valueOf), and exceptions raised by these operations.

import {
  ApexDate,
  ApexDatetime,
  ApexError,
  ApexList,
  ApexMap,
  ApexSet,
  ApexTime,
  Decimal,
  SObjectValue,
  decimalScale,
  decimalWithScale,
  formatDecimal,
  isDecimal
} from './values.ts';
import { EnumValue, Instance } from './model.ts';
import type { NumKind } from './types.ts';

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

export function npe(what = 'Attempt to de-reference a null object'): ApexError {
  return new ApexError('System.NullPointerException', what);
}

/** Numeric kind of a runtime value (for values whose static type is Object). */
export function runtimeNumKind(v: unknown): NumKind | null {
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (isDecimal(v)) return 'decimal';
  return null;
}

/** Converts a numeric value to the representation of a kind. */
export function toKind(v: unknown, kind: NumKind): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'int':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
      if (isDecimal(v)) return v.trunc().toNumber() | 0;
      break;
    case 'long':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return BigInt(Math.trunc(v));
      if (isDecimal(v)) return BigInt(v.trunc().toFixed(0));
      break;
    case 'double':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (isDecimal(v)) return v.toNumber();
      break;
    case 'decimal':
      if (isDecimal(v)) return v;
      if (typeof v === 'number') {
        if (Number.isInteger(v)) return decimalWithScale(new Decimal(v), 0);
        return new Decimal(String(v));
      }
      if (typeof v === 'bigint') return decimalWithScale(new Decimal(v.toString()), 0);
      break;
  }
  throw new ApexError('System.TypeException', `Invalid conversion to ${kind}: ${stringOf(v)}`);
}

function checkInt(n: number): number {
  return n | 0;
}

export function arith(op: string, kind: NumKind, a: unknown, b: unknown): unknown {
  if (a === null || b === null) throw npe();
  switch (kind) {
    case 'int': {
      const x = toKind(a, 'int') as number;
      const y = toKind(b, 'int') as number;
      switch (op) {
        case '+':
          return checkInt(x + y);
        case '-':
          return checkInt(x - y);
        case '*':
          return Math.imul(x, y);
        case '/':
          if (y === 0) throw new ApexError('System.MathException', 'Divide by 0');
          return checkInt(Math.trunc(x / y));
      }
      break;
    }
    case 'long': {
      const x = toKind(a, 'long') as bigint;
      const y = toKind(b, 'long') as bigint;
      switch (op) {
        case '+':
          return BigInt.asIntN(64, x + y);
        case '-':
          return BigInt.asIntN(64, x - y);
        case '*':
          return BigInt.asIntN(64, x * y);
        case '/':
          if (y === 0n) throw new ApexError('System.MathException', 'Divide by 0');
          return BigInt.asIntN(64, x / y);
      }
      break;
    }
    case 'double': {
      const x = toKind(a, 'double') as number;
      const y = toKind(b, 'double') as number;
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          if (y === 0) throw new ApexError('System.MathException', 'Divide by 0');
          return x / y;
      }
      break;
    }
    case 'decimal': {
      const x = toKind(a, 'decimal') as Decimal;
      const y = toKind(b, 'decimal') as Decimal;
      switch (op) {
        case '+':
          return decimalWithScale(x.plus(y), Math.max(decimalScale(x), decimalScale(y)));
        case '-':
          return decimalWithScale(x.minus(y), Math.max(decimalScale(x), decimalScale(y)));
        case '*':
          return decimalWithScale(x.times(y), decimalScale(x) + decimalScale(y));
        case '/':
          if (y.isZero()) throw new ApexError('System.MathException', 'Divide by 0');
          return x.div(y);
      }
      break;
    }
  }
  throw new Error(`internal: arithmetic ${op} on ${kind}`);
}

/** Apex `==`: strings and Ids case-insensitive, numbers by value, collections/SObjects deep. */
export function apexEquals(
  a: unknown,
  b: unknown,
  userEquals?: (a: Instance, b: unknown) => boolean
): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.length !== b.length && isIdLike(a) && isIdLike(b)) {
      return a.slice(0, 15) === b.slice(0, 15);
    }
    return a.toLowerCase() === b.toLowerCase();
  }
  const ka = runtimeNumKind(a);
  const kb = runtimeNumKind(b);
  if (ka && kb) return compareNumbers(a, b) === 0;
  if (a instanceof ApexDate && b instanceof ApexDate) return a.toEpochDay() === b.toEpochDay();
  if (a instanceof ApexDatetime && b instanceof ApexDatetime) return a.epochMs === b.epochMs;
  if (a instanceof ApexTime && b instanceof ApexTime) return a.msOfDay === b.msOfDay;
  if (a instanceof EnumValue && b instanceof EnumValue)
    return a.typeName() === b.typeName() && a.name === b.name;
  if (a instanceof SObjectValue && b instanceof SObjectValue) {
    if (a.sobjectType.toLowerCase() !== b.sobjectType.toLowerCase()) return false;
    const fa = a.fieldNames();
    const fb = b.fieldNames();
    if (fa.length !== fb.length) return false;
    return fa.every((f) => b.isSet(f) && apexEquals(a.get(f), b.get(f), userEquals));
  }
  if (a instanceof ApexList && b instanceof ApexList) {
    return (
      a.items.length === b.items.length &&
      a.items.every((x, i) => apexEquals(x, b.items[i], userEquals))
    );
  }
  if (a instanceof ApexSet && b instanceof ApexSet) {
    return a.size === b.size && [...a.values()].every((x) => b.has(x));
  }
  if (a instanceof ApexMap && b instanceof ApexMap) {
    return (
      a.size === b.size &&
      [...a.entries()].every(([k, v]) => b.has(k) && apexEquals(v, b.get(k), userEquals))
    );
  }
  if (a instanceof Instance && userEquals) return userEquals(a, b);
  return false;
}

function isIdLike(s: string): boolean {
  return (s.length === 15 || s.length === 18) && /^[a-zA-Z0-9]+$/.test(s);
}

export function compareNumbers(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = toKind(a, 'decimal') as Decimal;
  const y = toKind(b, 'decimal') as Decimal;
  return x.comparedTo(y);
}

/** Ordering for <, >, <=, >= ; null operands → null (the comparison is then false). */
export function apexCompare(a: unknown, b: unknown): number | null {
  // "A non-null String or ID value is always greater than a null value" (Expression Operators)
  if (a === null && typeof b === 'string') return -1;
  if (b === null && typeof a === 'string') return 1;
  if (a === null || b === null) return null;
  if (runtimeNumKind(a) && runtimeNumKind(b)) return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') {
    // string comparison is case-insensitive (Expression Operators, <)
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof ApexDate && b instanceof ApexDate)
    return Math.sign(a.toEpochDay() - b.toEpochDay());
  if (a instanceof ApexDatetime && b instanceof ApexDatetime)
    return Math.sign(a.epochMs - b.epochMs);
  if (a instanceof ApexTime && b instanceof ApexTime) return Math.sign(a.msOfDay - b.msOfDay);
  throw new ApexError(
    'System.TypeException',
    `Comparison arguments must be compatible types: ${typeNameOf(a)}, ${typeNameOf(b)}`
  );
}

/** Formats a Double as Apex does (1.0, 1.5, 1.0E10, 1.0E-5). */
export function formatDouble(d: number): string {
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : d < 0 ? '-Infinity' : 'NaN';
  const abs = Math.abs(d);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [m, e] = d.toExponential().split('e');
    const mant = m.includes('.') ? m : m + '.0';
    return `${mant}E${Number(e)}`;
  }
  const s = String(d);
  return s.includes('.') ? s : s + '.0';
}

/** Runtime type name (for messages and Object-typed values). */
export function typeNameOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Double';
  if (typeof v === 'bigint') return 'Long';
  if (isDecimal(v)) return 'Decimal';
  if (v instanceof ApexDate) return 'Date';
  if (v instanceof ApexDatetime) return 'Datetime';
  if (v instanceof ApexTime) return 'Time';
  if (v instanceof SObjectValue) return v.sobjectType;
  if (v instanceof ApexList) return `List<${v.elementType}>`;
  if (v instanceof ApexSet) return `Set<${v.elementType}>`;
  if (v instanceof ApexMap) return `Map<${v.keyType},${v.valueType}>`;
  if (v instanceof Instance) return v.cls.name;
  if (v instanceof EnumValue) return v.typeName();
  const t = (v as { apexType?: string }).apexType;
  return t ?? 'Object';
}

/**
 * String.valueOf semantics. `kind` is the static numeric kind when known (a Double 1 prints
 * '1.0', an Integer 1 prints '1').
 */
export function stringOf(
  v: unknown,
  kind?: NumKind | null,
  toStr?: (i: Instance) => string | null
): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (kind === 'double' || (kind == null && !Number.isInteger(v))) return formatDouble(v);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (isDecimal(v)) return formatDecimal(v);
  if (v instanceof ApexDate || v instanceof ApexDatetime || v instanceof ApexTime)
    return v.toString();
  if (v instanceof EnumValue) return v.name;
  if (v instanceof ApexList)
    return '(' + v.items.map((x) => stringOf(x, null, toStr)).join(', ') + ')';
  if (v instanceof ApexSet)
    return '{' + [...v.values()].map((x) => stringOf(x, null, toStr)).join(', ') + '}';
  if (v instanceof ApexMap) {
    return (
      '{' +
      [...v.entries()]
        .map(([k, x]) => `${stringOf(k, null, toStr)}=${stringOf(x, null, toStr)}`)
        .join(', ') +
      '}'
    );
  }
  if (v instanceof SObjectValue) {
    const parts = v.fieldNames().map((f) => `${f}=${stringOf(v.get(f), null, toStr)}`);
    return `${v.sobjectType}:{${parts.join(', ')}}`;
  }
  if (v instanceof Instance) {
    const custom = toStr?.(v);
    if (custom !== null && custom !== undefined) return custom;
    if (v.cls.isException || v.fields.has('$exceptionType')) {
      return `${v.fields.get('$exceptionType') ?? v.cls.name}: ${stringOf(v.fields.get('message') ?? null)}`;
    }
    const parts = [...v.fields.entries()]
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, x]) => `${v.cls.fields.get(k)?.name ?? k}=${stringOf(x, null, toStr)}`);
    return `${v.cls.simpleName}:[${parts.join(', ')}]`;
  }
  const s = (v as { apexString?: () => string }).apexString;
  if (s) return s.call(v);
  return String(v);
}
