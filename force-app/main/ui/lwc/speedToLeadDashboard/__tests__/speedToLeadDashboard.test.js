import { createElement } from 'lwc';
import SpeedToLeadDashboard from 'c/speedToLeadDashboard';
import { loadScript } from 'lightning/platformResourceLoader';
import { getLastNavigation, resetNavigation } from 'lightning/navigation';
import getDashboard from '@salesforce/apex/StlDashboardController.getDashboard';
import getFilterOptions from '@salesforce/apex/StlDashboardController.getFilterOptions';

const dashboard = require('./data/dashboard.json');
const dashboardSampled = require('./data/dashboardSampled.json');
const filterOptions = require('./data/filterOptions.json');

jest.mock('@salesforce/apex/StlDashboardController.getDashboard', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock(
  '@salesforce/apex/StlDashboardController.getFilterOptions',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);

async function flush() {
  for (let i = 0; i < 8; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

/** A stand-in for Chart.js that records what each chart was given. */
function installChartMock() {
  const charts = [];
  window.Chart = jest.fn().mockImplementation((context, config) => {
    const chart = {
      canvas: context.canvas,
      config,
      data: config.data,
      update: jest.fn(),
      destroy: jest.fn()
    };
    charts.push(chart);
    return chart;
  });
  return charts;
}

async function render() {
  const element = createElement('c-speed-to-lead-dashboard', { is: SpeedToLeadDashboard });
  document.body.appendChild(element);
  getFilterOptions.emit(filterOptions);
  await flush();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const kpi = (element, key) =>
  $(element, `[data-kpi="${key}"] .kpi-value`).textContent.replace(/\s+/g, ' ').trim();

describe('c-speed-to-lead-dashboard', () => {
  let charts;

  beforeEach(() => {
    charts = installChartMock();
    // jsdom has no canvas: give every canvas a context that points back at it.
    HTMLCanvasElement.prototype.getContext = function getContext() {
      return { canvas: this };
    };
    getDashboard.mockResolvedValue(dashboard);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
    resetNavigation();
    delete window.Chart;
  });

  it('shows the KPI tiles from the controller', async () => {
    const element = await render();

    expect(getDashboard).toHaveBeenCalledTimes(1);
    expect(kpi(element, 'median')).toBe('9.5 min');
    expect(kpi(element, 'p90')).toBe('1 h 02 min');
    expect(kpi(element, 'systems')).toBe('2.8 min');
    expect(kpi(element, 'human')).toBe('6.1 min');
    expect(kpi(element, 'hitRate')).toBe('87.3%');
    expect(kpi(element, 'atRisk')).toBe('5');
    expect($(element, '[data-kpi="atRisk"]').className).toContain('kpi_alert');
    expect($(element, '[data-kpi="atRisk"] .kpi-detail').textContent).toBe(
      'waiting now, due soon or past due · 3 awaiting assignment'
    );
    expect($(element, '[data-kpi="hitRate"] .kpi-detail').textContent).toBe(
      '420 hit · 61 missed cycles'
    );
    expect($(element, '[data-id="sample"]')).toBeNull();
    expect($(element, '[data-id="missing-cycles"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('says the figures count cycles and the live queue counts leads', async () => {
    const element = await render();

    expect($(element, '[data-id="unit"]').textContent).toBe(
      'SLA and speed-to-lead figures count engagement cycles: 519 cycles of 488 leads engaged in ' +
        'this range; a lead that came back is judged once per cycle. 4 cycles were superseded ' +
        'before any outcome (neither hit nor missed). The live queue counts leads waiting now.'
    );
    const titles = $$(element, '.panel-title').map((t) => t.textContent);
    expect(titles).toEqual([
      'Speed to lead trend (cycles)',
      'Systems vs human delay per week (cycles)',
      'Hit and miss by lead type (cycles)',
      'Hit rate over time (cycles)',
      'Rep scorecard (cycles)',
      'Live queue (leads waiting now)'
    ]);
    const columns = $(element, 'lightning-datatable').columns.map((c) => c.label);
    expect(columns).toContain('Cycles');
    expect(columns).not.toContain('Leads');
    const avery = $(element, 'lightning-datatable').data.find((r) => r.repName === 'Avery Chen');
    expect(avery.cycles).toBe(130);
  });

  it('warns when stamped leads in range have no engagement cycle', async () => {
    getDashboard.mockResolvedValue({ ...dashboard, missingCycles: { count: 1, countCap: 2000 } });
    const element = await render();

    expect($(element, '[data-id="missing-cycles"]').textContent).toBe(
      '1 stamped lead engaged in this range has no engagement cycle (stamped before the cycle ' +
        'migration ran, or loaded with the triggers bypassed), so the figures below leave them ' +
        'out. Ask an admin to run the cycle migration (StlCycleMigrationBatch) once to add them.'
    );
    expect($(element, '[data-id="missing-cycles"]').parentElement.getAttribute('role')).toBe(
      'status'
    );
    await expect(element).toBeAccessible();
  });

  it('sends the default 30-day range and no other filter', async () => {
    await render();
    const filters = JSON.parse(getDashboard.mock.calls[0][0].filtersJson);

    expect(filters.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(filters.endDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const days = (Date.parse(filters.endDate) - Date.parse(filters.startDate)) / 86400000;
    expect(days).toBe(29);
    expect(filters.leadType).toBeNull();
    expect(filters.source).toBeNull();
    expect(filters.managerId).toBeNull();
  });

  it('loads Chart.js from the static resource and draws four charts', async () => {
    const element = await render();

    expect(loadScript).toHaveBeenCalledTimes(1);
    expect(loadScript.mock.calls[0][1]).toContain('StlChartJs');
    expect(window.Chart).toHaveBeenCalledTimes(4);
    const byCanvas = Object.fromEntries(charts.map((c) => [c.canvas.dataset.chart, c]));
    expect(Object.keys(byCanvas).sort()).toEqual(['delays', 'hitRate', 'leadTypes', 'trend']);
    expect(byCanvas.trend.config.data.datasets.map((d) => d.label)).toEqual([
      'Daily median (min)',
      '7-day rolling average',
      '30-day rolling average'
    ]);
    expect(byCanvas.trend.config.data.labels).toHaveLength(30);
    // Chart.js writes resolved scales into its options: every chart needs its own object.
    expect(new Set(charts.map((c) => c.config.options)).size).toBe(4);
    expect(byCanvas.delays.config.options.scales.y.beginAtZero).toBe(true);
    expect(byCanvas.leadTypes.config.data.labels).toEqual([
      'Demo Request',
      'Contact Sales',
      'Hot',
      'Content Download'
    ]);
    expect(byCanvas.leadTypes.config.data.datasets.map((d) => d.label)).toEqual([
      'Hit cycles',
      'Missed cycles'
    ]);
    expect(byCanvas.leadTypes.config.data.datasets[1].data).toEqual([9, 20, 17, 15]);
    expect(byCanvas.hitRate.config.data.datasets[0].data[0]).toBe(87);
    expect(byCanvas.delays.config.data.datasets.map((d) => d.label)).toEqual([
      'Systems delay (median min)',
      'Human delay (median min)'
    ]);
    expect($(element, 'canvas[data-chart="trend"]').getAttribute('aria-label')).toContain(
      'rolling'
    );
  });

  it('updates the existing charts on refresh instead of creating new ones', async () => {
    const element = await render();
    $(element, '[data-id="refresh"]').click();
    await flush();

    expect(getDashboard).toHaveBeenCalledTimes(2);
    expect(window.Chart).toHaveBeenCalledTimes(4);
    charts.forEach((chart) => expect(chart.update).toHaveBeenCalled());
  });

  it('says when charts cannot load', async () => {
    loadScript.mockRejectedValueOnce(new Error('resource missing'));
    const element = await render();

    expect($(element, '[data-id="chart-error"]').textContent.trim()).toBe(
      'Charts are unavailable: resource missing'
    );
    expect(kpi(element, 'median')).toBe('9.5 min');
    await expect(element).toBeAccessible();
  });

  it('sorts the rep scorecard when a column header is sorted', async () => {
    const element = await render();
    const table = $(element, 'lightning-datatable');
    expect(table.data.map((r) => r.repName)).toEqual([
      'Blake Ortiz',
      'Devon Kim',
      'Casey Patel',
      'Avery Chen'
    ]);

    table.dispatchEvent(
      new CustomEvent('sort', { detail: { fieldName: 'escalations', sortDirection: 'desc' } })
    );
    await flush();
    expect(table.data.map((r) => r.escalations)).toEqual([6, 3, 2, 1]);
    expect(table.sortedBy).toBe('escalations');
    expect(table.sortedDirection).toBe('desc');

    table.dispatchEvent(
      new CustomEvent('sort', {
        detail: { fieldName: 'medianHumanDelay', sortDirection: 'asc' }
      })
    );
    await flush();
    expect(table.data.map((r) => r.repName)).toEqual([
      'Avery Chen',
      'Casey Patel',
      'Blake Ortiz',
      'Devon Kim'
    ]);
  });

  it('shows the live queue by zone and drills down to the lead', async () => {
    const element = await render();
    const counts = Object.fromEntries(
      $$(element, '.queue-number').map((n) => [n.dataset.zone, n.textContent])
    );
    expect(counts).toEqual({ red: '3', yellow: '2', green: '9' });
    const links = $$(element, '.queue-link');
    expect(links.map((l) => l.textContent)).toEqual([
      'Jordan Lee',
      'Sam Rivera',
      'Priya Nair',
      'Alex Murphy'
    ]);

    links[2].click();
    expect(getLastNavigation().pageReference).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: '00Q000000000013AAA', objectApiName: 'Lead', actionName: 'view' }
    });
  });

  it('reloads with the chosen filters', async () => {
    const element = await render();
    const leadType = $(element, '[data-id="filter-leadType"]');
    expect(leadType.options.map((o) => o.label)).toEqual([
      'All lead types',
      'Demo Request',
      'Contact Sales',
      'Hot'
    ]);
    leadType.dispatchEvent(new CustomEvent('change', { detail: { value: 'Hot' } }));
    await flush();
    const team = $(element, '[data-id="filter-managerId"]');
    team.dispatchEvent(new CustomEvent('change', { detail: { value: '005000000000009AAA' } }));
    await flush();

    const last = JSON.parse(getDashboard.mock.calls[2][0].filtersJson);
    expect(last.leadType).toBe('Hot');
    expect(last.managerId).toBe('005000000000009AAA');
  });

  it('auto-refreshes at the chosen interval and stops when switched off', async () => {
    jest.useFakeTimers();
    const element = await render();
    const refresh = $(element, '[data-id="filter-refresh"]');
    refresh.dispatchEvent(new CustomEvent('change', { detail: { value: '60' } }));

    jest.advanceTimersByTime(60 * 1000);
    await flush();
    expect(getDashboard).toHaveBeenCalledTimes(2);

    refresh.dispatchEvent(new CustomEvent('change', { detail: { value: '0' } }));
    jest.advanceTimersByTime(5 * 60 * 1000);
    await flush();
    expect(getDashboard).toHaveBeenCalledTimes(2);
  });

  it('says when the numbers are estimated from a sample and caps the queue counts', async () => {
    getDashboard.mockResolvedValue(dashboardSampled);
    const element = await render();

    expect($(element, '[data-id="sample"]').textContent).toBe(
      'Estimated from a sample of 5,000 cycles, spread evenly over the range: it holds more than 10,000 cycles. Narrow the filters for exact numbers.'
    );
    // A sample cannot tell how many distinct leads: the unit note does not invent a number.
    expect($(element, '[data-id="unit"]').textContent).toMatch(
      /^SLA and speed-to-lead figures count engagement cycles engaged in this range; .* 20 cycles were superseded/
    );
    expect($(element, '[data-id="missing-cycles"]').textContent).toMatch(
      /^2,000\+ stamped leads engaged in this range have no engagement cycle/
    );
    expect($(element, '.queue-number[data-zone="red"]').textContent).toBe('2,000+');
    expect($(element, '.queue-number[data-zone="yellow"]').textContent).toBe('2');
  });

  it('shows the controller error (error state)', async () => {
    getDashboard.mockRejectedValue({ body: { message: 'endDate is before startDate.' } });
    const element = await render();

    expect($(element, '[data-id="error"]').textContent).toBe('endDate is before startDate.');
    expect($(element, '[data-kpi="median"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows a filter options error', async () => {
    const element = createElement('c-speed-to-lead-dashboard', { is: SpeedToLeadDashboard });
    getDashboard.mockReturnValue(new Promise(() => {}));
    document.body.appendChild(element);
    getFilterOptions.error({ message: 'No access to StlDashboardController' });
    await flush();

    expect($(element, '[data-id="error"]').textContent).toBe('No access to StlDashboardController');
  });
});
