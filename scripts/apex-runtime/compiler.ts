// Compiles the apex-parser tree of method bodies into JS closures. Each expression compiles to
// { fn, type } where `type` is its static Apex type (the type checker's answer); operators use
// the static types (Integer division, Long/Decimal promotion, Double formatting).

import {
  ApexParserFactory,
  ArrayExpressionContext,
  AssignExpressionContext,
  BitAndExpressionContext,
  BitExpressionContext,
  BitNotExpressionContext,
  BitOrExpressionContext,
  BlockContext,
  CastExpressionContext,
  CmpExpressionContext,
  CoalExpressionContext,
  CondExpressionContext,
  CreatorContext,
  DotExpressionContext,
  EqualityExpressionContext,
  ExpressionContext,
  ExpressionListContext,
  FieldDeclarationContext,
  IdPrimaryContext,
  InstanceOfExpressionContext,
  LiteralContext,
  LiteralPrimaryContext,
  LocalVariableDeclarationContext,
  LogAndExpressionContext,
  LogOrExpressionContext,
  MethodCallExpressionContext,
  NegExpressionContext,
  NewExpressionContext,
  PostOpExpressionContext,
  PreOpExpressionContext,
  PrimaryExpressionContext,
  SoqlPrimaryContext,
  StatementContext,
  SubExpressionContext,
  SuperPrimaryContext,
  ThisPrimaryContext,
  TypeRefPrimaryContext,
  VoidPrimaryContext,
  WhenLiteralContext,
  type ApexParserRuleContext
} from '@apexdevtools/apex-parser';
import {
  ApexDate,
  ApexError,
  ApexList,
  ApexMap,
  ApexSet,
  Decimal,
  NotSupportedLocally,
  SObjectValue,
  decimalWithScale,
  parseDecimal
} from './values.ts';
import {
  ApexThrow,
  BREAK,
  CONTINUE,
  EnumValue,
  Frame,
  Instance,
  NORMAL,
  RETURN,
  type ClassInfo,
  type Completion,
  type Expr,
  type FieldInfo,
  type MethodInfo,
  type Stmt
} from './model.ts';
import {
  INT_MAX,
  INT_MIN,
  apexCompare,
  arith,
  npe,
  runtimeNumKind,
  stringOf,
  toKind
} from './ops.ts';
import {
  KIND_TYPE,
  canonicalSimple,
  numKind,
  promote,
  splitType,
  typeText,
  type NumKind
} from './types.ts';
import type { Interpreter } from './interpreter.ts';
import {
  SYSTEM_TYPE_NAMES,
  UNKNOWN,
  assignable,
  kindOf,
  resolveOverload,
  shown,
  type TypeEnv
} from './typecheck/rules.ts';

export interface Typed {
  fn: Expr;
  type: string;
}

/** An assignable location. */
interface LValue {
  type: string;
  get: Expr;
  set: (f: Frame, v: unknown) => void;
}

interface VarSlot {
  slot: number;
  type: string;
}

class Scope {
  readonly vars = new Map<string, VarSlot>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): VarSlot | undefined {
    const v = this.vars.get(name.toLowerCase());
    if (v) return v;
    return this.parent ? this.parent.lookup(name) : undefined;
  }
}

/** Result of resolving a dotted name prefix. */
type Resolved =
  | { kind: 'value'; t: Typed }
  | { kind: 'class'; cls: ClassInfo }
  | { kind: 'sobject'; name: string }
  | { kind: 'builtin'; name: string };

function unescapeApex(lit: string): string {
  const body = lit.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    switch (c[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'u':
        return String.fromCharCode(parseInt(c.slice(1), 16));
      default:
        return c;
    }
  });
}

/**
 * A compile error the platform would report when saving the class (e.g. a member that is not
 * visible). Not catchable by Apex; the test outcome is Fail.
 */
export class CompileError extends Error {
  constructor(message: string, location: string) {
    super(`Compile error: ${message} (${location})`);
    this.name = 'CompileError';
  }
}

/** A compile error found in check mode: the message and the line it is reported at. */
export interface Diagnostic {
  message: string;
  line: number;
}

/** Methods every object has (System.Object); never reported as missing. */
const OBJECT_METHODS = new Set(['tostring', 'equals', 'hashcode']);

function unknownTyped(what: string): Typed {
  return {
    type: UNKNOWN,
    fn: () => {
      throw new Error(`internal: ${what} was not compiled (check mode)`);
    }
  };
}

function isCustomName(name: string): boolean {
  return /__(c|r|mdt|e)$/i.test(name);
}

function topOf(c: ClassInfo): ClassInfo {
  let t = c;
  while (t.outer) t = t.outer;
  return t;
}

export class MethodCompiler {
  private scope: Scope;
  private slots = 0;
  /** name of the property whose accessor is being compiled (refers to backing storage) */
  accessorOf: string | null = null;
  /**
   * Check mode (the whole-project static pass): compile errors are recorded here and
   * compilation goes on; a construct the runtime cannot compile types as unknown.
   */
  diagnostics: Diagnostic[] | null = null;
  /** check mode: part of the body could not be compiled, so the result must not be run */
  degraded = false;

  constructor(
    readonly rt: Interpreter,
    readonly cls: ClassInfo,
    readonly isStatic: boolean,
    readonly lines: Set<number>,
    readonly fileLabel: string
  ) {
    this.scope = new Scope(null);
  }

  get slotCount(): number {
    return this.slots;
  }

  declare(name: string, type: string, ctx?: ApexParserRuleContext): number {
    if (ctx && this.checking && this.scope.lookup(name)) {
      this.flag(`Duplicate variable: ${name}`, ctx);
    }
    const slot = this.slots++;
    this.scope.vars.set(name.toLowerCase(), { slot, type });
    return slot;
  }

  private push(): void {
    this.scope = new Scope(this.scope);
  }
  private pop(): void {
    this.scope = this.scope.parent!;
  }

  loc(ctx: ApexParserRuleContext): string {
    return `${this.fileLabel}:${ctx.start.line}`;
  }

  /**
   * Apex access rules ("Access Modifiers"): private (the default) members are visible within
   * the top-level class, protected ones also in subclasses, public/global everywhere;
   * @TestVisible opens private and protected members to test classes.
   */
  visible(
    owner: ClassInfo,
    modifiers: Set<string> | undefined,
    annotations: Set<string> | undefined
  ): boolean {
    if (owner.system || owner.kind === 'interface') return true;
    const mods = modifiers ?? new Set<string>();
    if (mods.has('public') || mods.has('global')) return true;
    const here = topOf(this.cls);
    if (here === topOf(owner)) return true;
    if (mods.has('protected') && this.rt.isSubclass(this.cls, owner)) return true;
    return !!annotations?.has('testvisible') && here.isTest;
  }

  private requireVisible(
    owner: ClassInfo,
    modifiers: Set<string> | undefined,
    annotations: Set<string> | undefined,
    what: string,
    ctx: ApexParserRuleContext
  ): void {
    if (!this.visible(owner, modifiers, annotations)) this.report(`${what} is not visible`, ctx);
  }

  get checking(): boolean {
    return this.diagnostics !== null;
  }

  /** A compile error: recorded in check mode, else thrown (the test that reached it fails). */
  report(message: string, ctx: ApexParserRuleContext): void {
    if (this.diagnostics) this.diagnostics.push({ message, line: ctx.start.line });
    else throw new CompileError(message, this.loc(ctx));
  }

  /** A compile error only the check pass reports (lazy compilation keeps its old behaviour). */
  private flag(message: string, ctx: ApexParserRuleContext): void {
    if (this.diagnostics) this.diagnostics.push({ message, line: ctx.start.line });
  }

  private envCache: TypeEnv | null = null;

  /** The project's classes and SObject types, as the typing rules see them. */
  get env(): TypeEnv {
    if (this.envCache) return this.envCache;
    const rt = this.rt;
    const from = this.cls;
    this.envCache = {
      projectClass: (name) => {
        const c = rt.resolveClass(splitType(name).base, from);
        return c && !c.system ? c : null;
      },
      isConcreteSObject: (name) => {
        const l = name.toLowerCase();
        return l !== 'sobject' && l !== 'aggregateresult' && !!rt.data.findObject(name);
      },
      derives: (a, b) => {
        try {
          return rt.isSubclass(a, b);
        } catch {
          return null;
        }
      }
    };
    return this.envCache;
  }

  /** `Illegal assignment from X to Y` when a value of type `from` can never be stored in `to`. */
  checkAssign(from: string, to: string, ctx: ApexParserRuleContext): void {
    if (!this.checking) return;
    if (assignable(from, to, this.env) === 'no') {
      this.flag(`Illegal assignment from ${shown(from)} to ${shown(to)}`, ctx);
    }
  }

  /**
   * Whether every member of `cls` is known: its superclasses and interfaces are all project
   * classes (a system parent such as Exception or Comparable brings members the runtime may
   * not list, so nothing is reported as missing there).
   */
  closedHierarchy(cls: ClassInfo): boolean {
    try {
      const seen = new Set<ClassInfo>();
      const walk = (c: ClassInfo): boolean => {
        if (seen.has(c)) return true;
        seen.add(c);
        if (c.system || c.isException) return false;
        if (c.superName) {
          const sup = this.rt.superOf(c);
          if (!sup || !walk(sup)) return false;
        }
        const ifaces = this.rt.interfacesOf(c);
        if (ifaces.length !== c.interfaceNames.length) return false;
        return ifaces.every(walk);
      };
      return walk(cls);
    } catch {
      return false;
    }
  }

