// The browser gate: builds the preview, serves it on 127.0.0.1 and runs every *.spec.ts in this
// folder with node:test against Debian's chromium (playwright-core). Screenshots land in
// build/browser/. Exit code is the specs' exit code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { build, root } from './build.ts';
import { serve } from './server.ts';

export const CHROMIUM = process.env.STL_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  console.error(
    `browser: no chromium at ${CHROMIUM}. Install it with "apt-get update && apt-get install -y chromium" (.ci/run does), or set STL_CHROMIUM.`
  );
  process.exit(1);
}

const started = Date.now();
await build();
console.log(`browser: built the preview in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const { server, url } = await serve();
const specs = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.spec.ts'))
  .map((f) => path.join(import.meta.dirname, f));
// node:test runs in a child process; spawn (not spawnSync) keeps this process's server answering.
const result = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...specs],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, STL_PREVIEW_URL: url, STL_CHROMIUM: CHROMIUM }
    }
  );
  child.on('exit', (code) => resolve(code ?? 1));
});
server.close();
process.exit(result);
