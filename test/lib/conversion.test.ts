import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bucketOf,
  computeConversionImpact,
  ConversionCollector,
  ConversionError,
  conversionLeadsFromAudit,
  opportunitiesFromRows,
  parseWindow,
  rateSystemsDelay,
  renderConversionHtml,
  type ConversionLead
} from '../../scripts/lib/conversion.ts';

const lead = (over: Partial<ConversionLead>): ConversionLead => ({
  converted: false,
  slaStatus: 'Hit',
  leadType: 'Hot',
  source: 'Web',
  speedToLeadMinutes: 10,
  systemsDelayMinutes: 2,
  engagementAt: '2026-10-01T10:00:00Z',
  ...over
});

const many = (n: number, over: Partial<ConversionLead>): ConversionLead[] =>
  Array.from({ length: n }, (_, i) => lead({ id: `L${i}`, ...over }));

describe('conversion buckets', () => {
  it('puts 4:59.99 under 5 min and exactly 5:00 in 5-30 min (lower bound inclusive)', () => {
    assert.equal(bucketOf(4 + 59.99 / 60), 'under5m');
    assert.equal(bucketOf(5), '5to30m');
    assert.equal(bucketOf(0), 'under5m');
    assert.equal(bucketOf(29.9999), '5to30m');
    assert.equal(bucketOf(30), '30to60m');
    assert.equal(bucketOf(60), '1to4h');
    assert.equal(bucketOf(239.99), '1to4h');
    assert.equal(bucketOf(240), '4to24h');
    assert.equal(bucketOf(1439.99), '4to24h');
    assert.equal(bucketOf(1440), 'over24h');
    assert.equal(bucketOf(null), 'neverTouched');
    assert.equal(bucketOf(undefined), 'neverTouched');
  });

  it('places every non-negative time in exactly one bucket, in order', () => {
    const order = ['under5m', '5to30m', '30to60m', '1to4h', '4to24h', 'over24h'];
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return order.indexOf(bucketOf(lo)) <= order.indexOf(bucketOf(hi));
        }
      )
    );
  });

  it('counts conversions per bucket with counts beside the rates', () => {
    const leads = [
      lead({
        id: 'a',
        speedToLeadMinutes: 4 + 59.99 / 60,
        converted: true,
        convertedOpportunityId: 'O1'
      }),
      lead({ id: 'b', speedToLeadMinutes: 5, converted: true }),
      lead({ id: 'c', speedToLeadMinutes: 5.5 }),
      lead({ id: 'd', speedToLeadMinutes: null, slaStatus: 'Missed' })
    ];
    const r = computeConversionImpact(leads, [], { minSample: 1 });
    const by = Object.fromEntries(r.conversionByBucket.map((b) => [b.bucket, b]));
    assert.deepEqual(
      [
        by.under5m.leads,
        by.under5m.converted,
        by.under5m.withOpportunity,
        by.under5m.conversionRate
      ],
      [1, 1, 1, 1]
    );
    assert.deepEqual(
      [by['5to30m'].leads, by['5to30m'].converted, by['5to30m'].conversionRate],
      [2, 1, 0.5]
    );
    assert.equal(by['5to30m'].opportunityRate, 0);
    assert.equal(by.neverTouched.leads, 1);
    assert.equal(by.over24h.conversionRate, null, 'an empty bucket has no rate, not 0%');
    assert.equal(r.conversionByBucket.length, 7);
  });
});

describe('small samples', () => {
  it('flags groups under the minimum size (default 20) and not those at it', () => {
    const leads = [...many(20, { leadType: 'Hot' }), ...many(19, { leadType: 'Warm' })];
    const r = computeConversionImpact(leads, []);
    assert.equal(r.minSample, 20);
    const hot = r.conversionByLeadType.find((t) => t.leadType === 'Hot')!;
    const warm = r.conversionByLeadType.find((t) => t.leadType === 'Warm')!;
    assert.equal(hot.leads, 20);
    assert.equal(hot.smallSample, false);
    assert.equal(warm.smallSample, true);
    const missed = r.conversionBySlaOutcome.find((o) => o.outcome === 'Missed')!;
    assert.equal(missed.leads, 0);
    assert.equal(missed.smallSample, true);
  });

  it('honours a custom minimum and rejects a nonsense one', () => {
    const r = computeConversionImpact(many(3, {}), [], { minSample: 3 });
    assert.equal(r.conversionBySlaOutcome[0].smallSample, false);
    assert.throws(() => computeConversionImpact([], [], { minSample: 0 }), /minSample/);
  });
});