  /** `Invalid type: Foo` for a declared type no project class, SObject or system type matches. */
  checkType(text: string, ctx: ApexParserRuleContext): void {
    if (!this.checking) return;
    const { base, args } = splitType(text);
    for (const a of args) this.checkType(a, ctx);
    const simple = canonicalSimple(base);
    if (simple !== base || args.length) return; // primitives and collections
    if (simple.toLowerCase() === 'void') return;
    if (this.rt.resolveClass(simple, this.cls)) return;
    if (this.rt.isSObjectType(simple)) return;
    if (this.rt.stdlib.canonicalBuiltinType(simple)) return;
    const parts = simple.split('.');
    if (SYSTEM_TYPE_NAMES.has(parts[0].toLowerCase())) return;
    if (parts.length > 1) {
      // Outer.Inner: only judged when Outer is a project class (else a namespace)
      const outer = this.rt.resolveClass(parts[0], this.cls);
      if (!outer || outer.system) return;
    } else if (!isCustomName(simple)) {
      // the runtime describes few standard objects and system types: an unknown standard
      // name may well exist on the platform, so only custom (__c, __mdt, __e) names are judged
      return;
    }
    this.flag(`Invalid type: ${simple}`, ctx);
  }

  /** Argument types as the platform prints them in a signature. */
  private sig(args: Typed[]): string {
    return args.map((a) => shown(a.type === UNKNOWN ? 'Object' : a.type)).join(', ');
  }

  /**
   * Overload resolution on a project class (check mode reports when nothing applies). Returns
   * the statically chosen method when the argument types decide it.
   */
  private pickOverload(
    cands: MethodInfo[],
    args: Typed[],
    describe: () => string,
    ctx: ApexParserRuleContext,
    report: boolean
  ): MethodInfo | null {
    if (!cands.length) return null;
    const chosen = resolveOverload(
      cands,
      args.map((a) => a.type),
      (m, i) => this.rt.resolveTypeName(m.params[i].type, m.owner),
      this.env
    );
    if (!chosen.length) {
      if (report) this.flag(describe(), ctx);
      return null;
    }
    return chosen.length === 1 ? chosen[0] : null;
  }

  unsupported(what: string, ctx: ApexParserRuleContext): never {
    throw new NotSupportedLocally(what, this.loc(ctx));
  }

  // -------------------------------------------------------------------------------------------
  // statements

  block(ctx: BlockContext): Stmt {
    this.push();
    const stmts = ctx.statement_list().map((s) => this.statement(s));
    this.pop();
    return seq(stmts);
  }

  /** Pre-pass mode: unsupported statements are recorded here and compilation goes on. */
  collect: string[] | null = null;

  statement(ctx: StatementContext): Stmt {
    let inner: Stmt;
    try {
      inner = this.statementInner(ctx);
    } catch (e) {
      if (!this.collect || !(e instanceof NotSupportedLocally) || ctx.block()) throw e;
      this.collect.push(e.message);
      this.degraded = true;
      return () => NORMAL;
    }
    const line = ctx.start.line;
    // blocks are not statements of their own for coverage
    if (ctx.block()) return inner;
    this.lines.add(line);
    const rt = this.rt;
    const hits = this.lines;
    void hits;
    const mark = rt.coverageMarker(this.fileLabel, line);
    return (f) => {
      mark();
      rt.line = line;
      return inner(f);
    };
  }

  private statementInner(ctx: StatementContext): Stmt {
    const b = ctx.block();
    if (b) return this.block(b);
    const lv = ctx.localVariableDeclarationStatement();
    if (lv) return this.localVars(lv.localVariableDeclaration());
    const es = ctx.expressionStatement();
    if (es) {
      const e = this.expr(es.expression()).fn;
      return (f) => {
        e(f);
        return NORMAL;
      };
    }
    const ifs = ctx.ifStatement();
    if (ifs) {
      const cond = this.condition(ifs.parExpression().expression());
      const stmts = ifs.statement_list();
      const then = this.statement(stmts[0]);
      const els = stmts[1] ? this.statement(stmts[1]) : null;
      return (f) => (cond(f) ? then(f) : els ? els(f) : NORMAL);
    }
    const ret = ctx.returnStatement();
    if (ret) {
      const e = ret.expression();
      const isVoid = this.returnType.toLowerCase() === 'void';
      if (!e) {
        if (!isVoid) {
          this.flag(`Missing return statement required return type: ${this.returnType}`, ret);
        }
        return () => RETURN;
      }
      const v = this.expr(e);
      if (isVoid) this.flag('Void method must not return a value', ret);
      else if (assignable(v.type, this.returnType, this.env) === 'no' && this.checking) {
        this.flag(`Illegal conversion from ${shown(v.type)} to ${shown(this.returnType)}`, ret);
      }
      const target = this.returnType;
      const conv = this.converter(v.type, target, e);
      return (f) => {
        f.ret = conv(v.fn(f));
        return RETURN;
      };
    }
    const fs = ctx.forStatement();
    if (fs) return this.forStatement(fs);
    const ws = ctx.whileStatement();
    if (ws) {
      const cond = this.condition(ws.parExpression().expression());
      const body = ws.statement() ? this.statement(ws.statement()) : () => NORMAL as Completion;
      return (f) => {
        while (cond(f)) {
          const c = body(f);
          if (c === BREAK) break;
          if (c === RETURN) return RETURN;
        }
        return NORMAL;
      };
    }
    const dw = ctx.doWhileStatement();
    if (dw) {
      const body = this.block(dw.block());
      const cond = this.condition(dw.parExpression().expression());
      return (f) => {
        do {
          const c = body(f);
          if (c === BREAK) break;
          if (c === RETURN) return RETURN;
        } while (cond(f));
        return NORMAL;
      };
    }
    if (ctx.breakStatement()) return () => BREAK;
    if (ctx.continueStatement()) return () => CONTINUE;
    const th = ctx.throwStatement();
    if (th) {
      const e = this.expr(th.expression()).fn;
      const rt = this.rt;
      const line = th.start.line;
      return (f) => {
        const v = e(f);
        if (!(v instanceof Instance)) throw npe();
        rt.stampException(v, line);
        throw new ApexThrow(v);
      };
    }
    const tr = ctx.tryStatement();
    if (tr) return this.tryStatement(tr);
    const sw = ctx.switchStatement();
    if (sw) return this.switchStatement(sw);
    const dml =
      (ctx.insertStatement() && ['insert', ctx.insertStatement()]) ||
      (ctx.updateStatement() && ['update', ctx.updateStatement()]) ||
      (ctx.deleteStatement() && ['delete', ctx.deleteStatement()]) ||
      (ctx.undeleteStatement() && ['undelete', ctx.undeleteStatement()]) ||
      (ctx.upsertStatement() && ['upsert', ctx.upsertStatement()]);
    if (dml) {
      const [op, st] = dml as [string, { expression(): ExpressionContext }];
      const e = this.expr(st.expression()).fn;
      const rt = this.rt;
      const up = ctx.upsertStatement();
      const extField = up && up.qualifiedName() ? up.qualifiedName().getText() : null;
      return (f) => {
        rt.dmlStatement(op, e(f), extField);
        return NORMAL;
      };
    }
    const ms = ctx.mergeStatement();
    if (ms) {
      const master = this.expr(ms.expression(0)).fn;
      const dups = this.expr(ms.expression(1)).fn;
      const rt = this.rt;
      return (f) => {
        rt.data.merge(master(f), dups(f));
        return NORMAL;
      };
    }
    const ra = ctx.runAsStatement();
    if (ra) {
      const args = ra.expressionList() ? this.exprList(ra.expressionList()) : [];
      const body = this.block(ra.block());
      const rt = this.rt;
      return (f) => {
        const user = args[0] ? args[0].fn(f) : null;
        return rt.runAs(user, () => body(f));
      };
    }
    return this.unsupported(`statement '${ctx.getText().slice(0, 40)}'`, ctx);
  }

  returnType = 'void';

  /** A variable declared at the top level of a trigger body (parsed as a field declaration). */
  triggerVariable(fd: FieldDeclarationContext): Stmt {
    this.lines.add(fd.start.line);
    const mark = this.rt.coverageMarker(this.fileLabel, fd.start.line);
    const inner = this.localVars(fd as unknown as LocalVariableDeclarationContext);
    const line = fd.start.line;
    const rt = this.rt;
    return (f) => {
      mark();
      rt.line = line;
      return inner(f);
    };
  }

  private localVars(lv: LocalVariableDeclarationContext): Stmt {
    const text = typeText(lv.typeRef());
    this.checkType(text, lv.typeRef());
    const type = this.rt.resolveTypeName(text, this.cls);
    const parts: Stmt[] = [];
    for (const d of lv.variableDeclarators().variableDeclarator_list()) {
      const init = d.expression();
      // the initialiser is compiled before the name is in scope
      const v = init ? this.expr(init) : null;
      if (v) this.checkAssign(v.type, type, init!);
      const conv = v ? this.converter(v.type, type, init!) : null;
      const slot = this.declare(d.id().getText(), type, d);
      if (v) {
        const fn = v.fn;
        parts.push((f) => {
          f.locals[slot] = conv!(fn(f));
          return NORMAL;
        });
      } else {
        parts.push((f) => {
          f.locals[slot] = null;
          return NORMAL;
        });
      }
    }
    return seq(parts);
  }

