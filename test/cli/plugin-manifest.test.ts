// `stl` as an sf plugin (`sf plugins link .`): the package.json oclif manifest sf's plugin loader
// reads, checked offline. Linking into the project's own sf was tried and does not finish here
// (see docs/CLI.md), so this checks the shape sf needs rather than a live link.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    assert.deepEqual(Object.keys(table).sort(), ['audit', 'deploy', 'docs', 'doctor', 'seed']);
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
});
