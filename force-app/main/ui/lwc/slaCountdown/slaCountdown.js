import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import { subscribe, unsubscribe, onError, isEmpEnabled } from 'lightning/empApi';
import getCountdown from '@salesforce/apex/StlCountdownController.getCountdown';
import USER_TIME_ZONE from '@salesforce/i18n/timeZone';
import LOCALE from '@salesforce/i18n/locale';
import SLA_STATUS from '@salesforce/schema/Lead.SlaStatus__c';
import SLA_DUE_AT from '@salesforce/schema/Lead.SlaDueAt__c';
import FIRST_TOUCH_AT from '@salesforce/schema/Lead.FirstTouchAt__c';
import ESCALATION_TIER from '@salesforce/schema/Lead.EscalationTier__c';
import OWNER_ID from '@salesforce/schema/Lead.OwnerId';
import LAST_MODIFIED from '@salesforce/schema/Lead.LastModifiedDate';
import {
  businessMsBetween,
  errorMessage,
  formatClock,
  formatDateTime,
  formatMinutes,
  formatWeekdayTime,
  isOpenAt,
  nextOpening
} from 'c/stlFormat';

const FIELDS = [SLA_STATUS, SLA_DUE_AT, FIRST_TOUCH_AT, ESCALATION_TIER, OWNER_ID, LAST_MODIFIED];
const TICK_MS = 1000;
/** Fallback refresh while the clock runs and empApi is unavailable. */
const POLL_RUNNING_MS = 30 * 1000;
/** Fallback refresh of a settled lead (a late touch or re-qualification is rare). */
const POLL_SETTLED_MS = 5 * 60 * 1000;
const TIER_NAMES = { 1: 'rep', 2: 'manager', 3: 'executive' };

/**
 * The rep's SLA countdown on the Lead record page. Apex returns the lead's SLA state and the
 * business-open intervals until a few days past the due time; the component ticks every second
 * through those intervals, so it pauses exactly when the rule's business hours close.
 */
export default class SlaCountdown extends LightningElement {
  @api recordId;

  countdown;
  error;
  loading = true;
  nowMs = Date.now();

  skewMs = 0;
  lastSignature;
  lastLoadMs = 0;
  tickTimer;
  pollTimer;
  subscription;
  listening = false;
  isConnected = false;

  @wire(getRecord, { recordId: '$recordId', fields: FIELDS })
  wiredLead({ data, error }) {
    if (data) {
      const signature = JSON.stringify(data.fields);
      if (signature !== this.lastSignature) {
        this.lastSignature = signature;
        this.load();
      }
    } else if (error) {
      this.error = errorMessage(error);
      this.loading = false;
    }
  }

  connectedCallback() {
    this.isConnected = true;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.tickTimer = setInterval(() => {
      this.nowMs = Date.now() + this.skewMs;
    }, TICK_MS);
  }

  disconnectedCallback() {
    this.isConnected = false;
    clearInterval(this.tickTimer);
    clearInterval(this.pollTimer);
    if (this.subscription) {
      unsubscribe(this.subscription, () => {});
      this.subscription = undefined;
    }
  }

  /** Reloads the countdown from Apex (also used by the empApi callback and the poller). */
  async load() {
    if (!this.recordId) {
      return;
    }
    try {
      const result = await getCountdown({ leadId: this.recordId });
      this.lastLoadMs = Date.now();
      this.skewMs = result.serverNowMs ? result.serverNowMs - Date.now() : 0;
      this.nowMs = Date.now() + this.skewMs;
      this.countdown = result;
      this.error = undefined;
      if (!this.listening) {
        this.listening = true;
        this.listen(result.eventChannel);
      }
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loading = false;
    }
  }

  async listen(channel) {
    let enabled = false;
    try {
      enabled = channel && (await isEmpEnabled());
    } catch {
      enabled = false;
    }
    if (enabled) {
      try {
        onError(() => this.startPolling());
        this.subscription = await subscribe(channel, -1, (message) => this.handleEvent(message));
        if (this.subscription) {
          return;
        }
      } catch {
        // Fall through to polling: the page must still update.
      }
    }
    this.startPolling();
  }

  handleEvent(message) {
    const payload = message && message.data && message.data.payload;
    if (!payload) {
      return;
    }
    // The field carries the namespace prefix in a managed install: match on the suffix.
    const key = Object.keys(payload).find((k) => k.endsWith('LeadId__c'));
    const leadId = key ? String(payload[key]) : '';
    if (leadId && this.recordId && leadId.slice(0, 15) === String(this.recordId).slice(0, 15)) {
      this.load();
    }
  }

  startPolling() {
    if (this.pollTimer || !this.isConnected) {
      return;
    }
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.pollTimer = setInterval(() => {
      const age = Date.now() - this.lastLoadMs;
      if (this.isRunning || age >= POLL_SETTLED_MS) {
        this.load();
      }
    }, POLL_RUNNING_MS);
  }

  get timeZone() {
    return (this.countdown && this.countdown.userTimeZone) || USER_TIME_ZONE;
  }

  get intervals() {
    return (this.countdown && this.countdown.openIntervals) || [];
  }

  get status() {
    return (this.countdown && this.countdown.status) || 'Not Applicable';
  }

  get isTouched() {
    return Boolean(this.countdown && this.countdown.firstTouchAtMs);
  }

  get isRunning() {
    const c = this.countdown;
    return Boolean(
      c &&
        !c.firstTouchAtMs &&
        c.dueAtMs &&
        (c.status === 'Pending' || c.status === 'Missed') &&
        this.intervals.length
    );
  }

