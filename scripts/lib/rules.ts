/**
 * Reads the package's rule configuration into a RuleSet, from any of three shapes that all carry
 * the custom metadata field names of docs/DATA-MODEL.md:
 * - records as the REST API returns them (`SlaRule__mdt` query results), with or without the
 *   `stlead__` namespace;
 * - a rules file: `{ "SlaRule__mdt": [...], "TouchRule__mdt": [...], "ExclusionRule__mdt": [...],
 *   "StlSetting__mdt": {...} }`, each record keyed by those field names plus `DeveloperName`;
 * - the package source's `customMetadata/*.md-meta.xml` files.
 */
import { XMLParser } from 'fast-xml-parser';
import {
  parseCriteria,
  type ExclusionRule,
  type RuleSet,
  type SlaRule,
  type StlSettings,
  type TouchRule
} from './sla.ts';

export const NAMESPACE = 'stlead';

export class RulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}

type Row = Record<string, unknown>;

/** Drops the `stlead__` prefix from every key, so namespaced and plain records read alike. */
export function stripNamespace(record: Row): Row {
  const out: Row = {};
  const prefix = `${NAMESPACE}__`;
  for (const [k, v] of Object.entries(record)) {
    out[k.toLowerCase().startsWith(prefix) ? k.slice(prefix.length) : k] = v;
  }
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());
const num = (v: unknown, where: string, fallback?: number): number => {
  if (v === undefined || v === null || str(v) === '') {
    if (fallback !== undefined) return fallback;
    throw new RulesError(`${where} is missing`);
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RulesError(`${where}: "${str(v)}" is not a number`);
  return n;
};
const bool = (v: unknown, fallback: boolean): boolean =>
  v === undefined || v === null || str(v) === '' ? fallback : str(v).toLowerCase() === 'true';

export function slaRuleOf(raw: Row): SlaRule {
  const r = stripNamespace(raw);
  const name = str(r.DeveloperName) || str(r.LeadType__c);
  const where = `SlaRule__mdt ${name || '(no DeveloperName)'}`;
  if (!name) throw new RulesError(`${where}: DeveloperName is missing`);
  const threshold = num(r.ThresholdMinutes__c, `${where}: ThresholdMinutes__c`);
  if (threshold < 0) throw new RulesError(`${where}: ThresholdMinutes__c must not be negative`);
  return {
    developerName: name,
    leadType: str(r.LeadType__c) || name,
    priority: num(r.Priority__c, `${where}: Priority__c`, 1e9),
    criteria: parseCriteria(r.Criteria__c, where),
    thresholdMinutes: threshold,
    businessHoursName: str(r.BusinessHoursName__c) || undefined,
    isHandRaiser: bool(r.IsHandRaiser__c, false),
    warningPercent: num(r.WarningPercent__c, `${where}: WarningPercent__c`, 0),
    isActive: bool(r.IsActive__c, true)
  };
}

export function touchRuleOf(raw: Row): TouchRule {
  const r = stripNamespace(raw);
  const name = str(r.DeveloperName) || str(r.TouchType__c);
  const where = `TouchRule__mdt ${name || '(no DeveloperName)'}`;
  const object = str(r.ActivityObject__c);
  if (object !== 'Task' && object !== 'Event' && object !== 'EmailMessage') {
    throw new RulesError(
      `${where}: ActivityObject__c "${object}" must be Task, Event or EmailMessage`
    );
  }
  return {
    developerName: name,
    activityObject: object,
    touchType: str(r.TouchType__c) || name,
    criteria: parseCriteria(r.Criteria__c, where),
    priority: num(r.Priority__c, `${where}: Priority__c`, 1e9),
    isActive: bool(r.IsActive__c, true)
  };
}

export function exclusionRuleOf(raw: Row): ExclusionRule {
  const r = stripNamespace(raw);
  const name = str(r.DeveloperName) || str(r.Reason__c);
  const where = `ExclusionRule__mdt ${name || '(no DeveloperName)'}`;
  return {
    developerName: name,
    criteria: parseCriteria(r.Criteria__c, where),
    reason: str(r.Reason__c) || name,
    isActive: bool(r.IsActive__c, true)
  };
}

export function settingsOf(raw: Row | undefined): StlSettings {
  const r = stripNamespace(raw ?? {});
  return {
    engagementSourceField: str(r.EngagementSourceField__c) || undefined,
    excludedOwners: str(r.ExcludedOwners__c)
      .split(/[\n,;]+/)
      .map((s) => s.trim())
      .filter(Boolean)
  };
}

/** A rules file (JSON text): the custom metadata records keyed by type. */
export function parseRulesFile(json: string, fileName: string): RuleSet {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (e) {
    throw new RulesError(`${fileName} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new RulesError(`${fileName} must hold an object with SlaRule__mdt, TouchRule__mdt, ...`);
  }
  const doc = stripNamespace(root as Row);
  const list = (key: string): Row[] => {
    const v = doc[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new RulesError(`${fileName}: ${key} must be an array of records`);
    return v as Row[];
  };
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new RulesError(`${fileName}: ${(e as Error).message}`);
    }
  };
  const setting = doc.StlSetting__mdt;
  return wrap(() => ({
    slaRules: list('SlaRule__mdt').map(slaRuleOf),
    touchRules: list('TouchRule__mdt').map(touchRuleOf),
    exclusionRules: list('ExclusionRule__mdt').map(exclusionRuleOf),
    settings: settingsOf(Array.isArray(setting) ? (setting[0] as Row) : (setting as Row))
  }));
}

/**
 * Rules from the package source: `files` maps file names (`SlaRule.Hot.md-meta.xml`) to XML text.
 * The record's DeveloperName is the part of the file name after the type.
 */
export function parseCustomMetadataXml(files: ReadonlyMap<string, string>): RuleSet {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    isArray: (name) => name === 'values',
    parseTagValue: false
  });
  const byType = new Map<string, Row[]>();
  for (const [fileName, xml] of files) {
    const m = /^([A-Za-z0-9]+)\.([A-Za-z0-9_]+)\.md-meta\.xml$/.exec(fileName);
    if (!m) continue;
    const doc = parser.parse(xml) as { CustomMetadata?: { values?: Row[] } };
    if (!doc.CustomMetadata) throw new RulesError(`${fileName} is not a CustomMetadata record`);
    const row: Row = { DeveloperName: m[2] };
    for (const v of doc.CustomMetadata.values ?? []) {
      const value = v.value as Row | string | undefined;
      if (typeof value === 'object' && value !== null) {
        row[str(v.field)] = value['@_xsi:nil'] === 'true' ? null : (value['#text'] ?? '');
      } else {
        row[str(v.field)] = value ?? null;
      }
    }
    const rows = byType.get(m[1]);
    if (rows) rows.push(row);
    else byType.set(m[1], [row]);
  }
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new RulesError(`package custom metadata: ${(e as Error).message}`);
    }
  };
  return wrap(() => ({
    slaRules: (byType.get('SlaRule') ?? []).map(slaRuleOf),
    touchRules: (byType.get('TouchRule') ?? []).map(touchRuleOf),
    exclusionRules: (byType.get('ExclusionRule') ?? []).map(exclusionRuleOf),
    settings: settingsOf(
      (byType.get('StlSetting') ?? []).find((r) => r.DeveloperName === 'Default')
    )
  }));
}
