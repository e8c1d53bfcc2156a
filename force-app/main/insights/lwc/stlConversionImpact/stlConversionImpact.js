import { LightningElement, api, wire } from 'lwc';
import getConversionImpact from '@salesforce/apex/StlConversionController.getConversionImpact';

function pct(rate) {
  if (rate === null || rate === undefined) {
    return '–';
  }
  return `${Math.round(rate * 1000) / 10}%`;
}
const money = (n) =>
  new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Number(n || 0));

function isoDay(date) {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function rateRows(rows) {
  return (rows || []).map((r) => ({
    key: r.key,
    label: r.label,
    leads: r.leads,
    converted: r.converted,
    withOpportunity: r.withOpportunity,
    conversion: pct(r.conversionRate),
    toOpportunity: pct(r.opportunityRate),
    smallSample: r.smallSample
  }));
}

/**
 * Conversion impact section of the leader dashboard: does a faster first touch convert better?
 * Reads StlConversionController.getConversionImpact for a date range (default: the last
 * `rangeDays` days) and shows every rate beside its count, with small samples flagged.
 */
export default class StlConversionImpact extends LightningElement {
  /** Days shown when the page opens (set in Lightning App Builder). */
  @api rangeDays = 90;

  startDate;
  endDate;
  impact;
  error;

  connectedCallback() {
    const end = new Date();
    const start = new Date(end);
    start.setDate(end.getDate() - (Number(this.rangeDays) || 90) + 1);
    this.startDate = isoDay(start);
    this.endDate = isoDay(end);
  }

  @wire(getConversionImpact, { startDate: '$startDate', endDate: '$endDate' })
  wiredImpact({ data, error }) {
    if (data) {
      this.impact = data;
      this.error = undefined;
    } else if (error) {
      this.impact = undefined;
      this.error =
        (error.body && error.body.message) || 'The conversion figures could not be loaded.';
    }
  }

  handleStart(event) {
    this.startDate = event.target.value;
  }

  handleEnd(event) {
    this.endDate = event.target.value;
  }

  get loading() {
    return !this.impact && !this.error;
  }

  get ready() {
    return Boolean(this.impact) && !this.impact.tooMany;
  }

  get tooMany() {
    return Boolean(this.impact && this.impact.tooMany);
  }

  get tooManyMessage() {
    return `This range holds more than ${this.impact.populationCap} leads. Pick a shorter range.`;
  }

  get summary() {
    return `${this.impact.leads} leads engaged ${this.impact.startDate} to ${this.impact.endDate}. Rows marked "small sample" have fewer than ${this.impact.minSample} leads: read them as anecdotes, not trends.`;
  }

  get buckets() {
    const rows = rateRows(this.impact.byBucket);
    return rows.map((r, i) => {
      const rate = this.impact.byBucket[i].conversionRate || 0;
      return {
        ...r,
        barStyle: `height: ${Math.max(2, Math.round(rate * 120))}px`,
        barClass: r.smallSample ? 'bar bar_small' : 'bar',
        barLabel: `${r.label}: ${r.conversion} converted of ${r.leads} leads${r.smallSample ? ', small sample' : ''}`
      };
    });
  }

  /** The three conversion-rate tables: one markup, rows by bucket, SLA outcome and lead type. */
  get rateTables() {
    const table = 'slds-table slds-table_bordered slds-table_cell-buffer';
    return [
      {
        id: 'buckets',
        heading: null,
        caption: 'Conversion by speed-to-lead bucket',
        firstColumn: 'Speed to lead',
        tableClass: `${table} slds-m-top_small`,
        rows: this.buckets
      },
      {
        id: 'outcomes',
        heading: 'By SLA outcome',
        caption: 'Conversion by SLA outcome',
        firstColumn: 'Outcome',
        tableClass: table,
        rows: rateRows(this.impact.bySlaOutcome)
      },
      {
        id: 'lead-types',
        heading: 'By lead type',
        caption: 'Conversion by lead type',
        firstColumn: 'Lead type',
        tableClass: table,
        rows: rateRows(this.impact.byLeadType)
      }
    ];
  }

  get pipeline() {
    return (this.impact.pipelineBySlaOutcome || []).map((p) => ({
      outcome: p.outcome,
      opportunities: p.opportunities,
      pipelineAmount: money(p.pipelineAmount),
      wonOpportunities: p.wonOpportunities,
      wonAmount: money(p.wonAmount)
    }));
  }
}