  get isExcluded() {
    return this.status === 'Excluded';
  }

  get isNotApplicable() {
    return this.status === 'Not Applicable';
  }

  get isLate() {
    return this.isRunning && this.nowMs >= this.countdown.dueAtMs;
  }

  get isPaused() {
    return this.isRunning && !this.isLate && !isOpenAt(this.intervals, this.nowMs);
  }

  get remainingMs() {
    return businessMsBetween(this.intervals, this.nowMs, this.countdown.dueAtMs);
  }

  get lateMs() {
    // Apex measured the lateness up to its own clock; the intervals cover the time since.
    const c = this.countdown;
    const since = Math.max(c.serverNowMs || c.dueAtMs, c.dueAtMs);
    return (c.lateBusinessMillis || 0) + businessMsBetween(this.intervals, since, this.nowMs);
  }

  get zone() {
    if (this.isLate) {
      return 'red';
    }
    const warningAt = this.countdown.warningAtMs;
    return warningAt && this.nowMs >= warningAt ? 'yellow' : 'green';
  }

  get zoneLabel() {
    return { green: 'On track', yellow: 'Due soon', red: 'Missed' }[this.zone];
  }

  get badgeClass() {
    const theme = {
      green: 'slds-theme_success',
      yellow: 'slds-theme_warning',
      red: 'slds-theme_error'
    }[this.zone];
    return `slds-badge ${theme}`;
  }

  get clockClass() {
    return `clock clock_${this.zone}`;
  }

  get clockText() {
    return formatClock(this.isLate ? this.lateMs : this.remainingMs);
  }

  get clockCaption() {
    return this.isLate ? 'business time late' : 'business time left';
  }

  get clockAriaLabel() {
    return `${this.clockText} ${this.clockCaption}`;
  }

  get resumesText() {
    const next = nextOpening(this.intervals, this.nowMs) || this.countdown.nextOpenAtMs;
    return next ? `resumes ${formatWeekdayTime(next, this.timeZone, LOCALE)}` : '';
  }

  get pausedText() {
    return `Paused: outside business hours, ${this.resumesText}`;
  }

  get dueText() {
    return formatDateTime(this.countdown && this.countdown.dueAtMs, this.timeZone, LOCALE);
  }

  get warningText() {
    const c = this.countdown;
    if (!c || !c.warningAtMs || this.nowMs >= c.warningAtMs) {
      return '';
    }
    return `Warning at ${formatDateTime(c.warningAtMs, this.timeZone, LOCALE)} (${c.warningPercent}% of the SLA)`;
  }

  get progressPercent() {
    const threshold = this.countdown && this.countdown.thresholdMinutes;
    if (!threshold) {
      return 0;
    }
    const used = threshold * 60000 - this.remainingMs;
    return Math.max(0, Math.min(100, Math.round((used / (threshold * 60000)) * 100)));
  }

  get progressStyle() {
    return `width: ${this.isLate ? 100 : this.progressPercent}%`;
  }

  get progressBarClass() {
    return `bar bar_${this.zone}`;
  }

  get ruleLine() {
    const c = this.countdown;
    const parts = [c.leadType || 'No lead type'];
    if (c.ruleLabel || c.ruleName) {
      parts.push(`rule ${c.ruleLabel || c.ruleName}`);
    }
    if (c.thresholdMinutes) {
      parts.push(`${formatMinutes(c.thresholdMinutes)} SLA`);
    }
    if (c.isHandRaiser) {
      parts.push('hand-raiser');
    }
    return parts.join(' · ');
  }

  get repLine() {
    const c = this.countdown;
    return c && c.accountableRepName ? `Accountable rep: ${c.accountableRepName}` : '';
  }

  get outcomeLabel() {
    return this.status === 'Hit' ? 'Hit' : this.status;
  }

  get outcomeClass() {
    return this.status === 'Hit' ? 'slds-badge slds-theme_success' : 'slds-badge slds-theme_error';
  }

  get touchLine() {
    const c = this.countdown;
    const when = formatDateTime(c.firstTouchAtMs, this.timeZone, LOCALE);
    return `First touch ${when}${c.firstTouchType ? ` by ${c.firstTouchType}` : ''}`;
  }

  get missedByText() {
    const c = this.countdown;
    return this.status === 'Missed' && c.missedByMinutes
      ? `Missed by ${formatMinutes(c.missedByMinutes)} of business time`
      : '';
  }

  get metrics() {
    const c = this.countdown;
    return [
      { key: 'systems', label: 'Systems delay', value: formatMinutes(c.systemsDelayMinutes) },
      {
        key: 'human',
        label: 'Human delay',
        value: formatMinutes(c.humanDelayBusinessMinutes ?? c.humanDelayMinutes)
      },
      { key: 'speed', label: 'Speed to lead', value: formatMinutes(c.speedToLeadMinutes) }
    ];
  }

  get escalationText() {
    const tier = this.countdown && this.countdown.escalationTier;
    return tier > 0 ? `Escalated to tier ${tier} (${TIER_NAMES[tier] || 'custom'})` : '';
  }

  get excludedText() {
    const reason = this.countdown.excludedReason || 'an exclusion rule';
    return `Excluded (${reason}): the SLA clock stopped and this lead does not count toward the hit rate.`;
  }

  get otherText() {
    return `SLA ${this.status}${this.dueText ? `, due ${this.dueText}` : ''}.`;
  }
}
