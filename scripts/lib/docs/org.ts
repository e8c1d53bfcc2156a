/**
 * Reads the package's custom metadata records from an org (REST query through jsforce /
 * @salesforce/core), with or without the `stlead__` namespace, into the same shape as the
 * project's metadata files.
 */
import { DocsError, type ConfigRecords, type MetadataRecord } from './model.ts';

const NAMESPACE = 'stlead';

interface QueryPage<T> {
  records: T[];
  done?: boolean;
  nextRecordsUrl?: string;
}

/** The part of a jsforce Connection this module uses. */
export interface DocsOrgConnection {
  describeGlobal(): Promise<{ sobjects: { name: string }[] }>;
  describe(object: string): Promise<{ fields: { name: string }[] }>;
  query<T = Record<string, unknown>>(soql: string): Promise<QueryPage<T>>;
  queryMore<T = Record<string, unknown>>(locator: string): Promise<QueryPage<T>>;
}

/**
 * Every record of an object (as the org names it) with every field: the fields come from the
 * describe and every page is read. `SELECT FIELDS(ALL)` would need `LIMIT 200` and silently drop
 * the rest.
 */
export async function everyRecord<T = Record<string, unknown>>(
  conn: DocsOrgConnection,
  name: string
): Promise<T[]> {
  let described: { fields: { name: string }[] };
  try {
    described = await conn.describe(name);
  } catch (e) {
    // keep the platform's error code (e.g. NOT_FOUND) and say which object it was
    const err = e as { errorCode?: string; message?: string };
    throw Object.assign(new Error(`${name} cannot be described: ${err.message ?? String(e)}`), {
      errorCode: err.errorCode
    });
  }
  const fields = described.fields.map((f) => f.name);
  return queryAllPages<T>(conn, `SELECT ${fields.join(', ')} FROM ${name}`);
}

/** Every record a REST query returns, following `nextRecordsUrl` through every page. */
export async function queryAllPages<T = Record<string, unknown>>(
  conn: Pick<DocsOrgConnection, 'query' | 'queryMore'>,
  soql: string
): Promise<T[]> {
  const out: T[] = [];
  let page = await conn.query<T>(soql);
  for (;;) {
    out.push(...page.records);
    if (page.done !== false || !page.nextRecordsUrl) return out;
    page = await conn.queryMore<T>(page.nextRecordsUrl);
  }
}

const SKIP = new Set([
  'attributes',
  'Id',
  'DeveloperName',
  'MasterLabel',
  'Label',
  'Language',
  'NamespacePrefix',
  'QualifiedApiName',
  'SystemModstamp'
]);

/** One REST record as a MetadataRecord (field names without the namespace). */
export function recordFromOrg(raw: Record<string, unknown>, type: string): MetadataRecord {
  const name = typeof raw.DeveloperName === 'string' ? raw.DeveloperName : '';
  if (!name) throw new DocsError(`${type}: a record has no DeveloperName`);
  const values: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (SKIP.has(k)) continue;
    const key = k.toLowerCase().startsWith(`${NAMESPACE}__`) ? k.slice(NAMESPACE.length + 2) : k;
    values[key] = v === null || v === undefined || v === '' ? null : String(v);
  }
  const label = [raw.MasterLabel, raw.Label].find((x) => typeof x === 'string' && x) as
    | string
    | undefined;
  return { developerName: name, label: label ?? name, values };
}

export async function readOrgConfig(
  conn: DocsOrgConnection,
  orgName: string
): Promise<ConfigRecords> {
  const global = await conn.describeGlobal();
  const names = new Set(global.sobjects.map((s) => s.name.toLowerCase()));
  const typeName = (t: string): string | null =>
    names.has(`${NAMESPACE}__${t}`.toLowerCase())
      ? `${NAMESPACE}__${t}`
      : names.has(t.toLowerCase())
        ? t
        : null;
  if (!typeName('SlaRule__mdt')) {
    throw new DocsError(
      `${orgName} has no SlaRule__mdt (with or without the ${NAMESPACE} namespace): is the package installed?`
    );
  }
  const all = async (t: string): Promise<MetadataRecord[]> => {
    const name = typeName(t);
    if (!name) return [];
    return (await everyRecord(conn, name)).map((r) => recordFromOrg(r, name));
  };
  return {
    slaRules: await all('SlaRule__mdt'),
    touchRules: await all('TouchRule__mdt'),
    exclusionRules: await all('ExclusionRule__mdt'),
    escalationTiers: await all('EscalationTier__mdt'),
    settings: (await all('StlSetting__mdt')).find((r) => r.developerName === 'Default') ?? null,
    origin: `the custom metadata of org ${orgName}`
  };
}