  private forStatement(fs: import('@apexdevtools/apex-parser').ForStatementContext): Stmt {
    const fc = fs.forControl();
    this.push();
    try {
      const en = fc.enhancedForControl();
      if (en) {
        this.checkType(typeText(en.typeRef()), en.typeRef());
        const type = this.rt.resolveTypeName(typeText(en.typeRef()), this.cls);
        const src = this.expr(en.expression());
        const slot = this.declare(en.id().getText(), type, en.id());
        const body = fs.statement() ? this.statement(fs.statement()) : () => NORMAL as Completion;
        const conv = this.converter(elementTypeOf(src.type), type, en);
        return (f) => {
          const coll = src.fn(f);
          if (coll === null) throw npe();
          if (coll instanceof ApexList) {
            const mc = coll.modCount;
            const items = coll.items;
            for (let i = 0; i < items.length; i++) {
              f.locals[slot] = conv(items[i]);
              const c = body(f);
              if (coll.modCount !== mc) {
                throw new ApexError(
                  'System.FinalException',
                  'Cannot modify a collection while it is being iterated.'
                );
              }
              if (c === BREAK) break;
              if (c === RETURN) return RETURN;
            }
            return NORMAL;
          }
          if (coll instanceof ApexSet) {
            const mc = coll.modCount;
            for (const item of [...coll.values()]) {
              f.locals[slot] = conv(item);
              const c = body(f);
              if (coll.modCount !== mc) {
                throw new ApexError(
                  'System.FinalException',
                  'Cannot modify a collection while it is being iterated.'
                );
              }
              if (c === BREAK) break;
              if (c === RETURN) return RETURN;
            }
            return NORMAL;
          }
          const iter = this.rt.iterate(coll);
          for (const item of iter) {
            f.locals[slot] = conv(item);
            const c = body(f);
            if (c === BREAK) break;
            if (c === RETURN) return RETURN;
          }
          return NORMAL;
        };
      }
      const init = fc.forInit();
      let initS: Stmt = () => NORMAL;
      if (init) {
        const lvd = init.localVariableDeclaration();
        if (lvd) initS = this.localVars(lvd);
        else {
          const es = this.exprList(init.expressionList());
          initS = (f) => {
            for (const e of es) e.fn(f);
            return NORMAL;
          };
        }
      }
      const condE = fc.expression() ? this.condition(fc.expression()) : () => true;
      const upd = fc.forUpdate() ? this.exprList(fc.forUpdate().expressionList()) : [];
      const body = fs.statement() ? this.statement(fs.statement()) : () => NORMAL as Completion;
      return (f) => {
        initS(f);
        while (condE(f)) {
          const c = body(f);
          if (c === BREAK) break;
          if (c === RETURN) return RETURN;
          for (const u of upd) u.fn(f);
        }
        return NORMAL;
      };
    } finally {
      this.pop();
    }
  }

  private tryStatement(tr: import('@apexdevtools/apex-parser').TryStatementContext): Stmt {
    const body = this.block(tr.block());
    const catches = tr.catchClause_list().map((cc) => {
      const typeName = cc.qualifiedName().getText();
      this.checkType(typeName, cc.qualifiedName());
      const exCls = this.rt.resolveExceptionClass(typeName, this.cls, cc);
      this.push();
      const slot = this.declare(cc.id().getText(), exCls.name, cc.id());
      const blk = this.block(cc.block());
      this.pop();
      return { exCls, slot, blk };
    });
    const fin = tr.finallyBlock() ? this.block(tr.finallyBlock().block()) : null;
    const rt = this.rt;
    return (f) => {
      let result: Completion = NORMAL;
      try {
        result = body(f);
      } catch (err) {
        const ex = rt.toApexException(err);
        if (!ex) throw err;
        if (process.env.APEX_RUNTIME_DEBUG)
          console.error(`[caught] ${rt.str(ex)} at line ${rt.line}`);
        const uncatchable = rt.isUncatchable(ex);
        const handler = uncatchable
          ? undefined
          : catches.find((c) => rt.isSubclass(ex.cls, c.exCls));
        if (!handler) {
          if (fin) {
            const fc = fin(f);
            if (fc !== NORMAL) return fc;
          }
          throw err instanceof ApexThrow ? err : new ApexThrow(ex);
        }
        f.locals[handler.slot] = ex;
        try {
          result = handler.blk(f);
        } finally {
          if (fin) {
            const fc = fin(f);
            if (fc !== NORMAL) result = fc;
          }
        }
        return result;
      }
      if (fin) {
        const fc = fin(f);
        if (fc !== NORMAL) return fc;
      }
      return result;
    };
  }

  private switchStatement(sw: import('@apexdevtools/apex-parser').SwitchStatementContext): Stmt {
    const subject = this.expr(sw.expression());
    type Arm = { test: ((v: unknown) => boolean) | null; slot: number; body: Stmt };
    const arms: Arm[] = [];
    for (const wc of sw.whenControl_list()) {
      const wv = wc.whenValue();
      this.push();
      let test: Arm['test'] = null;
      let slot = -1;
      if (wv.ELSE()) test = null;
      else if (wv.typeRef()) {
        this.checkType(typeText(wv.typeRef()), wv.typeRef());
        const t = this.rt.resolveTypeName(typeText(wv.typeRef()), this.cls);
        slot = this.declare(wv.id().getText(), t, wv.id());
        test = (v) => this.rt.isInstanceOf(v, t);
      } else {
        const lits = wv.whenLiteral_list().map((l) => this.whenLiteral(l, subject.type));
        test = (v) =>
          lits.some((l) => (l === null ? v === null : v !== null && this.rt.equals(v, l)));
      }
      const body = this.block(wc.block());
      this.pop();
      arms.push({ test, slot, body });
    }
    return (f) => {
      const v = subject.fn(f);
      for (const a of arms) {
        if (a.test === null || a.test(v)) {
          if (a.slot >= 0) f.locals[a.slot] = v;
          return a.body(f);
        }
      }
      return NORMAL;
    };
  }

  private whenLiteral(l: WhenLiteralContext, subjectType: string): unknown {
    if (l.NULL()) return null;
    if (l.whenLiteral()) return this.whenLiteral(l.whenLiteral(), subjectType);
    const neg = l.SUB_list().length % 2 === 1;
    if (l.IntegerLiteral()) {
      const n = Number(l.IntegerLiteral().getText()) * (neg ? -1 : 1);
      return numKind(subjectType) === 'long' ? BigInt(n) : n;
    }
    if (l.LongLiteral()) return BigInt(l.LongLiteral().getText().slice(0, -1)) * (neg ? -1n : 1n);
    if (l.StringLiteral()) return unescapeApex(l.StringLiteral().getText());
    const qn = l.qualifiedName();
    if (qn) {
      // enum value: subject type is the enum
      const name = qn.getText();
      const enumVal = this.rt.enumValue(subjectType, name.split('.').pop()!, this.cls);
      if (enumVal) return enumVal;
    }
    return this.unsupported(`switch when value ${l.getText()}`, l);
  }

  /** Compiles a Boolean condition (null → NullPointerException). */
  condition(ctx: ExpressionContext): (f: Frame) => boolean {
    const e = this.expr(ctx).fn;
    return (f) => {
      const v = e(f);
      if (v === null) throw npe();
      return v === true;
    };
  }

  // -------------------------------------------------------------------------------------------
  // conversions

  /** A function converting a value of static type `from` for storage in `to`. */
  converter(from: string, to: string, _ctx: ApexParserRuleContext): (v: unknown) => unknown {
    const tk = numKind(to);
    const lt = to.toLowerCase();
    if (tk) {
      const fk = numKind(from);
      if (fk === tk) return identity;
      if (tk === 'int') {
        return (v) => {
          if (v === null || typeof v === 'number') return v;
          throw new ApexError(
            'System.TypeException',
            `Invalid conversion from runtime type ${typeOfValue(v)} to Integer`
          );
        };
      }
      return (v) => (v === null ? null : runtimeNumKind(v) ? toKind(v, tk) : v);
    }
    if (lt === 'id') {
      return (v) => (typeof v === 'string' ? this.rt.toId(v) : v);
    }
    if (
      from.startsWith('List<') &&
      !/^(list|set|map|object)\b/i.test(lt) &&
      this.rt.isSObjectType(to)
    ) {
      return (v) => (v instanceof ApexList ? singleRow(v) : v);
    }
    return identity;
  }

  // -------------------------------------------------------------------------------------------
  // expressions

  exprList(ctx: ExpressionListContext | null): Typed[] {
    if (!ctx) return [];
    return ctx.expression_list().map((e) => this.expr(e));
  }

  expr(ctx: ExpressionContext): Typed {
    if (!this.diagnostics) return this.exprInner(ctx);
    try {
      return this.exprInner(ctx);
    } catch (e) {
      if (!(e instanceof NotSupportedLocally)) throw e;
      this.collect?.push(e.message);
      this.degraded = true;
      return unknownTyped(ctx.getText());
    }
  }

