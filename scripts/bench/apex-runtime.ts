// `npm run bench -- apex`: statements per second of the local Apex runtime against a plain JavaScript
// loop doing the same work, reported as a ratio (how many times slower the interpreter is).
// The Apex body runs as a test method of a throw-away SFDX project; only execution is timed
// (parsing and compilation happen in a warm-up run first).

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestSession } from '../apex-runtime/runner.ts';

/** Statements executed per loop iteration in both versions (the loop header counts as one). */
const STATEMENTS_PER_ITERATION = 6;

const apexSource = (iterations: number): string => `@IsTest
private class Bench_Tests {
  @IsTest
  static void loop() {
    Integer n = ${iterations};
    Integer sum = 0;
    List<Integer> items = new List<Integer>();
    Map<Integer, String> names = new Map<Integer, String>();
    for (Integer i = 0; i < n; i++) {
      sum = sum + i * 3 / 2;
      Integer m = Math.mod(i, 7);
      if (m == 0) {
        items.add(i);
      }
      names.put(m, 'k' + m);
    }
    System.Assert.areEqual(7, names.size(), 'seven keys');
    System.Assert.isTrue(items.size() > 0, 'items');
  }
}
`;

function jsLoop(n: number): number {
  let sum = 0;
  const items: number[] = [];
  const names = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    sum = (sum + Math.trunc((Math.imul(i, 3) | 0) / 2)) | 0;
    const m = i % 7;
    if (m === 0) {
      items.push(i);
    }
    names.set(m, 'k' + m);
  }
  if (names.size !== 7 || items.length === 0) throw new Error('JS loop computed the wrong result');
  return sum;
}

export function benchApexRuntime(iterations: number): void {
  const APEX = apexSource(iterations);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apex-bench-'));
  try {
    const cls = path.join(dir, 'force-app', 'main', 'default', 'classes');
    mkdirSync(cls, { recursive: true });
    writeFileSync(
      path.join(dir, 'sfdx-project.json'),
      JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }] })
    );
    writeFileSync(path.join(cls, 'Bench_Tests.cls'), APEX);
    const session = new TestSession({ projectDir: dir });
    const testCls = session.testClasses()[0];
    const method = session.testMethods(testCls)[0];
    const warm = session.runMethod(testCls, method);
    if (warm.outcome !== 'Pass') throw new Error(`benchmark test did not pass: ${warm.message}`);

    const runs = 3;
    let apexMs = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const res = session.runMethod(testCls, method);
      apexMs = Math.min(apexMs, performance.now() - t0);
      if (res.outcome !== 'Pass') throw new Error(`benchmark test failed: ${res.message}`);
    }
    let jsMs = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      jsLoop(iterations);
      jsMs = Math.min(jsMs, performance.now() - t0);
    }
    const statements = iterations * STATEMENTS_PER_ITERATION;
    const apexRate = statements / (apexMs / 1000);
    const jsRate = statements / (jsMs / 1000);
    console.log(`iterations:            ${iterations}`);
    console.log(`statements:            ${statements}`);
    console.log(
      `Apex runtime:          ${apexMs.toFixed(1)} ms, ${Math.round(apexRate).toLocaleString('en-US')} statements/s`
    );
    console.log(
      `plain JavaScript loop: ${jsMs.toFixed(1)} ms, ${Math.round(jsRate).toLocaleString('en-US')} statements/s`
    );
    console.log(`ratio (JS / Apex):     ${(jsRate / apexRate).toFixed(1)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
