// The test runner: discovers @IsTest classes, runs each test method as its own transaction
// (fresh statics, store, clock and limits), reports outcomes like the platform, and measures
// line coverage of the non-test classes and triggers.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { StatementContext, type ApexParserRuleContext } from '@apexdevtools/apex-parser';
import { ApexError, NotSupportedLocally } from './values.ts';
import { ApexThrow, type ClassInfo, type MethodInfo } from './model.ts';
import { loadProject, type TriggerInfo } from './loader.ts';
import { Interpreter } from './interpreter.ts';
import { DataBridge } from './data-bridge.ts';
import { CompileError } from './compiler.ts';
import {
  compileErrorMessage,
  typecheckProject,
  type CompileProblem,
  type TypecheckResult
} from './typecheck/check.ts';

export type Outcome = 'Pass' | 'Fail' | 'NotSupported';

export interface TestResult {
  className: string;
  methodName: string;
  outcome: Outcome;
  message: string | null;
  stackTrace: string | null;
  durationMs: number;
}

export interface RunResult {
  summary: {
    passed: number;
    failed: number;
    notSupported: number;
    total: number;
    durationMs: number;
  };
  tests: TestResult[];
  coverage?: Record<string, { covered: number; total: number; uncoveredLines: number[] }>;
  unsupported?: string[];
  /** with `typecheck`: the compile errors of the project (a real org would reject the deploy) */
  compileErrors?: CompileProblem[];
}

export interface RunOptions {
  projectDir: string;
  classes?: string[];
  coverage?: boolean;
  fixturePath?: string;
  /** fixed clock for every test method (epoch ms); default: the wall clock at each method start */
  clockMs?: number;
  /**
   * Run the whole-project static check first (default true, as a deploy would): tests of a class
   * that does not compile, or that references one, fail with its compile error without running.
   * With `false`, a compile error surfaces only in the tests that reach the offending code.
   */
  typecheck?: boolean;
  onResult?: (r: TestResult) => void;
}

/** Everything needed to run tests of one project. */
export class TestSession {
  readonly rt: Interpreter;
  readonly data: DataBridge;
  readonly classes: ClassInfo[];
  readonly triggers: TriggerInfo[];

  constructor(readonly opts: RunOptions) {
    const project = loadProject(opts.projectDir);
    const fixture =
      opts.fixturePath ?? path.join(opts.projectDir, 'config', 'apex-runtime-org.json');
    this.data = new DataBridge(opts.projectDir, existsSync(fixture) ? fixture : undefined);
    this.rt = new Interpreter(project, this.data);
    this.data.attach(this.rt);
    this.classes = [...project.classes.values()];
    this.triggers = project.triggers;
  }

  private checked: TypecheckResult | null = null;

  /** The static check of every class and trigger (computed once per session). */
  typecheck(): TypecheckResult {
    this.checked ??= typecheckProject(this.rt, this.opts.projectDir, this.classes, this.triggers);
    return this.checked;
  }

