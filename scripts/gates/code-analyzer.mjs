#!/usr/bin/env node
// Security gate: Salesforce Code Analyzer (core + PMD engine) with the rule selectors the
// AppExchange security review asks for that the installed engines offer. Zero violations pass.
// A suppression (@SuppressWarnings('PMD.<Rule>')) is allowed only with a comment saying why.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CodeAnalyzer, CodeAnalyzerConfig } from '@salesforce/code-analyzer-core';
import { createEnginePlugin } from '@salesforce/code-analyzer-pmd-engine';

// AppExchange: the rules the security review runs. Recommended:Security, Security and
// Performance: the Apex security and governor-limit rules (CRUD/FLS, sharing, SOQL injection,
// limits in loops). Plus the named rules below that guard the package's own principles:
// tests assert and never see org data, no hard-coded Ids, no logic in triggers.
// Style-only rules (naming, ApexDoc shape, runAs in every test) are not selected: the house
// style (it_should_ test names) differs from PMD's defaults on purpose.
export const SELECTORS = [
  'pmd:AppExchange',
  'pmd:Recommended:Security',
  'pmd:Security',
  'pmd:Performance',
  'pmd:ApexUnitTestClassShouldHaveAsserts',
  'pmd:ApexUnitTestShouldNotUseSeeAllDataTrue',
  'pmd:ApexUnitTestMethodShouldHaveIsTestAnnotation',
  'pmd:AvoidHardcodingId',
  'pmd:AvoidLogicInTrigger',
  'pmd:AvoidGlobalModifier',
  'pmd:EmptyCatchBlock'
];

const root = path.resolve(import.meta.dirname, '..', '..');
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['force-app'];

const logFolder = path.join(root, 'build', 'code-analyzer');
mkdirSync(logFolder, { recursive: true });
const analyzer = new CodeAnalyzer(
  CodeAnalyzerConfig.fromObject({ config_root: root, log_folder: logFolder })
);
await analyzer.addEnginePlugin(createEnginePlugin());
const workspace = await analyzer.createWorkspace(targets.map((t) => path.resolve(root, t)));
const selection = await analyzer.selectRules(SELECTORS, { workspace });
const rules = selection.getRulesFor('pmd');
const results = await analyzer.run(selection, { workspace });
const violations = results.getViolations();
for (const v of violations) {
  const loc = v.getPrimaryLocation();
  console.error(
    `${path.relative(root, loc.getFile() ?? '?')}:${loc.getStartLine() ?? '?'} ${v.getRule().getName()} (sev ${v.getRule().getSeverityLevel()}): ${v.getMessage()}`
  );
}
console.log(
  `code-analyzer: ${rules.length} rules from ${SELECTORS.join(' ')}; ${violations.length} violations`
);
process.exit(violations.length ? 1 : 0);
