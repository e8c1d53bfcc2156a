/**
 * Reads the package's custom metadata records from an org (REST query through jsforce /
 * @salesforce/core), with or without the `stlead__` namespace, into the same shape as the
 * project's metadata files.
 */
import { DocsError, type ConfigRecords, type MetadataRecord } from './model.ts';

const NAMESPACE = 'stlead';

/** The part of a jsforce Connection this module uses. */
export interface DocsOrgConnection {
  describeGlobal(): Promise<{ sobjects: { name: string }[] }>;
  query<T = Record<string, unknown>>(soql: string): Promise<{ records: T[] }>;
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
    const res = await conn.query<Record<string, unknown>>(
      `SELECT FIELDS(ALL) FROM ${name} LIMIT 200`
    );
    return res.records.map((r) => recordFromOrg(r, name));
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
