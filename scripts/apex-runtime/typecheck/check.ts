// The whole-project static check that runs before any test, as the platform compiles every
// class when it is saved or deployed. Every class, inner class, trigger, method, constructor,
// property accessor, initialiser block and field initialiser is compiled once in check mode
// (MethodCompiler with a diagnostics list): each expression gets its static type and the
// platform's compile errors are collected with file and line. Bodies that compile cleanly are
// kept on their MethodInfo, so the test run does not compile them again.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BlockContext,
  ExpressionContext,
  FieldDeclarationContext,
  StatementContext,
  type ApexParserRuleContext
} from '@apexdevtools/apex-parser';
import { NotSupportedLocally } from '../values.ts';
import type { ClassInfo, MethodInfo } from '../model.ts';
import { newClass, type TriggerInfo } from '../loader.ts';
import type { Interpreter } from '../interpreter.ts';
import { MethodCompiler, type Diagnostic } from '../compiler.ts';
import { blockCompletes } from './flow.ts';

/** One compile error, located like the platform's deploy report. */
export interface CompileProblem {
  /** the top-level class or trigger the file defines */
  unit: string;
  file: string;
  line: number;
  message: string;
}

export interface TypecheckResult {
  errors: CompileProblem[];
  /** constructs the runtime cannot compile, as `Class.member: NotSupportedLocally: ...` */
  unsupported: string[];
  /**
   * top-level class or trigger name (lower case) → the error that keeps it from compiling:
   * its own first error, or that of a class it references (directly or through others)
   */
  blocked: Map<string, CompileProblem>;
}

/** `Compile error: <message> (<Class>: line N)`, the outcome message of a blocked test. */
export function compileErrorMessage(p: CompileProblem): string {
  return `Compile error: ${p.message} (${p.unit}: line ${p.line})`;
}

function topOf(c: ClassInfo): ClassInfo {
  let t = c;
  while (t.outer) t = t.outer;
  return t;
}