  private exprInner(ctx: ExpressionContext): Typed {
    if (ctx instanceof PrimaryExpressionContext) return this.primary(ctx);
    if (ctx instanceof DotExpressionContext) return this.dot(ctx);
    if (ctx instanceof MethodCallExpressionContext) return this.methodCall(ctx);
    if (ctx instanceof AssignExpressionContext) return this.assign(ctx);
    if (ctx instanceof NewExpressionContext) return this.newExpr(ctx.creator());
    if (ctx instanceof SubExpressionContext) return this.expr(ctx.expression());
    if (ctx instanceof EqualityExpressionContext) return this.equality(ctx);
    if (ctx instanceof CmpExpressionContext) return this.compare(ctx);
    if (ctx instanceof LogAndExpressionContext || ctx instanceof LogOrExpressionContext) {
      const a = this.condition(ctx.expression(0));
      const b = this.condition(ctx.expression(1));
      const and = ctx instanceof LogAndExpressionContext;
      return { type: 'Boolean', fn: and ? (f) => a(f) && b(f) : (f) => a(f) || b(f) };
    }
    if (ctx instanceof NegExpressionContext) {
      if (ctx.BANG()) {
        const a = this.condition(ctx.expression());
        return { type: 'Boolean', fn: (f) => !a(f) };
      }
      const a = this.expr(ctx.expression());
      return {
        type: a.type,
        fn: (f) => {
          const v = a.fn(f);
          if (v === null) throw npe();
          return typeof v === 'bigint' ? ~v : ~(v as number);
        }
      };
    }
    if (ctx instanceof CondExpressionContext) {
      const c = this.condition(ctx.expression(0));
      const a = this.expr(ctx.expression(1));
      const b = this.expr(ctx.expression(2));
      const type = a.type === 'null' ? b.type : a.type;
      const ka = numKind(a.type);
      const kb = numKind(b.type);
      if (ka && kb && ka !== kb) {
        const k = promote(ka, kb);
        return { type: KIND_TYPE[k], fn: (f) => toKind(c(f) ? a.fn(f) : b.fn(f), k) };
      }
      return { type, fn: (f) => (c(f) ? a.fn(f) : b.fn(f)) };
    }
    if (ctx instanceof CoalExpressionContext) {
      const a = this.expr(ctx.expression(0));
      const b = this.expr(ctx.expression(1));
      return { type: a.type, fn: (f) => a.fn(f) ?? b.fn(f) };
    }
    if (ctx instanceof CastExpressionContext) {
      this.checkType(typeText(ctx.typeRef()), ctx.typeRef());
      const t = this.rt.resolveTypeName(typeText(ctx.typeRef()), this.cls);
      const a = this.expr(ctx.expression());
      const rt = this.rt;
      const tk = numKind(t);
      const fk = numKind(a.type);
      if (tk && fk) return { type: t, fn: (f) => toKind(a.fn(f), tk) };
      return {
        type: t,
        fn: (f) => {
          const v = a.fn(f);
          if (v === null) return null;
          if (tk && runtimeNumKind(v)) {
            if (!rt.isInstanceOf(v, t)) throw badCast(v, t);
            return toKind(v, tk);
          }
          if (!rt.isInstanceOf(v, t)) throw badCast(v, t);
          if (t.toLowerCase() === 'id' && typeof v === 'string') return rt.toId(v);
          return v;
        }
      };
    }
    if (ctx instanceof InstanceOfExpressionContext) {
      this.checkType(typeText(ctx.typeRef()), ctx.typeRef());
      const t = this.rt.resolveTypeName(typeText(ctx.typeRef()), this.cls);
      const a = this.expr(ctx.expression());
      return { type: 'Boolean', fn: (f) => this.rt.isInstanceOf(a.fn(f), t) };
    }
    if (ctx instanceof PreOpExpressionContext) {
      if (ctx.INC() || ctx.DEC()) {
        const lv = this.lvalue(ctx.expression());
        const k = numKind(lv.type) ?? 'int';
        const op = ctx.INC() ? '+' : '-';
        const one = oneOf(k);
        return {
          type: lv.type,
          fn: (f) => {
            const v = arith(op, k, lv.get(f), one);
            lv.set(f, v);
            return v;
          }
        };
      }
      const a = this.expr(ctx.expression());
      if (ctx.ADD()) return a;
      const k = numKind(a.type);
      return {
        type: a.type,
        fn: (f) => {
          const v = a.fn(f);
          if (v === null) throw npe();
          const kk = k ?? runtimeNumKind(v) ?? 'int';
          return arith('-', kk, zeroOf(kk), v);
        }
      };
    }
    if (ctx instanceof PostOpExpressionContext) {
      const lv = this.lvalue(ctx.expression());
      const k = numKind(lv.type) ?? 'int';
      const op = ctx.INC() ? '+' : '-';
      const one = oneOf(k);
      return {
        type: lv.type,
        fn: (f) => {
          const v = lv.get(f);
          lv.set(f, arith(op, k, v, one));
          return v;
        }
      };
    }
    if (ctx instanceof ArrayExpressionContext) {
      const a = this.expr(ctx.expression(0));
      const i = this.expr(ctx.expression(1));
      const rt = this.rt;
      return { type: elementTypeOf(a.type), fn: (f) => rt.listGet(a.fn(f), i.fn(f)) };
    }
    if (
      ctx instanceof BitAndExpressionContext ||
      ctx instanceof BitOrExpressionContext ||
      ctx instanceof BitNotExpressionContext
    ) {
      const a = this.expr(ctx.expression(0));
      const b = this.expr(ctx.expression(1));
      const op =
        ctx instanceof BitAndExpressionContext
          ? '&'
          : ctx instanceof BitOrExpressionContext
            ? '|'
            : '^';
      return { type: a.type, fn: (f) => bitOp(op, a.fn(f), b.fn(f)) };
    }
    if (ctx instanceof BitExpressionContext) {
      const a = this.expr(ctx.expression(0));
      const b = this.expr(ctx.expression(1));
      const op = ctx.LT_list().length === 2 ? '<<' : ctx.GT_list().length === 3 ? '>>>' : '>>';
      return { type: a.type, fn: (f) => bitOp(op, a.fn(f), b.fn(f)) };
    }
    // arithmetic: the grammar has one context per operator precedence group
    const name = ctx.constructor.name;
    if (name === 'Arth1ExpressionContext' || name === 'Arth2ExpressionContext') {
      return this.arithmetic(ctx);
    }
    return this.unsupported(`expression ${name}`, ctx);
  }

  private arithmetic(ctx: ExpressionContext): Typed {
    const c = ctx as unknown as {
      expression(i: number): ExpressionContext;
      getChild(i: number): { getText(): string };
    };
    const op = c.getChild(1).getText();
    const a = this.expr(c.expression(0));
    const b = this.expr(c.expression(1));
    return this.binaryArith(op, a, b, ctx);
  }

  binaryArith(op: string, a: Typed, b: Typed, ctx: ApexParserRuleContext): Typed {
    const at = a.type.toLowerCase();
    const bt = b.type.toLowerCase();
    if (op === '+' && (at === 'string' || bt === 'string' || at === 'id' || bt === 'id')) {
      const ka = numKind(a.type);
      const kb = numKind(b.type);
      const rt = this.rt;
      return { type: 'String', fn: (f) => rt.str(a.fn(f), ka) + rt.str(b.fn(f), kb) };
    }
    if (op === '%') this.unsupported('% operator (Apex has no % operator; use Math.mod)', ctx);
    const ka = numKind(a.type);
    const kb = numKind(b.type);
    // Date/Datetime/Time arithmetic
    if (at === 'date' || at === 'datetime' || at === 'time') {
      const rt = this.rt;
      return { type: a.type, fn: (f) => rt.temporalArith(op, a.fn(f), b.fn(f)) };
    }
    if (ka && kb) {
      const k = promote(ka, kb);
      return { type: KIND_TYPE[k], fn: (f) => arith(op, k, a.fn(f), b.fn(f)) };
    }
    // at least one side typed Object: decide at run time
    const rt = this.rt;
    return {
      type: ka && kb ? KIND_TYPE[promote(ka, kb)] : 'Object',
      fn: (f) => {
        const x = a.fn(f);
        const y = b.fn(f);
        if (op === '+' && (typeof x === 'string' || typeof y === 'string')) {
          return rt.str(x, ka) + rt.str(y, kb);
        }
        if (x === null || y === null) throw npe();
        const kx = ka ?? runtimeNumKind(x);
        const ky = kb ?? runtimeNumKind(y);
        if (!kx || !ky) return rt.temporalArith(op, x, y);
        return arith(op, promote(kx, ky), x, y);
      }
    };
  }

  /** `Comparison arguments must be compatible types` for two primitives neither converts to. */
  private checkComparable(a: Typed, b: Typed, ctx: ApexParserRuleContext): void {
    if (!this.checking) return;
    const env = this.env;
    const ka = kindOf(a.type, env);
    const kb = kindOf(b.type, env);
    const definite = (k: string): boolean => k === 'primitive' || k === 'class' || k === 'sobject';
    if (!definite(ka) || !definite(kb) || (ka !== 'primitive' && kb !== 'primitive')) return;
    if (assignable(a.type, b.type, env) === 'no' && assignable(b.type, a.type, env) === 'no') {
      this.flag(
        `Comparison arguments must be compatible types: ${shown(a.type)}, ${shown(b.type)}`,
        ctx
      );
    }
  }

