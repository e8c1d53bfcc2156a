// A fake org on 127.0.0.1 with a logged-in sf auth store in a temporary HOME, for the org tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOrg, USERNAME } from './fake-org.ts';
import { healthyOrg } from './org-fixtures.ts';
import { login } from './run-stl.ts';

export interface OrgSession {
  org: FakeOrg;
  /** environment for runStl: the HOME whose auth store knows USERNAME */
  env: Record<string, string>;
  /** stops the server and removes the HOME */
  done: () => Promise<void>;
}

/** A healthy fake org (namespaced like the managed package, or not) and a login to it. */
export async function orgFor(namespace: boolean): Promise<OrgSession> {
  const org = new FakeOrg(healthyOrg(namespace));
  const url = await org.start();
  const home = mkdtempSync(join(tmpdir(), 'stl-home-'));
  const saved = await login(home, url, USERNAME);
  assert.equal(saved.code, 0, saved.stderr);
  return {
    org,
    env: { HOME: home },
    done: async () => {
      await org.stop();
      rmSync(home, { recursive: true, force: true });
    }
  };
}
