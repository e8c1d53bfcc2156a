import { LightningElement, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { loadScript } from 'lightning/platformResourceLoader';
import CHART_JS from '@salesforce/resourceUrl/StlChartJs';
import LOCALE from '@salesforce/i18n/locale';
import USER_TIME_ZONE from '@salesforce/i18n/timeZone';
import getDashboard from '@salesforce/apex/StlDashboardController.getDashboard';
import getFilterOptions from '@salesforce/apex/StlDashboardController.getFilterOptions';
import { errorMessage, formatDateTime, formatMinutes, formatPercent } from 'c/stlFormat';

const ALL = '';
const DAY_MS = 24 * 60 * 60 * 1000;
const COLORS = {
  blue: '#0176d3',
  teal: '#06a59a',
  purple: '#9050e9',
  orange: '#dd7a01',
  green: '#2e844a',
  red: '#ba0517',
  grey: '#747474'
};
const REFRESH_OPTIONS = [
  { label: 'Off', value: '0' },
  { label: 'Every minute', value: '60' },
  { label: 'Every 5 minutes', value: '300' },
  { label: 'Every 15 minutes', value: '900' }
];
const REP_COLUMNS = [
  { label: 'Rep', fieldName: 'repName', sortable: true, initialWidth: 160 },
  { label: 'Cycles', fieldName: 'cycles', type: 'number', sortable: true },
  { label: 'Hit rate', fieldName: 'hitRate', type: 'percent', sortable: true },
  {
    label: 'Human delay (median min)',
    fieldName: 'medianHumanDelay',
    type: 'number',
    sortable: true,
    initialWidth: 200,
    typeAttributes: { maximumFractionDigits: 1 }
  },
  { label: 'Misses', fieldName: 'misses', type: 'number', sortable: true },
  { label: 'Escalations', fieldName: 'escalations', type: 'number', sortable: true }
].map((column) => ({ ...column, hideDefaultActions: true }));

/** A 0..1 rate as a percentage with one decimal, or null when there is nothing to judge. */
function toPercent(rate) {
  if (rate === null || rate === undefined) {
    return null;
  }
  return Math.round(rate * 1000) / 10;
}

/** ISO date (YYYY-MM-DD) of an instant in a time zone. */
function isoDate(ms, timeZone) {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  }).format(new Date(ms));
}

/**
 * The leader's speed-to-lead dashboard: KPI tiles, Chart.js charts (static resource loaded with
 * loadScript), a sortable rep scorecard, the live queue of open leads and filters with an
 * optional auto-refresh. All numbers come from StlDashboardController. Units: the SLA and
 * speed-to-lead figures count engagement cycles (a lead that came back is judged once per
 * cycle); the live queue and "open leads at risk" count leads waiting now. The labels say which.
 */
export default class SpeedToLeadDashboard extends NavigationMixin(LightningElement) {
  startDate = isoDate(Date.now() - 29 * DAY_MS, USER_TIME_ZONE);
  endDate = isoDate(Date.now(), USER_TIME_ZONE);
  leadType = ALL;
  source = ALL;
  managerId = ALL;
  refreshSeconds = '0';

  data;
  error;
  loading = false;
  chartError;
  options = { leadTypes: [], sources: [], managers: [] };
  sortedBy = 'hitRate';
  sortDirection = 'asc';
  repColumns = REP_COLUMNS;
  refreshOptions = REFRESH_OPTIONS;

  chartJsLoaded = false;
  chartJsLoading = false;
  charts = {};
  chartsStale = false;
  refreshTimer;
  requestSeq = 0;

  @wire(getFilterOptions)
  wiredOptions({ data, error }) {
    if (data) {
      this.options = data;
    } else if (error) {
      this.error = errorMessage(error);
    }
  }

  connectedCallback() {
    this.load();
  }

  disconnectedCallback() {
    clearInterval(this.refreshTimer);
    Object.values(this.charts).forEach((chart) => chart.destroy());
    this.charts = {};
  }

  renderedCallback() {
    if (this.chartJsLoaded && this.chartsStale) {
      this.drawCharts();
    }
    if (this.chartJsLoaded || this.chartJsLoading) {
      return;
    }
    this.chartJsLoading = true;
    loadScript(this, CHART_JS)
      .then(() => {
        if (!window.Chart) {
          throw new Error('the StlChartJs static resource did not define Chart');
        }
        this.chartJsLoaded = true;
        this.drawCharts();
      })
      .catch((e) => {
        this.chartError = `Charts are unavailable: ${errorMessage(e)}`;
      });
  }

  async load() {
    const seq = ++this.requestSeq;
    this.loading = true;
    try {
      const result = await getDashboard({ filtersJson: JSON.stringify(this.filters) });
      if (seq !== this.requestSeq) {
        return;
      }
      // A fresh object so the template re-renders (and the charts redraw) on every refresh.
      this.data = { ...result };
      this.error = undefined;
      // Charts draw in renderedCallback, once the canvases for this data exist.
      this.chartsStale = true;
    } catch (e) {
      if (seq === this.requestSeq) {
        this.error = errorMessage(e);
      }
    } finally {
      if (seq === this.requestSeq) {
        this.loading = false;
      }
    }
  }