  private equality(ctx: EqualityExpressionContext): Typed {
    const a = this.expr(ctx.expression(0));
    const b = this.expr(ctx.expression(1));
    this.checkComparable(a, b, ctx);
    const rt = this.rt;
    if (ctx.TRIPLEEQUAL()) return { type: 'Boolean', fn: (f) => rt.exactEquals(a.fn(f), b.fn(f)) };
    if (ctx.TRIPLENOTEQUAL())
      return { type: 'Boolean', fn: (f) => !rt.exactEquals(a.fn(f), b.fn(f)) };
    const neg = !ctx.EQUAL();
    return {
      type: 'Boolean',
      fn: neg ? (f) => !rt.equals(a.fn(f), b.fn(f)) : (f) => rt.equals(a.fn(f), b.fn(f))
    };
  }

  private compare(ctx: CmpExpressionContext): Typed {
    const a = this.expr(ctx.expression(0));
    const b = this.expr(ctx.expression(1));
    this.checkComparable(a, b, ctx);
    const lt = !!ctx.LT();
    const eq = !!ctx.ASSIGN();
    return {
      type: 'Boolean',
      fn: (f) => {
        const c = apexCompare(a.fn(f), b.fn(f));
        if (c === null) return false;
        return lt ? (eq ? c <= 0 : c < 0) : eq ? c >= 0 : c > 0;
      }
    };
  }

  private assign(ctx: AssignExpressionContext): Typed {
    const lv = this.lvalue(ctx.expression(0));
    const rhs = this.expr(ctx.expression(1));
    const opText = ctx.getChild(1).getText();
    if (opText === '=') {
      this.checkAssign(rhs.type, lv.type, ctx.expression(1));
      const conv = this.converter(rhs.type, lv.type, ctx);
      return {
        type: lv.type,
        fn: (f) => {
          const v = conv(rhs.fn(f));
          lv.set(f, v);
          return v;
        }
      };
    }
    const op = opText.slice(0, -1);
    if (['+', '-', '*', '/'].includes(op)) {
      const cur: Typed = { type: lv.type, fn: lv.get };
      const combined = this.binaryArith(op, cur, rhs, ctx);
      const conv = this.converter(combined.type, lv.type, ctx);
      const tk = numKind(lv.type);
      return {
        type: lv.type,
        fn: (f) => {
          let v = combined.fn(f);
          if (tk && v !== null) v = toKind(v, tk);
          v = conv(v);
          lv.set(f, v);
          return v;
        }
      };
    }
    if (['&', '|', '^', '<<', '>>', '>>>'].includes(op)) {
      return {
        type: lv.type,
        fn: (f) => {
          const v = op === '&' && typeof rhs === 'boolean' ? null : bitOp(op, lv.get(f), rhs.fn(f));
          lv.set(f, v);
          return v;
        }
      };
    }
    return this.unsupported(`assignment operator ${opText}`, ctx);
  }

  /** Compiles an assignable expression. */
  lvalue(ctx: ExpressionContext): LValue {
    const rt = this.rt;
    if (ctx instanceof SubExpressionContext) return this.lvalue(ctx.expression());
    if (ctx instanceof PrimaryExpressionContext && ctx.primary() instanceof IdPrimaryContext) {
      const name = (ctx.primary() as IdPrimaryContext).id().getText();
      const v = this.scope.lookup(name);
      if (v) {
        const slot = v.slot;
        return {
          type: v.type,
          get: (f) => f.locals[slot],
          set: (f, x) => {
            f.locals[slot] = x;
          }
        };
      }
      const fld = this.findField(name);
      if (fld) return this.fieldLValue(fld.field, fld.cls, null, ctx);
      if (this.checking && !this.rt.isTriggerContext(this.cls)) {
        this.flag(`Variable does not exist: ${name}`, ctx);
        const u = unknownTyped(name);
        return { type: UNKNOWN, get: u.fn, set: u.fn };
      }
      return this.unsupported(`assignment to unknown variable ${name}`, ctx);
    }
    if (ctx instanceof DotExpressionContext && ctx.anyId()) {
      const member = ctx.anyId().getText();
      const target = this.resolveOrExpr(ctx.expression());
      if (target.kind === 'class') {
        const fld = rt.lookupField(target.cls, member);
        if (!fld) {
          if (this.checking && this.closedHierarchy(target.cls)) {
            this.flag(`Variable does not exist: ${member}`, ctx.anyId());
          }
          this.unsupported(`static field ${target.cls.name}.${member}`, ctx);
        }
        this.requireVisible(
          fld.owner,
          fld.modifiers,
          fld.annotations,
          `Variable ${target.cls.name}.${member}`,
          ctx
        );
        return this.fieldLValue(fld, target.cls, null, ctx);
      }
      if (target.kind !== 'value') this.unsupported(`assignment to ${ctx.getText()}`, ctx);
      const obj = target.t;
      this.checkFieldAccess(obj.type, member, true, ctx);
      this.checkMemberExists(obj.type, member, ctx.anyId());
      const t = rt.memberType(obj.type, member);
      return {
        type: t,
        get: (f) => rt.getMember(obj.fn(f), member),
        set: (f, x) => rt.setMember(obj.fn(f), member, x)
      };
    }
    if (ctx instanceof ArrayExpressionContext) {
      const a = this.expr(ctx.expression(0));
      const i = this.expr(ctx.expression(1));
      return {
        type: elementTypeOf(a.type),
        get: (f) => rt.listGet(a.fn(f), i.fn(f)),
        set: (f, x) => rt.listSet(a.fn(f), i.fn(f), x)
      };
    }
    return this.unsupported(`assignment target ${ctx.getText()}`, ctx);
  }

  private fieldLValue(
    fld: FieldInfo,
    owner: ClassInfo,
    _objFn: Expr | null,
    _ctx: ApexParserRuleContext
  ): LValue {
    const rt = this.rt;
    const key = fld.name.toLowerCase();
    const backing = this.accessorOf === key && fld.owner === this.cls;
    if (fld.isStatic) {
      if (fld.setter && !backing) {
        return {
          type: fld.type,
          get: () => rt.getStatic(owner, fld),
          set: (_f, x) => rt.callAccessor(fld.setter!, null, [x])
        };
      }
      return {
        type: fld.type,
        get: () => rt.getStaticRaw(owner, fld, backing),
        set: (_f, x) => rt.setStaticRaw(owner, fld, x)
      };
    }
    return {
      type: fld.type,
      get: (f) => (backing ? (self(f).fields.get(key) ?? null) : rt.getInstanceField(self(f), fld)),
      set: (f, x) =>
        backing ? void self(f).fields.set(key, x) : rt.setInstanceField(self(f), fld, x)
    };
  }

  /** Finds a field visible by simple name from the current class (own, inherited, outer). */
  findField(name: string): { field: FieldInfo; cls: ClassInfo } | null {
    for (let c: ClassInfo | null = this.cls; c; c = c.outer) {
      const f = this.rt.lookupField(c, name);
      if (f) {
        if (c !== this.cls && !f.isStatic) continue;
        return { field: f, cls: f.owner };
      }
    }
    return null;
  }

  private primary(ctx: PrimaryExpressionContext): Typed {
    const p = ctx.primary();
    if (p instanceof LiteralPrimaryContext) return this.literal(p.literal());
    if (p instanceof IdPrimaryContext) {
      const r = this.resolveName([p.id().getText()], p);
      if (r && r.kind === 'value') return r.t;
      if (!r && this.checking && !this.rt.isTriggerContext(this.cls)) {
        this.flag(`Variable does not exist: ${p.getText()}`, p);
        return unknownTyped(p.getText());
      }
      return this.unsupported(`unknown identifier ${p.getText()}`, p);
    }
    if (p instanceof ThisPrimaryContext) {
      if (this.isStatic) this.unsupported('this in a static context', p);
      return { type: this.cls.name, fn: (f) => f.self };
    }
    if (p instanceof SuperPrimaryContext) {
      return { type: this.cls.superClass?.name ?? 'Object', fn: (f) => f.self };
    }
    if (p instanceof SoqlPrimaryContext) return this.soql(p);
    if (p instanceof TypeRefPrimaryContext) {
      const t = this.rt.resolveTypeName(typeText(p.typeRef()), this.cls);
      const rt = this.rt;
      return { type: 'System.Type', fn: () => rt.typeToken(t) };
    }
    if (p instanceof VoidPrimaryContext) {
      const rt = this.rt;
      return { type: 'System.Type', fn: () => rt.typeToken('void') };
    }
    return this.unsupported(`expression ${p.getText()}`, p);
  }