  testClasses(): ClassInfo[] {
    const wanted = this.opts.classes?.map((c) => c.toLowerCase());
    return this.classes
      .filter((c) => c.isTest && !c.outer)
      .filter((c) => !wanted || wanted.includes(c.name.toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  testMethods(cls: ClassInfo): MethodInfo[] {
    const out: MethodInfo[] = [];
    for (const list of cls.methods.values()) {
      for (const m of list) {
        if (m.annotations.has('testsetup')) continue;
        if (m.annotations.has('istest') || m.modifiers.has('testmethod')) out.push(m);
      }
    }
    return out.sort((a, b) => a.line - b.line);
  }

  private setupMethods(cls: ClassInfo): MethodInfo[] {
    return [...cls.methods.values()].flat().filter((m) => m.annotations.has('testsetup'));
  }

  /** Starts a new transaction: fresh statics, store, clock, limits. */
  private freshTransaction(nowMs: number, keepStore: boolean): void {
    this.rt.resetStatics();
    if (!keepStore) this.data.resetForTest();
    this.rt.stdlib.resetForTest(nowMs);
    this.rt.stdlib.resetCalendars();
  }

  runMethod(cls: ClassInfo, m: MethodInfo): TestResult {
    const started = Date.now();
    const nowMs = this.opts.clockMs ?? Math.floor(Date.now() / 1000) * 1000;
    const result = (
      outcome: Outcome,
      message: string | null,
      stackTrace: string | null
    ): TestResult => ({
      className: cls.name,
      methodName: m.name,
      outcome,
      message,
      stackTrace,
      durationMs: Date.now() - started
    });
    try {
      this.freshTransaction(nowMs, false);
      for (const s of this.setupMethods(cls)) {
        this.rt.invokeMethod(s, null, [], s.line);
        this.freshTransaction(nowMs, true);
      }
      this.rt.invokeMethod(m, null, [], m.line);
      return result('Pass', null, null);
    } catch (err) {
      return this.failure(err, cls, m, result);
    }
  }

  private failure(
    err: unknown,
    cls: ClassInfo,
    m: MethodInfo,
    result: (o: Outcome, msg: string | null, st: string | null) => TestResult
  ): TestResult {
    if (err instanceof NotSupportedLocally) {
      return result('NotSupported', err.message, null);
    }
    if (err instanceof CompileError) {
      return result('Fail', err.message, null);
    }
    const ex = this.rt.toApexException(err);
    if (ex) {
      const type = String(ex.fields.get('$exceptionType') ?? ex.cls.name);
      const msg = ex.fields.get('message');
      const line = ex.fields.get('$line') ?? this.rt.line;
      const shown = type.includes('.') || ex.cls.system ? type : type;
      const trace =
        this.rt.traces.get(err as object) ??
        `Class.${cls.name}.${m.name}: line ${String(line)}, column 1`;
      return result(
        'Fail',
        `${shown}: ${msg === null || msg === undefined ? 'null' : String(msg)}`,
        trace
      );
    }
    if (err instanceof ApexThrow || err instanceof ApexError) {
      return result('Fail', String((err as Error).message), null);
    }
    const e = err as Error;
    if (process.env.APEX_RUNTIME_DEBUG) console.error(e?.stack);
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return result('Fail', 'System.LimitException: Maximum stack depth reached: 1001', null);
    }
    return result(
      'Fail',
      `Internal runtime error (a defect of the local runtime, not of the test): ${e?.stack ?? String(err)}`,
      null
    );
  }

  run(): RunResult {
    const started = Date.now();
    const tests: TestResult[] = [];
    const checked = this.opts.typecheck === false ? null : this.typecheck();
    for (const cls of this.testClasses()) {
      const blocked = checked?.blocked.get(cls.name.toLowerCase());
      for (const m of this.testMethods(cls)) {
        const r: TestResult = blocked
          ? {
              className: cls.name,
              methodName: m.name,
              outcome: 'Fail',
              message: compileErrorMessage(blocked),
              stackTrace: null,
              durationMs: 0
            }
          : this.runMethod(cls, m);
        tests.push(r);
        this.opts.onResult?.(r);
      }
    }
    const summary = {
      passed: tests.filter((t) => t.outcome === 'Pass').length,
      failed: tests.filter((t) => t.outcome === 'Fail').length,
      notSupported: tests.filter((t) => t.outcome === 'NotSupported').length,
      total: tests.length,
      durationMs: Date.now() - started
    };
    const out: RunResult = { summary, tests };
    if (checked) out.compileErrors = checked.errors;
    if (this.opts.coverage) out.coverage = this.coverage();
    return out;
  }

  /** Line coverage of non-test classes and triggers: statement lines hit / statement lines. */
  coverage(): Record<string, { covered: number; total: number; uncoveredLines: number[] }> {
    const out: Record<string, { covered: number; total: number; uncoveredLines: number[] }> = {};
    for (const cls of this.classes) {
      if (cls.isTest || cls.outer) continue;
      const lines = executableLines(cls);
      if (!lines.size) continue;
      const hits = this.rt.coverageHits.get(cls.file) ?? new Set<number>();
      const uncovered = [...lines].filter((l) => !hits.has(l)).sort((a, b) => a - b);
      out[cls.name] = {
        covered: lines.size - uncovered.length,
        total: lines.size,
        uncoveredLines: uncovered
      };
    }
    for (const t of this.triggers) {
      const lines = new Set<number>();
      collectStatementLines(t.body, lines);
      if (!lines.size) continue;
      const hits = this.rt.coverageHits.get(t.file) ?? new Set<number>();
      const uncovered = [...lines].filter((l) => !hits.has(l)).sort((a, b) => a - b);
      out[t.name] = {
        covered: lines.size - uncovered.length,
        total: lines.size,
        uncoveredLines: uncovered
      };
    }
    return out;
  }

  /**
   * Pre-pass: the static check of every class and trigger; lists each compile error
   * (`Compile error: ...`) and every construct the runtime cannot compile.
   */
  listUnsupported(): string[] {
    const { errors, unsupported } = this.typecheck();
    return [...errors.map((e) => `${e.file}:${e.line}: ${compileErrorMessage(e)}`), ...unsupported];
  }
}

function executableLines(cls: ClassInfo): Set<number> {
  const lines = new Set<number>();
  const visit = (c: ClassInfo): void => {
    for (const list of c.methods.values())
      for (const m of list) if (m.body) collectStatementLines(m.body, lines);
    for (const m of c.ctors) if (m.body) collectStatementLines(m.body, lines);
    for (const f of c.fieldOrder) {
      if (f.init) lines.add(f.line);
      if (f.getter?.body) collectStatementLines(f.getter.body, lines);
      if (f.setter?.body) collectStatementLines(f.setter.body, lines);
    }
    for (const b of [...c.staticBlocks, ...c.instanceBlocks]) collectStatementLines(b, lines);
    for (const i of c.inner.values()) visit(i);
  };
  visit(cls);
  return lines;
}

/** Lines where a statement (other than a plain block) starts. */
export function collectStatementLines(node: ApexParserRuleContext, out: Set<number>): void {
  if (node instanceof StatementContext && !node.block()) out.add(node.start.line);
  const children = (node as unknown as { children: unknown[] | null }).children;
  if (!children) return;
  for (const c of children) {
    if (
      c &&
      typeof c === 'object' &&
      'start' in (c as object) &&
      (c as { children?: unknown }).children !== undefined
    ) {
      collectStatementLines(c as ApexParserRuleContext, out);
    }
  }
}
