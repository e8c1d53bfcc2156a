// `stl` as an sf plugin (`sf plugins link .`): the package.json oclif manifest sf's plugin loader
// reads, and the command list loaded the way sf loads a linked ESM plugin (a plain `import` of the
// manifest's JavaScript target, no TypeScript loader). A live link (about 40 s, and it touches the
// sf data folder) is a manual step documented in docs/CLI.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { SfCommand } from '@salesforce/sf-plugins-core';
import { ROOT } from './support/run-stl.ts';

interface Manifest {
  name: string;
  type?: string;
  bin?: Record<string, string>;
  devDependencies?: Record<string, string>;
  oclif?: {
    bin?: string;
    topicSeparator?: string;
    topics?: Record<string, { description: string }>;
    commands?: { strategy: string; target: string; identifier: string };
  };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('the oclif plugin manifest', () => {
  it('names a bin that exists and an ESM package sf can transpile through tsx', () => {
    assert.equal(pkg.oclif?.bin, 'stl');
    assert.ok(pkg.bin?.stl, 'package.json bin.stl');
    assert.ok(existsSync(join(ROOT, pkg.bin.stl)), `${pkg.bin.stl} exists`);
    assert.equal(pkg.type, 'module');
    // oclif transpiles a linked ESM TypeScript plugin only when tsx is a devDependency
    assert.ok(pkg.devDependencies?.tsx, 'tsx is a devDependency');
    assert.equal(pkg.oclif?.topicSeparator, ' ');
  });

  it('resolves every command through the explicit commands file', async () => {
    const commands = pkg.oclif?.commands;
    assert.equal(commands?.strategy, 'explicit');
    assert.ok(commands?.target && existsSync(join(ROOT, commands.target)), 'the target exists');
    const mod = (await import(join(ROOT, commands.target))) as Record<string, unknown>;
    const table = mod[commands.identifier] as Record<string, unknown>;
    // this test process is not the standalone bin: ids under the stl topic, as in `sf stl audit`
    assert.deepEqual(Object.keys(table).sort(), [
      'stl:audit',
      'stl:deploy',
      'stl:docs',
      'stl:doctor',
      'stl:seed'
    ]);
    for (const [id, command] of Object.entries(table)) {
      assert.equal(typeof command, 'function', `${id} is a class`);
      const cls = command as typeof SfCommand & { summary?: string; flags?: object };
      assert.ok(cls.prototype instanceof SfCommand, `${id} extends SfCommand`);
      assert.ok(cls.summary && cls.summary.length > 10, `${id} has a summary`);
      assert.ok(cls.flags, `${id} declares flags`);
      // a command id with a topic (`x:y` or `x y`) would need a topics entry
      const topic = id.split(/[: ]/).length > 1 ? id.split(/[: ]/)[0] : null;
      if (topic) assert.ok(pkg.oclif?.topics?.[topic], `topic ${topic} is described`);
    }
  });

  it('loads the commands in a plain node process, as sf imports a linked plugin', () => {
    const target = pkg.oclif?.commands?.target ?? '';
    assert.match(target, /\.js$/, 'sf imports the target without a TypeScript loader');
    const script = `const m = await import(${JSON.stringify(join(ROOT, target))});
      console.log(JSON.stringify(Object.entries(m.default).map(([id, c]) => [id, typeof c, c.summary ? 'summary' : ''])));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' }
    });
    assert.equal(run.status, 0, run.stderr);
    const loaded = JSON.parse(run.stdout.trim().split('\n').pop() ?? '[]') as string[][];
    assert.deepEqual(loaded.map(([id]) => id).sort(), [
      'stl:audit',
      'stl:deploy',
      'stl:docs',
      'stl:doctor',
      'stl:seed'
    ]);
    for (const [id, kind, summary] of loaded) {
      assert.equal(kind, 'function', `${id} is a command class`);
      assert.equal(summary, 'summary', `${id} has its summary`);
    }
  });
});
