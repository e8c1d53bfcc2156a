#!/usr/bin/env node
// Metadata gate: the Salesforce CLI converts the package source into metadata API format.
// A malformed file (bad XML, unknown type, wrong folder) fails here as it would fail a deploy.
import { spawnSync } from 'node:child_process';
import { rmSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const out = path.join(root, 'build', 'mdapi');
rmSync(out, { recursive: true, force: true });
const env = {
  ...process.env,
  SF_DISABLE_TELEMETRY: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SF_SKIP_NEW_VERSION_CHECK: 'true',
  SF_HIDE_RELEASE_NOTES: 'true'
};
const res = spawnSync(
  path.join(root, 'node_modules', '.bin', 'sf'),
  [
    'project',
    'convert',
    'source',
    '--root-dir',
    'force-app',
    '--output-dir',
    'build/mdapi',
    '--json'
  ],
  { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
);
let parsed;
try {
  parsed = JSON.parse(res.stdout);
} catch {
  console.error(res.stdout, res.stderr);
  process.exit(1);
}
if (res.status !== 0 || parsed.status !== 0) {
  console.error(JSON.stringify(parsed, null, 2));
  process.exit(1);
}
const manifest = path.join(out, 'package.xml');
if (!existsSync(manifest)) {
  console.error('convert-source: no package.xml written');
  process.exit(1);
}
const members = (readFileSync(manifest, 'utf8').match(/<members>/g) ?? []).length;
console.log(`convert-source: ${members} members converted into build/mdapi`);