  get filters() {
    return {
      startDate: this.startDate,
      endDate: this.endDate,
      leadType: this.leadType || null,
      source: this.source || null,
      managerId: this.managerId || null
    };
  }

  withAll(list, label) {
    return [{ label, value: ALL }, ...(list || [])];
  }

  get leadTypeOptions() {
    return this.withAll(this.options.leadTypes, 'All lead types');
  }

  get sourceOptions() {
    return this.withAll(this.options.sources, 'All sources');
  }

  get managerOptions() {
    return this.withAll(this.options.managers, 'All teams');
  }

  handleFilterChange(event) {
    const name = event.target.name;
    this[name] = event.detail.value;
    this.load();
  }

  handleRefreshChange(event) {
    this.refreshSeconds = event.detail.value;
    clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    const seconds = Number(this.refreshSeconds);
    if (seconds > 0) {
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      this.refreshTimer = setInterval(() => this.load(), seconds * 1000);
    }
  }

  handleRefresh() {
    this.load();
  }

  get hasData() {
    return Boolean(this.data);
  }

  get kpis() {
    const k = (this.data && this.data.kpis) || {};
    return [
      { key: 'median', label: 'Median speed to lead', value: formatMinutes(k.medianSpeedToLead) },
      { key: 'p90', label: 'p90 speed to lead', value: formatMinutes(k.p90SpeedToLead) },
      { key: 'systems', label: 'Median systems delay', value: formatMinutes(k.medianSystemsDelay) },
      { key: 'human', label: 'Median human delay', value: formatMinutes(k.medianHumanDelay) },
      {
        key: 'hitRate',
        label: 'SLA hit rate',
        value: formatPercent(k.hitRate),
        detail: `${k.hit || 0} hit · ${k.missed || 0} missed cycles`
      },
      {
        key: 'atRisk',
        label: 'Open leads at risk',
        value: String(k.openAtRisk || 0),
        // Leads in a queue have a lead type but no clock yet: shown here, never as Not Applicable.
        detail:
          k.awaitingAssignment > 0
            ? `waiting now, due soon or past due · ${k.awaitingAssignment} awaiting assignment`
            : 'waiting now, due soon or past due',
        tileClass: k.openAtRisk > 0 ? 'kpi kpi_alert' : 'kpi'
      }
    ].map((tile) => ({ tileClass: 'kpi', ...tile }));
  }

  get sampleNote() {
    const s = this.data && this.data.sample;
    if (!s || !s.estimated) {
      return '';
    }
    const fmt = new Intl.NumberFormat(LOCALE);
    return `Estimated from a sample of ${fmt.format(s.size)} cycles, spread evenly over the range: it holds more than ${fmt.format(s.populationAtLeast - 1)} cycles. Narrow the filters for exact numbers.`;
  }

  /** Says what the figures count: cycles for SLA performance, leads for the live queue. */
  get unitNote() {
    const k = this.data && this.data.kpis;
    if (!k) {
      return '';
    }
    const fmt = new Intl.NumberFormat(LOCALE);
    const plural = (n, one, many) => `${fmt.format(n)} ${n === 1 ? one : many}`;
    const counted =
      k.leads === null || k.leads === undefined
        ? 'SLA and speed-to-lead figures count engagement cycles engaged in this range'
        : `SLA and speed-to-lead figures count engagement cycles: ${plural(k.total || 0, 'cycle', 'cycles')} of ${plural(k.leads, 'lead', 'leads')} engaged in this range`;
    const closed =
      k.closedWithoutOutcome > 0
        ? ` ${plural(k.closedWithoutOutcome, 'cycle was', 'cycles were')} superseded before any outcome (neither hit nor missed).`
        : '';
    return `${counted}; a lead that came back is judged once per cycle.${closed} The live queue counts leads waiting now.`;
  }

  /** Stamped leads in range that have no cycle: left out of the figures until migrated. */
  get missingCyclesNote() {
    const m = this.data && this.data.missingCycles;
    if (!m || !(m.count > 0)) {
      return '';
    }
    const fmt = new Intl.NumberFormat(LOCALE);
    const capped = m.countCap && m.count > m.countCap;
    const count = capped ? `${fmt.format(m.countCap)}+` : fmt.format(m.count);
    const subject =
      !capped && m.count === 1
        ? '1 stamped lead engaged in this range has'
        : `${count} stamped leads engaged in this range have`;
    return `${subject} no engagement cycle (stamped before the cycle migration ran, or loaded with the triggers bypassed), so the figures below leave them out. Ask an admin to run the cycle migration (StlCycleMigrationBatch) once to add them.`;
  }

  get reps() {
    const rows = [...((this.data && this.data.reps) || [])];
    const field = this.sortedBy;
    const direction = this.sortDirection === 'asc' ? 1 : -1;
    rows.sort((a, b) => {
      const x = a[field];
      const y = b[field];
      if (x === y) {
        return 0;
      }
      if (x === null || x === undefined) {
        return 1;
      }
      if (y === null || y === undefined) {
        return -1;
      }
      return (x > y ? 1 : -1) * direction;
    });
    return rows;
  }

