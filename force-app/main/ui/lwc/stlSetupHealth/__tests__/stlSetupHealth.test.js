import { createElement } from 'lwc';
import StlSetupHealth from 'c/stlSetupHealth';
import getHealth from '@salesforce/apex/StlSetupHealthController.getHealth';

const healthProblems = require('./data/healthProblems.json');
const healthGood = require('./data/healthGood.json');
const healthDispatcherDown = require('./data/healthDispatcherDown.json');

jest.mock('@salesforce/apex/StlSetupHealthController.getHealth', () => ({ default: jest.fn() }), {
  virtual: true
});

async function flush() {
  for (let i = 0; i < 6; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

async function render(fixture) {
  getHealth.mockResolvedValue(fixture);
  const element = createElement('c-stl-setup-health', { is: StlSetupHealth });
  document.body.appendChild(element);
  await flush();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const clean = (node) => node.textContent.replace(/\s+/g, ' ').trim();
const pairs = (element, id) =>
  Object.fromEntries(
    $$(element, `[data-id="${id}"] .pair`).map((p) => [p.dataset.key, clean(p.querySelector('dd'))])
  );

describe('c-stl-setup-health', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('flags the problems of each rule as the package reads it', async () => {
    const element = await render(healthProblems);

    expect(clean($(element, '[data-id="problem-summary"]'))).toBe('3 problems to fix');
    const hot = $(element, '[data-row="Hot"]');
    expect(hot.className).toContain('config-row_problem');
    expect(Array.from(hot.querySelectorAll('.problem')).map(clean)).toEqual([
      'Unknown BusinessHours "EMEA Hours" (no active business hours of that name).',
      'Priority 1 overlaps rule DemoRequest: the match order is ambiguous.',
      'Unknown field Ratng on Lead in condition 1.'
    ]);
    expect($(element, '[data-row="DemoRequest"]').className).not.toContain('problem');
    expect(clean($(element, '[data-section="slaRules"] .count'))).toBe('2 records · 3 problems');
    expect(clean($(element, '[data-section="exclusionRules"]'))).toContain('No records.');
    await expect(element).toBeAccessible();
  });

  it('shows the go-live checklist in order with the next step marked', async () => {
    const element = await render(healthProblems);
    const steps = $$(element, '[data-id="checklist"] li');

    expect(steps.map((s) => s.dataset.step)).toEqual(['rules', 'silent', 'training', 'live']);
    expect(steps[0].className).toContain('step_next');
    expect(clean(steps[0].querySelector('.step-label'))).toMatch(/^1\. Rules signed off/);
    expect(clean(steps[0].querySelector('.step-state'))).toBe('Next step');
    expect(steps[3].className).toContain('step_todo');
  });

  it('shows settings, dispatcher status and recent errors', async () => {
    const element = await render(healthProblems);

    expect(pairs(element, 'settings')).toEqual({
      enabled: 'Yes',
      mode: 'Silent',
      recipient: '—',
      source: 'FormSubmittedAt__c',
      cadence: '1 min'
    });
    expect(clean($(element, '[data-id="dispatcher-status"]'))).toBe('Dispatcher: Running');
    expect(pairs(element, 'dispatcher').last).toMatch(/\(Completed\)$/);
    expect(pairs(element, 'dispatcher').overdue).toBe('0');
    const rows = $$(element, '[data-id="errors"] tbody tr');
    expect(rows).toHaveLength(2);
    expect(clean(rows[0])).toContain('TA_Task_DetectFirstTouch');
    expect(clean($(element, '[data-id="errors-summary"]'))).toBe('1 in the last 24 hours');
  });

  it('calls out a stopped dispatcher and a Test mode without recipient', async () => {
    const element = await render(healthDispatcherDown);

    expect(clean($(element, '[data-id="dispatcher-status"]'))).toBe('Dispatcher: Not scheduled');
    expect($(element, '[data-id="dispatcher-status"]').className).toContain('slds-theme_error');
    expect($$(element, '[data-id="dispatcher-problems"] li').map(clean)).toEqual([
      'The dispatcher is not scheduled: due alerts will not be sent. Start it with `stl deploy` or from the package setup.',
      '4 timer(s) are more than 5 minutes past due: the dispatcher is not keeping up.'
    ]);
    expect(pairs(element, 'dispatcher').last).toBe('never');
    expect($$(element, '[data-id="settings-problems"] li').map(clean)).toEqual([
      'Alert mode is Test but TestRecipient__c is blank: test alerts have nowhere to go.'
    ]);
    await expect(element).toBeAccessible();
  });

  it('shows a clean bill of health when ready and live', async () => {
    const element = await render(healthGood);

    expect(clean($(element, '[data-id="problem-summary"]'))).toBe('No problems found');
    expect(clean($(element, '[data-id="alert-mode"]'))).toBe('Alert mode: Live');
    expect(
      $$(element, '[data-id="checklist"] li').every((s) => s.className.includes('step_done'))
    ).toBe(true);
    expect(clean($(element, '[data-id="no-errors"]'))).toBe('No package errors logged.');
    await expect(element).toBeAccessible();
  });

  it('lists the likely duplicates with links to both leads', async () => {
    const element = await render(healthProblems);
    const rows = $$(element, '[data-id="duplicates"] tbody tr');

    expect(clean($(element, '[data-id="duplicates-summary"]'))).toBe('2 in the last 30 days');
    expect(rows.map((r) => r.dataset.row)).toEqual(['00Q5g00000DupB2EAJ', '00Q5g00000DupD4EAJ']);
    const lead = rows[0].querySelector('[data-id="lead-link"]');
    expect(clean(lead)).toBe('Dana Whitfield');
    expect(lead.getAttribute('href')).toBe('/lightning/r/Lead/00Q5g00000DupB2EAJ/view');
    const original = rows[0].querySelector('[data-id="duplicate-of-link"]');
    expect(clean(original)).toBe('Dana Whitfield');
    expect(original.getAttribute('href')).toBe('/lightning/r/Lead/00Q5g00000DupA1EAJ/view');
    expect(clean(rows[0])).toContain('Northwind Traders');
    expect(clean(rows[1].querySelectorAll('td')[0])).toBe('—');
    expect(clean(rows[1].querySelector('[data-id="duplicate-of-link"]'))).toBe('Samuel Ortega');
    expect(clean(rows[1].querySelectorAll('td')[1])).not.toBe('—');
    expect($(element, '[data-id="no-duplicates"]')).toBeNull();
    expect($(element, '[data-id="duplicates-capped"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('says when the list of likely duplicates is capped', async () => {
    const element = await render({ ...healthProblems, duplicatesCapped: true });

    expect(clean($(element, '[data-id="duplicates-summary"]'))).toBe('2+ in the last 30 days');
    expect(clean($(element, '[data-id="duplicates-capped"]'))).toMatch(
      /^Only the newest 2 are listed/
    );
  });

  it('says no likely duplicates were found (empty state)', async () => {
    const element = await render(healthGood);

    expect($(element, '[data-id="duplicates"]')).toBeNull();
    expect(clean($(element, '[data-id="no-duplicates"]'))).toBe(
      'No likely duplicates found in the last 30 days.'
    );
    expect(clean($(element, '[data-id="duplicates-summary"]'))).toBe('0 in the last 30 days');
    await expect(element).toBeAccessible();
  });

  it('shows the empty state when the payload has no duplicates list', async () => {
    const element = await render(healthDispatcherDown);

    expect(clean($(element, '[data-id="no-duplicates"]'))).toBe(
      'No likely duplicates found in the last 30 days.'
    );
  });

  it('reloads on refresh', async () => {
    const element = await render(healthProblems);
    getHealth.mockResolvedValue(healthGood);
    $(element, '[data-id="refresh"]').click();
    await flush();

    expect(getHealth).toHaveBeenCalledTimes(2);
    expect(clean($(element, '[data-id="problem-summary"]'))).toBe('No problems found');
  });

  it('shows the controller error (error state)', async () => {
    getHealth.mockRejectedValue({ body: { message: 'You need the StlAdmin permission set.' } });
    const element = createElement('c-stl-setup-health', { is: StlSetupHealth });
    document.body.appendChild(element);
    await flush();

    expect(clean($(element, '[data-id="error"]'))).toBe('You need the StlAdmin permission set.');
    await expect(element).toBeAccessible();
  });
});
