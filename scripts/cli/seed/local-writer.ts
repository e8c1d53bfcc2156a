// Writes generated seed data as an export folder: the CSV files `stl audit --from` reads, plus a
// rules.json (the package's default rules, with the seed's engagement source field set) so the
// audit sees the seeded re-engagements as engagement cycles.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedData } from '../../lib/seed.ts';
import type { RuleSet } from '../../lib/sla.ts';
import { writeCsvFile } from '../csv-writer.ts';
import { loadPackageRules } from '../rules-source.ts';

const columnsOf = (rows: readonly Record<string, string>[]): string[] =>
  rows.length ? Object.keys(rows[0]) : [];

/** A rules file (the shape `parseRulesFile` reads) for `rules`, with `engagementField` set. */
export function rulesFileFor(rules: RuleSet, engagementField: string): string {
  const doc = {
    SlaRule__mdt: rules.slaRules.map((r) => ({
      DeveloperName: r.developerName,
      LeadType__c: r.leadType,
      Priority__c: r.priority,
      Criteria__c: JSON.stringify(r.criteria),
      ThresholdMinutes__c: r.thresholdMinutes,
      BusinessHoursName__c: r.businessHoursName ?? null,
      IsHandRaiser__c: r.isHandRaiser,
      WarningPercent__c: r.warningPercent,
      IsActive__c: r.isActive
    })),
    TouchRule__mdt: rules.touchRules.map((r) => ({
      DeveloperName: r.developerName,
      ActivityObject__c: r.activityObject,
      TouchType__c: r.touchType,
      Criteria__c: JSON.stringify(r.criteria),
      Priority__c: r.priority,
      IsActive__c: r.isActive
    })),
    ExclusionRule__mdt: rules.exclusionRules.map((r) => ({
      DeveloperName: r.developerName,
      Criteria__c: JSON.stringify(r.criteria),
      Reason__c: r.reason,
      IsActive__c: r.isActive
    })),
    StlSetting__mdt: {
      DeveloperName: 'Default',
      EngagementSourceField__c: engagementField,
      ExcludedOwners__c: rules.settings.excludedOwners.join('\n')
    }
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function writeSeedExport(
  dir: string,
  data: SeedData
): Promise<Record<string, number>> {
  mkdirSync(dir, { recursive: true });
  const tables: [string, readonly Record<string, string>[]][] = [
    ['User.csv', data.users as unknown as Record<string, string>[]],
    ['Group.csv', data.queues],
    ['BusinessHours.csv', data.businessHours],
    ['Holiday.csv', data.holidays],
    ['Lead.csv', data.leads],
    ['LeadHistory.csv', data.leadHistory],
    ['Task.csv', data.tasks],
    ['Event.csv', data.events],
    ['Opportunity.csv', data.opportunities]
  ];
  const counts: Record<string, number> = {};
  for (const [name, rows] of tables) {
    counts[name] = await writeCsvFile(join(dir, name), columnsOf(rows), rows);
  }
  const { rules } = loadPackageRules();
  writeFileSync(join(dir, 'rules.json'), rulesFileFor(rules, data.engagementField));
  return counts;
}