  get hasReps() {
    return this.reps.length > 0;
  }

  handleSort(event) {
    this.sortedBy = event.detail.fieldName;
    this.sortDirection = event.detail.sortDirection;
  }

  get queue() {
    const q = (this.data && this.data.queue) || { green: 0, yellow: 0, red: 0, leads: [] };
    const fmt = new Intl.NumberFormat(LOCALE);
    // Each count stops just past its cap: show "2,000+" rather than a number that looks exact.
    const show = (n) => {
      if (q.countCap && n > q.countCap) {
        return `${fmt.format(q.countCap)}+`;
      }
      return fmt.format(n);
    };
    return { ...q, redText: show(q.red), yellowText: show(q.yellow), greenText: show(q.green) };
  }

  get queueRows() {
    return this.queue.leads.map((row) => ({
      ...row,
      dueText: row.dueAtMs ? formatDateTime(row.dueAtMs, USER_TIME_ZONE, LOCALE) : '—',
      zoneClass: `slds-badge zone zone_${row.zone}`,
      zoneLabel: { red: 'Past due', yellow: 'Due soon', green: 'On track' }[row.zone]
    }));
  }

  get hasQueue() {
    return this.queueRows.length > 0;
  }

  handleOpenLead(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: {
        recordId: event.currentTarget.dataset.id,
        objectApiName: 'Lead',
        actionName: 'view'
      }
    });
  }

  chartConfigs() {
    const d = this.data;
    const trend = d.trend || [];
    const weeks = d.weeks || [];
    const types = d.byLeadType || [];
    const line = (label, data, color, extra) => ({
      label,
      data,
      borderColor: color,
      backgroundColor: color,
      spanGaps: true,
      pointRadius: 0,
      borderWidth: 2,
      ...extra
    });
    // A fresh options object per chart: Chart.js writes its resolved scales back into the
    // options it is given, so a shared object would leak the line chart's x axis into the bars.
    const common = () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { beginAtZero: true } }
    });
    return {
      trend: {
        type: 'line',
        data: {
          labels: trend.map((p) => p.day),
          datasets: [
            line(
              'Daily median (min)',
              trend.map((p) => p.median),
              COLORS.grey,
              {
                pointRadius: 2,
                borderWidth: 1
              }
            ),
            line(
              '7-day rolling average',
              trend.map((p) => p.rolling7),
              COLORS.blue
            ),
            line(
              '30-day rolling average',
              trend.map((p) => p.rolling30),
              COLORS.purple
            )
          ]
        },
        options: common()
      },
      delays: {
        type: 'bar',
        data: {
          labels: weeks.map((w) => `Week of ${w.week}`),
          datasets: [
            {
              label: 'Systems delay (median min)',
              data: weeks.map((w) => w.systemsMedian),
              backgroundColor: COLORS.teal
            },
            {
              label: 'Human delay (median min)',
              data: weeks.map((w) => w.humanMedian),
              backgroundColor: COLORS.orange
            }
          ]
        },
        options: common()
      },
      leadTypes: {
        type: 'bar',
        data: {
          labels: types.map((t) => t.leadType),
          datasets: [
            { label: 'Hit cycles', data: types.map((t) => t.hit), backgroundColor: COLORS.green },
            {
              label: 'Missed cycles',
              data: types.map((t) => t.missed),
              backgroundColor: COLORS.red
            }
          ]
        },
        options: {
          ...common(),
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }
        }
      },
      hitRate: {
        type: 'line',
        data: {
          labels: weeks.map((w) => w.week),
          datasets: [
            line(
              'SLA hit rate of cycles (%)',
              weeks.map((w) => toPercent(w.hitRate)),
              COLORS.green,
              { pointRadius: 3 }
            )
          ]
        },
        options: { ...common(), scales: { y: { min: 0, max: 100 } } }
      }
    };
  }

  drawCharts() {
    if (!this.chartJsLoaded || !this.data || !window.Chart) {
      return;
    }
    const configs = this.chartConfigs();
    const keys = Object.keys(configs);
    const canvases = keys.map((key) => this.template.querySelector(`canvas[data-chart="${key}"]`));
    if (canvases.some((canvas) => !canvas)) {
      // Not rendered yet: renderedCallback draws once the canvases exist.
      return;
    }
    this.chartsStale = false;
    keys.forEach((key, i) => {
      const canvas = canvases[i];
      const existing = this.charts[key];
      if (existing && existing.canvas === canvas) {
        existing.data = configs[key].data;
        existing.update();
        return;
      }
      if (existing) {
        existing.destroy();
      }
      this.charts[key] = new window.Chart(canvas.getContext('2d'), configs[key]);
    });
  }

  get generatedText() {
    return this.data
      ? `Updated ${formatDateTime(this.data.generatedAtMs, USER_TIME_ZONE, LOCALE)}`
      : '';
  }
}
