// Runs the stl CLI as a child process, the way a user runs it, and parses --json output.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface StlRun {
  code: number;
  stdout: string;
  stderr: string;
  /** the --json envelope, when the output is JSON */
  json: {
    status: number;
    result?: Record<string, unknown>;
    warnings?: string[];
    name?: string;
    message?: string;
    actions?: string[];
  } | null;
}

export function runStl(args: string[], env: Record<string, string> = {}): Promise<StlRun> {
  return runNode([join(ROOT, 'bin', 'stl.js'), ...args], env);
}

/** Runs `node <nodeArgs>` from ROOT with the quiet sf environment and parses --json output. */
export function runNode(nodeArgs: string[], env: Record<string, string> = {}): Promise<StlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: {
        ...process.env,
        SF_DISABLE_TELEMETRY: 'true',
        SF_AUTOUPDATE_DISABLE: 'true',
        SF_SKIP_NEW_VERSION_CHECK: 'true',
        SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
        NODE_NO_WARNINGS: '1',
        FORCE_COLOR: '0',
        ...env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: StlRun['json'] = null;
      try {
        json = JSON.parse(stdout) as StlRun['json'];
      } catch {
        json = null;
      }
      resolve({ code: code ?? 1, stdout, stderr, json });
    });
  });
}

/** Saves a login for the fake org under `home` (the sf auth store of that HOME). */
export function login(home: string, instanceUrl: string, username: string): Promise<StlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'cli', 'support', 'login.ts'), instanceUrl, username],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          HOME: home,
          SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
          SF_DISABLE_TELEMETRY: 'true',
          NODE_NO_WARNINGS: '1'
        },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, json: null }));
  });
}
