// The audit as one self-contained HTML file: inline CSS and SVG charts, no script, no network.
import type { AuditReport, GroupStats } from '../../lib/audit.ts';
import { renderConversionHtml, type ConversionImpact } from '../../lib/conversion.ts';
import type { RowProblem } from './csv-reader.ts';
import { duration, escapeHtml as e, pct } from './format.ts';

const W = 560;

function lineChart(
  title: string,
  points: { x: string; y: number | null }[],
  fmt: (v: number) => string,
  colour: string,
  maxY?: number
): string {
  const H = 200;
  const L = 56;
  const B = 28;
  const values = points.map((p) => p.y).filter((v): v is number => v !== null);
  const top = maxY ?? Math.max(1, ...values) * 1.15;
  const step = points.length > 1 ? (W - L - 16) / (points.length - 1) : 0;
  const xy = points.map((p, i) => ({
    x: L + i * step,
    y: p.y === null ? null : H - B - (p.y / top) * (H - B - 12),
    p
  }));
  const path = xy
    .filter((q) => q.y !== null)
    .map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)},${(q.y as number).toFixed(1)}`)
    .join(' ');
  const ticks = [0, 0.5, 1].map((f) => {
    const y = H - B - f * (H - B - 12);
    return `<line x1="${L}" x2="${W - 8}" y1="${y}" y2="${y}" class="grid"/><text x="${L - 6}" y="${y + 4}" class="axis" text-anchor="end">${e(fmt(top * f))}</text>`;
  });
  const labels = xy
    .filter((_, i) => points.length <= 10 || i % Math.ceil(points.length / 10) === 0)
    .map(
      (q) =>
        `<text x="${q.x}" y="${H - 8}" class="axis" text-anchor="middle">${e(q.p.x.replace(/^\d{4}-/, ''))}</text>`
    );
  const dots = xy
    .filter((q) => q.y !== null)
    .map(
      (q) =>
        `<circle cx="${q.x}" cy="${q.y}" r="3.5" fill="${colour}"><title>${e(`${q.p.x}: ${fmt(q.p.y as number)}`)}</title></circle>`
    );
  return `<figure><figcaption>${e(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}">${ticks.join('')}<path d="${path}" fill="none" stroke="${colour}" stroke-width="2.5"/>${dots.join('')}${labels.join('')}</svg></figure>`;
}

function stackedBars(title: string, weeks: GroupStats[]): string {
  const H = 220;
  const L = 56;
  const B = 28;
  const rows = weeks.map((w) => ({
    x: w.key,
    sys: w.systemsDelay.median ?? 0,
    hum: w.humanDelay.median ?? 0
  }));
  const top = Math.max(1, ...rows.map((r) => r.sys + r.hum)) * 1.15;
  const slot = (W - L - 16) / Math.max(1, rows.length);
  const bw = Math.min(36, slot * 0.7);
  const scale = (v: number): number => (v / top) * (H - B - 12);
  const bars = rows.map((r, i) => {
    const x = L + i * slot + (slot - bw) / 2;
    const hs = scale(r.sys);
    const hh = scale(r.hum);
    return (
      `<rect x="${x}" y="${H - B - hs}" width="${bw}" height="${hs}" class="sys"><title>${e(`${r.x} systems delay (median) ${duration(r.sys)}`)}</title></rect>` +
      `<rect x="${x}" y="${H - B - hs - hh}" width="${bw}" height="${hh}" class="hum"><title>${e(`${r.x} human delay (median) ${duration(r.hum)}`)}</title></rect>` +
      `<text x="${x + bw / 2}" y="${H - 8}" class="axis" text-anchor="middle">${e(r.x.replace(/^\d{4}-/, ''))}</text>`
    );
  });
  const ticks = [0, 0.5, 1].map((f) => {
    const y = H - B - f * (H - B - 12);
    return `<line x1="${L}" x2="${W - 8}" y1="${y}" y2="${y}" class="grid"/><text x="${L - 6}" y="${y + 4}" class="axis" text-anchor="end">${e(duration(top * f))}</text>`;
  });
  return `<figure><figcaption>${e(title)} <span class="key"><i class="sys"></i>systems <i class="hum"></i>human</span></figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}">${ticks.join('')}${bars.join('')}</svg></figure>`;
}

