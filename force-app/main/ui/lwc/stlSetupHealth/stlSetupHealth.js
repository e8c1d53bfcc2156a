import { LightningElement } from 'lwc';
import getHealth from '@salesforce/apex/StlSetupHealthController.getHealth';
import LOCALE from '@salesforce/i18n/locale';
import USER_TIME_ZONE from '@salesforce/i18n/timeZone';
import { errorMessage, formatDateTime } from 'c/stlFormat';

const STEP_ICONS = {
  done: { icon: 'utility:success', variant: 'success', label: 'Done' },
  next: { icon: 'utility:forward', variant: 'warning', label: 'Next step' },
  todo: { icon: 'utility:routing_offline', variant: '', label: 'To do' },
  'out of order': { icon: 'utility:warning', variant: 'error', label: 'Done out of order' }
};
const SECTIONS = [
  { key: 'slaRules', title: 'SLA rules' },
  { key: 'touchRules', title: 'Touch rules' },
  { key: 'exclusionRules', title: 'Exclusion rules' },
  { key: 'escalationTiers', title: 'Escalation tiers' }
];

/** Record page of a lead (a relative link works in Lightning Experience and the console). */
const leadUrl = (id) => `/lightning/r/Lead/${id}/view`;

/**
 * The admin's setup health page: configuration as the package reads it with problems flagged,
 * dispatcher status, alert mode, recent package errors, the go-live checklist and the leads
 * flagged as likely duplicates in the last 30 days.
 */
export default class StlSetupHealth extends LightningElement {
  health;
  error;
  loading = true;

  connectedCallback() {
    this.load();
  }

  async load() {
    this.loading = true;
    try {
      this.health = await getHealth();
      this.error = undefined;
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loading = false;
    }
  }

  handleRefresh() {
    this.load();
  }

  format(ms) {
    return ms ? formatDateTime(ms, USER_TIME_ZONE, LOCALE) : '—';
  }

  get problemSummary() {
    const n = this.health.problemCount;
    return n === 0 ? 'No problems found' : `${n} problem${n === 1 ? '' : 's'} to fix`;
  }

  get summaryClass() {
    return this.health.problemCount === 0
      ? 'slds-badge slds-theme_success'
      : 'slds-badge slds-theme_error';
  }

  get alertModeClass() {
    return this.health.settings.alertMode === 'Live'
      ? 'slds-badge slds-theme_success'
      : 'slds-badge slds-badge_lightest';
  }

  get checklist() {
    return this.health.checklist.map((step) => {
      const look = STEP_ICONS[step.state] || STEP_ICONS.todo;
      return {
        ...step,
        icon: look.icon,
        variant: look.variant,
        stateLabel: look.label,
        itemClass: `step step_${step.state.replace(/ /g, '-')}`
      };
    });
  }

  get settingsRows() {
    const s = this.health.settings;
    return [
      { key: 'enabled', label: 'Package enabled', value: s.isEnabled ? 'Yes' : 'No' },
      { key: 'mode', label: 'Alert mode', value: s.alertMode },
      { key: 'recipient', label: 'Test recipient', value: s.testRecipient || '—' },
      {
        key: 'source',
        label: 'Engagement source field',
        value: s.engagementSourceField || 'CreatedDate'
      },
      {
        key: 'cadence',
        label: 'Dispatcher cadence',
        value: s.dispatcherCadenceMinutes ? `${s.dispatcherCadenceMinutes} min` : '—'
      }
    ];
  }

  get settingsProblems() {
    return this.health.settings.problems;
  }

  get dispatcherRows() {
    const d = this.health.dispatcher;
    return [
      { key: 'status', label: 'Status', value: d.status },
      { key: 'next', label: 'Next run', value: this.format(d.nextRunAtMs) },
      {
        key: 'last',
        label: 'Last run',
        value: d.lastRunAtMs ? `${this.format(d.lastRunAtMs)} (${d.lastRunStatus})` : 'never'
      },
      { key: 'overdue', label: 'Overdue timers', value: String(d.overdueTimers) },
      { key: 'failures', label: 'Recent failed jobs', value: String(d.recentFailures) }
    ];
  }

  get dispatcherClass() {
    return this.health.dispatcher.status === 'Running'
      ? 'slds-badge slds-theme_success'
      : 'slds-badge slds-theme_error';
  }

  get dispatcherProblems() {
    return this.health.dispatcher.problems;
  }

  get sections() {
    return SECTIONS.map((section) => {
      const rows = (this.health[section.key] || []).map((row) => ({
        ...row,
        hasProblems: row.problems.length > 0,
        problemKeys: row.problems.map((text, i) => ({ key: `${row.developerName}-${i}`, text })),
        activeLabel: row.isActive ? 'Active' : 'Inactive',
        rowClass: row.problems.length > 0 ? 'config-row config-row_problem' : 'config-row'
      }));
      const problems = rows.reduce((n, r) => n + r.problems.length, 0);
      return {
        ...section,
        rows,
        isEmpty: rows.length === 0,
        countLabel: `${rows.length} record${rows.length === 1 ? '' : 's'}${
          problems ? ` · ${problems} problem${problems === 1 ? '' : 's'}` : ''
        }`
      };
    });
  }

  get errors() {
    return this.health.errors.map((e) => ({
      ...e,
      when: this.format(e.occurredAtMs),
      severityClass:
        e.severity === 'Warning' ? 'slds-badge slds-theme_warning' : 'slds-badge slds-theme_error'
    }));
  }

  get hasErrors() {
    return this.health.errors.length > 0;
  }

  get errorsSummary() {
    return `${this.health.errorsLast24h} in the last 24 hours`;
  }

  get duplicates() {
    return (this.health.duplicates || []).map((d) => ({
      ...d,
      leadUrl: leadUrl(d.leadId),
      leadLabel: d.leadName || d.leadId,
      companyLabel: d.company || '—',
      created: this.format(d.createdAtMs),
      duplicateOfUrl: leadUrl(d.duplicateOfId),
      duplicateOfLabel: d.duplicateOfName || d.duplicateOfId
    }));
  }

  get hasDuplicates() {
    return (this.health.duplicates || []).length > 0;
  }

  get duplicatesSummary() {
    const n = this.health.duplicateCount || 0;
    const more = this.health.duplicatesCapped ? '+' : '';
    return `${n}${more} in the last 30 days`;
  }
}
