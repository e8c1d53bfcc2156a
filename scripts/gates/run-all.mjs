#!/usr/bin/env node
// Runs every offline gate in order and fails if any fails. `npm test -- <gate> ...` runs a subset.
// Each gate streams its own output; the summary at the end names every gate and its time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function findFiles(dir, predicate, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) findFiles(full, predicate, out);
    else if (predicate(full)) out.push(full);
  }
  return out;
}

const unitTests = () => [
  ...findFiles(path.join(root, 'test'), (f) => f.endsWith('.test.ts')),
  ...findFiles(path.join(root, 'scripts'), (f) => f.endsWith('.test.ts'))
];
const lwcTests = () =>
  findFiles(path.join(root, 'force-app'), (f) => /__tests__\/.*\.test\.js$/.test(f));
const browserTests = () =>
  findFiles(path.join(root, 'test', 'browser'), (f) => f.endsWith('.spec.ts'));

/** @type {{name: string, run: () => (string[] | null), why?: string}[]} */
const gates = [
  { name: 'prettier', run: () => [bin('prettier'), '--check', '--log-level', 'warn', '.'] },
  { name: 'eslint', run: () => [bin('eslint'), '--max-warnings', '0', '.'] },
  { name: 'tsc', run: () => [bin('tsc'), '-p', 'tsconfig.json'] },
  { name: 'apex-parse', run: () => ['node', 'scripts/gates/apex-parse.mjs'] },
  { name: 'apex-ls', run: () => ['node', 'scripts/gates/apex-ls.mjs'] },
  { name: 'code-analyzer', run: () => ['node', 'scripts/gates/code-analyzer.mjs'] },
  { name: 'convert-source', run: () => ['node', 'scripts/gates/convert-source.mjs'] },
  {
    name: 'unit',
    run: () => {
      const files = unitTests();
      return files.length
        ? ['node', '--import', 'tsx', '--test', '--test-reporter=spec', ...files]
        : null;
    },
    why: 'no *.test.ts files under test/ or scripts/'
  },
  {
    name: 'lwc-jest',
    run: () => (lwcTests().length ? [bin('sfdx-lwc-jest')] : null),
    why: 'no LWC __tests__ under force-app'
  },
  {
    name: 'apex-tests',
    run: () =>
      existsSync(path.join(root, 'scripts', 'apex-runtime', 'cli.ts'))
        ? [
            'node',
            '--import',
            'tsx',
            'scripts/apex-runtime/cli.ts',
            '--coverage',
            '--min-coverage',
            '85'
          ]
        : null,
    why: 'the local Apex runtime (scripts/apex-runtime) is not built yet'
  },
  {
    name: 'browser',
    run: () => (browserTests().length ? ['node', '--import', 'tsx', 'test/browser/run.ts'] : null),
    why: 'no browser specs under test/browser'
  }
];

const only = process.argv.slice(2);
const selected = only.length ? gates.filter((g) => only.includes(g.name)) : gates;
const unknown = only.filter((name) => !gates.some((g) => g.name === name));
if (unknown.length) {
  console.error(
    `Unknown gate(s): ${unknown.join(', ')}. Known: ${gates.map((g) => g.name).join(', ')}`
  );
  process.exit(2);
}

const results = [];
for (const gate of selected) {
  const cmd = gate.run();
  if (!cmd) {
    results.push({ name: gate.name, status: 'skipped', seconds: 0, note: gate.why });
    continue;
  }
  console.log(`\n=== gate: ${gate.name} ===`);
  const started = Date.now();
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = (Date.now() - started) / 1000;
  const ok = res.status === 0;
  results.push({
    name: gate.name,
    status: ok ? 'passed' : 'failed',
    seconds,
    note: ok ? '' : `exit ${res.status ?? res.signal}`
  });
}

console.log('\n=== summary ===');
for (const r of results) {
  console.log(
    `${r.status.padEnd(8)} ${r.name.padEnd(15)} ${r.seconds.toFixed(1).padStart(6)}s ${r.note ?? ''}`
  );
}
const passed = results.filter((r) => r.status === 'passed').length;
const failed = results.filter((r) => r.status === 'failed').length;
const skipped = results.filter((r) => r.status === 'skipped').length;
console.log(`gates: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
