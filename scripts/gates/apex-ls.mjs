#!/usr/bin/env node
// Semantic gate: runs the apex-dev-tools checker (apex-ls, bundled with the Code Analyzer PMD
// engine) over the SFDX project. Exit 0 means no issues; anything else fails the gate.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const jars = path.join(
  root,
  'node_modules',
  '@salesforce',
  'code-analyzer-pmd-engine',
  'dist',
  'java-lib',
  '*'
);
const res = spawnSync(
  'java',
  ['-cp', jars, 'io.github.apexdevtools.apexls.CheckForIssues', '-n', '-w', root],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
);
if (res.error) {
  console.error(
    `apex-ls: could not start java (${res.error.message}). Install a JDK 11+ (Java 17 is used in CI).`
  );
  process.exit(1);
}
const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
if (out) console.log(out);
console.log(`apex-ls: exit ${res.status}`);
process.exit(res.status === 0 ? 0 : 1);
