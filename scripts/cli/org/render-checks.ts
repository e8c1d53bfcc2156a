// Prints doctor checks as a short checklist with what to do next for anything not passing.
import type { DoctorReport } from './doctor-checks.ts';

export function renderChecks(report: DoctorReport, org: string, colour: boolean): string {
  const paint = (code: number, s: string): string => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const mark = { pass: paint(32, 'PASS'), warn: paint(33, 'WARN'), fail: paint(31, 'FAIL') };
  const lines = [`Speed-to-lead doctor for ${org}`, ''];
  for (const c of report.checks) {
    lines.push(`  ${mark[c.status]}  ${c.name.padEnd(18)} ${c.message}`);
    if (c.action && c.status !== 'pass') lines.push(`        ${''.padEnd(18)} → ${c.action}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  lines.push(
    fails
      ? paint(31, `${fails} check(s) failed, ${warns} warning(s).`)
      : paint(32, `All checks passed${warns ? ` with ${warns} warning(s)` : ''}.`)
  );
  return lines.join('\n');
}
