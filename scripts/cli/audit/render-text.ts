// The terminal summary of an audit: the numbers a RevOps lead asks for first, then what to fix.
import type { AuditReport, GroupStats } from '../../lib/audit.ts';
import type { Summary } from '../../lib/stats.ts';
import type { ConversionImpact } from '../../lib/conversion.ts';
import type { RowProblem } from './csv-reader.ts';
import { bar, duration, pct } from './format.ts';

export interface TextStyle {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const plain: TextStyle = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s
};
const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const colours: TextStyle = {
  bold: ansi(1),
  dim: ansi(2),
  red: ansi(31),
  green: ansi(32),
  yellow: ansi(33)
};

export interface TextContext {
  source: string;
  files: Record<string, number>;
  problems: RowProblem[];
  outputs: string[];
  style?: TextStyle;
  conversion?: ConversionImpact;
}

const pad = (s: string, n: number): string =>
  s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

function statRow(label: string, s: Summary): string {
  return `  ${pad(label, 24)}${lpad(String(s.count), 7)}${lpad(duration(s.median), 10)}${lpad(duration(s.mean), 10)}${lpad(duration(s.p90), 10)}${lpad(duration(s.p95), 10)}`;
}

function groupTable(
  title: string,
  groups: GroupStats[],
  st: TextStyle,
  unit: 'cycles' | 'leads' = 'cycles',
  limit = 10
): string[] {
  const lines = [
    st.bold(title),
    st.dim(`  ${pad('', 24)}${lpad(unit, 7)}${lpad('median', 10)}${lpad('p90', 10)}  hit rate`)
  ];
  for (const g of groups.slice(0, limit)) {
    const rate = g.sla.hitRate;
    const colour =
      rate === null ? st.dim : rate >= 0.8 ? st.green : rate >= 0.6 ? st.yellow : st.red;
    lines.push(
      `  ${pad(g.key, 24)}${lpad(String(unit === 'cycles' ? g.cycles : g.leads), 7)}${lpad(duration(g.speedToLead.median), 10)}${lpad(duration(g.speedToLead.p90), 10)}  ${colour(lpad(pct(rate), 4))} ${colour(bar(rate, 20))}`
    );
  }
  if (groups.length > limit) lines.push(st.dim(`  … and ${groups.length - limit} more`));
  return lines;
}

/** Conversion impact in a few lines: by response-time bucket, by SLA outcome, before/after. */
function conversionLines(c: ConversionImpact, st: TextStyle): string[] {
  const lines = [st.bold(`Conversion impact (${c.leads} leads, current cycle of each)`)];
  const rate = (r: {
    converted: number;
    leads: number;
    conversionRate: number | null;
    smallSample: boolean;
  }): string =>
    `${pct(r.conversionRate, 1)} (${r.converted}/${r.leads})${r.smallSample ? st.dim(' small sample') : ''}`;
  for (const b of c.conversionByBucket) {
    lines.push(`  ${pad(b.label, 24)}${rate(b)}`);
  }
  for (const o of c.conversionBySlaOutcome) {
    const p = c.pipelineBySlaOutcome.find((x) => x.outcome === o.outcome);
    lines.push(
      `  ${pad(`SLA ${o.outcome}`, 24)}${rate(o)}` +
        (p
          ? st.dim(
              ` · pipeline ${p.pipelineAmount.toLocaleString('en-US')} · won ${p.wonAmount.toLocaleString('en-US')}`
            )
          : '')
    );
  }
  const ba = c.beforeAfter;
  if (ba) {
    lines.push(
      `  Before ${ba.goLive.slice(0, 10)}: ${rate(ba.before)}; after: ${rate(ba.after)}` +
        (ba.change.conversionRatePoints === null
          ? ''
          : ` (${ba.change.conversionRatePoints >= 0 ? '+' : ''}${ba.change.conversionRatePoints} points)`)
    );
  } else {
    lines.push(st.dim('  No --go-live date: no before/after comparison.'));
  }
  lines.push(st.dim(`  ${c.systemsDelayRating.exclusionStatement}`));
  return lines;
}

