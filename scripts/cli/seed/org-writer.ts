/**
 * Writes generated seed data into an org through the REST API's sObject Collections, 200 records
 * a request, every request with `Sforce-Auto-Assign: FALSE` so the org's assignment rules never
 * run. Users cannot be created freely (licences), so the generated reps are mapped onto the org's
 * existing active users and the generated queues onto its Lead queues.
 *
 * Leads are created with the values they had at creation (first owner, first engagement time,
 * first lead source, from the generated LeadHistory), then every recorded save is replayed as an
 * update in time order, one update of a lead per request. The engagement time goes into the org's
 * configured engagement source field (its `StlSetting__mdt`, else the generator's field), resolved
 * with or without the `stlead__` namespace; a Lead without that field gets a warning, not a write.
 * The converted leads' opportunities are created, but the leads stay unconverted: `IsConverted`
 * and the `Converted...Id` fields cannot be written through the REST API (conversion is Apex
 * `Database.convertLead` or the SOAP `convertLead()` call), so the result and a warning say so.
 *
 * Unless told otherwise, the writes run under the package's trigger bypass: the running user gets
 * the `StlTriggerBypass` permission set (custom permission `StlBypassTriggers`, which makes every
 * trigger action skip) for the duration of the writes, so the package does not stamp the records
 * as they land. An assignment this writer created is deleted afterwards, also when a write fails;
 * an assignment that existed before is left alone.
 */
import type { SeedData } from '../../lib/seed.ts';
import { readOrgSettings, resolveFields, type OrgConnection } from '../audit/org-source.ts';

export const AUTO_ASSIGN_HEADER = { 'Sforce-Auto-Assign': 'FALSE' } as const;

export interface OrgSeedOptions {
  connection: OrgConnection;
  apiVersion: string;
  /** also set CreatedDate (needs "Set Audit Fields upon Record Creation" for the running user) */
  keepDates: boolean;
  /** seed under the StlTriggerBypass permission set (default true) */
  bypass?: boolean;
  onProgress?: (message: string) => void;
}

export interface OrgSeedResult {
  users: number;
  queues: number;
  created: Record<string, number>;
  ownerChanges: number;
  /** the Lead field the engagement times went into (null: the org's Lead has no such field) */
  engagementField: string | null;
  /** later engagement times replayed as updates (re-engagements) */
  engagementUpdates: number;
  /** opportunities created for converted leads; those leads are not converted (see warnings) */
  opportunities: { created: number; leadsNotConverted: number };
  failures: { object: string; sourceId: string; message: string }[];
  /** what the org could not receive as generated, in words */
  warnings: string[];
  bypass: BypassUse;
}

/**
 * How the trigger bypass was used: `created` (assigned for the run and removed after), `existing`
 * (the running user already held it; kept), `off` (`--no-bypass`).
 */
export interface BypassUse {
  mode: 'created' | 'existing' | 'off';
  permissionSet?: string;
  assignmentId?: string;
}

export const BYPASS_PERMISSION_SET = 'StlTriggerBypass';
const NAMESPACE = 'stlead';

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields?: string[] }[];
}

