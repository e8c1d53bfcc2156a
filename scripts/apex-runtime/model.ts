// Runtime model of the interpreter: classes, methods, instances, frames, thrown exceptions.

import type { ApexParserRuleContext as ParserRuleContext } from '@apexdevtools/apex-parser';

/** A compiled expression: evaluates against a frame. */
export type Expr = (f: Frame) => unknown;

/** Statement completion: normal, break, continue, return. */
export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
export type Completion = 0 | 1 | 2 | 3;
export type Stmt = (f: Frame) => Completion;

export interface Param {
  name: string;
  type: string;
}

export interface MethodInfo {
  name: string;
  owner: ClassInfo;
  params: Param[];
  returnType: string;
  isStatic: boolean;
  isAbstract: boolean;
  annotations: Set<string>;
  /** lower-cased modifiers: public, private, override, virtual, testmethod ... */
  modifiers: Set<string>;
  line: number;
  body: ParserRuleContext | null;
  /** compiled lazily */
  compiled?: { body: Stmt; slots: number };
  /** for constructors: explicit this(...)/super(...) as the first statement */
  isConstructor?: boolean;
  /** 'Class.method', for stack traces (computed once) */
  label?: string;
  /** native implementation (synthetic classes) */
  native?: (self: Instance | null, args: unknown[]) => unknown;
}

export interface FieldInfo {
  name: string;
  type: string;
  isStatic: boolean;
  init: ParserRuleContext | null;
  isFinal: boolean;
  getter?: MethodInfo;
  setter?: MethodInfo;
  /** the property had explicit get/set blocks */
  isProperty: boolean;
  /** lower-cased access modifiers and annotations of the declaration */
  modifiers?: Set<string>;
  annotations?: Set<string>;
  /** a property whose set accessor is private (`{ get; private set; }`) */
  setterPrivate?: boolean;
  line: number;
  owner: ClassInfo;
}

export type ClassKind = 'class' | 'interface' | 'enum';

export interface ClassInfo {
  /** 'Outer' or 'Outer.Inner' */
  name: string;
  simpleName: string;
  kind: ClassKind;
  outer: ClassInfo | null;
  file: string;
  superName: string | null;
  interfaceNames: string[];
  superClass?: ClassInfo | null;
  interfaces?: ClassInfo[];
  inner: Map<string, ClassInfo>;
  fields: Map<string, FieldInfo>;
  fieldOrder: FieldInfo[];
  methods: Map<string, MethodInfo[]>;
  ctors: MethodInfo[];
  staticBlocks: ParserRuleContext[];
  instanceBlocks: ParserRuleContext[];
  /** in declaration order: fields and init blocks interleaved */
  instanceInitOrder: (FieldInfo | ParserRuleContext)[];
  staticInitOrder: (FieldInfo | ParserRuleContext)[];
  enumValues: string[];
  annotations: Map<string, Map<string, string>>;
  modifiers: Set<string>;
  isTest: boolean;
  isException: boolean;
  /** synthetic (system) class, e.g. System.DmlException */
  system: boolean;
  /** lines that hold executable statements (coverage denominator) */
  lines: Set<number>;
}

export class Instance {
  readonly fields = new Map<string, unknown>();
  constructor(readonly cls: ClassInfo) {}
}

export class EnumValue {
  constructor(
    readonly cls: ClassInfo | string,
    readonly name: string,
    readonly ordinal: number
  ) {}
  typeName(): string {
    return typeof this.cls === 'string' ? this.cls : this.cls.name;
  }
  toString(): string {
    return this.name;
  }
}

/** A thrown Apex exception travelling through JS. */
export class ApexThrow extends Error {
  constructor(readonly ex: Instance) {
    super(String(ex.fields.get('message') ?? ''));
  }
}

export class Frame {
  readonly locals: unknown[];
  ret: unknown = null;
  constructor(
    readonly self: Instance | null,
    readonly cls: ClassInfo,
    slots: number
  ) {
    this.locals = new Array(slots).fill(null);
  }
}