  private literal(l: LiteralContext): Typed {
    if (l.IntegerLiteral()) {
      const text = l.IntegerLiteral().getText();
      const n = Number(text);
      if (n > INT_MAX) this.report('Illegal integer', l);
      return { type: 'Integer', fn: () => n };
    }
    if (l.LongLiteral()) {
      const n = BigInt(l.LongLiteral().getText().slice(0, -1));
      return { type: 'Long', fn: () => n };
    }
    if (l.NumberLiteral()) {
      const text = l.NumberLiteral().getText();
      if (/[dD]$/.test(text)) {
        const n = Number(text.slice(0, -1));
        return { type: 'Double', fn: () => n };
      }
      const d = parseDecimal(text);
      return { type: 'Decimal', fn: () => d };
    }
    if (l.StringLiteral()) {
      const s = unescapeApex(l.StringLiteral().getText());
      return { type: 'String', fn: () => s };
    }
    if (l.BooleanLiteral()) {
      const b = l.BooleanLiteral().getText().toLowerCase() === 'true';
      return { type: 'Boolean', fn: () => b };
    }
    if (l.NULL()) return { type: 'null', fn: () => null };
    return this.unsupported(`literal ${l.getText()}`, l);
  }

  private soql(p: SoqlPrimaryContext): Typed {
    const lit = p.soqlLiteral();
    const text = lit.start.getInputStream().getText(lit.start.start, lit.stop!.stop).slice(1, -1);
    const rt = this.rt;
    const line = p.start.line;
    const parsed = this.parseStaticSoql(text, line, p);
    if (!parsed) return unknownTyped(text);
    const binds = parsed.bindTexts.map((b) => this.compileBind(b, p));
    const fromType = parsed.fromType;
    const isCount = parsed.isCount;
    return {
      type: isCount ? 'Integer' : `List<${fromType}>`,
      fn: (f) => rt.runQuery(parsed.query, (i) => binds[i](f), line, fromType)
    };
  }