function hitRateBars(title: string, groups: GroupStats[]): string {
  const rows = groups.filter((g) => g.sla.hitRate !== null).slice(0, 12);
  const rowH = 26;
  const L = 170;
  const H = rows.length * rowH + 12;
  const bars = rows.map((g, i) => {
    const y = 6 + i * rowH;
    const rate = g.sla.hitRate as number;
    const w = rate * (W - L - 60);
    const cls = rate >= 0.8 ? 'good' : rate >= 0.6 ? 'warn' : 'bad';
    return (
      `<text x="${L - 8}" y="${y + 16}" class="label" text-anchor="end">${e(g.key.length > 24 ? g.key.slice(0, 23) + '…' : g.key)}</text>` +
      `<rect x="${L}" y="${y + 3}" width="${W - L - 60}" height="${rowH - 8}" class="track"/>` +
      `<rect x="${L}" y="${y + 3}" width="${w}" height="${rowH - 8}" class="${cls}"><title>${e(`${g.key}: ${pct(rate, 1)} of ${g.sla.hit + g.sla.missed} decided leads`)}</title></rect>` +
      `<text x="${L + w + 6}" y="${y + 16}" class="label">${pct(rate)}</text>`
    );
  });
  if (!rows.length)
    return `<figure><figcaption>${e(title)}</figcaption><p class="muted">No decided SLA outcomes.</p></figure>`;
  return `<figure><figcaption>${e(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}">${bars.join('')}</svg></figure>`;
}

