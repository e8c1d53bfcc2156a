/**
 * SOQL parser: text (static `[SELECT ...]` or a `Database.query` string) → ParsedSoql.
 * Bind expressions are kept as raw Apex text with their index, in source order, for the
 * interpreter to compile. Names are not resolved here (see `check.ts` / the evaluator).
 */
import { DataNotSupportedError, SoqlError } from '../errors.ts';
import type {
  AggregateName,
  BindExpression,
  ComparisonOperator,
  Condition,
  DateFunctionName,
  DateLiteralName,
  Operand,
  OrderItem,
  ParsedSoql,
  SecurityMode,
  SelectItem,
  ValueSource
} from './ast.ts';

type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  /** Source text (identifiers as written; strings decoded). */
  value: string;
  start: number;
  end: number;
  line: number;
}

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?(Z|[+-]\d{2}:?\d{2}))?/;

const PUNCT = [
  '!=',
  '<>',
  '<=',
  '>=',
  '&&',
  '||',
  '==',
  '=',
  '<',
  '>',
  '(',
  ')',
  ',',
  '.',
  ':',
  '[',
  ']',
  '{',
  '}',
  '+',
  '-',
  '*',
  '/',
  '!',
  '?',
  ';',
  '&',
  '|'
];

function lex(text: string, baseLine: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = baseLine;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? n : close + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
      continue;
    }
    const start = i;
    if (c === "'") {
      let out = '';
      i++;
      let closed = false;
      while (i < n) {
        const ch = text[i]!;
        if (ch === '\\') {
          const e = text[i + 1];
          i += 2;
          switch (e) {
            case 'n':
              out += '\n';
              break;
            case 't':
              out += '\t';
              break;
            case 'r':
              out += '\r';
              break;
            case 'b':
              out += '\b';
              break;
            case 'f':
              out += '\f';
              break;
            case '_':
            case '%':
              // kept escaped: LIKE reads them as literal _ and %
              out += '\\' + e;
              break;
            case "'":
            case '"':
            case '\\':
              out += e;
              break;
            default:
              throw new SoqlError(`Invalid escape sequence in string literal: \\${e ?? ''}`, line);
          }
          continue;
        }
        if (ch === "'") {
          closed = true;
          i++;
          break;
        }
        if (ch === '\n') line++;
        out += ch;
        i++;
      }
      if (!closed) throw new SoqlError('unterminated string literal', line);
      tokens.push({ kind: 'string', value: out, start, end: i, line });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const rest = text.slice(i);
      const d = DATE_RE.exec(rest);
      if (d) {
        i += d[0].length;
        tokens.push({
          kind: d[4] !== undefined ? 'datetime' : 'date',
          value: d[0],
          start,
          end: i,
          line
        });
        continue;
      }
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?[lLdD]?/.exec(rest)!;
      i += m[0].length;
      tokens.push({ kind: 'number', value: m[0], start, end: i, line });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      i += m[0].length;
      tokens.push({ kind: 'ident', value: m[0], start, end: i, line });
      continue;
    }
    const p = PUNCT.find((op) => text.startsWith(op, i));
    if (!p) throw new SoqlError(`unexpected character '${c}'`, line);
    i += p.length;
    tokens.push({ kind: 'punct', value: p, start, end: i, line });
  }
  tokens.push({ kind: 'eof', value: '', start: n, end: n, line });
  return tokens;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'LIKE',
  'IN',
  'INCLUDES',
  'EXCLUDES',
  'WITH',
  'GROUP',
  'BY',
  'HAVING',
  'ORDER',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'LIMIT',
  'OFFSET',
  'FOR',
  'UPDATE',
  'VIEW',
  'REFERENCE',
  'ALL',
  'ROWS',
  'USING',
  'SCOPE',
  'TYPEOF',
  'NULL',
  'TRUE',
  'FALSE'
]);

/** Words that end a bind expression at nesting depth 0. */
const BIND_STOP = new Set([
  'AND',
  'OR',
  'NOT',
  'LIMIT',
  'OFFSET',
  'ORDER',
  'GROUP',
  'HAVING',
  'WITH',
  'FOR',
  'ASC',
  'DESC',
  'NULLS',
  'ALL',
  'LIKE',
  'IN',
  'INCLUDES',
  'EXCLUDES',
  'FROM',
  'WHERE',
  'USING'
]);