describe('SLA outcome, lead type and pipeline', () => {
  it('sums pipeline and won amounts per outcome from the converted opportunities', () => {
    const leads = [
      lead({ id: 'h1', converted: true, convertedOpportunityId: 'O1' }),
      lead({ id: 'h2', converted: true, convertedOpportunityId: 'O2' }),
      lead({ id: 'h3' }),
      lead({ id: 'm1', slaStatus: 'Missed', converted: true, convertedOpportunityId: 'O3' }),
      lead({ id: 'm2', slaStatus: 'Missed', converted: true, convertedOpportunityId: 'O-missing' }),
      lead({ id: 'p1', slaStatus: 'Pending', converted: true, convertedOpportunityId: 'O4' })
    ];
    const opps = [
      { id: 'O1', amount: 1000, isWon: true, isClosed: true },
      { id: 'O2', amount: 2500.5, isWon: false, isClosed: false },
      { id: 'O3', amount: null, isWon: true, isClosed: true },
      { id: 'O4', amount: 99999, isWon: true, isClosed: true }
    ];
    const r = computeConversionImpact(leads, opps, { minSample: 1 });
    const [hit, missed] = r.pipelineBySlaOutcome;
    assert.deepEqual(
      [
        hit.outcome,
        hit.leads,
        hit.opportunities,
        hit.pipelineAmount,
        hit.wonOpportunities,
        hit.wonAmount
      ],
      ['Hit', 3, 2, 3500.5, 1, 1000]
    );
    assert.deepEqual(
      [
        missed.outcome,
        missed.opportunities,
        missed.pipelineAmount,
        missed.wonAmount,
        missed.missingOpportunities
      ],
      ['Missed', 1, 0, 0, 1]
    );
    const [hitRate, missRate] = r.conversionBySlaOutcome;
    assert.equal(hitRate.conversionRate, 0.6667);
    assert.equal(missRate.conversionRate, 1);
  });

  it('reads a blank lead type and status as Not Applicable', () => {
    const r = computeConversionImpact([lead({ leadType: '', slaStatus: null })], [], {
      minSample: 1
    });
    assert.equal(r.conversionByLeadType[0].leadType, 'Not Applicable');
    assert.equal(r.conversionBySlaOutcome[0].leads, 0);
  });
});