export function renderText(report: AuditReport, ctx: TextContext): string {
  const st = ctx.style ?? plain;
  const out: string[] = [];
  const weeks = report.byWeek.map((w) => w.key);
  out.push(st.bold(`Speed-to-lead audit of ${ctx.source}`));
  out.push(
    st.dim(
      `as of ${report.asOf.replace('T', ' ').slice(0, 16)} UTC · ${report.leads} leads · ${report.cycles} engagement cycles · ${report.leadCounts.assigned} assigned · ${report.leadCounts.touched} touched` +
        (weeks.length ? ` · ${weeks.length} weeks (${weeks[0]} to ${weeks[weeks.length - 1]})` : '')
    )
  );
  out.push('');
  const s = report.sla;
  out.push(
    `  ${st.bold('Speed to lead')} median ${st.bold(duration(report.speedToLead.median))}, ` +
      `of which systems ${duration(report.systemsDelay.median)} and reps ${duration(report.humanDelay.median)} ` +
      `(${duration(report.humanDelayBusiness.median)} in business hours).`
  );
  const rate = s.hitRate;
  const colour = rate === null ? st.dim : rate >= 0.8 ? st.green : rate >= 0.6 ? st.yellow : st.red;
  out.push(
    `  ${st.bold('SLA hit rate')} ${colour(pct(rate, 1))} ${colour(bar(rate, 24))} ` +
      st.dim(
        `hit ${s.hit} · missed ${s.missed} · pending ${s.pending} · excluded ${s.excluded} · no rule ${s.notApplicable}` +
          (s.superseded ? ` · superseded ${s.superseded}` : '')
      )
  );
  out.push(
    st.dim('  Delays, hit rates and the slowest list count engagement cycles; sources count leads.')
  );
  const re = report.reEngagement;
  out.push(
    re.historyAvailable
      ? `  ${st.bold('Re-engagement')} ${re.leadsReEngaged} leads came back (${re.reEngagementCycles} new cycles from ${re.engagementField} history; ${re.ignoredReEngagements} later engagements did not qualify).`
      : st.dim(
          `  Re-engagement: not visible (${re.engagementField ? `no history for ${re.engagementField}` : 'no engagement source field'}): one cycle per lead.`
        )
  );
  const dups = report.likelyDuplicates;
  if (dups.count) {
    out.push(
      `  ${st.bold('Likely duplicates')} ${dups.count} leads share an email with a lead still waiting for its first touch; their first cycles are left out of the hit rate and delays.`
    );
    for (const d of dups.leads.slice(0, 5)) {
      out.push(st.dim(`    ${d.id} ${d.name} duplicates ${d.duplicateOf}`));
    }
    if (dups.count > 5) out.push(st.dim(`    … and ${dups.count - 5} more`));
  }
  out.push('');
  out.push(
    st.dim(
      `  ${pad('delay (calendar time)', 24)}${lpad('count', 7)}${lpad('median', 10)}${lpad('mean', 10)}${lpad('p90', 10)}${lpad('p95', 10)}`
    )
  );
  out.push(statRow('Speed to lead', report.speedToLead));
  out.push(statRow('Systems delay', report.systemsDelay));
  out.push(statRow('Human delay', report.humanDelay));
  out.push(statRow('Human delay (business)', report.humanDelayBusiness));
  out.push('');
  out.push(...groupTable('By lead type', report.byLeadType, st));
  out.push('');
  out.push(...groupTable('By rep', report.byOwner, st));
  out.push('');
  out.push(...groupTable('By source (first cycle of each lead)', report.bySource, st, 'leads'));
  out.push('');
  out.push(st.bold('Week by week'));
  out.push(
    st.dim(
      `  ${pad('week', 10)}${lpad('cycles', 7)}${lpad('median', 10)}${lpad('systems', 10)}${lpad('human', 10)}  hit rate`
    )
  );
  for (const w of report.byWeek) {
    out.push(
      `  ${pad(w.key, 10)}${lpad(String(w.cycles), 7)}${lpad(duration(w.speedToLead.median), 10)}${lpad(duration(w.systemsDelay.median), 10)}${lpad(duration(w.humanDelay.median), 10)}  ${lpad(pct(w.sla.hitRate), 4)} ${bar(w.sla.hitRate, 20)}`
    );
  }
  out.push('');
  const b = report.bottlenecks;
  out.push(st.bold('Bottlenecks'));
  out.push(
    `  Queue wait: ${b.queueWait.leads} leads waited in a queue (median ${duration(b.queueWait.minutes.median)}, p90 ${duration(b.queueWait.minutes.p90)}); ${b.queueWait.over60Min} waited over an hour.`
  );
  out.push(
    `  After hours: ${pct(b.afterHours.share)} of leads arrived outside business hours; median speed to lead ${duration(b.afterHours.speedToLeadMedianAfterHours)} vs ${duration(b.afterHours.speedToLeadMedianInHours)} in hours.`
  );
  out.push(
    `  Reassignments: ${b.reassignments.leads} leads changed rep before the first touch (median ${duration(b.reassignments.speedToLeadMedianReassigned)} vs ${duration(b.reassignments.speedToLeadMedianNotReassigned)}).`
  );
  out.push('');
  out.push(st.bold('Slowest cycles'));
  for (const l of report.slowest.slice(0, 5)) {
    const cycle = l.cycleCount > 1 ? ` #${l.cycleNumber}` : '';
    out.push(
      `  ${pad(duration(l.speedToLeadMinutes), 9)}${pad(`${l.name} (${l.company})${cycle}`, 38)}${pad(l.leadType ?? 'no rule', 18)}${pad(l.accountableRep ?? '-', 18)}${st.dim(l.id)}`
    );
  }
  out.push('');
  const n = report.safetyNets;
  const alarms: string[] = [];
  if (n.inQueueOver60Min.count)
    alarms.push(`${n.inQueueOver60Min.count} leads sit in a queue for over 60 minutes with no rep`);
  if (n.ownedByInactiveUser.count)
    alarms.push(`${n.ownedByInactiveUser.count} open leads are owned by inactive users`);
  if (n.untouchedOver24h.count)
    alarms.push(`${n.untouchedOver24h.count} open leads are untouched after 24 hours`);
  for (const m of n.slaMissSpikes)
    alarms.push(
      `SLA miss rate jumped to ${pct(m.missRate)} in ${m.week} (from ${pct(m.previousMissRate)})`
    );
  for (const c of n.systemsDelayCreep)
    alarms.push(
      `systems delay crept to ${duration(c.medianMinutes)} in ${c.week} (baseline ${duration(c.baselineMinutes)})`
    );
  out.push(st.bold('Safety nets'));
  if (!alarms.length) out.push(st.green('  All clear.'));
  for (const a of alarms) out.push(`  ${st.red('!')} ${a}`);
  out.push('');
  if (ctx.conversion) out.push(...conversionLines(ctx.conversion, st), '');
  const acc = report.accuracy;
  out.push(st.bold('Data accuracy'));
  out.push(
    acc.available
      ? `  ${acc.leadsChecked} stamped leads checked on ${acc.fieldsChecked.length} fields: ${pct(acc.matchRate, 1)} match, ${acc.mismatchCount} mismatching values.`
      : st.dim(
          '  No stamped fields in this data (the package is not installed yet): nothing to compare.'
        )
  );
  if (ctx.problems.length) {
    out.push('');
    const reasons = new Map<string, number>();
    for (const p of ctx.problems) {
      const key = `${p.file}${p.column ? ` ${p.column}` : ''}: ${p.reason.replace(/"[^"]*"/, '…')}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    out.push(st.yellow(`Skipped ${ctx.problems.length} bad row(s); the rest were counted:`));
    for (const [why, count] of reasons) out.push(`  ${count} × ${why}`);
  }
  if (ctx.outputs.length) {
    out.push('');
    for (const o of ctx.outputs) out.push(`Wrote ${o}`);
  }
  return out.map((l) => l.trimEnd()).join('\n');
}