export function typecheckProject(
  rt: Interpreter,
  projectDir: string,
  classes: ClassInfo[],
  triggers: TriggerInfo[]
): TypecheckResult {
  const errors: CompileProblem[] = [];
  const unsupported: string[] = [];

  const run = (
    unit: string,
    file: string,
    label: string,
    mc: MethodCompiler,
    body: (mc: MethodCompiler) => void
  ): boolean => {
    const diagnostics: Diagnostic[] = [];
    const collected: string[] = [];
    mc.diagnostics = diagnostics;
    mc.collect = collected;
    try {
      body(mc);
    } catch (e) {
      mc.degraded = true;
      if (e instanceof NotSupportedLocally) collected.push(e.message);
      else throw e;
    }
    for (const d of diagnostics) errors.push({ unit, file, line: d.line, message: d.message });
    for (const msg of collected) unsupported.push(`${label}: ${msg}`);
    return diagnostics.length === 0 && !mc.degraded;
  };

  const compiler = (cls: ClassInfo, isStatic: boolean): MethodCompiler =>
    new MethodCompiler(rt, cls, isStatic, cls.lines, cls.file);

  /** Compiles a method or accessor body; keeps the result when it compiled cleanly. */
  const method = (cls: ClassInfo, m: MethodInfo, label: string, accessorOf?: string): void => {
    if (!m.body) return;
    const unit = topOf(cls).name;
    const mc = compiler(cls, m.isStatic);
    mc.returnType = m.returnType;
    if (accessorOf) mc.accessorOf = accessorOf;
    let compiled: ReturnType<MethodCompiler['block']> | null = null;
    const block = m.body as BlockContext;
    const clean = run(unit, cls.file, label, mc, () => {
      for (const p of m.params) {
        mc.checkType(p.type, nodeAtLine(m.line));
        mc.declare(p.name, rt.resolveTypeName(p.type, cls));
      }
      compiled = mc.block(block);
    });
    if (m.returnType.toLowerCase() !== 'void' && blockCompletes(block)) {
      errors.push({
        unit,
        file: cls.file,
        line: block.stop?.line ?? m.line,
        message: `Missing return statement required return type: ${m.returnType}`
      });
    } else if (clean && compiled && !m.compiled && !m.isConstructor) {
      m.compiled = { body: compiled, slots: mc.slotCount };
    }
  };

  const visit = (cls: ClassInfo): void => {
    const unit = topOf(cls).name;
    for (const list of cls.methods.values()) {
      for (const m of list) {
        if (!m.body) {
          const mc = compiler(cls, m.isStatic);
          run(unit, cls.file, `${cls.name}.${m.name}`, mc, () => {
            for (const p of m.params) mc.checkType(p.type, nodeAtLine(m.line));
            mc.checkType(m.returnType, nodeAtLine(m.line));
          });
          continue;
        }
        const mc = compiler(cls, m.isStatic);
        run(unit, cls.file, `${cls.name}.${m.name}`, mc, () =>
          mc.checkType(m.returnType, nodeAtLine(m.line))
        );
        method(cls, m, `${cls.name}.${m.name}`);
      }
    }
    for (const c of cls.ctors) method(cls, c, `${cls.name}.<init>`);
    for (const f of cls.fieldOrder) {
      const label = `${cls.name}.${f.name}`;
      const mc = compiler(cls, f.isStatic);
      run(unit, cls.file, label, mc, () => {
        mc.checkType(f.type, nodeAtLine(f.line));
        if (!f.init) return;
        const init = f.init as ExpressionContext;
        const t = mc.expr(init);
        mc.checkAssign(t.type, rt.resolveTypeName(f.type, cls), init);
      });
      if (f.getter) method(cls, f.getter, `${label}.get`, f.name.toLowerCase());
      if (f.setter) method(cls, f.setter, `${label}.set`, f.name.toLowerCase());
    }
    for (const b of cls.staticBlocks) {
      run(unit, cls.file, `${cls.name}.<clinit>`, compiler(cls, true), (mc) => {
        mc.block(b as BlockContext);
      });
    }
    for (const b of cls.instanceBlocks) {
      run(unit, cls.file, `${cls.name}.<init>`, compiler(cls, false), (mc) => {
        mc.block(b as BlockContext);
      });
    }
    for (const i of cls.inner.values()) visit(i);
  };

  for (const c of classes) if (!c.outer) visit(c);

  for (const t of triggers) {
    const cls = newClass(t.name, t.name, 'class', null, t.file);
    const members = (
      t.body as unknown as {
        triggerBlockMember_list(): {
          statement(): StatementContext | null;
          triggerMemberDeclaration(): { fieldDeclaration(): FieldDeclarationContext | null } | null;
        }[];
      }
    ).triggerBlockMember_list();
    run(t.name, t.file, `Trigger.${t.name}`, compiler(cls, true), (mc) => {
      for (const m of members) {
        const s = m.statement();
        const field = m.triggerMemberDeclaration()?.fieldDeclaration() ?? null;
        if (s) mc.statement(s);
        else if (field) mc.triggerVariable(field);
      }
    });
  }

  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { errors, unsupported, blocked: blockedUnits(projectDir, classes, triggers, errors) };
}

/** A stand-in node for messages about a declaration: only its line is used. */
function nodeAtLine(line: number): ApexParserRuleContext {
  return { start: { line } } as unknown as ApexParserRuleContext;
}

/**
 * Units that cannot compile: those with errors, then (to a fixed point) every unit whose
 * source mentions the name of a blocked one. A mention is an identifier equal to the name, so
 * the set may be larger than the platform's (a local variable named like a class), never
 * smaller.
 */
function blockedUnits(
  projectDir: string,
  classes: ClassInfo[],
  triggers: TriggerInfo[],
  errors: CompileProblem[]
): Map<string, CompileProblem> {
  const blocked = new Map<string, CompileProblem>();
  for (const e of errors) {
    const key = e.unit.toLowerCase();
    if (!blocked.has(key)) blocked.set(key, e);
  }
  if (!blocked.size) return blocked;
  const units = [
    ...classes.filter((c) => !c.outer).map((c) => ({ name: c.name, file: c.file })),
    ...triggers.map((t) => ({ name: t.name, file: t.file }))
  ].map((u) => ({ key: u.name.toLowerCase(), words: identifiers(path.join(projectDir, u.file)) }));
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (blocked.has(u.key)) continue;
      for (const [name, problem] of blocked) {
        if (u.words.has(name)) {
          blocked.set(u.key, problem);
          grew = true;
          break;
        }
      }
    }
  }
  return blocked;
}

function identifiers(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Set();
  }
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  return new Set((code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).map((w) => w.toLowerCase()));
}
