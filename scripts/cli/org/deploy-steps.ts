/**
 * The steps of `stl deploy` after the source deploy: assign permission sets (REST, with
 * Sforce-Auto-Assign: FALSE like every write) and start the dispatcher through anonymous Apex.
 * The source deploy itself runs the Salesforce CLI (`sf project deploy start`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OrgConnection } from '../audit/org-source.ts';
import { AUTO_ASSIGN_HEADER } from '../seed/org-writer.ts';
import { PROJECT_ROOT } from '../rules-source.ts';

export class DeployStepError extends Error {
  constructor(
    message: string,
    readonly step: string
  ) {
    super(message);
    this.name = 'DeployStepError';
  }
}

export interface SourceDeployResult {
  status: string;
  componentCount: number;
  id?: string;
}

/** The sf executable: STL_SF_BIN, else the project's own node_modules/.bin/sf, else `sf` on PATH. */
export function sfBinary(): string {
  if (process.env.STL_SF_BIN) return process.env.STL_SF_BIN;
  const local = join(PROJECT_ROOT, 'node_modules', '.bin', 'sf');
  return existsSync(local) ? local : 'sf';
}

interface DeployJson {
  status: number;
  message?: string;
  name?: string;
  result?: {
    id?: string;
    status?: string;
    success?: boolean;
    numberComponentsDeployed?: number;
    files?: unknown[];
    details?: {
      componentFailures?:
        | { fullName?: string; problem?: string; fileName?: string; lineNumber?: number }[]
        | object;
    };
  };
}

export async function deploySource(
  username: string,
  sourceDir: string,
  waitMinutes: number
): Promise<SourceDeployResult> {
  const args = [
    'project',
    'deploy',
    'start',
    '--source-dir',
    sourceDir,
    '--target-org',
    username,
    '--wait',
    String(waitMinutes),
    '--json'
  ];
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(sfBinary(), args, {
      env: {
        ...process.env,
        SF_DISABLE_TELEMETRY: 'true',
        SF_AUTOUPDATE_DISABLE: 'true',
        SF_SKIP_NEW_VERSION_CHECK: 'true'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? 1, stdout: out, stderr: err }));
  }).catch((e: Error) => {
    throw new DeployStepError(`could not run ${sfBinary()}: ${e.message}`, 'deploy');
  });
  let parsed: DeployJson;
  try {
    parsed = JSON.parse(stdout) as DeployJson;
  } catch {
    throw new DeployStepError(
      `sf project deploy start exited ${code} without JSON output: ${(stderr || stdout).trim().slice(0, 500)}`,
      'deploy'
    );
  }
  if (code !== 0 || parsed.status !== 0 || parsed.result?.success === false) {
    const raw = parsed.result?.details?.componentFailures;
    const failures = Array.isArray(raw) ? raw : raw ? [raw] : [];
    const detail = failures
      .slice(0, 10)
      .map(
        (f) => `${f.fileName ?? f.fullName}${f.lineNumber ? `:${f.lineNumber}` : ''}: ${f.problem}`
      )
      .join('; ');
    throw new DeployStepError(
      `the deploy failed${parsed.message ? `: ${parsed.message}` : ''}${detail ? ` (${detail})` : ''}`,
      'deploy'
    );
  }
  return {
    status: parsed.result?.status ?? 'Succeeded',
    componentCount: parsed.result?.numberComponentsDeployed ?? parsed.result?.files?.length ?? 0,
    id: parsed.result?.id
  };
}

export interface AssignmentResult {
  permissionSet: string;
  assignee: string;
  status: 'assigned' | 'already assigned';
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export async function assignPermissionSets(
  conn: OrgConnection,
  apiVersion: string,
  names: string[],
  assignees: string[],
  namespace: string | null
): Promise<AssignmentResult[]> {
  const sets = (
    await conn.query<{ Id: string; Name: string; NamespacePrefix: string | null }>(
      `SELECT Id, Name, NamespacePrefix FROM PermissionSet WHERE Name IN (${names.map(quote).join(', ')})`
    )
  ).records.filter((p) => (p.NamespacePrefix ?? null) === namespace);
  const missing = names.filter((n) => !sets.some((s) => s.Name === n));
  if (missing.length) {
    throw new DeployStepError(
      `permission set(s) not found in the org: ${missing.join(', ')}`,
      'permissions'
    );
  }
  const users = (
    await conn.query<{ Id: string; Username: string }>(
      `SELECT Id, Username FROM User WHERE Username IN (${assignees.map(quote).join(', ')}) AND IsActive = true`
    )
  ).records;
  const unknown = assignees.filter(
    (a) => !users.some((u) => u.Username.toLowerCase() === a.toLowerCase())
  );
  if (unknown.length)
    throw new DeployStepError(`no active user named ${unknown.join(', ')}`, 'permissions');
  const results: AssignmentResult[] = [];
  for (const set of sets) {
    for (const user of users) {
      try {
        await conn.request({
          method: 'POST',
          url: `/services/data/v${apiVersion}/sobjects/PermissionSetAssignment`,
          body: JSON.stringify({ AssigneeId: user.Id, PermissionSetId: set.Id }),
          headers: { 'Content-Type': 'application/json', ...AUTO_ASSIGN_HEADER }
        });
        results.push({ permissionSet: set.Name, assignee: user.Username, status: 'assigned' });
      } catch (e) {
        const err = e as { errorCode?: string; message?: string };
        if (err.errorCode === 'DUPLICATE_VALUE' || /duplicate/i.test(err.message ?? '')) {
          results.push({
            permissionSet: set.Name,
            assignee: user.Username,
            status: 'already assigned'
          });
        } else {
          throw new DeployStepError(
            `assigning ${set.Name} to ${user.Username} failed: ${err.errorCode ?? ''} ${err.message ?? e}`.trim(),
            'permissions'
          );
        }
      }
    }
  }
  return results;
}

interface ExecuteAnonymousResult {
  compiled: boolean;
  success: boolean;
  compileProblem: string | null;
  exceptionMessage: string | null;
  line: number;
  column: number;
}

/** Runs `StlDispatcher.ensureScheduled()` as anonymous Apex (Tooling API executeAnonymous). */
export async function startDispatcher(
  conn: OrgConnection,
  apiVersion: string,
  namespace: string | null
): Promise<string> {
  const body = `${namespace ? `${namespace}.` : ''}StlDispatcher.ensureScheduled();`;
  const res = await conn.request<ExecuteAnonymousResult>({
    method: 'GET',
    url: `/services/data/v${apiVersion}/tooling/executeAnonymous/?anonymousBody=${encodeURIComponent(body)}`
  });
  if (!res.compiled) {
    throw new DeployStepError(
      `${body} did not compile (line ${res.line}, column ${res.column}): ${res.compileProblem}`,
      'dispatcher'
    );
  }
  if (!res.success)
    throw new DeployStepError(`${body} failed: ${res.exceptionMessage}`, 'dispatcher');
  return body;
}
