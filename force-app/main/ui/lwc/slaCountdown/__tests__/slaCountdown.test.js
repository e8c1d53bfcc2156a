import { createElement } from 'lwc';
import SlaCountdown from 'c/slaCountdown';
import { getRecord } from 'lightning/uiRecordApi';
import { isEmpEnabled, subscribe, onError } from 'lightning/empApi';
import getCountdown from '@salesforce/apex/StlCountdownController.getCountdown';

const pendingOpen = require('./data/pendingOpen.json');
const pendingPaused = require('./data/pendingPaused.json');
const warning = require('./data/warning.json');
const missed = require('./data/missed.json');
const hit = require('./data/hit.json');
const missedTouched = require('./data/missedTouched.json');
const excluded = require('./data/excluded.json');
const notApplicable = require('./data/notApplicable.json');
const leadRecord = require('./data/leadRecord.json');

jest.mock('@salesforce/apex/StlCountdownController.getCountdown', () => ({ default: jest.fn() }), {
  virtual: true
});

const LEAD_ID = '00Q000000000001AAA';

async function flush() {
  for (let i = 0; i < 6; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

async function render(fixture) {
  jest.useFakeTimers({ now: fixture.serverNowMs });
  // The server's clock moves with the (fake) wall clock, as it would in an org.
  getCountdown.mockImplementation(() => Promise.resolve({ ...fixture, serverNowMs: Date.now() }));
  const element = createElement('c-sla-countdown', { is: SlaCountdown });
  element.recordId = LEAD_ID;
  document.body.appendChild(element);
  getRecord.emit(leadRecord);
  await flush();
  return element;
}

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const text = (element, id) => byId(element, id)?.textContent.replace(/\s+/g, ' ').trim();
const metrics = (element) =>
  Array.from(element.shadowRoot.querySelectorAll('.metric'))
    .map((m) => `${m.querySelector('dt').textContent}: ${m.querySelector('dd').textContent}`)
    .join('; ');

async function expectAccessible(element) {
  jest.useRealTimers();
  await expect(element).toBeAccessible();
}

describe('c-sla-countdown', () => {
  beforeEach(() => {
    isEmpEnabled.mockResolvedValue(false);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  it('loads the countdown for the record when the record wire emits', async () => {
    const element = await render(pendingOpen);

    expect(getCountdown).toHaveBeenCalledWith({ leadId: LEAD_ID });
    expect(text(element, 'rule')).toBe(
      'Demo Request · rule Demo request · 30 min SLA · hand-raiser'
    );
    await expectAccessible(element);
  });

  it('ticks every second while business hours are open (pending open)', async () => {
    const element = await render(pendingOpen);
    expect(text(element, 'clock')).toBe('25:00');
    expect(text(element, 'zone')).toBe('On track');
    expect(byId(element, 'zone').className).toContain('slds-theme_success');
    expect(byId(element, 'paused')).toBeNull();
    expect(text(element, 'due')).toBe('Due Nov 18, 10:25 AM');

    jest.advanceTimersByTime(1000);
    await flush();
    expect(text(element, 'clock')).toBe('24:59');

    jest.advanceTimersByTime(59 * 1000);
    await flush();
    expect(text(element, 'clock')).toBe('24:00');
    await expectAccessible(element);
  });

  it('stays paused outside business hours and says when it resumes (pending paused)', async () => {
    const element = await render(pendingPaused);
    expect(text(element, 'clock')).toBe('20:00');
    expect(text(element, 'paused')).toBe('Paused: outside business hours, resumes Mon 9:00 AM');

    jest.advanceTimersByTime(5000);
    await flush();
    expect(text(element, 'clock')).toBe('20:00');
    await expectAccessible(element);
  });

  it('turns yellow inside the warning window (warning)', async () => {
    const element = await render(warning);
    expect(text(element, 'clock')).toBe('5:00');
    expect(text(element, 'zone')).toBe('Due soon');
    expect(byId(element, 'zone').className).toContain('slds-theme_warning');
    expect(text(element, 'warning')).toBeUndefined();
    await expectAccessible(element);
  });

  it('shows the warning time before the window opens', async () => {
    const element = await render(pendingOpen);
    expect(text(element, 'warning')).toBe('Warning at Nov 18, 10:19 AM (80% of the SLA)');
  });

  it('goes red and counts business time late once the due time passes (missed)', async () => {
    const element = await render(missed);
    expect(text(element, 'clock')).toBe('30:00');
    expect(text(element, 'zone')).toBe('Missed');
    expect(byId(element, 'zone').className).toContain('slds-theme_error');
    expect(text(element, 'escalation')).toBe('Escalated to tier 2 (manager)');

    jest.advanceTimersByTime(1000);
    await flush();
    expect(text(element, 'clock')).toBe('30:01');
    await expectAccessible(element);
  });

  it('crosses from green to red while ticking', async () => {
    const nearlyDue = { ...pendingOpen, serverNowMs: pendingOpen.dueAtMs - 2000 };
    const element = await render(nearlyDue);
    expect(text(element, 'clock')).toBe('0:02');

    jest.advanceTimersByTime(3000);
    await flush();
    expect(text(element, 'zone')).toBe('Missed');
    expect(text(element, 'clock')).toBe('0:01');
  });

  it('shows the outcome and delays once touched (hit)', async () => {
    const element = await render(hit);
    expect(text(element, 'outcome')).toBe('Hit');
    expect(text(element, 'touch')).toBe('First touch Nov 18, 10:07 AM by Call');
    expect(metrics(element)).toBe(
      'Systems delay: 2.5 min; Human delay: 12 min; Speed to lead: 14.5 min'
    );
    expect(byId(element, 'clock')).toBeNull();
    await expectAccessible(element);
  });

  it('keeps Missed with how late after a late touch', async () => {
    const element = await render(missedTouched);
    expect(text(element, 'outcome')).toBe('Missed');
    expect(text(element, 'missed-by')).toBe('Missed by 40 min of business time');
    expect(metrics(element)).toContain('Human delay: 1 h 10 min');
    expect(text(element, 'escalation')).toBe('Escalated to tier 1 (rep)');
    await expectAccessible(element);
  });

  it('explains an excluded lead in one line (excluded)', async () => {
    const element = await render(excluded);
    expect(text(element, 'explain')).toBe(
      'Excluded (Disqualified): the SLA clock stopped and this lead does not count toward the hit rate.'
    );
    await expectAccessible(element);
  });

  it('explains a lead no rule matched (not applicable)', async () => {
    const element = await render(notApplicable);
    expect(text(element, 'explain')).toBe('No SLA rule matched this lead, so no clock runs.');
    expect(byId(element, 'zone')).toBeNull();
    await expectAccessible(element);
  });

  it('shows the Apex error message (error state)', async () => {
    jest.useFakeTimers();
    getCountdown.mockRejectedValue({ body: { message: 'Lead is not visible to you.' } });
    const element = createElement('c-sla-countdown', { is: SlaCountdown });
    element.recordId = LEAD_ID;
    document.body.appendChild(element);
    getRecord.emit(leadRecord);
    await flush();

    expect(text(element, 'error')).toBe('Lead is not visible to you.');
    await expectAccessible(element);
  });

  it('shows the record wire error', async () => {
    const element = createElement('c-sla-countdown', { is: SlaCountdown });
    element.recordId = LEAD_ID;
    document.body.appendChild(element);
    getRecord.error({ message: 'Record unavailable' });
    await flush();

    expect(text(element, 'error')).toBe('Record unavailable');
    expect(getCountdown).not.toHaveBeenCalled();
  });

  it('reloads when the record wire emits changed fields, not when it re-emits the same', async () => {
    const element = await render(pendingOpen);
    getRecord.emit(leadRecord);
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(1);

    getCountdown.mockImplementation(() => Promise.resolve(hit));
    getRecord.emit({
      ...leadRecord,
      fields: { ...leadRecord.fields, SlaStatus__c: { value: 'Hit' } }
    });
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(2);
    expect(text(element, 'outcome')).toBe('Hit');
  });

  it('reloads when a touch event for this lead arrives over empApi', async () => {
    let handler;
    isEmpEnabled.mockResolvedValue(true);
    subscribe.mockImplementation((channel, replayId, callback) => {
      handler = callback;
      return Promise.resolve({ channel });
    });
    const element = await render(pendingOpen);
    expect(subscribe).toHaveBeenCalledWith('/event/StlLeadUpdate__e', -1, expect.any(Function));
    expect(onError).toHaveBeenCalled();

    getCountdown.mockImplementation(() => Promise.resolve(hit));
    handler({ data: { payload: { LeadId__c: '00Q000000000002AAA' } } });
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(1);

    handler({ data: { payload: { stlead__LeadId__c: LEAD_ID } } });
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(2);
    expect(text(element, 'outcome')).toBe('Hit');

    jest.advanceTimersByTime(60 * 1000);
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(2);
  });

  it('polls every 30 seconds while the clock runs when empApi is unavailable', async () => {
    await render(pendingOpen);
    expect(subscribe).not.toHaveBeenCalled();

    jest.advanceTimersByTime(30 * 1000);
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(2);
  });

  it('stops ticking and polling when removed from the page', async () => {
    const element = await render(pendingOpen);
    document.body.removeChild(element);

    jest.advanceTimersByTime(120 * 1000);
    await flush();
    expect(getCountdown).toHaveBeenCalledTimes(1);
  });
});
