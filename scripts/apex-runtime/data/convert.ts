/**
 * Conversions between field types and runtime values (see `values.ts` for the representation):
 * JSON fixture values and custom metadata XML text into Apex values, type checks of values put
 * on a record, and the comparison used by SOQL filters and ORDER BY.
 */
import {
  ApexDate,
  ApexDatetime,
  ApexTime,
  Decimal,
  isDecimal,
  isIdShape,
  decimalWithScale,
  normalizeId,
  parseDecimal
} from '../values.ts';
import type { FieldDescribe } from './schema.ts';

export class ConversionError extends Error {}

const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/;

export function parseTime(text: string): ApexTime {
  const m = TIME_RE.exec(text.trim());
  if (!m) throw new ConversionError(`invalid time: ${text}`);
  const [h, mi, s, ms] = [
    Number(m[1]),
    Number(m[2]),
    Number(m[3] ?? 0),
    Number((m[4] ?? '0').padEnd(3, '0'))
  ];
  if (h > 23 || mi > 59 || s > 59) throw new ConversionError(`invalid time: ${text}`);
  return new ApexTime(((h * 60 + mi) * 60 + s) * 1000 + ms);
}

export function parseDatetime(text: string): ApexDatetime {
  const ms = Date.parse(text.trim());
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text.trim()) || Number.isNaN(ms)) {
    throw new ConversionError(`invalid datetime: ${text}`);
  }
  return new ApexDatetime(ms);
}

/** A JSON value (fixture) or XML text (custom metadata) as the field's Apex value. */
export function fromExternal(field: FieldDescribe, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : undefined;
  switch (field.apexType) {
    case 'Id':
      if (typeof value !== 'string' || !isIdShape(value))
        throw new ConversionError(`invalid Id: ${String(value)}`);
      return normalizeId(value);
    case 'String':
      if (typeof value !== 'string')
        throw new ConversionError(`expected text, got ${JSON.stringify(value)}`);
      return value;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (text !== undefined && /^(true|false)$/i.test(text.trim()))
        return text.trim().toLowerCase() === 'true';
      throw new ConversionError(`expected true or false, got ${JSON.stringify(value)}`);
    case 'Integer': {
      const n = typeof value === 'number' ? value : Number(text);
      if (!Number.isInteger(n) || n > 2147483647 || n < -2147483648) {
        throw new ConversionError(`expected an Integer, got ${JSON.stringify(value)}`);
      }
      return n;
    }
    case 'Long':
      try {
        return BigInt(typeof value === 'number' ? Math.trunc(value) : String(text));
      } catch {
        throw new ConversionError(`expected a Long, got ${JSON.stringify(value)}`);
      }
    case 'Decimal':
      if (
        typeof value === 'number' ||
        (text !== undefined && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim()))
      ) {
        // Stored numbers carry the field's scale, as they do when read back from an org.
        return decimalWithScale(parseDecimal(String(value)), field.scale);
      }
      throw new ConversionError(`expected a number, got ${JSON.stringify(value)}`);
    case 'Date':
      if (text === undefined)
        throw new ConversionError(`expected a date, got ${JSON.stringify(value)}`);
      try {
        return ApexDate.parseIso(text.slice(0, 10));
      } catch {
        throw new ConversionError(`invalid date: ${text}`);
      }
    case 'Datetime':
      if (text === undefined)
        throw new ConversionError(`expected a datetime, got ${JSON.stringify(value)}`);
      return parseDatetime(text);
    case 'Time':
      if (text === undefined)
        throw new ConversionError(`expected a time, got ${JSON.stringify(value)}`);
      return parseTime(text);
  }
}

/** The Apex type name of a runtime value, for error messages. */
export function apexTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Double';
  if (typeof v === 'bigint') return 'Long';
  if (isDecimal(v)) return 'Decimal';
  if (v instanceof ApexDate) return 'Date';
  if (v instanceof ApexDatetime) return 'Datetime';
  if (v instanceof ApexTime) return 'Time';
  return typeof v === 'object' && v !== null
    ? ((v as { constructor: { name: string } }).constructor.name ?? 'Object')
    : 'Object';
}

/**
 * Whether a runtime value may be stored in the field (the interpreter checks static types; this
 * catches values that reach the store by SObject.put). Returns the value as stored (numbers of a
 * Decimal field become Decimals, Ids become 18 characters) or throws ConversionError.
 */
export function toStored(field: FieldDescribe, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (field.apexType) {
    case 'Id':
      if (typeof v !== 'string' || !isIdShape(v))
        throw new ConversionError(`invalid id: ${String(v)}`);
      return normalizeId(v);
    case 'String':
      if (typeof v !== 'string') break;
      return v;
    case 'Boolean':
      if (typeof v !== 'boolean') break;
      return v;
    case 'Integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (isDecimal(v) && v.isInteger()) return v.toNumber();
      break;
    case 'Long':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      break;
    case 'Decimal':
      if (isDecimal(v)) return v;
      if (typeof v === 'number') return new Decimal(v);
      if (typeof v === 'bigint') return new Decimal(v.toString());
      break;
    case 'Date':
      if (v instanceof ApexDate) return v;
      break;
    case 'Datetime':
      if (v instanceof ApexDatetime) return v;
      break;
    case 'Time':
      if (v instanceof ApexTime) return v;
      break;
  }
  throw new ConversionError(`Illegal assignment from ${apexTypeName(v)} to ${field.apexType}`);
}

/** Numeric value of an Integer/Long/Decimal/Double as a Decimal, or null. */
export function asDecimal(v: unknown): Decimal | null {
  if (isDecimal(v)) return v;
  if (typeof v === 'number') return new Decimal(v);
  if (typeof v === 'bigint') return new Decimal(v.toString());
  return null;
}

/**
 * Orders two non-null values of the same field: numbers numerically, text case-insensitively,
 * dates and times chronologically, booleans false before true. Negative, zero or positive.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const da = asDecimal(a);
  const db = asDecimal(b);
  if (da && db) return da.comparedTo(db);
  if (a instanceof ApexDate && b instanceof ApexDate) return a.toEpochDay() - b.toEpochDay();
  if (a instanceof ApexDatetime && b instanceof ApexDatetime) return a.epochMs - b.epochMs;
  if (a instanceof ApexTime && b instanceof ApexTime) return a.msOfDay - b.msOfDay;
  throw new ConversionError(`cannot compare ${apexTypeName(a)} with ${apexTypeName(b)}`);
}
