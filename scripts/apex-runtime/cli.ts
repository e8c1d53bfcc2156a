// `npm run test:apex`: runs the Apex test classes of an SFDX project on the local runtime.
//   --project <dir>        SFDX project directory (default: the current directory)
//   --class <Name>         run only this class (repeatable)
//   --json <file>          write results as JSON
//   --junit <file>         write results as JUnit XML
//   --coverage             measure line coverage of non-test classes and triggers
//   --min-coverage <pct>   exit non-zero when total coverage is below pct (implies --coverage)
//   --list-unsupported     pre-pass: list every compile error and every construct the runtime
//                          cannot compile, then exit
//   --no-typecheck         skip the static check that runs before the tests
// Before the tests, every class and trigger is checked statically (as a deploy compiles them):
// compile errors are printed, and the tests of classes that do not compile fail.
// Exit code: 0 when every test passes, there is no compile error (and coverage is high
// enough), 1 otherwise.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestSession, type RunResult, type TestResult } from './runner.ts';

interface Args {
  project: string;
  classes: string[];
  json: string | null;
  junit: string | null;
  coverage: boolean;
  minCoverage: number | null;
  listUnsupported: boolean;
  typecheck: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    project: process.cwd(),
    classes: [],
    json: null,
    junit: null,
    coverage: false,
    minCoverage: null,
    listUnsupported: false,
    typecheck: true
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--project':
        a.project = path.resolve(next());
        break;
      case '--class':
        a.classes.push(next());
        break;
      case '--json':
        a.json = next();
        break;
      case '--junit':
        a.junit = next();
        break;
      case '--coverage':
        a.coverage = true;
        break;
      case '--min-coverage': {
        const v = Number(next());
        if (!Number.isFinite(v) || v < 0 || v > 100)
          throw new Error('--min-coverage needs a number 0-100');
        a.minCoverage = v;
        a.coverage = true;
        break;
      }
      case '--list-unsupported':
        a.listUnsupported = true;
        break;
      case '--no-typecheck':
        a.typecheck = false;
        break;
      default:
        throw new Error(`Unknown option ${arg}`);
    }
  }
  return a;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function junit(r: RunResult): string {
  const byClass = new Map<string, TestResult[]>();
  for (const t of r.tests) byClass.set(t.className, [...(byClass.get(t.className) ?? []), t]);
  const suites = [...byClass].map(([cls, tests]) => {
    const failures = tests.filter((t) => t.outcome === 'Fail').length;
    const skipped = tests.filter((t) => t.outcome === 'NotSupported').length;
    const cases = tests.map((t) => {
      const time = (t.durationMs / 1000).toFixed(3);
      let body = '';
      if (t.outcome === 'Fail')
        body = `<failure message="${xml(t.message ?? '')}">${xml(t.stackTrace ?? '')}</failure>`;
      if (t.outcome === 'NotSupported') body = `<skipped message="${xml(t.message ?? '')}"/>`;
      return `    <testcase classname="${xml(cls)}" name="${xml(t.methodName)}" time="${time}">${body}</testcase>`;
    });
    return `  <testsuite name="${xml(cls)}" tests="${tests.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`test:apex: ${(e as Error).message}`);
    return 2;
  }
  const session = new TestSession({
    projectDir: args.project,
    classes: args.classes.length ? args.classes : undefined,
    coverage: args.coverage,
    typecheck: args.typecheck,
    onResult: (t) => {
      const mark = t.outcome === 'Pass' ? 'PASS' : t.outcome === 'Fail' ? 'FAIL' : 'NOT SUPPORTED';
      console.log(`${mark.padEnd(13)} ${t.className}.${t.methodName} (${t.durationMs} ms)`);
      if (t.outcome !== 'Pass') {
        console.log(`              ${t.message ?? ''}`);
        if (t.stackTrace) console.log(`              ${t.stackTrace}`);
      }
    }
  });
  if (args.listUnsupported) {
    const list = session.listUnsupported();
    for (const l of list) console.log(l);
    const errors = session.typecheck().errors.length;
    console.log(`${errors} compile error(s), ${list.length - errors} unsupported construct(s)`);
    return list.length ? 1 : 0;
  }
  if (args.classes.length) {
    const known = new Set(session.testClasses().map((c) => c.name.toLowerCase()));
    const missing = args.classes.filter((c) => !known.has(c.toLowerCase()));
    if (missing.length) {
      console.error(`test:apex: no @IsTest class named ${missing.join(', ')} in ${args.project}`);
      return 2;
    }
  }
  let compileErrors = 0;
  if (args.typecheck) {
    const checkStarted = Date.now();
    const { errors } = session.typecheck();
    compileErrors = errors.length;
    const took = ((Date.now() - checkStarted) / 1000).toFixed(1);
    if (errors.length) {
      console.log(`Compile errors (a deploy to an org would fail):`);
      for (const e of errors) console.log(`  ${e.file}:${e.line}: ${e.message}`);
      console.log(`${errors.length} compile error(s) (static check ${took} s)\n`);
    } else {
      console.log(`Static check: no compile errors (${took} s)`);
    }
  }
  const result = session.run();
  const s = result.summary;
  console.log(
    `\n${s.total} test(s): ${s.passed} passed, ${s.failed} failed, ${s.notSupported} not supported (${(s.durationMs / 1000).toFixed(1)} s)`
  );
  if (compileErrors) console.log(`${compileErrors} compile error(s): see the list above`);
  let ok = s.failed === 0 && s.notSupported === 0 && compileErrors === 0;
  if (result.coverage) {
    let covered = 0;
    let total = 0;
    for (const [name, c] of Object.entries(result.coverage).sort()) {
      covered += c.covered;
      total += c.total;
      console.log(
        `  coverage ${name.padEnd(40)} ${c.covered}/${c.total} (${((100 * c.covered) / c.total).toFixed(1)}%)`
      );
    }
    const pct = total ? (100 * covered) / total : 100;
    console.log(`Total line coverage: ${pct.toFixed(1)}% (${covered}/${total})`);
    if (args.minCoverage !== null && pct < args.minCoverage) {
      console.log(`Coverage ${pct.toFixed(1)}% is below the minimum ${args.minCoverage}%`);
      ok = false;
    }
  }
  if (args.json) write(args.json, JSON.stringify(result, null, 2) + '\n');
  if (args.junit) write(args.junit, junit(result));
  return ok ? 0 : 1;
}

process.exitCode = main();