describe('before/after go-live', () => {
  it('splits on engagement: before the instant vs at or after it', () => {
    const leads = [
      lead({
        id: 'b1',
        engagementAt: '2026-09-30T23:59:59Z',
        speedToLeadMinutes: 60,
        slaStatus: 'Missed'
      }),
      lead({
        id: 'b2',
        engagementAt: '2026-09-15T10:00:00Z',
        speedToLeadMinutes: 40,
        converted: true
      }),
      lead({
        id: 'a1',
        engagementAt: '2026-10-01T00:00:00Z',
        speedToLeadMinutes: 4,
        converted: true
      }),
      lead({
        id: 'a2',
        engagementAt: '2026-10-02T10:00:00Z',
        speedToLeadMinutes: 6,
        converted: true
      }),
      lead({ id: 'x', engagementAt: null })
    ];
    const r = computeConversionImpact(leads, [], { goLive: '2026-10-01', minSample: 1 });
    const b = r.beforeAfter!;
    assert.equal(b.goLive, '2026-10-01T00:00:00.000Z');
    assert.deepEqual([b.before.leads, b.before.converted, b.before.conversionRate], [2, 1, 0.5]);
    assert.deepEqual([b.after.leads, b.after.converted, b.after.conversionRate], [2, 2, 1]);
    assert.equal(b.before.slaHitRate, 0.5);
    assert.equal(b.after.slaHitRate, 1);
    assert.equal(b.before.medianSpeedToLeadMinutes, 50);
    assert.equal(b.after.medianSpeedToLeadMinutes, 5);
    assert.equal(b.change.conversionRatePoints, 50);
    assert.equal(b.change.slaHitRatePoints, 50);
    assert.equal(b.change.medianSpeedToLeadMinutes, -45);
    assert.equal(b.withoutEngagement, 1);
  });

  it('puts every dated lead in exactly one period', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }), {
          maxLength: 60
        }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (offsets, goLive) => {
          const base = Date.parse('2026-01-01T00:00:00Z');
          const leads = offsets.map((o, i) =>
            lead({ id: `P${i}`, engagementAt: o === null ? null : base + o * 60_000 })
          );
          const b = computeConversionImpact(leads, [], {
            goLive: base + goLive * 60_000
          }).beforeAfter!;
          const before = offsets.filter((o) => o !== null && o < goLive).length;
          return (
            b.before.leads === before &&
            b.before.leads + b.after.leads + b.withoutEngagement === leads.length
          );
        }
      )
    );
  });

  it('is null without a go-live date and rejects a bad one with the flag name', () => {
    assert.equal(computeConversionImpact([lead({})], []).beforeAfter, null);
    assert.throws(
      () => computeConversionImpact([lead({})], [], { goLive: 'next tuesday' }),
      (e: Error) => e instanceof ConversionError && /--go-live: "next tuesday"/.test(e.message)
    );
  });
});

describe('systems delay rating', () => {
  it('uses the documented bands with their exact edges', () => {
    assert.equal(rateSystemsDelay(5), 'best in class');
    assert.equal(rateSystemsDelay(5.01), 'acceptable');
    assert.equal(rateSystemsDelay(9.99), 'acceptable');
    assert.equal(rateSystemsDelay(10), 'yellow');
    assert.equal(rateSystemsDelay(15), 'red');
    assert.equal(rateSystemsDelay(29.99), 'red');
    assert.equal(rateSystemsDelay(30), 'critical');
  });

  it('rates each source on its median and leaves out leads overlapping an outage window', () => {
    const leads = [
      ...many(3, { source: 'Web', systemsDelayMinutes: 4 }),
      // an outage pushed these two to 300 min; without the window Web would be rated on them too
      lead({
        id: 'o1',
        source: 'Web',
        systemsDelayMinutes: 300,
        engagementAt: '2026-10-05T13:00:00Z'
      }),
      lead({
        id: 'o2',
        source: 'Web',
        systemsDelayMinutes: 300,
        engagementAt: '2026-10-05T12:00:00Z'
      }),
      ...many(2, { source: 'Trade Show', systemsDelayMinutes: 12 }),
      lead({ id: 'u', source: 'Trade Show', systemsDelayMinutes: null })
    ];
    const without = computeConversionImpact(leads, [], { minSample: 1 });
    const web0 = without.systemsDelayRating.bySource.find((s) => s.source === 'Web')!;
    assert.deepEqual(
      [web0.leads, web0.medianSystemsDelayMinutes, web0.rating],
      [5, 4, 'best in class']
    );
    assert.match(without.systemsDelayRating.exclusionStatement, /No outage windows excluded/);

    const window = parseWindow('2026-10-05T14:00:00Z/2026-10-05T18:30:00Z');
    const r = computeConversionImpact(leads, [], { minSample: 1, excludeWindows: [window] });
    const s = r.systemsDelayRating;
    assert.equal(s.excludedLeads, 2);
    assert.deepEqual(s.excludedWindows, [
      { start: '2026-10-05T14:00:00.000Z', end: '2026-10-05T18:30:00.000Z', leads: 2 }
    ]);
    assert.match(
      s.exclusionStatement,
      /Excluded 2 lead\(s\).*2026-10-05T14:00:00.000Z to 2026-10-05T18:30:00.000Z/
    );
    const web = s.bySource.find((x) => x.source === 'Web')!;
    assert.equal(web.leads, 3);
    const show = s.bySource.find((x) => x.source === 'Trade Show')!;
    assert.deepEqual([show.leads, show.medianSystemsDelayMinutes, show.rating], [2, 12, 'yellow']);
  });

  it('rejects malformed windows saying what is wrong', () => {
    assert.throws(() => parseWindow('2026-10-05'), /must be start\/end/);
    assert.throws(() => parseWindow('2026-10-06/2026-10-05'), /end must be after the start/);
    assert.throws(() => parseWindow('yesterday/2026-10-05'), /"yesterday" is not an ISO date/);
  });
});

