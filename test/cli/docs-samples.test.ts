// The committed hand-over samples (docs/samples/handover) must be what `stl docs` writes from the
// project today, formatted by prettier as the samples are: a rule, field, class or @covers change
// that forgets to regenerate them fails here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as prettier from 'prettier';
import { generateAll } from '../../scripts/lib/docs/generate.ts';
import { readProjectModel } from '../../scripts/lib/docs/model.ts';
import { writeDocuments } from '../../scripts/lib/docs/write.ts';
import { ROOT } from './support/run-stl.ts';

const SAMPLES = join(ROOT, 'docs', 'samples', 'handover');
const REGENERATE =
  'npx stl docs --out docs/samples/handover && npx prettier --write docs/samples/handover';

/** The text prettier makes of `text` as if it were the file at `samplePath`. */
async function formatted(text: string, samplePath: string): Promise<string> {
  const options = (await prettier.resolveConfig(samplePath)) ?? {};
  return prettier.format(text, { ...options, filepath: samplePath });
}

describe('the hand-over samples are fresh', () => {
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'stl-docs-fresh-'));
    writeDocuments(generateAll(readProjectModel(ROOT)), out);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('has exactly the files stl docs writes', () => {
    assert.deepEqual(
      readdirSync(SAMPLES).sort(),
      readdirSync(out).sort(),
      `docs/samples/handover does not hold the files stl docs writes; regenerate: ${REGENERATE}`
    );
  });

  it('matches what stl docs writes from the project now, file by file', async () => {
    const stale: string[] = [];
    for (const name of readdirSync(out).sort()) {
      const samplePath = join(SAMPLES, name);
      const expected = await formatted(readFileSync(join(out, name), 'utf8'), samplePath);
      let actual = '';
      try {
        actual = readFileSync(samplePath, 'utf8');
      } catch {
        actual = '(missing)';
      }
      if (actual !== expected) {
        const a = actual.split('\n');
        const e = expected.split('\n');
        const line = e.findIndex((l, i) => l !== a[i]);
        const [was, now] = [a[line] ?? '(end of file)', e[line] ?? '(end of file)'];
        let col = 0;
        while (col < was.length && was[col] === now[col]) col++;
        const around = (l: string) => l.slice(Math.max(0, col - 40), col + 80);
        stale.push(
          `${relative(ROOT, samplePath)} differs from the generated document at line ${line + 1}, column ${col + 1}:\n  sample:    ...${around(was)}\n  generated: ...${around(now)}`
        );
      }
    }
    assert.deepEqual(stale, [], `${stale.join('\n')}\nRegenerate the samples: ${REGENERATE}`);
  });
});
