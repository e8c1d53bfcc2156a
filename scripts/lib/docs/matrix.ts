/**
 * The Test Case Matrix: which combinations of lead type, SLA outcome, escalation tier, touch type
 * and business-hours case the Apex tests exercise, from the tests' own `@covers` declarations.
 *
 * Declaration syntax, in the ApexDoc right before an `it_should_*` method (several lines allowed,
 * each one scenario the method plays through; a line may wrap until the next `@tag`):
 *
 *     @covers leadType=Demo Request, outcome=Missed, tier=2, touch=Call, hours=outside
 *     @covers edge=merge
 *
 * Keys: `leadType` (an active rule's LeadType__c or DeveloperName), `outcome` (Hit, Missed,
 * Pending, Excluded, Not Applicable), `tier` (0 = the warning before the miss, 1..n = the active
 * escalation tiers), `touch` (an active touch rule's TouchType__c or DeveloperName), `hours`
 * (inside, outside, holiday, named) and `edge` (EDGE_CASES). Every key is optional; a key says
 * what the scenario pins down, and a missing key means the method does not pin that dimension.
 *
 * The rows: every pair of values of two dimensions appears in at least one row (all-pairs), in
 * few rows, chosen greedily and deterministically among the combinations the SLA rules allow
 * (CONSTRAINTS below), plus one row per edge case. A row is covered by a method with one
 * declaration that names every value of the row; partly covered when a declaration names all
 * but one of them.
 */
import type { ConfigRecords, CoversDeclaration, MetadataRecord, TestMethod } from './model.ts';
import { DocsError, fieldValue as v, numberField as num } from './model.ts';

const active = (r: MetadataRecord): boolean => v(r, 'IsActive__c').toLowerCase() !== 'false';

export const OUTCOMES = ['Hit', 'Missed', 'Pending', 'Excluded', 'Not Applicable'] as const;