const AGGREGATES = new Set<AggregateName>(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);
const DATE_FUNCTIONS = new Set<DateFunctionName>([
  'CALENDAR_MONTH',
  'CALENDAR_QUARTER',
  'CALENDAR_YEAR',
  'DAY_IN_MONTH',
  'DAY_IN_WEEK',
  'DAY_IN_YEAR',
  'DAY_ONLY',
  'HOUR_IN_DAY',
  'WEEK_IN_MONTH',
  'WEEK_IN_YEAR'
]);
const UNSUPPORTED_FUNCTIONS = new Set([
  'TOLABEL',
  'FORMAT',
  'CONVERTCURRENCY',
  'GROUPING',
  'DISTANCE',
  'GEOLOCATION',
  'FISCAL_MONTH',
  'FISCAL_QUARTER',
  'FISCAL_YEAR'
]);
const DATE_LITERALS = new Set<string>([
  'YESTERDAY',
  'TODAY',
  'TOMORROW',
  'LAST_WEEK',
  'THIS_WEEK',
  'NEXT_WEEK',
  'LAST_MONTH',
  'THIS_MONTH',
  'NEXT_MONTH',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_QUARTER',
  'LAST_QUARTER',
  'NEXT_QUARTER',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR'
]);
const DATE_LITERALS_N = new Set<string>([
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'N_DAYS_AGO',
  'LAST_N_WEEKS',
  'NEXT_N_WEEKS',
  'N_WEEKS_AGO',
  'LAST_N_MONTHS',
  'NEXT_N_MONTHS',
  'N_MONTHS_AGO',
  'LAST_N_QUARTERS',
  'NEXT_N_QUARTERS',
  'N_QUARTERS_AGO',
  'LAST_N_YEARS',
  'NEXT_N_YEARS',
  'N_YEARS_AGO'
]);

class Parser {
  private pos = 0;
  readonly binds: BindExpression[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[]
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.value.toUpperCase() === word;
  }