function groupTable(
  title: string,
  groups: GroupStats[],
  unit: 'cycles' | 'leads' = 'cycles'
): string {
  const rows = groups
    .map(
      (g) =>
        `<tr><th scope="row">${e(g.key)}</th><td>${unit === 'cycles' ? g.cycles : g.leads}</td><td>${duration(g.speedToLead.median)}</td><td>${duration(g.speedToLead.p90)}</td><td>${duration(g.systemsDelay.median)}</td><td>${duration(g.humanDelay.median)}</td><td>${duration(g.humanDelayBusiness.median)}</td><td>${g.sla.hit}</td><td>${g.sla.missed}</td><td>${pct(g.sla.hitRate)}</td></tr>`
    )
    .join('');
  return `<section><h2>${e(title)}</h2><table><thead><tr><th></th><th>${unit}</th><th>median speed</th><th>p90 speed</th><th>systems (median)</th><th>human (median)</th><th>human, business</th><th>hit</th><th>missed</th><th>hit rate</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** Re-engagements and likely duplicates: what a cycle is, and which leads were not counted. */
function cyclesSection(report: AuditReport): string {
  const re = report.reEngagement;
  const dups = report.likelyDuplicates;
  const s = report.sla;
  const reText = re.historyAvailable
    ? `${re.leadsReEngaged} leads came back: ${re.reEngagementCycles} new engagement cycles from the history of ${e(re.engagementField ?? '')}; ${re.ignoredReEngagements} later engagements did not qualify (not a hand-raise while the previous cycle was open). ${s.superseded} earlier cycles were superseded before they were decided and count in no hit rate.`
    : `Re-engagements are not visible (${re.engagementField ? `no LeadHistory rows for ${e(re.engagementField)}` : 'no engagement source field in the rules'}): every lead is one cycle.`;
  const dupText = dups.count
    ? `<p>${dups.count} likely duplicates: leads with the email of another lead that was still waiting for its first touch when they arrived. Their first cycles are left out of the hit rate and the delays (counted as <em>duplicates</em>).</p><table class="list"><thead><tr><th>lead</th><th>name</th><th>arrived</th><th>duplicate of</th></tr></thead><tbody>${dups.leads
        .slice(0, 50)
        .map(
          (d) =>
            `<tr><td>${e(d.id)}</td><td>${e(d.name)}</td><td>${e(d.createdAt.replace('T', ' ').slice(0, 16))}</td><td>${e(d.duplicateOf)} (${e(d.duplicateOfName)})</td></tr>`
        )
        .join('')}</tbody></table>`
    : '<p class="ok">No likely duplicates.</p>';
  return `<section><h2>Engagement cycles and likely duplicates</h2><p>${report.leads} leads, ${report.cycles} engagement cycles. ${reText}</p>${dupText}</section>`;
}

export interface HtmlContext {
  source: string;
  problems: RowProblem[];
  warnings: string[];
  /** conversion impact: its own fragment (scripts/lib/conversion.ts) is embedded as is */
  conversion?: ConversionImpact;
}

export function renderHtml(report: AuditReport, ctx: HtmlContext): string {
  const n = report.safetyNets;
  const b = report.bottlenecks;
  const alarms: string[] = [];
  if (n.inQueueOver60Min.count)
    alarms.push(`${n.inQueueOver60Min.count} leads in a queue over 60 minutes with no rep`);
  if (n.ownedByInactiveUser.count)
    alarms.push(`${n.ownedByInactiveUser.count} open leads owned by inactive users`);
  if (n.untouchedOver24h.count)
    alarms.push(`${n.untouchedOver24h.count} open leads untouched after 24 hours`);
  for (const m of n.slaMissSpikes)
    alarms.push(
      `SLA miss rate ${pct(m.missRate)} in ${m.week}, up from ${pct(m.previousMissRate)}`
    );
  for (const c of n.systemsDelayCreep)
    alarms.push(
      `systems delay ${duration(c.medianMinutes)} in ${c.week} against a ${duration(c.baselineMinutes)} baseline`
    );
  const flagged = [
    ...n.inQueueOver60Min.leads.map((l) => ({ ...l, why: 'in queue' })),
    ...n.ownedByInactiveUser.leads.map((l) => ({ ...l, why: 'inactive owner' })),
    ...n.untouchedOver24h.leads.map((l) => ({ ...l, why: 'untouched' }))
  ].slice(0, 30);
  const tile = (label: string, value: string, sub: string): string =>
    `<div class="tile"><div class="tl">${e(label)}</div><div class="tv">${e(value)}</div><div class="ts">${e(sub)}</div></div>`;
  const css = `
  :root{--ink:#181b25;--muted:#5b6275;--line:#e3e6ee;--sys:#8a7cf0;--hum:#1b96ff;--good:#2e844a;--warn:#dd7a01;--bad:#ba0517}
  *{box-sizing:border-box}body{font:15px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);margin:0;background:#f6f7fb}
  header{background:#032d60;color:#fff;padding:28px 40px}header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.85}
  main{max-width:1180px;margin:0 auto;padding:24px 40px 60px}
  .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:14px;margin:-48px 0 24px}
  .tile{background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12)}.tl{color:var(--muted);font-size:13px}.tv{font-size:28px;font-weight:700}.ts{color:var(--muted);font-size:12px}
  .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
  figure{background:#fff;margin:0;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}figcaption{font-weight:600;margin-bottom:6px}
  svg{width:100%;height:auto}.grid{stroke:var(--line)}.axis{font-size:11px;fill:var(--muted)}.label{font-size:12px;fill:var(--ink)}
  .sys{fill:var(--sys);background:var(--sys)}.hum{fill:var(--hum);background:var(--hum)}.track{fill:#eef0f5}.good{fill:var(--good)}.warn{fill:var(--warn)}.bad{fill:var(--bad)}
  .key{font-weight:400;color:var(--muted);font-size:12px;margin-left:8px}.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
  section{background:#fff;border-radius:10px;padding:16px 18px;margin-top:16px;box-shadow:0 1px 3px rgba(0,0,0,.08);overflow-x:auto}
  h2{font-size:18px;margin:0 0 10px}table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}th:first-child,td:first-child{text-align:left}thead th{color:var(--muted);font-weight:600}
  .list td,.list th{text-align:left}.list td.n{text-align:right}.alarm{color:var(--bad);font-weight:600}.ok{color:var(--good);font-weight:600}.muted{color:var(--muted)}ul{margin:6px 0 0 18px;padding:0}`;
  const weeks = report.byWeek;
  const s = report.sla;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Speed-to-lead audit</title><style>${css}</style></head>
<body><header><h1>Speed-to-lead audit</h1><p>${e(ctx.source)} · as of ${e(report.asOf.replace('T', ' ').slice(0, 16))} UTC · ${report.leads} leads, ${report.cycles} engagement cycles, ${report.leadCounts.touched} leads touched</p></header>
<main>
<div class="tiles">
${tile('Median speed to lead', duration(report.speedToLead.median), `p90 ${duration(report.speedToLead.p90)} · mean ${duration(report.speedToLead.mean)}`)}
${tile('Systems delay (median)', duration(report.systemsDelay.median), `engagement to assignment · p90 ${duration(report.systemsDelay.p90)}`)}
${tile('Human delay (median)', duration(report.humanDelay.median), `${duration(report.humanDelayBusiness.median)} in business hours`)}
${tile('SLA hit rate', pct(s.hitRate, 1), `${s.hit} hit · ${s.missed} missed · ${s.pending} pending`)}
</div>
<div class="charts">
${lineChart(
  'Median speed to lead by week',
  weeks.map((w) => ({ x: w.key, y: w.speedToLead.median })),
  (v) => duration(v),
  '#0176d3'
)}
${lineChart(
  'SLA hit rate by week',
  weeks.map((w) => ({ x: w.key, y: w.sla.hitRate })),
  (v) => pct(v),
  '#2e844a',
  1
)}
${stackedBars('Systems vs human delay (medians by week)', weeks)}
${hitRateBars('SLA hit rate by lead type', report.byLeadType)}
${hitRateBars('SLA hit rate by rep', report.byOwner)}
</div>
<section><h2>Safety nets</h2>${alarms.length ? `<ul>${alarms.map((a) => `<li class="alarm">${e(a)}</li>`).join('')}</ul>` : '<p class="ok">All clear.</p>'}
${flagged.length ? `<table class="list"><thead><tr><th>lead</th><th>name</th><th>owner</th><th>why</th><th>for</th></tr></thead><tbody>${flagged.map((f) => `<tr><td>${e(f.id)}</td><td>${e(f.name)}</td><td>${e(f.owner)}</td><td>${e(f.why)}</td><td class="n">${duration(f.minutes)}</td></tr>`).join('')}</tbody></table>` : ''}</section>
<section><h2>Bottlenecks</h2><ul>
<li>Queue wait: ${b.queueWait.leads} leads waited in a queue (median ${duration(b.queueWait.minutes.median)}, p90 ${duration(b.queueWait.minutes.p90)}); ${b.queueWait.over60Min} over an hour.</li>
<li>After hours: ${pct(b.afterHours.share)} of leads arrived outside business hours; median speed to lead ${duration(b.afterHours.speedToLeadMedianAfterHours)} against ${duration(b.afterHours.speedToLeadMedianInHours)} in hours.</li>
<li>Reassignments: ${b.reassignments.leads} leads changed rep before the first touch (median speed ${duration(b.reassignments.speedToLeadMedianReassigned)} against ${duration(b.reassignments.speedToLeadMedianNotReassigned)}).</li></ul></section>
${ctx.conversion ? renderConversionHtml(ctx.conversion) : ''}
${cyclesSection(report)}
${groupTable('By lead type', report.byLeadType)}
${groupTable('By rep', report.byOwner)}
${groupTable('By lead source (first cycle of each lead)', report.bySource, 'leads')}
${groupTable('By ISO week', report.byWeek)}
<section><h2>Slowest cycles</h2><table class="list"><thead><tr><th>lead</th><th>cycle</th><th>name</th><th>company</th><th>type</th><th>rep</th><th>speed to lead</th><th>systems</th><th>human</th><th>SLA</th></tr></thead><tbody>
${report.slowest.map((l) => `<tr><td>${e(l.id)}</td><td>${l.cycleNumber} of ${l.cycleCount}</td><td>${e(l.name)}</td><td>${e(l.company)}</td><td>${e(l.leadType ?? 'no rule')}</td><td>${e(l.accountableRep ?? '-')}</td><td class="n">${duration(l.speedToLeadMinutes)}</td><td class="n">${duration(l.systemsDelayMinutes)}</td><td class="n">${duration(l.humanDelayMinutes)}</td><td>${e(l.slaStatus)}</td></tr>`).join('')}
</tbody></table></section>
<section><h2>Data accuracy</h2>${
    report.accuracy.available
      ? `<p>${report.accuracy.leadsChecked} stamped leads checked on ${report.accuracy.fieldsChecked.map(e).join(', ')}: ${pct(report.accuracy.matchRate, 1)} agree; ${report.accuracy.mismatchCount} values differ.</p>${
          report.accuracy.mismatches.length
            ? `<table class="list"><thead><tr><th>lead</th><th>field</th><th>stamped</th><th>recomputed</th></tr></thead><tbody>${report.accuracy.mismatches
                .slice(0, 50)
                .map(
                  (m) =>
                    `<tr><td>${e(m.leadId)}</td><td>${e(m.field)}</td><td>${e(m.stamped)}</td><td>${e(m.recomputed)}</td></tr>`
                )
                .join('')}</tbody></table>`
            : ''
        }`
      : '<p class="muted">No stamped fields in this data (the package is not installed yet): nothing to compare.</p>'
  }</section>
${
  ctx.problems.length || ctx.warnings.length
    ? `<section><h2>Data notes</h2><ul>${ctx.warnings.map((w) => `<li>${e(w)}</li>`).join('')}${ctx.problems
        .slice(0, 50)
        .map(
          (p) =>
            `<li>${e(`${p.file} line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.reason} (row skipped)`)}</li>`
        )
        .join('')}</ul></section>`
    : ''
}
<p class="muted">Units: delays, hit rates, lead types, reps, weeks, the slowest list and the safety nets count engagement cycles (a lead that came back is judged once per hand-raise); lead counts, sources and duplicates count leads. Definitions: systems delay = assignment − engagement; human delay = first touch − assignment; speed to lead = first touch − engagement. Percentiles use linear interpolation between closest ranks. Generated by stl audit.</p>
</main></body></html>
`;
}