export const HOURS: readonly { key: string; label: string; evidence: RegExp }[] = [
  {
    key: 'inside',
    label: 'inside business hours',
    // StlTestFactory.configure() pins the clock to Wednesday 10:00 on the fake calendar
    evidence:
      /business (hours|minutes|time)|StlFakeCalendar|calendar|WEDNESDAY_10AM|StlTestFactory\.configure\(/i
  },
  {
    key: 'outside',
    label: 'arrives outside hours (next opening)',
    evidence: /outside|after hours|next opening|overnight|weekend|FRIDAY_EVENING/i
  },
  { key: 'holiday', label: 'holiday', evidence: /holiday/i },
  {
    key: 'named',
    label: "the rule's named business hours",
    evidence: /withHours|BusinessHoursName__c/i
  }
];

/** The edge cases the package handles, each a row of its own; `evidence` is what the body shows. */
export const EDGE_CASES: readonly { key: string; label: string; evidence: RegExp }[] = [
  { key: 'reassignment', label: 'reassignment before the first touch', evidence: /reassign/i },
  { key: 'merge', label: 'merge', evidence: /\bmerge/i },
  { key: 'conversion', label: 'conversion', evidence: /convert/i },
  {
    key: 're-engagement',
    label: 're-engagement (new cycle)',
    evidence: /re.?engag|EngagementCycle|cycle/i
  },
  {
    key: 'touch-before-assignment',
    label: 'touch before assignment',
    evidence: /before (the )?assign|assign\w* later/i
  },
  {
    key: 'autoresponder',
    label: 'autoresponder / ListEmail never counts',
    evidence: /ListEmail|autorespond/i
  },
  {
    key: 'excluded-owner',
    label: 'excluded owner',
    evidence: /ExcludedOwners|excludeOwners|excluded (owner|user)/i
  },
  {
    key: 'incoming-email',
    label: 'incoming email never counts',
    evidence: /Incoming\s*=\s*true|incoming/i
  },
  { key: 'queue-owner', label: 'queue owner is not an assignment', evidence: /queue/i },
  { key: 'bulk', label: 'bulk 200 records, flat queries', evidence: /\b200\b/ },
  { key: 'kill-switch', label: 'kill switch', evidence: /IsEnabled__c\s*=\s*false|kill switch/i },
  { key: 'bypass', label: 'bypass permission', evidence: /bypass/i },
  {
    key: 'error-logged',
    label: 'error logged, save not blocked',
    evidence: /StlErrorLogger|loggedErrors/
  },
  { key: 'disqualified', label: 'disqualified', evidence: /Disqualified|Unqualified/i },
  { key: 'undelete', label: 'undelete', evidence: /undelete/i }
];

/** The dimensions of the combinatorial rows, in column order. */
export const DIMENSIONS = ['leadType', 'outcome', 'tier', 'touch', 'hours'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
const KEYS = [...DIMENSIONS, 'edge'] as const;
type Key = (typeof KEYS)[number];

/** `-`: the dimension does not apply to the row (or, in a declaration, is not pinned). */
export const NONE = '-';

/** One combinatorial row; every value is canonical or NONE. */
export type Combination = Record<Dimension, string>;

interface LeadTypeValue {
  value: string;
  rule: MetadataRecord;
  warns: boolean;
  /** the tier numbers (as text) that apply to this rule */
  tiers: string[];
}

interface TouchValue {
  value: string;
  rules: MetadataRecord[];
}

/** The values each dimension takes under a configuration. */
export interface MatrixValues {
  leadTypes: LeadTypeValue[];
  /** tier number as text, with what it means: `0` the warning, then the active tiers */
  tiers: { value: string; label: string; record: MetadataRecord | null }[];
  touches: TouchValue[];
}

const RECIPIENT_WORDS: Record<string, string> = {
  Owner: 'rep',
  OwnerManager: 'manager',
  User: 'user',
  Queue: 'queue',
  Group: 'group'
};

export function matrixValues(c: ConfigRecords): MatrixValues {
  const tierRecords = c.escalationTiers
    .filter(active)
    .sort((a, b) => (num(a, 'Tier__c') ?? 0) - (num(b, 'Tier__c') ?? 0));
  const rules = c.slaRules
    .filter(active)
    .sort(
      (a, b) =>
        (num(a, 'Priority__c') ?? 1e9) - (num(b, 'Priority__c') ?? 1e9) ||
        a.developerName.localeCompare(b.developerName)
    );
  const leadTypes = rules.map((rule) => ({
    value: v(rule, 'LeadType__c') || rule.developerName,
    rule,
    warns: (num(rule, 'WarningPercent__c') ?? 0) > 0,
    tiers: [
      ...new Set(
        tierRecords
          .filter((t) => v(t, 'SlaRule__c') === '' || v(t, 'SlaRule__c') === rule.developerName)
          .map((t) => String(num(t, 'Tier__c') ?? ''))
          .filter((t) => t !== '' && t !== '0')
      )
    ]
  }));
  const tiers: MatrixValues['tiers'] = [{ value: '0', label: '0 (warning)', record: null }];
  for (const t of tierRecords) {
    const n = String(num(t, 'Tier__c') ?? '');
    if (n === '' || n === '0' || tiers.some((x) => x.value === n)) continue;
    const who = RECIPIENT_WORDS[v(t, 'RecipientType__c')] ?? v(t, 'RecipientType__c');
    tiers.push({ value: n, label: `${n} (${who})`, record: t });
  }
  const touches: TouchValue[] = [];
  const touchRules = c.touchRules
    .filter(active)
    .sort(
      (a, b) =>
        (num(a, 'Priority__c') ?? 1e9) - (num(b, 'Priority__c') ?? 1e9) ||
        a.developerName.localeCompare(b.developerName)
    );
  for (const r of touchRules) {
    const type = v(r, 'TouchType__c') || r.developerName;
    const known = touches.find((t) => t.value === type);
    if (known) known.rules.push(r);
    else touches.push({ value: type, rules: [r] });
  }
  return { leadTypes, tiers, touches };
}

/**
 * CONSTRAINTS, the combinations the package can produce. Structural ones (checked on
 * declarations and rows): Not Applicable has no lead type, tier, touch or hours; tiers 1..n only
 * with Missed, tier 0 (the warning) only with Pending; a touch only with Hit or Missed (a late
 * touch). Rows also need: a lead type and hours unless Not Applicable, a touch when Hit, a tier
 * when Missed (if any tier applies to the rule), tiers within the rule's scope (SlaRule__c), the
 * warning only for a rule that warns.
 */
export function structuralProblem(c: Partial<Combination>): string | null {
  const has = (d: Dimension) => c[d] !== undefined && c[d] !== NONE;
  if (c.outcome === 'Not Applicable') {
    const extra = (['leadType', 'tier', 'touch', 'hours'] as const).filter(has);
    if (extra.length) return `Not Applicable (no rule matched) has no ${extra.join(', ')}`;
  }
  if (has('tier') && has('outcome')) {
    if (c.tier === '0' && c.outcome !== 'Pending') {
      return 'tier 0 (the warning) is sent while the outcome is Pending';
    }
    if (c.tier !== '0' && c.outcome !== 'Missed') return `tier ${c.tier} needs outcome Missed`;
  }
  if (has('touch') && has('outcome') && c.outcome !== 'Hit' && c.outcome !== 'Missed') {
    return `a touch needs outcome Hit or Missed (a late touch), not ${c.outcome}`;
  }
  return null;
}

function rowAllowed(row: Combination, values: MatrixValues): boolean {
  if (structuralProblem(row)) return false;
  if (row.outcome === 'Not Applicable') return true;
  const lt = values.leadTypes.find((l) => l.value === row.leadType);
  if (!lt || row.hours === NONE) return false;
  if (row.outcome === 'Hit' && row.touch === NONE) return false;
  if (row.tier === '0') return lt.warns;
  if (row.tier !== NONE) return lt.tiers.includes(row.tier);
  return !(row.outcome === 'Missed' && lt.tiers.length);
}

const pairKey = (a: Dimension, av: string, b: Dimension, bv: string) => `${a}=${av}|${b}=${bv}`;

function pairsOf(row: Combination): string[] {
  const out: string[] = [];
  for (let i = 0; i < DIMENSIONS.length; i++) {
    for (let j = i + 1; j < DIMENSIONS.length; j++) {
      const a = DIMENSIONS[i];
      const b = DIMENSIONS[j];
      if (row[a] !== NONE && row[b] !== NONE) out.push(pairKey(a, row[a], b, row[b]));
    }
  }
  return out;
}

/** Every allowed combination, in a fixed order (`-` first in each optional dimension). */
export function allowedCombinations(values: MatrixValues): Combination[] {
  const domains: Record<Dimension, string[]> = {
    leadType: [...values.leadTypes.map((l) => l.value), NONE],
    outcome: [...OUTCOMES],
    tier: [NONE, ...values.tiers.map((t) => t.value)],
    touch: [NONE, ...values.touches.map((t) => t.value)],
    hours: [NONE, ...HOURS.map((h) => h.key)]
  };
  let rows: Combination[] = [{} as Combination];
  for (const d of DIMENSIONS) {
    rows = rows.flatMap((r) => domains[d].map((x) => ({ ...r, [d]: x })));
  }
  return rows.filter((r) => rowAllowed(r, values));
}

/**
 * All-pairs rows by greedy set cover: the pairs to cover are those that occur in some allowed
 * combination; each step takes the first allowed combination that covers the most pairs not yet
 * covered, until none is left. Same configuration, same rows.
 */
export function pairwiseRows(values: MatrixValues): Combination[] {
  const candidates = allowedCombinations(values).map((row) => ({ row, pairs: pairsOf(row) }));
  const uncovered = new Set(candidates.flatMap((c) => c.pairs));
  const chosen: Combination[] = [];
  // a combination with no pair (Not Applicable has only its outcome) still needs its own row
  const lone = candidates.filter((c) => !c.pairs.length).map((c) => c.row);
  while (uncovered.size) {
    let best = candidates[0];
    let bestGain = -1;
    for (const c of candidates) {
      const gain = c.pairs.reduce((n, p) => n + (uncovered.has(p) ? 1 : 0), 0);
      if (gain > bestGain) {
        best = c;
        bestGain = gain;
      }
    }
    chosen.push(best.row);
    for (const p of best.pairs) uncovered.delete(p);
  }
  const outcomesSeen = new Set(chosen.map((r) => r.outcome));
  for (const r of lone) if (!outcomesSeen.has(r.outcome)) chosen.push(r);
  const order = (d: Dimension, x: string): number => {
    const list =
      d === 'leadType'
        ? values.leadTypes.map((l) => l.value)
        : d === 'outcome'
          ? [...OUTCOMES]
          : d === 'tier'
            ? values.tiers.map((t) => t.value)
            : d === 'touch'
              ? values.touches.map((t) => t.value)
              : HOURS.map((h) => h.key);
    return x === NONE ? -1 : list.indexOf(x);
  };
  const rank: Dimension[] = ['outcome', 'leadType', 'tier', 'touch', 'hours'];
  return chosen.sort((a, b) => {
    for (const d of rank) {
      const diff = order(d, a[d]) - order(d, b[d]);
      if (diff) return diff;
    }
    return 0;
  });
}

/** A checked declaration: canonical values, where it is written and which method it belongs to. */
export interface CheckedDeclaration {
  test: string;
  where: string;
  values: Partial<Record<Key, string>>;
}

/**
 * Checks every `@covers` line of the tests against the configuration: known keys and values,
 * the structural constraints, and plausibility against the method's code (see `evidence`).
 * Throws one DocsError listing every problem, each with file and line.
 */
export function checkDeclarations(
  values: MatrixValues,
  tests: readonly TestMethod[],
  /** skip (instead of rejecting) a declaration naming a value this configuration lacks */
  skipUnknownValues = false
): CheckedDeclaration[] {
  const problems: string[] = [];
  const out: CheckedDeclaration[] = [];
  for (const t of tests) {
    for (const d of t.covers) {
      const where = `${t.path}:${d.line}`;
      const found = checkOne(values, t, d);
      if (found === UNKNOWN_VALUE && skipUnknownValues) continue;
      if (typeof found === 'string') problems.push(`${where}: ${found}`);
      else if (typeof found === 'symbol') problems.push(`${where}: ${unknownValue(values, d)}`);
      else out.push({ test: `${t.className}.${t.method}`, where, values: found });
    }
  }
  if (problems.length) {
    throw new DocsError(
      `${problems.length} invalid @covers declaration(s) in the Apex tests:\n${problems.join('\n')}`
    );
  }
  return out;
}

const quote = (s: string): string => `'${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`;

/**
 * Plausibility, kept simple on purpose: the declared value must leave a trace in the method's
 * code (its body, the same-class helpers it calls and the test constants it names). A lead type:
 * its LeadType__c or rule DeveloperName as a string literal. An outcome: the status as a string
 * literal. A touch type: the type or one of its rules' DeveloperName as a literal, or the type
 * inside a name (`newCall`, `EmailMessage`). A tier n: `n` within a few characters after "tier",
 * after the timer kinds 'Escalation' / 'Miss', or the tier record's DeveloperName; tier 0: a
 * warning. Hours and edge cases: the words that case is made of (HOURS, EDGE_CASES). It catches
 * a declaration copied onto the wrong method, not a test that asserts the wrong thing.
 */
function evidence(key: Key, value: string, values: MatrixValues): RegExp[] {
  switch (key) {
    case 'leadType': {
      const lt = values.leadTypes.find((l) => l.value === value)!;
      return [new RegExp(`${quote(lt.value)}|${quote(lt.rule.developerName)}`)];
    }
    case 'outcome':
      return [new RegExp(quote(value))];
    case 'touch': {
      const tv = values.touches.find((t) => t.value === value)!;
      const names = [tv.value, ...tv.rules.map((r) => r.developerName)].map(quote);
      const word = tv.value.replace(/\W/g, '');
      return [new RegExp(`${names.join('|')}|${word}(?![a-z])`)];
    }
    case 'tier': {
      if (value === '0') return [/warn/i];
      const rec = values.tiers.find((t) => t.value === value)?.record;
      return [
        new RegExp(
          `tier\\w*\\W{1,4}${value}\\b|'(Escalation|Miss)'\\s*,\\s*${value}\\b${rec ? `|${quote(rec.developerName)}` : ''}`,
          'i'
        )
      ];
    }
    case 'hours':
      return [HOURS.find((h) => h.key === value)!.evidence];
    case 'edge':
      return [EDGE_CASES.find((e) => e.key === value)!.evidence];
  }
}

function canonical(key: Key, raw: string, values: MatrixValues): string | null {
  const same = (a: string) => a.toLowerCase() === raw.toLowerCase();
  switch (key) {
    case 'leadType':
      return (
        values.leadTypes.find((l) => same(l.value) || same(l.rule.developerName))?.value ?? null
      );
    case 'outcome':
      return OUTCOMES.find(same) ?? null;
    case 'tier':
      return values.tiers.find((t) => same(t.value))?.value ?? null;
    case 'touch':
      return (
        values.touches.find((t) => same(t.value) || t.rules.some((r) => same(r.developerName)))
          ?.value ?? null
      );
    case 'hours':
      return HOURS.find((h) => same(h.key))?.key ?? null;
    case 'edge':
      return EDGE_CASES.find((e) => same(e.key))?.key ?? null;
  }
}

function allowedWords(key: Key, values: MatrixValues): string {
  const list =
    key === 'leadType'
      ? values.leadTypes.map((l) => l.value)
      : key === 'outcome'
        ? [...OUTCOMES]
        : key === 'tier'
          ? values.tiers.map((t) => t.value)
          : key === 'touch'
            ? values.touches.map((t) => t.value)
            : key === 'hours'
              ? HOURS.map((h) => h.key)
              : EDGE_CASES.map((e) => e.key);
  return list.join(', ') || '(none configured)';
}

const KEY_WORDS: Record<Key, string> = {
  leadType: 'lead type',
  outcome: 'outcome',
  tier: 'tier',
  touch: 'touch type',
  hours: 'business-hours case',
  edge: 'edge case'
};

const UNKNOWN_VALUE = Symbol('unknown value');

/** The message for the first value of `d` this configuration does not know. */
function unknownValue(values: MatrixValues, d: CoversDeclaration): string {
  const bad = d.pairs.find(({ key, value }) => canonical(key as Key, value, values) === null)!;
  const k = bad.key as Key;
  return `unknown ${KEY_WORDS[k]} "${bad.value}" (configured: ${allowedWords(k, values)})`;
}

function checkOne(
  values: MatrixValues,
  t: TestMethod,
  d: CoversDeclaration
): Partial<Record<Key, string>> | string | typeof UNKNOWN_VALUE {
  const out: Partial<Record<Key, string>> = {};
  for (const { key, value } of d.pairs) {
    if (!(KEYS as readonly string[]).includes(key)) {
      return `unknown key "${key}" (keys: ${KEYS.join(', ')})`;
    }
    const k = key as Key;
    if (out[k] !== undefined) return `"${key}" is given twice`;
    const c = canonical(k, value, values);
    if (c === null) return UNKNOWN_VALUE;
    out[k] = c;
  }
  const problem = structuralProblem(out);
  if (problem) return problem;
  for (const k of KEYS) {
    const value = out[k];
    if (value === undefined) continue;
    if (!evidence(k, value, values).some((re) => re.test(t.code))) {
      return `${t.className}.${t.method} shows no sign of ${KEY_WORDS[k]} "${value}" (${
        k === 'leadType'
          ? 'the lead type or its rule DeveloperName as a string literal'
          : 'see evidence() in scripts/lib/docs/matrix.ts'
      }, in the method or the same-class methods it calls)`;
    }
  }
  return out;
}

export type Coverage = 'covered' | 'partly' | 'gap';

export interface MatrixRow {
  /** the combination, or for an edge-case row every dimension NONE */
  values: Combination;
  /** the edge case key, NONE on a combinatorial row */
  edge: string;
  coverage: Coverage;
  /** methods with a declaration naming every value of the row */
  covering: string[];
  /** when not covered: methods whose declaration names all values but one, with the one */
  closest: { test: string; missing: string }[];
}

const describeValue = (k: Key, value: string): string =>
  `${KEY_WORDS[k]} ${k === 'hours' ? HOURS.find((h) => h.key === value)?.label : value}`;

function coverageOf(
  wanted: Partial<Record<Key, string>>,
  declarations: readonly CheckedDeclaration[]
): Pick<MatrixRow, 'coverage' | 'covering' | 'closest'> {
  const keys = KEYS.filter((k) => wanted[k] !== undefined && wanted[k] !== NONE);
  const covering = new Set<string>();
  const closest = new Map<string, string>();
  for (const d of declarations) {
    const missing = keys.filter((k) => d.values[k] !== wanted[k]);
    if (!missing.length) covering.add(d.test);
    else if (missing.length === 1 && keys.length > 1 && !closest.has(d.test)) {
      closest.set(d.test, describeValue(missing[0], wanted[missing[0]]!));
    }
  }
  for (const t of covering) closest.delete(t);
  return {
    coverage: covering.size ? 'covered' : closest.size ? 'partly' : 'gap',
    covering: [...covering],
    closest: covering.size ? [] : [...closest].map(([test, missing]) => ({ test, missing }))
  };
}

/** The matrix rows of a configuration, with the tests that cover each, from their declarations. */
export function testMatrixRows(
  c: ConfigRecords,
  tests: readonly TestMethod[],
  /**
   * the configuration the tests are written against (the project's own), when `c` is another
   * (an org's): declarations are checked against it, and those naming a value `c` lacks are
   * left out of the matrix instead of failing it
   */
  own?: ConfigRecords
): MatrixRow[] {
  const values = matrixValues(c);
  if (own && own !== c) checkDeclarations(matrixValues(own), tests);
  const declarations = checkDeclarations(values, tests, own !== undefined && own !== c);
  const blank: Combination = {
    leadType: NONE,
    outcome: NONE,
    tier: NONE,
    touch: NONE,
    hours: NONE
  };
  return [
    ...pairwiseRows(values).map((row) => ({
      values: row,
      edge: NONE,
      ...coverageOf(row, declarations)
    })),
    ...EDGE_CASES.map((e) => ({
      values: blank,
      edge: e.key,
      ...coverageOf({ edge: e.key }, declarations)
    }))
  ];
}

/** A row's values in words, for the gaps list. */
export function rowInWords(row: MatrixRow, values: MatrixValues): string {
  if (row.edge !== NONE) return `edge case: ${EDGE_CASES.find((e) => e.key === row.edge)?.label}`;
  return DIMENSIONS.filter((d) => row.values[d] !== NONE)
    .map((d) =>
      d === 'hours'
        ? HOURS.find((h) => h.key === row.values.hours)!.label
        : d === 'tier'
          ? `tier ${values.tiers.find((t) => t.value === row.values.tier)?.label ?? row.values.tier}`
          : d === 'touch'
            ? `touch ${row.values.touch}`
            : row.values[d]
    )
    .join(' / ');
}
