// The static check of the local Apex runtime: every deliberately broken fixture class reports
// the platform's compile error at the marked line (and nothing else), tests of classes that do
// not compile fail without running, valid overloads resolve as Apex resolves them, and the
// package and the conformance project compile cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApexParserFactory } from '@apexdevtools/apex-parser';
import { TestSession } from '../runner.ts';
import { assignable, resolveOverload, type TypeEnv } from '../typecheck/rules.ts';
import { blockCompletes } from '../typecheck/flow.ts';
import type { ClassInfo } from '../model.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'compile-errors');
const classesDir = path.join(fixture, 'force-app', 'main', 'default', 'classes');

/** `File.cls:line: message` for every `// expect: message` comment of the fixture classes. */
function expectedErrors(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(classesDir).filter((f) => f.endsWith('.cls'))) {
    readFileSync(path.join(classesDir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /\/\/ expect: (.*)$/.exec(text);
        if (m) out.push(`${file}:${i + 1}: ${m[1].trim()}`);
      });
  }
  return out.sort();
}

test('each broken fixture class reports the platform compile error at its line', () => {
  const expected = expectedErrors();
  assert.ok(expected.length >= 20, `the fixtures mark at least 20 errors (${expected.length})`);
  const session = new TestSession({ projectDir: fixture, typecheck: true });
  const actual = session
    .typecheck()
    .errors.map((e) => `${path.basename(e.file)}:${e.line}: ${e.message}`)
    .sort();
  assert.deepEqual(actual, expected);
});

test('tests of a class that does not compile fail with its compile error; others run', () => {
  const session = new TestSession({ projectDir: fixture, typecheck: true });
  const r = session.run();
  const by = new Map(r.tests.map((t) => [t.className, t]));
  const broken = by.get('CeBroken_Tests');
  assert.equal(broken?.outcome, 'Fail');
  assert.equal(
    broken?.message,
    'Compile error: Variable does not exist: summ (CeVariables: line 4)'
  );
  assert.equal(by.get('CeHelper_Tests')?.outcome, 'Pass', by.get('CeHelper_Tests')?.message ?? '');
  const overloads = by.get('CeOverloads_Tests');
  assert.equal(overloads?.outcome, 'Pass', overloads?.message ?? '');
  assert.equal(r.compileErrors?.length, expectedErrors().length);
  const listed = session.listUnsupported();
  assert.ok(
    listed.includes(
      'force-app/main/default/classes/CeVariables.cls:4: Compile error: Variable does not exist: summ (CeVariables: line 4)'
    ),
    'the pre-pass lists compile errors with file and line'
  );
});

test('without the static check, only the tests reaching the broken code fail', () => {
  const r = new TestSession({ projectDir: fixture, typecheck: false }).run();
  assert.equal(r.compileErrors, undefined);
  const broken = r.tests.find((t) => t.className === 'CeBroken_Tests');
  assert.equal(broken?.outcome, 'NotSupported');
  assert.match(broken?.message ?? '', /summ/);
});

test('an Integer literal out of range is a compile error (prettier-plugin-apex rejects it too)', () => {
  // kept out of the fixture folder: the prettier gate cannot parse such a class
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-typecheck-'));
  const cls = path.join(dir, 'force-app', 'main', 'default', 'classes');
  mkdirSync(cls, { recursive: true });
  writeFileSync(
    path.join(dir, 'sfdx-project.json'),
    JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }] })
  );
  writeFileSync(
    path.join(cls, 'Big.cls'),
    'public class Big {\n  public static Long value() {\n    return 3000000000;\n  }\n}\n'
  );
  const errors = new TestSession({ projectDir: dir, typecheck: true }).typecheck().errors;
  assert.deepEqual(
    errors.map((e) => `${e.unit}:${e.line}: ${e.message}`),
    ['Big:3: Illegal integer']
  );
});

test('the package and the conformance project have no compile errors', () => {
  for (const dir of [path.join(here, '..', '..', '..'), path.join(here, '..', 'conformance')]) {
    const errors = new TestSession({ projectDir: dir, typecheck: true }).typecheck().errors;
    assert.deepEqual(
      errors.map((e) => `${e.file}:${e.line}: ${e.message}`),
      [],
      `no compile errors in ${dir}`
    );
  }
});

