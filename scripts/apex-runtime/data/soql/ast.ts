/**
 * The parsed form of a SOQL query. Produced by `parseSoql` (syntax only: names are resolved
 * against the schema when the query runs, or by `checkSoql` ahead of time).
 */

/** A dotted field path as written, without the FROM alias: ['Owner', 'Name']. */
export type FieldPath = string[];

export type DateFunctionName =
  | 'CALENDAR_MONTH'
  | 'CALENDAR_QUARTER'
  | 'CALENDAR_YEAR'
  | 'DAY_IN_MONTH'
  | 'DAY_IN_WEEK'
  | 'DAY_IN_YEAR'
  | 'DAY_ONLY'
  | 'HOUR_IN_DAY'
  | 'WEEK_IN_MONTH'
  | 'WEEK_IN_YEAR';

export type AggregateName = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

/** Something that yields a value per row: a field, a date function of a field, an aggregate. */
export type ValueSource =
  | { kind: 'field'; path: FieldPath; line: number }
  | {
      kind: 'dateFunction';
      fn: DateFunctionName;
      path: FieldPath;
      /** convertTimezone(field) inside the function: evaluate in the user's time zone. */
      convertTimezone: boolean;
      line: number;
    }
  | { kind: 'aggregate'; fn: AggregateName; arg: ValueSource | null; line: number };

export type SelectItem =
  | { kind: 'value'; source: ValueSource; alias: string | null }
  /** COUNT() with no argument: the query returns an Integer. */
  | { kind: 'countAll'; alias: string | null; line: number }
  | { kind: 'subquery'; query: ParsedSoql; line: number };

export type DateLiteralName =
  | 'YESTERDAY'
  | 'TODAY'
  | 'TOMORROW'
  | 'LAST_WEEK'
  | 'THIS_WEEK'
  | 'NEXT_WEEK'
  | 'LAST_MONTH'
  | 'THIS_MONTH'
  | 'NEXT_MONTH'
  | 'LAST_90_DAYS'
  | 'NEXT_90_DAYS'
  | 'THIS_QUARTER'
  | 'LAST_QUARTER'
  | 'NEXT_QUARTER'
  | 'THIS_YEAR'
  | 'LAST_YEAR'
  | 'NEXT_YEAR'
  | 'LAST_N_DAYS'
  | 'NEXT_N_DAYS'
  | 'N_DAYS_AGO'
  | 'LAST_N_WEEKS'
  | 'NEXT_N_WEEKS'
  | 'N_WEEKS_AGO'
  | 'LAST_N_MONTHS'
  | 'NEXT_N_MONTHS'
  | 'N_MONTHS_AGO'
  | 'LAST_N_QUARTERS'
  | 'NEXT_N_QUARTERS'
  | 'N_QUARTERS_AGO'
  | 'LAST_N_YEARS'
  | 'NEXT_N_YEARS'
  | 'N_YEARS_AGO';

export type Operand =
  | { kind: 'string'; value: string }
  /** A number as written; typed by the field it is compared with. */
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'datetime'; epochMs: number }
  | { kind: 'dateLiteral'; name: DateLiteralName; n: number | null }
  | { kind: 'bind'; index: number }
  | { kind: 'list'; items: Operand[] }
  /** Semi-join: `Id IN (SELECT LeadId FROM ...)`. */
  | { kind: 'subquery'; query: ParsedSoql };

export type ComparisonOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'IN'
  | 'NOT IN'
  | 'INCLUDES'
  | 'EXCLUDES';

export type Condition =
  | { kind: 'and'; items: Condition[] }
  | { kind: 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | {
      kind: 'compare';
      left: ValueSource;
      op: ComparisonOperator;
      right: Operand;
      line: number;
    };

export interface OrderItem {
  source: ValueSource;
  descending: boolean;
  /** Explicit NULLS FIRST/LAST, else null (default: nulls first, in both directions). */
  nullsLast: boolean | null;
}

/** A bind expression (`:expr`) as written; the interpreter compiles and evaluates it. */
export interface BindExpression {
  index: number;
  /** The Apex expression text after the colon, e.g. `leadIds` or `rule.Threshold__c`. */
  text: string;
  line: number;
}

export type SecurityMode = 'USER_MODE' | 'SYSTEM_MODE' | 'SECURITY_ENFORCED';

export interface ParsedSoql {
  /** The query text (without surrounding brackets). */
  text: string;
  /** Line of the query's first character in its source file (1 when unknown). */
  line: number;
  select: SelectItem[];
  /** The FROM name as written (object, or child relationship name inside a subquery). */
  from: string;
  fromAlias: string | null;
  where: Condition | null;
  securityMode: SecurityMode | null;
  groupBy: ValueSource[];
  having: Condition | null;
  orderBy: OrderItem[];
  limit: Operand | null;
  offset: Operand | null;
  forUpdate: boolean;
  forView: boolean;
  forReference: boolean;
  allRows: boolean;
  /** Every bind of this query and its subqueries, in source order; indexes are positions here. */
  binds: BindExpression[];
}