  /**
   * Parses a static SOQL query. In check mode a query naming a custom object or field the
   * schema does not have is the platform's compile error (standard names the describes do not
   * list stay NotSupported: the describes are not complete).
   */
  private parseStaticSoql(
    text: string,
    line: number,
    p: SoqlPrimaryContext
  ): ReturnType<Interpreter['parseSoql']> | null {
    try {
      return this.rt.parseSoql(text, line, this.loc(p));
    } catch (e) {
      if (!this.checking || !(e instanceof NotSupportedLocally)) throw e;
      const m = /^SOQL that would not compile: (.*)$/s.exec(e.construct);
      const named = m ? /'([^']+)'/.exec(m[1]) : null;
      if (!m || !named || !isCustomName(named[1])) throw e;
      this.flag(m[1], p);
      return null;
    }
  }

  /**
   * A resolver for bind variables of dynamic SOQL (Database.query): bind expressions are
   * compiled on first use in the scope of the call.
   */
  bindResolver(): (f: Frame, text: string) => unknown {
    const scope = this.scope;
    const cache = new Map<string, Expr>();
    return (f, text) => {
      let e = cache.get(text);
      if (!e) {
        const saved = this.scope;
        this.scope = scope;
        try {
          e = this.expr(ApexParserFactory.createParser(text).expression()).fn;
        } finally {
          this.scope = saved;
        }
        cache.set(text, e);
      }
      return e(f);
    };
  }

  private compileBind(text: string, ctx: ApexParserRuleContext): Expr {
    const parser = ApexParserFactory.createParser(text);
    const e = parser.expression();
    const t = this.expr(e);
    void ctx;
    return t.fn;
  }

  /** Resolves a chain of identifiers (a.b.c) to a value, class, SObject type or builtin. */
  resolveName(names: string[], ctx: ApexParserRuleContext): Resolved | null {
    const rt = this.rt;
    const first = names[0];
    let cur: Resolved | null = null;
    let i = 1;
    const v = this.scope.lookup(first);
    if (v) {
      const slot = v.slot;
      cur = { kind: 'value', t: { type: v.type, fn: (f) => f.locals[slot] } };
    } else {
      const fld = this.findField(first);
      if (fld) {
        if (!fld.field.isStatic && this.isStatic)
          this.unsupported(`instance field ${first} in static context`, ctx);
        const lv = this.fieldLValue(fld.field, fld.cls, null, ctx);
        cur = { kind: 'value', t: { type: fld.field.type, fn: lv.get } };
      } else if (first.toLowerCase() === 'trigger' && rt.isTriggerContext(this.cls)) {
        cur = { kind: 'builtin', name: 'Trigger' };
      } else {
        // a user class, an sObject type, a system namespace/class, then other system types
        const userCls = rt.resolveClass(first, this.cls);
        if (userCls && !userCls.system) cur = { kind: 'class', cls: userCls };
        else if (rt.isSObjectType(first) && first.toLowerCase() !== 'sobject') {
          cur = { kind: 'sobject', name: rt.data.getObjectName(first) };
        } else {
          const ns = rt.builtinNamespace(names);
          if (ns) {
            cur = { kind: 'builtin', name: ns.name };
            i = ns.consumed;
          } else {
            for (let n = names.length; n >= 1; n--) {
              const t = rt.resolveTypeOrNull(names.slice(0, n).join('.'), this.cls);
              if (t) {
                cur = t;
                i = n;
                break;
              }
            }
          }
        }
      }
    }
    if (!cur) return null;
    for (; i < names.length; i++) cur = this.member(cur, names[i], ctx);
    return cur;
  }

  private member(target: Resolved, name: string, ctx: ApexParserRuleContext): Resolved {
    const rt = this.rt;
    if (target.kind === 'value') {
      const obj = target.t;
      this.checkFieldAccess(obj.type, name, false, ctx);
      this.checkMemberExists(obj.type, name, ctx);
      const t = rt.memberType(obj.type, name);
      return { kind: 'value', t: { type: t, fn: (f) => rt.getMember(obj.fn(f), name) } };
    }
    if (target.kind === 'class') {
      const cls = target.cls;
      if (cls.kind === 'enum') {
        const ev = rt.enumValue(cls.name, name, this.cls);
        if (ev) return { kind: 'value', t: { type: cls.name, fn: () => ev } };
      }
      const fld = rt.lookupField(cls, name);
      if (fld && fld.isStatic) {
        this.requireVisible(
          fld.owner,
          fld.modifiers,
          fld.annotations,
          `Variable ${cls.name}.${name}`,
          ctx
        );
        const lv = this.fieldLValue(fld, fld.owner, null, ctx);
        return { kind: 'value', t: { type: rt.resolveTypeName(fld.type, fld.owner), fn: lv.get } };
      }
      const inner = cls.inner.get(name.toLowerCase());
      if (inner) return { kind: 'class', cls: inner };
      if (this.checking && this.closedHierarchy(cls)) {
        this.flag(`Variable does not exist: ${name}`, ctx);
      }
      return this.unsupported(`static member ${cls.name}.${name}`, ctx);
    }
    if (target.kind === 'sobject') {
      const prop = rt.sobjectStaticProperty(target.name, name, ctx);
      return { kind: 'value', t: prop };
    }
    const prop = rt.builtinStaticProperty(target.name, name, this.loc(ctx));
    if (prop.kind === 'value') return prop;
    return prop;
  }

  /**
   * `Variable does not exist: f` for `value.f` when the value is a project class whose
   * members are all known, or an SObject and f a custom field its schema lacks (standard
   * fields are not judged: the describes list only the fields the package touches).
   */
  private checkMemberExists(type: string, name: string, ctx: ApexParserRuleContext): void {
    if (!this.checking) return;
    const rt = this.rt;
    let t = type;
    if (t.startsWith('List<') && rt.isSObjectType(elementTypeOf(t))) t = elementTypeOf(t);
    const k = kindOf(t, this.env);
    if (k === 'sobject') {
      const obj = rt.data.findObject(t);
      if (obj && isCustomName(name) && rt.data.fieldApexType(obj.name, name) === null) {
        this.flag(`Variable does not exist: ${name}`, ctx);
      }
    } else if (k === 'class') {
      const cls = this.env.projectClass(t)!;
      if (!rt.lookupField(cls, name) && this.closedHierarchy(cls)) {
        this.flag(`Variable does not exist: ${name}`, ctx);
      }
    }
  }

  /**
   * A dotted name whose first part names nothing: `Variable does not exist: x`. Only judged
   * for names that cannot be a system type or standard object the runtime does not know
   * (lower-case first letter, or a custom __c/__mdt/__e name).
   */
  private unknownHead(names: string[], ctx: ApexParserRuleContext): boolean {
    if (!this.checking || this.rt.isTriggerContext(this.cls)) return false;
    const head = names[0];
    if (SYSTEM_TYPE_NAMES.has(head.toLowerCase())) return false;
    if (!/^[a-z]/.test(head) && !isCustomName(head)) return false;
    this.flag(`Variable does not exist: ${head}`, ctx);
    return true;
  }

  /** Visibility of `value.field` when the value's static type is a user class. */
  private checkFieldAccess(
    type: string,
    name: string,
    write: boolean,
    ctx: ApexParserRuleContext
  ): void {
    const cls = this.rt.resolveClass(splitType(type).base, this.cls);
    if (!cls || cls.system) return;
    const fld = this.rt.lookupField(cls, name);
    if (!fld) return;
    this.requireVisible(
      fld.owner,
      fld.modifiers,
      fld.annotations,
      `Variable ${cls.name}.${name}`,
      ctx
    );
    const testOpen = !!fld.annotations?.has('testvisible') && topOf(this.cls).isTest;
    if (write && fld.setterPrivate && topOf(this.cls) !== topOf(fld.owner) && !testOpen) {
      this.report(`Variable is not writable: ${cls.name}.${name}`, ctx);
    }
  }

  /** Visibility of `value.method(...)` when the value's static type is a user class. */
  private checkMethodAccess(
    type: string,
    name: string,
    nargs: number,
    ctx: ApexParserRuleContext
  ): void {
    const cls = this.rt.resolveClass(splitType(type).base, this.cls);
    if (!cls || cls.system) return;
    const ms = this.rt.findMethods(cls, name, nargs, false);
    if (ms.length && !ms.some((m) => this.visible(m.owner, m.modifiers, m.annotations))) {
      this.report(`Method is not visible: ${cls.name}.${name}`, ctx);
    }
  }

  /** Flattens a.b.c (identifiers only) or returns null. */
  private chain(ctx: ExpressionContext): string[] | null {
    if (ctx instanceof PrimaryExpressionContext && ctx.primary() instanceof IdPrimaryContext) {
      return [(ctx.primary() as IdPrimaryContext).id().getText()];
    }
    if (ctx instanceof DotExpressionContext && ctx.anyId() && !ctx.QUESTIONDOT()) {
      const left = this.chain(ctx.expression());
      return left ? [...left, ctx.anyId().getText()] : null;
    }
    return null;
  }

  private resolveOrExpr(ctx: ExpressionContext): Resolved {
    const names = this.chain(ctx);
    if (names) {
      const r = this.resolveName(names, ctx);
      if (r) return r;
      if (this.unknownHead(names, ctx)) return { kind: 'value', t: unknownTyped(names[0]) };
      return this.unsupported(`unknown name ${names.join('.')}`, ctx);
    }
    return { kind: 'value', t: this.expr(ctx) };
  }

  private dot(ctx: DotExpressionContext): Typed {
    const rt = this.rt;
    const safe = !!ctx.QUESTIONDOT();
    const dmc = ctx.dotMethodCall();
    if (dmc) {
      const name = dmc.anyId().getText();
      const args = this.exprList(dmc.expressionList());
      const target = this.resolveOrExpr(ctx.expression());
      const line = ctx.start.line;
      if (target.kind === 'class') return this.staticCall(target.cls, name, args, ctx);
      if (target.kind === 'sobject') {
        return rt.sobjectStaticCall(target.name, name, args, this.loc(ctx));
      }
      if (target.kind === 'builtin')
        return rt.builtinStaticCall(target.name, name, args, this.loc(ctx), this);
      const obj = target.t;
      const isSuper =
        ctx.expression() instanceof PrimaryExpressionContext &&
        (ctx.expression() as PrimaryExpressionContext).primary() instanceof SuperPrimaryContext;
      if (isSuper) {
        const sup = this.cls.superClass;
        if (!sup) this.unsupported('super call without superclass', ctx);
        return {
          type: rt.methodReturnType(sup.name, name, args.length),
          fn: (f) =>
            rt.invokeOn(
              f.self!,
              sup,
              name,
              args.map((a) => a.fn(f)),
              line,
              true
            )
        };
      }
      this.checkMethodAccess(obj.type, name, args.length, ctx);
      const chosen = this.instanceCallTarget(obj.type, name, args, dmc);
      const retType = chosen
        ? rt.resolveTypeName(chosen.returnType, chosen.owner)
        : rt.methodReturnType(obj.type, name, args.length, args);
      const objType = obj.type;
      return {
        type: retType,
        fn: (f) => {
          const o = obj.fn(f);
          if (o === null) {
            if (safe) return null;
            throw npe();
          }
          const vals = new Array(args.length);
          for (let i = 0; i < args.length; i++) vals[i] = args[i].fn(f);
          return rt.callMethod(o, name, vals, line, objType, args);
        }
      };
    }
    const member = ctx.anyId().getText();
    if (safe) {
      const obj = this.expr(ctx.expression());
      this.checkMemberExists(obj.type, member, ctx.anyId());
      return {
        type: rt.memberType(obj.type, member),
        fn: (f) => {
          const o = obj.fn(f);
          return o === null ? null : rt.getMember(o, member);
        }
      };
    }
    const names = this.chain(ctx);
    if (names) {
      const r = this.resolveName(names, ctx);
      if (r && r.kind === 'value') return r.t;
      if (!r && this.unknownHead(names, ctx)) return unknownTyped(names[0]);
      return this.unsupported(
        r ? `type used as value ${ctx.getText()}` : `unknown name ${names.join('.')}`,
        ctx
      );
    }
    const target = this.resolveOrExpr(ctx.expression());
    const r = this.member(target, member, ctx);
    if (r.kind === 'value') return r.t;
    return this.unsupported(`type used as value ${ctx.getText()}`, ctx);
  }

  /**
   * The project method `value.name(args)` calls, when the static types decide it; in check
   * mode a call no method of the class accepts is reported.
   */
  private instanceCallTarget(
    type: string,
    name: string,
    args: Typed[],
    ctx: ApexParserRuleContext
  ): MethodInfo | null {
    const cls = kindOf(type, this.env) === 'class' ? this.env.projectClass(type) : null;
    if (!cls || cls.kind === 'enum') return null;
    const found = this.rt.findMethods(cls, name, args.length, false);
    const closed = this.closedHierarchy(cls);
    const signature = (): string =>
      `Method does not exist or incorrect signature: void ${name}(${this.sig(args)}) from the type ${cls.name}`;
    if (!found.length) {
      if (closed && !OBJECT_METHODS.has(name.toLowerCase())) this.flag(signature(), ctx);
      return null;
    }
    // overrides keep the declared return type, so the static choice types the call
    return this.pickOverload(found, args, signature, ctx, closed);
  }

  /** `Constructor not defined: [C].<Constructor>(T)` when no constructor of C accepts args. */
  private checkConstructor(cls: ClassInfo, args: Typed[], ctx: ApexParserRuleContext): void {
    if (cls.isException || !this.closedHierarchy(cls) || cls.modifiers.has('abstract')) return;
    const message = `Constructor not defined: [${cls.name}].<Constructor>(${this.sig(args)})`;
    if (!cls.ctors.length) {
      if (args.length) this.flag(message, ctx);
      return;
    }
    const ctors = cls.ctors.filter((c) => c.params.length === args.length);
    if (!ctors.length) this.flag(message, ctx);
    else this.pickOverload(ctors, args, () => message, ctx, true);
  }

  private staticCall(
    cls: ClassInfo,
    name: string,
    args: Typed[],
    ctx: ApexParserRuleContext
  ): Typed {
    const rt = this.rt;
    const line = ctx.start.line;
    if (cls.kind === 'enum') {
      const lname = name.toLowerCase();
      if (lname === 'values') {
        return { type: `List<${cls.name}>`, fn: () => new ApexList(cls.name, rt.enumValues(cls)) };
      }
      if (lname === 'valueof') {
        return { type: cls.name, fn: (f) => rt.enumValueOf(cls, args[0].fn(f)) };
      }
    }
    const m = rt.findMethods(cls, name, args.length, true);
    const signature = (): string =>
      `Method does not exist or incorrect signature: void ${name}(${this.sig(args)}) from the type ${cls.name}`;
    if (!m.length) {
      if (
        this.checking &&
        this.closedHierarchy(cls) &&
        !rt.findMethods(cls, name, args.length, false).length
      ) {
        this.flag(signature(), ctx);
        return unknownTyped(name);
      }
      this.unsupported(`static method ${cls.name}.${name} with ${args.length} argument(s)`, ctx);
    }
    if (!m.some((x) => this.visible(x.owner, x.modifiers, x.annotations))) {
      this.report(`Method is not visible: ${cls.name}.${name}`, ctx);
    }
    const chosen = this.pickOverload(m, args, signature, ctx, true);
    if (chosen && m.length > 1) {
      // the overload the static types select (Apex resolves overloads at compile time)
      return {
        type: rt.resolveTypeName(chosen.returnType, chosen.owner),
        fn: (f) => {
          const vals = args.map((a) => a.fn(f));
          return rt.invokeMethod(chosen, null, vals, line);
        }
      };
    }
    return {
      type: (chosen ?? m[0]).returnType,
      fn: (f) => {
        const vals = args.map((a) => a.fn(f));
        return rt.invokeStatic(cls, name, vals, line, args);
      }
    };
  }

  private methodCall(ctx: MethodCallExpressionContext): Typed {
    const mc = ctx.methodCall();
    const args = this.exprList(mc.expressionList());
    const rt = this.rt;
    const line = ctx.start.line;
    if (mc.THIS() || mc.SUPER()) {
      // constructor chaining is handled by the constructor compiler
      const isSuper = !!mc.SUPER();
      const cls = this.cls;
      return {
        type: 'void',
        fn: (f) => {
          rt.chainConstructor(
            f.self!,
            isSuper ? cls.superClass! : cls,
            args.map((a) => a.fn(f)),
            line,
            isSuper
          );
          return null;
        }
      };
    }
    const name = mc.id().getText();
    // search own class chain, then outer classes (static only)
    for (let c: ClassInfo | null = this.cls; c; c = c.outer) {
      const found = rt.findMethods(c, name, args.length, false);
      if (found.length) {
        const owner = c;
        const isOuter = c !== this.cls;
        const allStatic = found.every((m) => m.isStatic);
        if (isOuter && !allStatic) continue;
        const chosen = this.pickOverload(
          found,
          args,
          () =>
            `Method does not exist or incorrect signature: void ${name}(${this.sig(args)}) from the type ${owner.name}`,
          ctx,
          this.closedHierarchy(owner)
        );
        return {
          type: (chosen ?? found[0]).returnType,
          fn: (f) => {
            const vals = args.map((a) => a.fn(f));
            if (!isOuter && f.self && !allStatic)
              return rt.invokeOn(f.self, f.self.cls, name, vals, line, false, args);
            return rt.invokeStatic(owner, name, vals, line, args);
          }
        };
      }
    }
    if (rt.isTriggerContext(this.cls)) this.unsupported(`method ${name} in trigger`, ctx);
    if (this.checking && this.closedHierarchy(this.cls)) {
      let outerOk = true;
      for (let c = this.cls.outer; c; c = c.outer) outerOk &&= this.closedHierarchy(c);
      if (outerOk && !OBJECT_METHODS.has(name.toLowerCase())) {
        this.flag(
          `Method does not exist or incorrect signature: void ${name}(${this.sig(args)}) from the type ${this.cls.name}`,
          ctx
        );
        return unknownTyped(name);
      }
    }
    return this.unsupported(`unknown method ${name}(${args.length} argument(s))`, ctx);
  }

  private newExpr(cr: CreatorContext): Typed {
    const rt = this.rt;
    const cn = cr.createdName();
    const pairs = cn.idCreatedNamePair_list();
    const text = pairs
      .map((p) => {
        const base = p.anyId().getText();
        const tl = p.typeList();
        return tl
          ? `${canonicalSimple(base)}<${tl
              .typeRef_list()
              .map((t) => typeText(t))
              .join(',')}>`
          : base;
      })
      .join('.');
    this.checkType(canonicalSimple(text), cn);
    const type = rt.resolveTypeName(canonicalSimple(text), this.cls);
    const { base, args: targs } = splitType(type);
    const lbase = base.toLowerCase();
    const line = cr.start.line;
    if (cr.noRest()) {
      if (lbase === 'list' || lbase === 'set' || lbase === 'map') {
        return { type, fn: () => rt.newCollection(type) };
      }
      return this.unsupported(`new ${type}{}`, cr);
    }
    const acr = cr.arrayCreatorRest();
    if (acr) {
      const listType = `List<${type}>`;
      if (acr.arrayInitializer()) {
        const items = acr
          .arrayInitializer()
          .expression_list()
          .map((e) => this.expr(e));
        const conv = items.map((i) => this.converter(i.type, type, cr));
        return {
          type: listType,
          fn: (f) =>
            new ApexList(
              type,
              items.map((i, k) => conv[k](i.fn(f)))
            )
        };
      }
      const n = this.expr(acr.expression());
      return {
        type: listType,
        fn: (f) => new ApexList(type, new Array(Number(n.fn(f))).fill(null))
      };
    }
    const scr = cr.setCreatorRest();
    if (scr) {
      const items = scr.expression_list().map((e) => this.expr(e));
      const conv = items.map((i) => this.converter(i.type, targs[0] ?? 'Object', cr));
      return {
        type,
        fn: (f) => {
          const c = rt.newCollection(type);
          for (let k = 0; k < items.length; k++) rt.collectionAdd(c, conv[k](items[k].fn(f)));
          return c;
        }
      };
    }
    const mcr = cr.mapCreatorRest();
    if (mcr) {
      const pairs2 = mcr
        .mapCreatorRestPair_list()
        .map((p) => [this.expr(p.expression(0)), this.expr(p.expression(1))] as const);
      const kc = pairs2.map(([k]) => this.converter(k.type, targs[0] ?? 'Object', cr));
      const vc = pairs2.map(([, v]) => this.converter(v.type, targs[1] ?? 'Object', cr));
      return {
        type,
        fn: (f) => {
          const m = rt.newCollection(type) as ApexMap;
          pairs2.forEach(([k, v], i) => m.set(kc[i](k.fn(f)), vc[i](v.fn(f))));
          return m;
        }
      };
    }
    const ccr = cr.classCreatorRest();
    const argList = ccr.arguments().expressionList();
    // SObject constructor with name=value pairs
    if (rt.isSObjectType(type)) {
      const exprs = argList ? argList.expression_list() : [];
      const fields: [string, Typed][] = [];
      for (const e of exprs) {
        if (!(e instanceof AssignExpressionContext))
          this.unsupported(`SObject constructor argument ${e.getText()}`, e);
        const fname = e.expression(0).getText();
        const value = this.expr(e.expression(1));
        if (this.checking && isCustomName(fname) && rt.data.fieldApexType(type, fname) === null) {
          this.flag(`Invalid field ${fname} for SObject ${rt.data.getObjectName(type)}`, e);
          continue;
        }
        const canonical = rt.canonicalField(type, fname, this.loc(e));
        this.checkAssign(value.type, rt.memberType(type, canonical), e.expression(1));
        fields.push([canonical, value]);
      }
      const convs = fields.map(([fname, t]) =>
        this.converter(t.type, rt.memberType(type, fname), cr)
      );
      return {
        type,
        fn: (f) => {
          const so = rt.newSObject(type);
          fields.forEach(([fname, t], i) => rt.setMember(so, fname, convs[i](t.fn(f))));
          return so;
        }
      };
    }
    const args = this.exprList(argList);
    if (lbase === 'list' || lbase === 'set' || lbase === 'map') {
      return { type, fn: (f) => rt.newCollection(type, args.length ? args[0].fn(f) : undefined) };
    }
    const ctorCls = rt.resolveClass(splitType(type).base, this.cls);
    if (ctorCls && !ctorCls.system && ctorCls.ctors.length) {
      const ctors = ctorCls.ctors.filter((c) => c.params.length === args.length);
      if (ctors.length && !ctors.some((c) => this.visible(ctorCls, c.modifiers, c.annotations))) {
        this.report(
          `Constructor is not visible: [${ctorCls.name}].<Constructor>(${args.length})`,
          cr
        );
      }
    }
    if (this.checking && ctorCls && !ctorCls.system && ctorCls.kind === 'class') {
      this.checkConstructor(ctorCls, args, cr);
    }
    return {
      type,
      fn: (f) =>
        rt.construct(
          type,
          args.map((a) => a.fn(f)),
          line,
          this.cls,
          args
        )
    };
  }
}