export class SeedOrgError extends Error {
  constructor(
    message: string,
    /** `BypassMissing`, `BypassAssign`, `BypassRemove` or `Seed` */
    readonly code: string = 'Seed'
  ) {
    super(message);
    this.name = 'SeedOrgError';
  }
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function restError(e: unknown): { errorCode?: string; message: string } {
  const err = e as { errorCode?: string; message?: string };
  return { errorCode: err.errorCode, message: err.message ?? String(e) };
}

/**
 * Gives the running user the bypass permission set unless it already holds it. Fails before any
 * write when the permission set is not in the org (package not installed).
 */
async function startBypass(conn: OrgConnection, base: string): Promise<BypassUse> {
  const sets = (
    await conn.query<{ Id: string; Name: string; NamespacePrefix: string | null }>(
      `SELECT Id, Name, NamespacePrefix FROM PermissionSet WHERE Name = ${quote(BYPASS_PERMISSION_SET)}`
    )
  ).records;
  // the managed package's set first, else the one deployed from source; never another namespace's
  const set =
    sets.find((p) => p.NamespacePrefix === NAMESPACE) ??
    sets.find((p) => (p.NamespacePrefix ?? null) === null);
  if (!set) {
    throw new SeedOrgError(
      `the permission set ${BYPASS_PERMISSION_SET} is not in the org (the Speed to Lead package is not installed), so the seeded records cannot keep their historic stamps`,
      'BypassMissing'
    );
  }
  const name = set.NamespacePrefix ? `${set.NamespacePrefix}__${set.Name}` : set.Name;
  const username = conn.getUsername();
  const user = username
    ? (
        await conn.query<{ Id: string }>(
          `SELECT Id FROM User WHERE Username = ${quote(username)} LIMIT 1`
        )
      ).records[0]
    : undefined;
  if (!user)
    throw new SeedOrgError(
      `cannot find the running user ${username ?? '(unknown)'} to assign ${name} to`,
      'BypassAssign'
    );
  const held = (
    await conn.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${quote(user.Id)} AND PermissionSetId = ${quote(set.Id)}`
    )
  ).records[0];
  if (held) return { mode: 'existing', permissionSet: name, assignmentId: held.Id };
  try {
    const created = await conn.request<{ id: string; success: boolean }>({
      method: 'POST',
      url: `${base}/sobjects/PermissionSetAssignment`,
      body: JSON.stringify({ AssigneeId: user.Id, PermissionSetId: set.Id }),
      headers: { 'Content-Type': 'application/json', ...AUTO_ASSIGN_HEADER }
    });
    return { mode: 'created', permissionSet: name, assignmentId: created.id };
  } catch (e) {
    const err = restError(e);
    // assigned in the meantime by someone else: theirs, so it is kept
    if (err.errorCode === 'DUPLICATE_VALUE') return { mode: 'existing', permissionSet: name };
    throw new SeedOrgError(
      `assigning ${name} to ${username ?? user.Id} failed: ${err.errorCode ?? ''} ${err.message}`.trim(),
      'BypassAssign'
    );
  }
}

async function endBypass(conn: OrgConnection, base: string, use: BypassUse): Promise<void> {
  if (use.mode !== 'created' || !use.assignmentId) return;
  try {
    await conn.request({
      method: 'DELETE',
      url: `${base}/sobjects/PermissionSetAssignment/${use.assignmentId}`,
      headers: { ...AUTO_ASSIGN_HEADER }
    });
  } catch (e) {
    const err = restError(e);
    throw new SeedOrgError(
      `removing the ${use.permissionSet} assignment ${use.assignmentId} failed (${`${err.errorCode ?? ''} ${err.message}`.trim()}); the running user still bypasses every Speed to Lead trigger until it is deleted`,
      'BypassRemove'
    );
  }
}

export async function seedOrg(data: SeedData, options: OrgSeedOptions): Promise<OrgSeedResult> {
  const conn = options.connection;
  const base = `/services/data/v${options.apiVersion}`;
  const bypass: BypassUse =
    options.bypass === false ? { mode: 'off' } : await startBypass(conn, base);
  let failure: unknown;
  try {
    return await writeAll(data, options, bypass);
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    try {
      await endBypass(conn, base, bypass);
    } catch (e) {
      // never hide the write failure; name the leftover assignment next to it
      if (failure instanceof Error) failure.message += `; also ${(e as Error).message}`;
      else throw e;
    }
  }
}

async function writeAll(
  data: SeedData,
  options: OrgSeedOptions,
  bypass: BypassUse
): Promise<OrgSeedResult> {
  const conn = options.connection;
  const base = `/services/data/v${options.apiVersion}`;
  const progress = options.onProgress ?? (() => undefined);
  const users = (
    await conn.query<{ Id: string; Name: string }>(
      "SELECT Id, Name FROM User WHERE IsActive = true AND UserType = 'Standard' ORDER BY CreatedDate LIMIT 50"
    )
  ).records;
  if (!users.length)
    throw new SeedOrgError('the org has no active Standard users to own seeded leads');
  const queues = (
    await conn.query<{ QueueId: string }>(
      "SELECT QueueId FROM QueueSobject WHERE SobjectType = 'Lead' LIMIT 20"
    )
  ).records.map((q) => q.QueueId);
  // generated Id -> org Id
  const idMap = new Map<string, string>();
  data.users.forEach((u, i) => idMap.set(u.Id, users[i % users.length].Id));
  data.queues.forEach((q, i) =>
    idMap.set(q.Id, queues.length ? queues[i % queues.length] : users[0].Id)
  );
  const leadFields = new Set((await conn.describe('Lead')).fields.map((f) => f.name));
  const configured = (await readOrgSettings(conn))?.engagementSourceField;
  const wantedField = configured ?? data.engagementField;
  const engagementField = resolveFields(leadFields, [wantedField]).get(wantedField) ?? null;
  const result: OrgSeedResult = {
    users: users.length,
    queues: queues.length,
    created: {},
    ownerChanges: 0,
    engagementField,
    engagementUpdates: 0,
    opportunities: { created: 0, leadsNotConverted: 0 },
    failures: [],
    warnings: [],
    bypass
  };
  if (!engagementField) {
    result.warnings.push(
      `Lead has no field ${wantedField} (the ${configured ? "org's engagement source field" : "generator's engagement field; the org sets none"}): engagement times and re-engagements are not written, so the package and the audit use CreatedDate`
    );
  }

  /** Writes rows through sObject Collections, 200 a request; returns which rows succeeded. */
  const save = async (
    method: 'POST' | 'PATCH',
    object: string,
    rows: { sourceId: string; record: Record<string, unknown> }[]
  ): Promise<boolean[]> => {
    const ok: boolean[] = [];
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const body = JSON.stringify({
        allOrNone: false,
        records: chunk.map((r) => ({ attributes: { type: object }, ...r.record }))
      });
      const res = await conn.request<SaveResult[]>({
        method,
        url: `${base}/composite/sobjects`,
        body,
        headers: { 'Content-Type': 'application/json', ...AUTO_ASSIGN_HEADER }
      });
      if (!Array.isArray(res) || res.length !== chunk.length) {
        throw new SeedOrgError(
          `${method} ${object} records ${i + 1}-${i + chunk.length}: the org answered ${Array.isArray(res) ? `${res.length} results` : 'no result list'} for ${chunk.length} records`
        );
      }
      res.forEach((r, k) => {
        const source = chunk[k];
        ok.push(r.success);
        if (r.success) {
          if (method === 'POST' && r.id) idMap.set(source.sourceId, r.id);
          if (method === 'POST') result.created[object] = (result.created[object] ?? 0) + 1;
        } else {
          result.failures.push({
            object,
            sourceId: source.sourceId,
            message: r.errors
              .map(
                (e) =>
                  `${e.statusCode}: ${e.message}${e.fields?.length ? ` (${e.fields.join(', ')})` : ''}`
              )
              .join('; ')
          });
        }
      });
      progress(`${object}: ${Math.min(i + 200, rows.length)} of ${rows.length}`);
    }
    return ok;
  };
  const dated = (created: string): Record<string, string> =>
    options.keepDates ? { CreatedDate: created } : {};

  // the generated saves after creation, per lead in time order: owner changes (the Id rows of
  // each pair), engagement times and lead sources written in the same save
  const replayed = new Map<string, string>([
    [data.engagementField.toLowerCase(), 'engagement'],
    ['leadsource', 'LeadSource']
  ]);
  const initial = new Map<string, Map<string, string>>();
  const saves = new Map<string, { at: string; changes: Map<string, string> }[]>();
  for (const h of data.leadHistory) {
    const kind =
      h.Field === 'Owner'
        ? /^00[5G]/.test(h.NewValue)
          ? 'OwnerId'
          : null
        : (replayed.get(h.Field.toLowerCase()) ?? null);
    if (!kind) continue;
    const first = initial.get(h.LeadId) ?? new Map<string, string>();
    if (!first.has(kind)) first.set(kind, h.OldValue);
    initial.set(h.LeadId, first);
    const list = saves.get(h.LeadId) ?? [];
    let last = list[list.length - 1];
    if (!last || last.at !== h.CreatedDate) {
      last = { at: h.CreatedDate, changes: new Map() };
      list.push(last);
    }
    last.changes.set(kind, h.NewValue);
    saves.set(h.LeadId, list);
  }
  const fieldsOf = (changes: Map<string, string>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [kind, value] of changes) {
      if (kind === 'OwnerId') out.OwnerId = idMap.get(value);
      else if (kind === 'LeadSource') out.LeadSource = value || null;
      else if (engagementField) out[engagementField] = value || null;
    }
    return out;
  };

  await save(
    'POST',
    'Lead',
    data.leads.map((l) => {
      const first = initial.get(l.Id) ?? new Map<string, string>();
      const at = (kind: string, current: string): string => first.get(kind) ?? current;
      const engagement = at('engagement', l[data.engagementField] ?? '');
      return {
        sourceId: l.Id,
        record: {
          FirstName: l.FirstName,
          LastName: l.LastName,
          Company: l.Company,
          Email: l.Email,
          LeadSource: at('LeadSource', l.LeadSource) || null,
          Rating: l.Rating || null,
          Status: l.Status === 'Qualified' ? 'Working - Contacted' : l.Status,
          OwnerId: idMap.get(at('OwnerId', l.OwnerId)),
          ...(engagementField ? { [engagementField]: engagement || null } : {}),
          ...dated(l.CreatedDate)
        }
      };
    })
  );
  // round k holds the k-th later save of every lead, so no request updates a lead twice and each
  // lead's saves land in order
  const rounds: { sourceId: string; changes: Map<string, string> }[][] = [];
  for (const [leadId, list] of saves) {
    if (!idMap.has(leadId)) continue;
    list.forEach((save, k) => {
      const changes = new Map(
        [...save.changes].filter(([kind]) => kind !== 'engagement' || engagementField)
      );
      if (changes.size) (rounds[k] ??= []).push({ sourceId: leadId, changes });
    });
  }
  for (const round of rounds) {
    const ok = await save(
      'PATCH',
      'Lead',
      round.map((u) => ({
        sourceId: u.sourceId,
        record: { Id: idMap.get(u.sourceId), ...fieldsOf(u.changes) }
      }))
    );
    round.forEach((u, k) => {
      if (!ok[k]) return;
      if (u.changes.has('OwnerId')) result.ownerChanges++;
      if (u.changes.has('engagement')) result.engagementUpdates++;
    });
  }
  const who = (id: string): string | undefined => idMap.get(id);
  await save(
    'POST',
    'Task',
    data.tasks
      .filter((t) => who(t.WhoId))
      .map((t) => ({
        sourceId: t.Id,
        record: {
          WhoId: who(t.WhoId),
          Subject: t.Subject,
          TaskSubtype: t.TaskSubtype,
          Type: t.Type || null,
          Status: t.Status,
          ActivityDate: t.ActivityDate,
          OwnerId: idMap.get(t.OwnerId),
          ...dated(t.CreatedDate)
        }
      }))
  );
  await save(
    'POST',
    'Event',
    data.events
      .filter((e) => who(e.WhoId))
      .map((e) => ({
        sourceId: e.Id,
        record: {
          WhoId: who(e.WhoId),
          Subject: e.Subject,
          Type: e.Type,
          StartDateTime: e.StartDateTime,
          EndDateTime: e.EndDateTime,
          OwnerId: idMap.get(e.OwnerId),
          ...dated(e.CreatedDate)
        }
      }))
  );
  // the converted leads' opportunities; the Description names the lead, since the conversion
  // link itself cannot be written through REST
  const leadOfOpportunity = new Map(
    data.leads.filter((l) => l.ConvertedOpportunityId).map((l) => [l.ConvertedOpportunityId, l.Id])
  );
  const opportunities = data.opportunities.filter((o) => who(leadOfOpportunity.get(o.Id) ?? ''));
  const created = await save(
    'POST',
    'Opportunity',
    opportunities.map((o) => ({
      sourceId: o.Id,
      record: {
        Name: o.Name,
        Amount: o.Amount === '' ? null : Number(o.Amount),
        StageName: o.StageName,
        CloseDate: o.CloseDate,
        OwnerId: idMap.get(o.OwnerId),
        Description: `Seeded by stl seed for lead ${who(leadOfOpportunity.get(o.Id) ?? '') ?? ''}; the lead is not converted`,
        ...dated(o.CreatedDate)
      }
    }))
  );
  result.opportunities = {
    created: created.filter(Boolean).length,
    leadsNotConverted: opportunities.length
  };
  if (opportunities.length) {
    result.warnings.push(
      `${result.opportunities.created} opportunities were created for ${opportunities.length} generated conversions, but those leads are not converted: IsConverted and ConvertedOpportunityId cannot be written through the REST API (conversion needs Apex Database.convertLead), so an org audit counts them as not converted and sums no amounts for them`
    );
  }
  return result;
}
