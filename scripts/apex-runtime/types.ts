// Static type names of the runtime. A type is written as canonical Apex text: 'Integer',
// 'List<Lead>', 'Map<Id,List<Task>>', 'Outer.Inner'. Primitive names are canonicalised.

import { TypeRefContext } from '@apexdevtools/apex-parser';

const PRIMITIVES = new Map(
  [
    'Integer',
    'Long',
    'Double',
    'Decimal',
    'String',
    'Id',
    'Boolean',
    'Date',
    'Datetime',
    'Time',
    'Blob',
    'Object',
    'SObject',
    'List',
    'Set',
    'Map',
    'void'
  ].map((n) => [n.toLowerCase(), n])
);

/** Canonical case for a simple type name ('integer' → 'Integer'); other names unchanged. */
export function canonicalSimple(name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('system.') && PRIMITIVES.has(lower.slice(7))) {
    return PRIMITIVES.get(lower.slice(7))!;
  }
  return PRIMITIVES.get(lower) ?? name;
}

/** Type text of a parse-tree type reference. */
export function typeText(ctx: TypeRefContext): string {
  const parts = ctx.typeName_list().map((tn) => {
    let base: string;
    if (tn.LIST()) base = 'List';
    else if (tn.SET()) base = 'Set';
    else if (tn.MAP()) base = 'Map';
    else base = tn.id().getText();
    const args = tn.typeArguments();
    if (args) {
      const list = args
        .typeList()
        .typeRef_list()
        .map((t) => typeText(t));
      return `${canonicalSimple(base)}<${list.join(',')}>`;
    }
    return base;
  });
  let text = canonicalSimple(parts.join('.'));
  const subs = ctx.arraySubscripts();
  if (subs) {
    for (let i = 0; i < subs.LBRACK_list().length; i++) text = `List<${text}>`;
  }
  return text;
}

/** Splits 'Map<Id,List<Task>>' into base 'Map' and args ['Id', 'List<Task>']. */
export function splitType(t: string): { base: string; args: string[] } {
  const lt = t.indexOf('<');
  if (lt < 0) return { base: t, args: [] };
  const base = t.slice(0, lt);
  const inner = t.slice(lt + 1, t.lastIndexOf('>'));
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(inner.slice(start).trim());
  return { base, args };
}

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

const NUM_KINDS: Record<string, NumKind> = {
  integer: 'int',
  long: 'long',
  double: 'double',
  decimal: 'decimal'
};

/** Numeric kind of a static type, or null for non-numeric types. */
const numKindCache = new Map<string, NumKind | null>();

export function numKind(t: string): NumKind | null {
  let k = numKindCache.get(t);
  if (k === undefined) {
    k = NUM_KINDS[t.toLowerCase()] ?? null;
    numKindCache.set(t, k);
  }
  return k;
}

const RANK: Record<NumKind, number> = { int: 0, long: 1, decimal: 2, double: 3 };

/** Result kind of a binary arithmetic operation (Apex promotion: Integer < Long < Decimal/Double). */
export function promote(a: NumKind, b: NumKind): NumKind {
  if ((a === 'decimal' && b === 'double') || (a === 'double' && b === 'decimal')) return 'decimal';
  return RANK[a] >= RANK[b] ? a : b;
}

export const KIND_TYPE: Record<NumKind, string> = {
  int: 'Integer',
  long: 'Long',
  double: 'Double',
  decimal: 'Decimal'
};