/** A SOQL result used as a single record. */
export function singleRow(v: ApexList): unknown {
  if (v.items.length === 0)
    throw new ApexError('System.QueryException', 'List has no rows for assignment to SObject');
  if (v.items.length > 1)
    throw new ApexError(
      'System.QueryException',
      'List has more than 1 row for assignment to SObject'
    );
  return v.items[0];
}

function self(f: Frame): Instance {
  if (!f.self) throw npe();
  return f.self;
}

function identity(v: unknown): unknown {
  return v;
}

function seq(stmts: Stmt[]): Stmt {
  if (stmts.length === 0) return () => NORMAL;
  if (stmts.length === 1) return stmts[0];
  return (f) => {
    for (let i = 0; i < stmts.length; i++) {
      const c = stmts[i](f);
      if (c !== NORMAL) return c;
    }
    return NORMAL;
  };
}

export function elementTypeOf(t: string): string {
  const { base, args } = splitType(t);
  const b = base.toLowerCase();
  if ((b === 'list' || b === 'set') && args[0]) return args[0];
  return 'Object';
}

function typeOfValue(v: unknown): string {
  if (typeof v === 'bigint') return 'Long';
  if (v instanceof Decimal) return 'Decimal';
  if (typeof v === 'string') return 'String';
  return typeof v === 'number' ? 'Double' : 'Object';
}

function badCast(v: unknown, t: string): ApexError {
  const rt =
    v instanceof SObjectValue ? v.sobjectType : v instanceof Instance ? v.cls.name : typeOfValue(v);
  return new ApexError(
    'System.TypeException',
    `Invalid conversion from runtime type ${rt} to ${t}`
  );
}

function oneOf(k: NumKind): unknown {
  return k === 'long' ? 1n : k === 'decimal' ? decimalWithScale(new Decimal(1), 0) : 1;
}
function zeroOf(k: NumKind): unknown {
  return k === 'long' ? 0n : k === 'decimal' ? decimalWithScale(new Decimal(0), 0) : 0;
}

function bitOp(op: string, a: unknown, b: unknown): unknown {
  if (a === null || b === null) throw npe();
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    if (op === '&') return a && b;
    if (op === '|') return a || b;
    if (op === '^') return a !== b;
  }
  if (typeof a === 'bigint') {
    const y = BigInt(b as number | bigint);
    switch (op) {
      case '&':
        return a & y;
      case '|':
        return a | y;
      case '^':
        return a ^ y;
      case '<<':
        return BigInt.asIntN(64, a << y);
      case '>>':
        return a >> y;
      case '>>>':
        return BigInt.asIntN(64, BigInt.asUintN(64, a) >> y);
    }
  }
  const x = a as number;
  const y = Number(b);
  switch (op) {
    case '&':
      return x & y;
    case '|':
      return x | y;
    case '^':
      return x ^ y;
    case '<<':
      return x << y;
    case '>>':
      return x >> y;
    case '>>>':
      return x >>> y;
  }
  throw new Error(`internal: bit op ${op}`);
}

export { ApexDate, ApexSet, INT_MIN, stringOf, EnumValue };
