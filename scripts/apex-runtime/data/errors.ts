/**
 * Errors raised by the data layer. Platform exceptions are `ApexError`s from `values.ts` (the
 * interpreter turns them into catchable Apex exceptions); anything not implemented is a
 * `NotSupportedLocally` from `values.ts`.
 */
import { ApexError, NotSupportedLocally } from '../values.ts';

export { NotSupportedLocally };

/** A `NotSupportedLocally` for a data-layer construct, with an optional file and line. */
export class DataNotSupportedError extends NotSupportedLocally {
  constructor(construct: string, where?: { file?: string; line?: number }) {
    const loc = where
      ? [where.file, where.line !== undefined ? `line ${where.line}` : undefined]
          .filter(Boolean)
          .join(':')
      : '';
    super(construct, loc || undefined);
  }
}

/** Bad metadata in the project (unparseable XML, unknown field type, broken reference). */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    message: string,
    readonly file?: string
  ) {
    super(file ? `${message} (${file})` : message);
  }
}

/**
 * A SOQL problem (syntax, unknown object or field, type mismatch): a `System.QueryException`.
 * `platformMessage` is the platform's text; `message` adds the query's line when known. On a
 * static query the platform refuses to compile the class; the interpreter may report it so.
 */
export class SoqlError extends ApexError {
  constructor(
    readonly platformMessage: string,
    readonly line?: number
  ) {
    super(
      'System.QueryException',
      line !== undefined ? `${platformMessage} (SOQL at line ${line})` : platformMessage
    );
  }
}
