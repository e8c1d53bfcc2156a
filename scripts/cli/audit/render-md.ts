// The audit as Markdown: for a pull request, a wiki page or a ticket.
import type { AuditReport, GroupStats } from '../../lib/audit.ts';
import { duration, pct } from './format.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function table(title: string, groups: GroupStats[], unit: 'cycles' | 'leads' = 'cycles'): string {
  const lines = [
    `## ${title}`,
    '',
    `| | ${unit} | median speed | p90 speed | systems (median) | human (median) | hit rate |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'
  ];
  for (const g of groups) {
    lines.push(
      `| ${cell(g.key)} | ${unit === 'cycles' ? g.cycles : g.leads} | ${duration(g.speedToLead.median)} | ${duration(g.speedToLead.p90)} | ${duration(g.systemsDelay.median)} | ${duration(g.humanDelay.median)} | ${pct(g.sla.hitRate)} |`
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(report: AuditReport, source: string): string {
  const s = report.sla;
  const stat = (label: string, v: AuditReport['speedToLead']): string =>
    `| ${label} | ${v.count} | ${duration(v.median)} | ${duration(v.mean)} | ${duration(v.p90)} | ${duration(v.p95)} |`;
  const n = report.safetyNets;
  return [
    `# Speed-to-lead audit`,
    '',
    `${cell(source)}, as of ${report.asOf}: ${report.leads} leads in ${report.cycles} engagement cycles, ${report.leadCounts.touched} leads touched. SLA hit rate **${pct(s.hitRate, 1)}** over cycles (hit ${s.hit}, missed ${s.missed}, pending ${s.pending}, excluded ${s.excluded}, no rule ${s.notApplicable}, superseded ${s.superseded}, likely duplicates ${s.duplicates}).`,
    '',
    `Re-engagement: ${report.reEngagement.historyAvailable ? `${report.reEngagement.leadsReEngaged} leads came back (${report.reEngagement.reEngagementCycles} new cycles)` : 'not visible, one cycle per lead'}. Likely duplicates: ${report.likelyDuplicates.count}${
      report.likelyDuplicates.leads.length
        ? ` (${report.likelyDuplicates.leads
            .slice(0, 20)
            .map((d) => `${d.id} of ${d.duplicateOf}`)
            .join(', ')})`
        : ''
    }. Delays and hit rates count cycles; sources count leads.`,
    '',
    '| delay | count | median | mean | p90 | p95 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    stat('Speed to lead', report.speedToLead),
    stat('Systems delay', report.systemsDelay),
    stat('Human delay', report.humanDelay),
    stat('Human delay (business)', report.humanDelayBusiness),
    '',
    table('By lead type', report.byLeadType),
    '',
    table('By rep', report.byOwner),
    '',
    table('By source (first cycle of each lead)', report.bySource, 'leads'),
    '',
    table('By week', report.byWeek),
    '',
    '## Safety nets',
    '',
    `- In a queue over 60 minutes: ${n.inQueueOver60Min.count}`,
    `- Owned by inactive users: ${n.ownedByInactiveUser.count}`,
    `- Untouched after 24 hours: ${n.untouchedOver24h.count}`,
    `- SLA miss spikes: ${n.slaMissSpikes.map((m) => `${m.week} (${pct(m.missRate)} from ${pct(m.previousMissRate)})`).join(', ') || 'none'}`,
    `- Systems delay creep: ${n.systemsDelayCreep.map((c) => `${c.week} (${duration(c.medianMinutes)})`).join(', ') || 'none'}`,
    ''
  ].join('\n');
}
