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
 * A SOQL problem (syntax, unknown object or field, type mismatch): a `System.QueryException`
 * whose message is the platform's text exactly (what getMessage() returns). `line` is the
 * source line of the query; `describe()` gives both for reports.
 */
export class SoqlError extends ApexError {
  constructor(
    readonly platformMessage: string,
    readonly line?: number
  ) {
    super('System.QueryException', platformMessage, line !== undefined ? { line } : undefined);
  }

  /** The message with the query's line, for error reports outside Apex. */
  describe(): string {
    return this.line !== undefined
      ? `${this.platformMessage} (SOQL at line ${this.line})`
      : this.platformMessage;
  }
}
