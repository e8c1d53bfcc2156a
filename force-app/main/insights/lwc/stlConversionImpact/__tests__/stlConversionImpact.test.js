import { createElement } from 'lwc';
import StlConversionImpact from 'c/stlConversionImpact';
import getConversionImpact from '@salesforce/apex/StlConversionController.getConversionImpact';

const impact = require('./data/impact.json');

jest.mock(
  '@salesforce/apex/StlConversionController.getConversionImpact',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true }
);

async function flush() {
  for (let i = 0; i < 4; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

function render(props = {}) {
  const element = createElement('c-stl-conversion-impact', { is: StlConversionImpact });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const cells = (element, table, row) =>
  Array.from($(element, `[data-id="${table}"] [data-row="${row}"]`).children).map((c) =>
    c.textContent.replace(/\s+/g, ' ').trim()
  );

describe('c-stl-conversion-impact', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('asks for the last rangeDays days ending today', async () => {
    render({ rangeDays: 30 });
    await flush();
    const { startDate, endDate } = getConversionImpact.getLastConfig();
    const days = (Date.parse(endDate) - Date.parse(startDate)) / 86400000;
    expect(days).toBe(29);
    expect(endDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows every rate beside its count and flags small samples', async () => {
    const element = render();
    getConversionImpact.emit(impact);
    await flush();

    expect($(element, '[data-id="summary"]').textContent).toContain('64 leads engaged 2026-08-21');
    expect(cells(element, 'buckets', 'under5m')).toEqual(['under 5 min', '25', '10', '40%', '24%']);
    expect(cells(element, 'buckets', '30to60m')).toEqual([
      '30-60 min small sample',
      '8',
      '1',
      '12.5%',
      '0%'
    ]);
    expect(cells(element, 'buckets', 'over24h')).toEqual([
      'over 24 h small sample',
      '0',
      '0',
      '–',
      '–'
    ]);
    expect(cells(element, 'outcomes', 'Hit')).toEqual(['Hit', '48', '15', '31.3%', '16.7%']);
    expect(cells(element, 'outcomes', 'Missed')[0]).toBe('Missed small sample');
    expect(cells(element, 'pipeline', 'Hit')).toEqual(['Hit', '8', '96,000', '3', '41,000']);
    expect(cells(element, 'lead-types', 'Warm')).toEqual(['Warm', '24', '2', '8.3%', '0%']);

    const bar = $(element, '[data-bucket="under5m"] [role="img"]');
    expect(bar.getAttribute('aria-label')).toBe('under 5 min: 40% converted of 25 leads');
    expect(bar.className).toBe('bar');
    expect($(element, '[data-bucket="1to4h"] [role="img"]').className).toBe('bar bar_small');
    await expect(element).toBeAccessible();
  });

  it('asks for a shorter range when the range holds too many leads', async () => {
    const element = render();
    getConversionImpact.emit({ ...impact, tooMany: true, leads: 10001 });
    await flush();
    expect($(element, '[data-id="too-many"]').textContent).toBe(
      'This range holds more than 10000 leads. Pick a shorter range.'
    );
    expect($(element, '[data-id="buckets"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows the server message on an error', async () => {
    const element = render();
    getConversionImpact.error({
      message: 'getConversionImpact: endDate 2026-10-01 is before startDate 2026-10-31.'
    });
    await flush();
    expect($(element, '[data-id="error"]').textContent).toBe(
      'getConversionImpact: endDate 2026-10-01 is before startDate 2026-10-31.'
    );
    await expect(element).toBeAccessible();
  });

  it('requeries when the range changes', async () => {
    const element = render();
    const start = $(element, '[data-id="start"]');
    start.value = '2026-10-01';
    start.dispatchEvent(new CustomEvent('change'));
    await flush();
    expect(getConversionImpact.getLastConfig().startDate).toBe('2026-10-01');
  });
});