  private isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.value === p;
  }

  private acceptWord(word: string): boolean {
    if (this.isWord(word)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptPunct(p: string): boolean {
    if (this.isPunct(p)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private unexpected(t: Token = this.peek()): SoqlError {
    return t.kind === 'eof'
      ? new SoqlError('unexpected end of query', t.line)
      : new SoqlError(
          `unexpected token: '${t.kind === 'string' ? `'${t.value}'` : t.value}'`,
          t.line
        );
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) {
      const t = this.peek();
      throw new SoqlError(
        t.kind === 'eof'
          ? `expecting '${word}', found end of query`
          : `expecting '${word}', found '${t.value}'`,
        t.line
      );
    }
    return this.next();
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) {
      const t = this.peek();
      throw new SoqlError(
        t.kind === 'eof'
          ? `expecting '${p}', found end of query`
          : `expecting '${p}', found '${t.value}'`,
        t.line
      );
    }
    return this.next();
  }

  private ident(): Token {
    const t = this.peek();
    if (t.kind !== 'ident') throw this.unexpected(t);
    return this.next();
  }

  // -------------------------------------------------------------------------------------------

  parseQuery(isSubquery: boolean): Omit<ParsedSoql, 'binds' | 'text' | 'line'> {
    this.expectWord('SELECT');
    const select = this.selectList();
    this.expectWord('FROM');
    const fromTok = this.ident();
    let from = fromTok.value;
    // A child relationship may be qualified in a subquery (rare); keep the last segment.
    while (this.isPunct('.')) {
      this.next();
      from = this.ident().value;
    }
    let fromAlias: string | null = null;
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().value.toUpperCase())) {
      fromAlias = this.next().value;
    }
    if (this.isWord('USING'))
      throw new DataNotSupportedError('SOQL USING SCOPE', { line: this.peek().line });
    let where: Condition | null = null;
    if (this.acceptWord('WHERE')) where = this.condition(false);
    let securityMode: SecurityMode | null = null;
    if (this.isWord('WITH')) {
      const w = this.next();
      const mode = this.ident().value.toUpperCase();
      if (mode === 'USER_MODE' || mode === 'SYSTEM_MODE' || mode === 'SECURITY_ENFORCED') {
        securityMode = mode;
      } else {
        throw new DataNotSupportedError(`SOQL WITH ${mode}`, { line: w.line });
      }
    }
    const groupBy: ValueSource[] = [];
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      if (this.isWord('ROLLUP') || this.isWord('CUBE')) {
        throw new DataNotSupportedError(`SOQL GROUP BY ${this.peek().value.toUpperCase()}`, {
          line: this.peek().line
        });
      }
      do groupBy.push(this.valueSource(false));
      while (this.acceptPunct(','));
    }
    let having: Condition | null = null;
    if (this.acceptWord('HAVING')) having = this.condition(true);
    const orderBy: OrderItem[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        const source = this.valueSource(true);
        let descending = false;
        if (this.acceptWord('DESC')) descending = true;
        else this.acceptWord('ASC');
        let nullsLast: boolean | null = null;
        if (this.acceptWord('NULLS')) {
          if (this.acceptWord('LAST')) nullsLast = true;
          else {
            this.expectWord('FIRST');
            nullsLast = false;
          }
        }
        orderBy.push({ source, descending, nullsLast });
      } while (this.acceptPunct(','));
    }
    let limit: Operand | null = null;
    if (this.acceptWord('LIMIT')) limit = this.integerOrBind();
    let offset: Operand | null = null;
    if (this.acceptWord('OFFSET')) offset = this.integerOrBind();
    let forUpdate = false;
    let forView = false;
    let forReference = false;
    let allRows = false;
    while (this.isWord('FOR') || this.isWord('ALL') || this.isWord('UPDATE')) {
      if (this.acceptWord('ALL')) {
        this.expectWord('ROWS');
        allRows = true;
        continue;
      }
      if (this.acceptWord('UPDATE')) {
        // UPDATE TRACKING / UPDATE VIEWSTAT
        const what = this.ident().value.toUpperCase();
        if (what !== 'TRACKING' && what !== 'VIEWSTAT')
          throw this.unexpected(this.tokens[this.pos - 1]);
        continue;
      }
      this.expectWord('FOR');
      if (this.acceptWord('UPDATE')) forUpdate = true;
      else if (this.acceptWord('VIEW')) forView = true;
      else if (this.acceptWord('REFERENCE')) forReference = true;
      else throw this.unexpected();
    }
    if (!isSubquery && this.peek().kind !== 'eof') throw this.unexpected();
    return {
      select,
      from,
      fromAlias,
      where,
      securityMode,
      groupBy,
      having,
      orderBy,
      limit,
      offset,
      forUpdate,
      forView,
      forReference,
      allRows
    };
  }

  private subquery(): ParsedSoql {
    const open = this.peek();
    const startTok = this.peek();
    const body = this.parseQuery(true);
    const endTok = this.tokens[this.pos - 1]!;
    this.expectPunct(')');
    return {
      ...body,
      text: this.text.slice(startTok.start, endTok.end),
      line: open.line,
      binds: []
    };
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    do {
      const t = this.peek();
      if (this.isPunct('(')) {
        this.next();
        items.push({ kind: 'subquery', query: this.subquery(), line: t.line });
        continue;
      }
      if (this.isWord('TYPEOF')) throw new DataNotSupportedError('SOQL TYPEOF', { line: t.line });
      if (this.isWord('COUNT') && this.isPunct('(', 1) && this.isPunct(')', 2)) {
        this.pos += 3;
        items.push({ kind: 'countAll', alias: this.alias(), line: t.line });
        continue;
      }
      const source = this.valueSource(true);
      // Plain fields may carry an alias too (allowed for grouped fields in aggregate queries;
      // the evaluator refuses it elsewhere).
      const alias = this.alias();
      items.push({ kind: 'value', source, alias });
    } while (this.acceptPunct(','));
    return items;
  }

  private alias(): string | null {
    const t = this.peek();
    if (t.kind === 'ident' && !KEYWORDS.has(t.value.toUpperCase())) {
      this.next();
      return t.value;
    }
    return null;
  }

  private fieldPath(): string[] {
    const path = [this.ident().value];
    while (this.isPunct('.')) {
      this.next();
      path.push(this.ident().value);
    }
    return path;
  }

  /** A field, a date function of a field, or (when allowed) an aggregate. */
  private valueSource(allowAggregate: boolean): ValueSource {
    const t = this.peek();
    if (t.kind !== 'ident') throw this.unexpected(t);
    if (this.isPunct('(', 1)) {
      const fn = t.value.toUpperCase();
      if (UNSUPPORTED_FUNCTIONS.has(fn)) {
        throw new DataNotSupportedError(`SOQL function ${fn}()`, { line: t.line });
      }
      if (AGGREGATES.has(fn as AggregateName)) {
        if (!allowAggregate)
          throw new SoqlError(`aggregate function ${fn}() is not allowed here`, t.line);
        this.pos += 2;
        let arg: ValueSource | null = null;
        if (!this.isPunct(')')) arg = this.valueSource(false);
        this.expectPunct(')');
        if (arg === null && fn !== 'COUNT') throw new SoqlError(`${fn}() needs a field`, t.line);
        return { kind: 'aggregate', fn: fn as AggregateName, arg, line: t.line };
      }
      if (DATE_FUNCTIONS.has(fn as DateFunctionName)) {
        this.pos += 2;
        let convertTimezone = false;
        let path: string[];
        if (this.isWord('CONVERTTIMEZONE') && this.isPunct('(', 1)) {
          this.pos += 2;
          convertTimezone = true;
          path = this.fieldPath();
          this.expectPunct(')');
        } else {
          path = this.fieldPath();
        }
        this.expectPunct(')');
        return {
          kind: 'dateFunction',
          fn: fn as DateFunctionName,
          path,
          convertTimezone,
          line: t.line
        };
      }
      throw new SoqlError(`Unknown function ${t.value}()`, t.line);
    }
    return { kind: 'field', path: this.fieldPath(), line: t.line };
  }

  // Conditions ---------------------------------------------------------------------------------

  private condition(inHaving: boolean): Condition {
    const first = this.conditionTerm(inHaving);
    if (!this.isWord('AND') && !this.isWord('OR')) return first;
    const op = this.peek().value.toUpperCase() as 'AND' | 'OR';
    const items = [first];
    while (this.isWord('AND') || this.isWord('OR')) {
      const t = this.next();
      if (t.value.toUpperCase() !== op) {
        // SOQL does not rank AND over OR: mixing them needs parentheses.
        throw new SoqlError(`unexpected token: '${t.value}'`, t.line);
      }
      items.push(this.conditionTerm(inHaving));
    }
    return op === 'AND' ? { kind: 'and', items } : { kind: 'or', items };
  }

  private conditionTerm(inHaving: boolean): Condition {
    if (this.acceptWord('NOT')) return { kind: 'not', item: this.conditionTerm(inHaving) };
    if (this.isPunct('(')) {
      this.next();
      const c = this.condition(inHaving);
      this.expectPunct(')');
      return c;
    }
    return this.comparison(inHaving);
  }

  private comparison(inHaving: boolean): Condition {
    const left = this.valueSource(inHaving);
    const t = this.peek();
    let op: ComparisonOperator;
    if (t.kind === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.value)) {
      this.next();
      op = (t.value === '<>' ? '!=' : t.value) as ComparisonOperator;
    } else if (this.acceptWord('LIKE')) op = 'LIKE';
    else if (this.acceptWord('IN')) op = 'IN';
    else if (this.isWord('NOT') && this.isWord('IN', 1)) {
      this.pos += 2;
      op = 'NOT IN';
    } else if (this.acceptWord('INCLUDES')) op = 'INCLUDES';
    else if (this.acceptWord('EXCLUDES')) op = 'EXCLUDES';
    else throw this.unexpected(t);

    let right: Operand;
    if (op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES') {
      if (this.isPunct(':')) right = this.bind();
      else {
        this.expectPunct('(');
        if ((op === 'IN' || op === 'NOT IN') && this.isWord('SELECT')) {
          right = { kind: 'subquery', query: this.subquery() };
        } else {
          const items: Operand[] = [];
          do items.push(this.literal());
          while (this.acceptPunct(','));
          this.expectPunct(')');
          right = { kind: 'list', items };
        }
      }
    } else {
      right = this.literal();
    }
    return { kind: 'compare', left, op, right, line: t.line };
  }

  private integerOrBind(): Operand {
    if (this.isPunct(':')) return this.bind();
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw this.unexpected(t);
    return { kind: 'number', text: t.value };
  }

  private literal(): Operand {
    const t = this.peek();
    if (this.isPunct(':')) return this.bind();
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value };
    }
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', text: t.value };
    }
    if ((this.isPunct('-') || this.isPunct('+')) && this.peek(1).kind === 'number') {
      this.next();
      const num = this.next();
      return { kind: 'number', text: t.value === '-' ? `-${num.value}` : num.value };
    }
    if (t.kind === 'date') {
      this.next();
      const [y, m, d] = t.value.split('-').map(Number) as [number, number, number];
      if (!validDate(y, m, d)) throw new SoqlError(`invalid date: ${t.value}`, t.line);
      return { kind: 'date', year: y, month: m, day: d };
    }
    if (t.kind === 'datetime') {
      this.next();
      const ms = parseDatetimeLiteral(t.value);
      if (ms === null) throw new SoqlError(`invalid datetime: ${t.value}`, t.line);
      return { kind: 'datetime', epochMs: ms };
    }
    if (t.kind === 'ident') {
      const word = t.value.toUpperCase();
      if (word === 'NULL') {
        this.next();
        return { kind: 'null' };
      }
      if (word === 'TRUE' || word === 'FALSE') {
        this.next();
        return { kind: 'boolean', value: word === 'TRUE' };
      }
      if (DATE_LITERALS.has(word)) {
        this.next();
        return { kind: 'dateLiteral', name: word as DateLiteralName, n: null };
      }
      if (DATE_LITERALS_N.has(word)) {
        this.next();
        this.expectPunct(':');
        const num = this.next();
        if (num.kind !== 'number' || !/^\d+$/.test(num.value)) {
          throw new SoqlError(`${word} needs an integer, as in ${word}:7`, t.line);
        }
        return { kind: 'dateLiteral', name: word as DateLiteralName, n: Number(num.value) };
      }
      if (/FISCAL/.test(word))
        throw new DataNotSupportedError(`SOQL date literal ${word}`, { line: t.line });
    }
    throw this.unexpected(t);
  }

  /** `:expr` — the raw Apex expression up to the next SOQL keyword, `,` or `)` at depth 0. */
  private bind(): Operand {
    const colon = this.expectPunct(':');
    const first = this.peek();
    let depth = 0;
    let last: Token | null = null;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'punct') {
        if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
        else if (t.value === ')' || t.value === ']' || t.value === '}') {
          if (depth === 0) break;
          depth--;
        } else if (t.value === ',' && depth === 0) break;
      } else if (
        t.kind === 'ident' &&
        depth === 0 &&
        last !== null &&
        BIND_STOP.has(t.value.toUpperCase())
      ) {
        // A stop word directly after an operator (`a + IN`) cannot happen in valid Apex, so a
        // stop word here always ends the bind.
        break;
      }
      last = this.next();
    }
    if (!last) throw new SoqlError("expecting an expression after ':'", colon.line);
    const index = this.binds.length;
    this.binds.push({ index, text: this.text.slice(first.start, last.end), line: first.line });
    return { kind: 'bind', index };
  }
}

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function parseDatetimeLiteral(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m || m[4] === undefined) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as number[];
  if (!validDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s! > 59) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  let offsetMin = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms) - offsetMin * 60_000;
}

/**
 * Parses SOQL. `text` may include the surrounding brackets of a static query; `line` is the
 * line of its first character in the source file (errors name lines from there).
 */
export function parseSoql(text: string, line = 1): ParsedSoql {
  let body = text;
  const trimmed = body.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const open = body.indexOf('[');
    // Blank out everything up to the bracket but keep newlines, so lines stay right.
    body =
      body.slice(0, open + 1).replace(/[^\n]/g, ' ') + body.slice(open + 1, body.lastIndexOf(']'));
  }
  const parser = new Parser(body, lex(body, line));
  const q = parser.parseQuery(false);
  const parsed: ParsedSoql = { ...q, text: body.trim(), line, binds: parser.binds };
  return parsed;
}
