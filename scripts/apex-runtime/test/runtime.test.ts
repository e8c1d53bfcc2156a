// End-to-end tests of the runtime: the conformance suite passes, and failures, platform
// exceptions and unsupported constructs get the outcome the strictness rules demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestSession } from '../runner.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function project(classes: Record<string, string>, triggers: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-runtime-'));
  const cls = path.join(dir, 'force-app', 'main', 'default', 'classes');
  mkdirSync(cls, { recursive: true });
  writeFileSync(
    path.join(dir, 'sfdx-project.json'),
    JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }] })
  );
  for (const [name, body] of Object.entries(classes)) {
    writeFileSync(path.join(cls, `${name}.cls`), body);
  }
  const trg = path.join(dir, 'force-app', 'main', 'default', 'triggers');
  mkdirSync(trg, { recursive: true });
  for (const [name, body] of Object.entries(triggers)) {
    writeFileSync(path.join(trg, `${name}.trigger`), body);
  }
  return dir;
}

test('the conformance suite passes', () => {
  const session = new TestSession({ projectDir: path.join(here, '..', 'conformance') });
  const result = session.run();
  const bad = result.tests.filter((t) => t.outcome !== 'Pass');
  assert.deepEqual(
    bad.map((t) => `${t.className}.${t.methodName}: ${t.message}`),
    [],
    'every conformance test passes'
  );
  assert.ok(
    result.summary.passed >= 100,
    `at least 100 conformance tests ran (${result.summary.passed})`
  );
});

test('failures read like the platform and unsupported code is never a pass', () => {
  const dir = project({
    Probe_Tests: `@IsTest
private class Probe_Tests {
  @IsTest
  static void fails() {
    System.Assert.areEqual(1, 2, 'numbers');
  }
  @IsTest
  static void throws() {
    List<Integer> l = new List<Integer>();
    l.get(0);
  }
  @IsTest
  static void unsupported() {
    Integer i = 1;
    i.someMethodThatDoesNotExist();
  }
  @IsTest
  static void passes() {
    System.Assert.areEqual(3, 7 / 2, 'integer division');
  }
}`,
    Util: `public class Util {
  public static Integer twice(Integer x) {
    return x * 2;
  }
  public static Integer unused() {
    return 0;
  }
}`,
    Util_Tests: `@IsTest
private class Util_Tests {
  @IsTest
  static void twice() {
    System.Assert.areEqual(4, Util.twice(2), 'twice');
  }
}`
  });
  const session = new TestSession({ projectDir: dir, coverage: true });
  const r = session.run();
  const by = new Map(r.tests.map((t) => [t.methodName, t]));
  assert.equal(by.get('fails')?.outcome, 'Fail');
  assert.equal(
    by.get('fails')?.message,
    'System.AssertException: Assertion Failed: numbers: Expected: 1, Actual: 2'
  );
  assert.match(by.get('fails')?.stackTrace ?? '', /Class\.Probe_Tests\.fails: line 5, column 1/);
  assert.equal(by.get('throws')?.outcome, 'Fail');
  assert.equal(by.get('throws')?.message, 'System.ListException: List index out of bounds: 0');
  assert.equal(by.get('unsupported')?.outcome, 'NotSupported');
  assert.match(by.get('unsupported')?.message ?? '', /someMethodThatDoesNotExist/);
  assert.equal(by.get('passes')?.outcome, 'Pass');
  assert.deepEqual(r.coverage?.Util, { covered: 1, total: 2, uncoveredLines: [6] });
});

test('member visibility follows the access modifiers and @TestVisible', () => {
  const dir = project({
    Vis: `public class Vis {
  static Integer hidden() { return 1; }
  @TestVisible
  static Integer opened() { return 2; }
  public Integer count { get; private set; }
  private Vis(Integer x) {}
  public Vis() {}
}`,
    Vis_Tests: `@IsTest
private class Vis_Tests {
  @IsTest static void hiddenCall() { System.Assert.areEqual(1, Vis.hidden(), 'x'); }
  @IsTest static void openedCall() { System.Assert.areEqual(2, Vis.opened(), 'x'); }
  @IsTest static void setter() { Vis v = new Vis(); v.count = 3; }
  @IsTest static void ctor() { Vis v = new Vis(1); }
}`
  });
  // without the static check, so that each visibility error shows in the test that reaches it
  const r = new TestSession({ projectDir: dir, typecheck: false }).run();
  const by = new Map(r.tests.map((t) => [t.methodName, t]));
  assert.match(by.get('hiddenCall')?.message ?? '', /Method is not visible: Vis.hidden/);
  assert.equal(by.get('openedCall')?.outcome, 'Pass');
  assert.match(by.get('setter')?.message ?? '', /Variable is not writable: Vis.count/);
  assert.match(by.get('ctor')?.message ?? '', /Constructor is not visible/);
});

test('an unhandled exception in a trigger fails the DML statement like the platform', () => {
  const dir = project(
    {
      Boom_Tests: `@IsTest
private class Boom_Tests {
  @IsTest
  static void statement() {
    try {
      insert new Account(Name = 'x');
      System.Assert.fail('must throw');
    } catch (DmlException e) {
      System.Assert.isTrue(e.getMessage().startsWith('Insert failed. First exception on row 0; first error: CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY, Boom: execution of BeforeInsert'), e.getMessage());
      System.Assert.isTrue(e.getMessage().contains('caused by: System.NullPointerException'), e.getMessage());
    }
    System.Assert.areEqual(0, [SELECT COUNT() FROM Account], 'rolled back');
  }
  @IsTest
  static void partial() {
    List<Database.SaveResult> r = Database.insert(new List<Account>{ new Account(Name = 'x') }, false);
    System.Assert.isFalse(r[0].isSuccess(), 'failed row');
    System.Assert.areEqual(System.StatusCode.CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY, r[0].getErrors()[0].getStatusCode(), 'status');
  }
}`
    },
    {
      Boom: `trigger Boom on Account(before insert) {
  String s = null;
  s.length();
}`
    }
  );
  const r = new TestSession({ projectDir: dir }).run();
  assert.deepEqual(
    r.tests.filter((t) => t.outcome !== 'Pass').map((t) => `${t.methodName}: ${t.message}`),
    []
  );
});
