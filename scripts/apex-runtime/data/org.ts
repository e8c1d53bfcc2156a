/**
 * The org fixture (`config/apex-runtime-org.json`): the records a real org has that tests
 * cannot insert. Validated here for shape; field names and values are checked against the
 * schema when a Store is seeded from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIdShape, normalizeId } from '../values.ts';
import { SchemaError } from './errors.ts';

export type FixtureRow = Record<string, unknown>;

export interface OrgFixture {
  file: string;
  /** IANA zone of the org (Organization.TimeZoneSidKey). */
  timeZone: string;
  /** 18-character Id of the user tests run as. */
  runningUserId: string;
  /** Rows by sObject API name; Ids normalised to 18 characters. */
  records: Map<string, FixtureRow[]>;
  /** BusinessHours Id → Holiday Ids that apply to it (18 characters). */
  businessHoursHolidays: Map<string, string[]>;
  /** What URL.getOrgDomainUrl() returns (https://<my domain>.my.salesforce.com). */
  orgDomainUrl: string;
  /**
   * How this org fills the Opportunity that Database.convertLead creates: the stage (the first
   * stage of the org's sales process) and the close date rule. This is org configuration the
   * Apex docs leave to the org, so it is declared here; without it, converting with an
   * Opportunity is NotSupportedLocally.
   */
  leadConvertOpportunity?: { stageName: string; closeDate: 'endOfQuarter' };
}

/** This repository's fixture, used when a project has no `config/apex-runtime-org.json`. */
export const DEFAULT_ORG_FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'config',
  'apex-runtime-org.json'
);

interface FixtureJson {
  timeZone?: unknown;
  orgDomainUrl?: unknown;
  runningUser?: unknown;
  records?: unknown;
  businessHoursHolidays?: unknown;
  leadConvertOpportunity?: unknown;
}

function id(value: unknown, where: string, file: string): string {
  if (typeof value !== 'string' || !isIdShape(value)) {
    throw new SchemaError(
      `${where}: expected a 15- or 18-character Id, got ${JSON.stringify(value)}`,
      file
    );
  }
  return normalizeId(value);
}

const ID_FIELD = /(^Id$|Id$)/;

export function loadOrgFixture(fixturePath?: string): OrgFixture {
  const file = path.resolve(fixturePath ?? DEFAULT_ORG_FIXTURE);
  if (!existsSync(file)) throw new SchemaError('Org fixture not found', file);
  let json: FixtureJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as FixtureJson;
  } catch (e) {
    throw new SchemaError(`Org fixture is not valid JSON: ${(e as Error).message}`, file);
  }
  if (typeof json.timeZone !== 'string' || !json.timeZone) {
    throw new SchemaError('Org fixture needs "timeZone" (an IANA zone name)', file);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: json.timeZone });
  } catch {
    throw new SchemaError(`Org fixture "timeZone" ${json.timeZone} is not an IANA zone`, file);
  }
  const runningUserId = id(json.runningUser, '"runningUser"', file);
  if (!json.records || typeof json.records !== 'object' || Array.isArray(json.records)) {
    throw new SchemaError('Org fixture needs "records": {sObject: [rows]}', file);
  }
  const records = new Map<string, FixtureRow[]>();
  const seen = new Set<string>();
  for (const [type, rows] of Object.entries(json.records as Record<string, unknown>)) {
    if (!Array.isArray(rows)) throw new SchemaError(`records.${type} must be an array`, file);
    const out: FixtureRow[] = [];
    rows.forEach((row, i) => {
      if (!row || typeof row !== 'object' || Array.isArray(row)) {
        throw new SchemaError(`records.${type}[${i}] must be an object`, file);
      }
      const copy: FixtureRow = {};
      for (const [k, v] of Object.entries(row as FixtureRow)) {
        // Id and reference fields (…Id) are normalised to 18 characters.
        copy[k] = typeof v === 'string' && ID_FIELD.test(k) && isIdShape(v) ? normalizeId(v) : v;
      }
      const rowId = id(copy['Id'], `records.${type}[${i}].Id`, file);
      if (seen.has(rowId)) throw new SchemaError(`Duplicate Id ${rowId} in records.${type}`, file);
      seen.add(rowId);
      out.push(copy);
    });
    records.set(type, out);
  }
  const users = records.get('User') ?? [];
  if (!users.some((u) => u['Id'] === runningUserId)) {
    throw new SchemaError(`"runningUser" ${runningUserId} is not among records.User`, file);
  }
  const bhh = new Map<string, string[]>();
  if (json.businessHoursHolidays !== undefined) {
    if (typeof json.businessHoursHolidays !== 'object' || json.businessHoursHolidays === null) {
      throw new SchemaError(
        '"businessHoursHolidays" must map BusinessHours Ids to Holiday Ids',
        file
      );
    }
    for (const [bh, hs] of Object.entries(json.businessHoursHolidays as Record<string, unknown>)) {
      if (!Array.isArray(hs))
        throw new SchemaError(`businessHoursHolidays.${bh} must be an array`, file);
      const bhId = id(bh, 'businessHoursHolidays key', file);
      if (!seen.has(bhId))
        throw new SchemaError(`businessHoursHolidays: unknown BusinessHours ${bh}`, file);
      bhh.set(
        bhId,
        hs.map((h) => {
          const hid = id(h, `businessHoursHolidays.${bh}`, file);
          if (!seen.has(hid))
            throw new SchemaError(`businessHoursHolidays: unknown Holiday ${String(h)}`, file);
          return hid;
        })
      );
    }
  }
  const orgDomainUrl = json.orgDomainUrl ?? 'https://example.my.salesforce.com';
  if (typeof orgDomainUrl !== 'string' || !/^https:\/\/[^/]+$/.test(orgDomainUrl)) {
    throw new SchemaError('"orgDomainUrl" must be an https URL without a path', file);
  }
  let leadConvertOpportunity: OrgFixture['leadConvertOpportunity'];
  if (json.leadConvertOpportunity !== undefined) {
    const lco = json.leadConvertOpportunity as Record<string, unknown> | null;
    if (
      !lco ||
      typeof lco !== 'object' ||
      typeof lco.stageName !== 'string' ||
      !lco.stageName ||
      lco.closeDate !== 'endOfQuarter'
    ) {
      throw new SchemaError(
        '"leadConvertOpportunity" must be {"stageName": "<an OpportunityStage>", "closeDate": "endOfQuarter"}',
        file
      );
    }
    const stages = records.get('OpportunityStage') ?? [];
    if (!stages.some((r) => r['ApiName'] === lco.stageName || r['MasterLabel'] === lco.stageName)) {
      throw new SchemaError(
        `"leadConvertOpportunity.stageName" ${lco.stageName} is not among records.OpportunityStage`,
        file
      );
    }
    leadConvertOpportunity = { stageName: lco.stageName, closeDate: 'endOfQuarter' };
  }
  return {
    file,
    timeZone: json.timeZone,
    runningUserId,
    records,
    businessHoursHolidays: bhh,
    orgDomainUrl,
    leadConvertOpportunity
  };
}