describe('bad input', () => {
  it('names the lead and the field', () => {
    assert.throws(
      () => computeConversionImpact([lead({ id: '00Q1', speedToLeadMinutes: Number.NaN })], []),
      /lead 00Q1 speedToLeadMinutes: NaN is not a number of minutes/
    );
    assert.throws(
      () => computeConversionImpact([lead({}), lead({ systemsDelayMinutes: -3 })], []),
      /lead #2 systemsDelayMinutes: -3/
    );
    assert.throws(
      () => computeConversionImpact([lead({ engagementAt: 'soon' })], []),
      /engagementAt: "soon"/
    );
  });
});

describe('HTML fragment', () => {
  it('embeds an inline SVG chart with counts, tables, and the exclusion statement, and no script', () => {
    const leads = [
      ...many(25, { speedToLeadMinutes: 3, converted: true }),
      ...many(2, { speedToLeadMinutes: 100, leadType: '<Warm & "cold">' })
    ];
    const html = renderConversionHtml(
      computeConversionImpact(leads, [], {
        goLive: '2026-10-01',
        excludeWindows: [parseWindow('2026-11-01/2026-11-02')]
      })
    );
    assert.match(html, /^<section class="stl-conversion">/);
    assert.match(html, /<svg [^>]*role="img"/);
    assert.match(html, /n=25</);
    assert.match(html, /n=2\*</, 'a small bucket is starred');
    assert.match(html, />100%</);
    assert.match(html, /&lt;Warm &amp; &quot;cold&quot;&gt;/, 'names are escaped');
    assert.match(html, /Before and after go-live/);
    assert.match(html, /Excluded 0 lead\(s\) whose systems delay overlaps 1 outage window/);
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('audit adapters', () => {
  it('keeps the current cycle of each lead and reads the conversion columns', () => {
    const cycles = [
      {
        id: 'L1',
        isCurrentCycle: false,
        engagementAt: '2026-09-01T10:00:00Z',
        speedToLeadMinutes: 90,
        systemsDelayMinutes: 1,
        slaStatus: 'Missed',
        leadType: 'Hot',
        source: 'Web'
      },
      {
        id: 'L1',
        isCurrentCycle: true,
        engagementAt: '2026-10-01T10:00:00Z',
        speedToLeadMinutes: 3,
        systemsDelayMinutes: 1,
        slaStatus: 'Hit',
        leadType: 'Hot',
        source: 'Web'
      },
      {
        id: 'L2',
        isCurrentCycle: true,
        engagementAt: '2026-10-02T10:00:00Z',
        speedToLeadMinutes: null,
        systemsDelayMinutes: null,
        slaStatus: 'Pending',
        leadType: null,
        source: 'Web'
      }
    ];
    const fields: Record<string, Record<string, string>> = {
      L1: { IsConverted: 'true', ConvertedOpportunityId: '006A' },
      L2: { IsConverted: 'false', ConvertedOpportunityId: '' }
    };
    const leads = conversionLeadsFromAudit(cycles, (id) => fields[id]);
    assert.equal(leads.length, 2);
    assert.deepEqual(
      leads.map((l) => [l.id, l.converted, l.convertedOpportunityId, l.slaStatus]),
      [
        ['L1', true, '006A', 'Hit'],
        ['L2', false, null, 'Pending']
      ]
    );
    const opps = opportunitiesFromRows([
      { Id: '006A', Amount: '5000', IsWon: 'true', IsClosed: 'true' },
      { Id: '006B', Amount: '', IsWon: 'false', IsClosed: 'false' }
    ]);
    assert.deepEqual(opps[1], { id: '006B', amount: null, isWon: false, isClosed: false });
    const r = computeConversionImpact(leads, opps, { minSample: 1 });
    assert.equal(r.pipelineBySlaOutcome[0].wonAmount, 5000);
  });

  it('prefers conversion fields carried on the audit result itself', () => {
    const [l] = conversionLeadsFromAudit([
      {
        id: 'L9',
        isCurrentCycle: true,
        engagementAt: '2026-10-01T10:00:00Z',
        speedToLeadMinutes: 2,
        systemsDelayMinutes: 0,
        slaStatus: 'Hit',
        leadType: 'Hot',
        source: 'Web',
        converted: true,
        convertedOpportunityId: '006Z'
      }
    ]);
    assert.deepEqual([l.converted, l.convertedOpportunityId], [true, '006Z']);
  });

  it('names the file, line and column of a bad opportunity row', () => {
    assert.throws(
      () => opportunitiesFromRows([{ Id: '006A', Amount: 'lots' }]),
      /Opportunity\.csv line 2, column Amount: "lots" is not a number/
    );
    assert.throws(
      () => opportunitiesFromRows([{ Amount: '1' }], 'opps.csv', () => 7),
      /opps\.csv line 7, column Id/
    );
  });
});

describe('ConversionCollector', () => {
  it('rejects a bad lead as it is added and a bad go-live or window only when the figures are asked for', () => {
    const c = new ConversionCollector({
      goLive: 'next tuesday',
      excludeWindows: [{ start: '2026-10-02', end: '2026-10-01' }],
      minSample: 1
    });
    c.add(lead({ id: 'L1' }));
    assert.throws(
      () => c.add(lead({ id: 'L2', speedToLeadMinutes: -1 })),
      /lead L2 speedToLeadMinutes/
    );
    assert.throws(() => c.result([]), /--go-live: "next tuesday"/);
    const windowOnly = new ConversionCollector({
      excludeWindows: [{ start: '2026-10-02', end: '2026-10-01' }]
    });
    windowOnly.add(lead({ id: 'L1' }));
    assert.throws(() => windowOnly.result([]), /exclude window 1: the end must be after the start/);
    assert.throws(() => new ConversionCollector({ minSample: 0 }), /minSample/);
  });

  it('counts leads added one at a time, the median of each go-live side and of each source', () => {
    const c = new ConversionCollector({ goLive: '2026-10-01T12:00:00Z', minSample: 1 });
    // before go-live: 10 and 30 min (median 20), one converted with an opportunity; after: 4 min
    c.add(lead({ id: 'A', speedToLeadMinutes: 30, engagementAt: '2026-10-01T10:00:00.000Z' }));
    c.add(
      lead({
        id: 'B',
        speedToLeadMinutes: 10,
        systemsDelayMinutes: 6,
        converted: true,
        convertedOpportunityId: '006A',
        engagementAt: '2026-10-01T11:59:59.999Z'
      })
    );
    c.add(lead({ id: 'C', speedToLeadMinutes: 4, engagementAt: '2026-10-01T12:00:00.000Z' }));
    const r = c.result([{ id: '006A', amount: 1200, isWon: true, isClosed: true }]);
    assert.equal(r.leads, 3);
    assert.equal(r.beforeAfter?.before.leads, 2);
    assert.equal(r.beforeAfter?.before.medianSpeedToLeadMinutes, 20);
    assert.equal(r.beforeAfter?.after.medianSpeedToLeadMinutes, 4);
    assert.equal(r.beforeAfter?.change.medianSpeedToLeadMinutes, -16);
    assert.equal(r.pipelineBySlaOutcome[0].wonAmount, 1200);
    // systems delays 2, 6, 2 min for source Web: median 2
    assert.deepEqual(
      r.systemsDelayRating.bySource.map((s) => [s.source, s.leads, s.medianSystemsDelayMinutes]),
      [['Web', 3, 2]]
    );
    assert.deepEqual(
      r.conversionByBucket.map((b) => b.leads),
      [1, 1, 1, 0, 0, 0, 0]
    );
  });
});
