// Finds the rules an audit judges by: --rules <file>, else rules.json in the export folder, else
// the package's own custom metadata records in force-app (the defaults an install starts with).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCustomMetadataXml, parseRulesFile } from '../lib/rules.ts';
import type { RuleSet } from '../lib/sla.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE_METADATA_DIR = join(
  PROJECT_ROOT,
  'force-app',
  'main',
  'configuration',
  'customMetadata'
);

export interface LoadedRules {
  rules: RuleSet;
  origin: string;
}

export function loadPackageRules(dir = PACKAGE_METADATA_DIR): LoadedRules {
  if (!existsSync(dir)) {
    throw new Error(`the package's custom metadata folder ${dir} is missing; pass --rules <file>`);
  }
  const files = new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.md-meta.xml'))
      .map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')])
  );
  return {
    rules: parseCustomMetadataXml(files),
    origin: 'the package defaults (force-app custom metadata)'
  };
}

export function loadRules(
  rulesFile: string | undefined,
  exportDir: string | undefined
): LoadedRules {
  if (rulesFile) {
    if (!existsSync(rulesFile)) throw new Error(`rules file ${rulesFile} does not exist`);
    return { rules: parseRulesFile(readFileSync(rulesFile, 'utf8'), rulesFile), origin: rulesFile };
  }
  if (exportDir && existsSync(exportDir)) {
    const hit = readdirSync(exportDir).find((f) => f.toLowerCase() === 'rules.json');
    if (hit) {
      const path = join(exportDir, hit);
      return { rules: parseRulesFile(readFileSync(path, 'utf8'), path), origin: path };
    }
  }
  return loadPackageRules();
}