const base = { name: 'Base' } as ClassInfo;
const derived = { name: 'Derived' } as ClassInfo;
const other = { name: 'Other' } as ClassInfo;
const env: TypeEnv = {
  projectClass: (n) => [base, derived, other].find((c) => c.name === n) ?? null,
  isConcreteSObject: (n) => n === 'Lead' || n === 'Task',
  derives: (a, b) => a === b || (a === derived && b === base)
};

test('assignability follows the Apex rules of conversion', () => {
  const cases: [string, string, string][] = [
    ['Integer', 'Integer', 'exact'],
    ['Integer', 'Long', 'widen'],
    ['Integer', 'Decimal', 'widen'],
    ['Long', 'Double', 'widen'],
    ['Decimal', 'Double', 'widen'],
    ['Long', 'Integer', 'no'],
    ['Decimal', 'Long', 'no'],
    ['Id', 'String', 'widen'],
    ['String', 'Id', 'widen'],
    ['String', 'Integer', 'no'],
    ['Boolean', 'String', 'no'],
    ['null', 'Integer', 'widen'],
    ['Derived', 'Base', 'widen'],
    ['Base', 'Derived', 'no'],
    ['Other', 'Base', 'no'],
    ['Lead', 'SObject', 'widen'],
    ['Lead', 'Task', 'no'],
    ['Lead', 'Object', 'widen'],
    ['List<String>', 'Set<String>', 'no'],
    ['List<String>', 'List<Integer>', 'no'],
    ['List<Lead>', 'Lead', 'unknown'],
    ['Object', 'String', 'unknown'],
    ['SObject', 'Lead', 'unknown'],
    ['Schema.DescribeFieldResult', 'String', 'unknown']
  ];
  for (const [from, to, verdict] of cases) {
    assert.equal(assignable(from, to, env), verdict, `${from} → ${to}`);
  }
});

test('overload resolution prefers exact matches, then the narrowest widening', () => {
  const m = (...types: string[]) => ({ params: types.map((type) => ({ type })), id: types });
  const cands = [m('Integer'), m('Long'), m('Decimal'), m('Object')];
  const pick = (arg: string, list = cands) =>
    resolveOverload(list, [arg], (c, i) => c.params[i].type, env).map((c) => c.id.join());
  assert.deepEqual(pick('Integer'), ['Integer']);
  assert.deepEqual(pick('Long'), ['Long']);
  assert.deepEqual(pick('String'), ['Object']);
  assert.deepEqual(pick('Integer', [m('Decimal'), m('Long')]), ['Long']);
  assert.deepEqual(pick('Derived', [m('Base'), m('Derived')]), ['Derived']);
  assert.deepEqual(pick('Base', [m('Base'), m('Derived')]), ['Base']);
  assert.deepEqual(pick('String', [m('Integer'), m('Base')]), [], 'nothing applies');
  assert.equal(pick('null', [m('String'), m('Base')]).length, 2, 'null is ambiguous');
});

test('reachability: a body completes unless every path returns, throws or loops forever', () => {
  const completes = (body: string): boolean =>
    blockCompletes(ApexParserFactory.createParser(`{ ${body} }`).block());
  assert.equal(completes('return 1;'), false);
  assert.equal(completes('if (a) { return 1; }'), true);
  assert.equal(completes('if (a) { return 1; } else { throw e; }'), false);
  assert.equal(completes('while (true) { x++; }'), false);
  assert.equal(completes('while (true) { break; }'), true);
  assert.equal(completes('while (true) { for (;;) { break; } }'), false);
  assert.equal(completes('try { return 1; } catch (Exception e) { x = 1; }'), true);
  assert.equal(completes('try { x = 1; } finally { return 2; }'), false);
  assert.equal(completes('switch on a { when 1 { return 1; } when else { return 2; } }'), false);
  assert.equal(completes('switch on a { when 1 { return 1; } }'), true);
});
