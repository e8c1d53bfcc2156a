/**
 * The checks `stl doctor` runs against an org, each answering pass, warn or fail with what to do:
 * package present, rules valid (criteria parse, fields exist), BusinessHours named by rules exist,
 * dispatcher alive (CronTrigger + AsyncApexJob), notification type present, alert mode, recent
 * package errors. Names resolve with or without the `stlead` namespace.
 */
import {
  NAMESPACE,
  slaRuleOf,
  touchRuleOf,
  exclusionRuleOf,
  settingsOf,
  stripNamespace
} from '../../lib/rules.ts';
import type { OrgConnection } from '../audit/org-source.ts';
import { everyRecord } from '../../lib/docs/org.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  message: string;
  action?: string;
}

export interface DoctorReport {
  ok: boolean;
  namespace: string | null;
  checks: Check[];
}

type Row = Record<string, unknown>;

/** Salesforce REST errors arrive as `[{"message", "errorCode"}]`; jsforce puts them on the error. */
function errorText(e: unknown): string {
  const err = e as { errorCode?: string; message?: string };
  return err.errorCode ? `${err.errorCode}: ${err.message}` : String(err.message ?? e);
}

export class OrgSchema {
  private readonly fieldCache = new Map<string, Set<string> | null>();
  constructor(
    private readonly conn: OrgConnection,
    readonly objects: Set<string>,
    readonly namespace: string | null
  ) {}

  static async load(conn: OrgConnection): Promise<OrgSchema> {
    const global = await conn.describeGlobal();
    const objects = new Set(global.sobjects.map((s) => s.name));
    const lower = new Set([...objects].map((o) => o.toLowerCase()));
    const namespace = lower.has(`${NAMESPACE}__slatimer__c`) ? NAMESPACE : null;
    return new OrgSchema(conn, objects, namespace);
  }

  /** `X__c` / `X__mdt` as this org names it (namespaced when the managed package is installed). */
  name(apiName: string): string {
    if (!this.namespace || !/__(c|mdt|e)$/.test(apiName) || apiName.includes(`${this.namespace}__`))
      return apiName;
    const namespaced = `${this.namespace}__${apiName}`;
    return [...this.objects].some((o) => o.toLowerCase() === namespaced.toLowerCase())
      ? namespaced
      : apiName;
  }

  /** A package custom field as this org names it: `stlead__X__c` in the managed package. */
  field(apiName: string): string {
    // `X__c` has one `__`; a name that already carries a namespace has two
    return this.namespace && apiName.endsWith('__c') && apiName.split('__').length === 2
      ? `${this.namespace}__${apiName}`
      : apiName;
  }

  has(object: string): boolean {
    const wanted = object.toLowerCase();
    return [...this.objects].some((o) => o.toLowerCase() === wanted);
  }

  async fields(object: string): Promise<Set<string> | null> {
    if (!this.fieldCache.has(object)) {
      try {
        const d = await this.conn.describe(object);
        this.fieldCache.set(object, new Set(d.fields.map((f) => f.name.toLowerCase())));
      } catch {
        this.fieldCache.set(object, null);
      }
    }
    return this.fieldCache.get(object) ?? null;
  }

  /** Whether `object` has `field`, as given or namespaced. */
  async hasField(object: string, field: string): Promise<boolean> {
    const fields = await this.fields(object);
    if (!fields) return false;
    const f = field.toLowerCase();
    return fields.has(f) || (this.namespace !== null && fields.has(`${this.namespace}__${f}`));
  }
}

async function records(conn: OrgConnection, soql: string): Promise<Row[]> {
  return (await conn.query<Row>(soql)).records;
}

export async function runDoctor(conn: OrgConnection): Promise<DoctorReport> {
  const checks: Check[] = [];
  const schema = await OrgSchema.load(conn);
  const ns = schema.namespace;
  const timer = schema.name('SlaTimer__c');
  const installed = schema.has(timer);
  checks.push(
    installed
      ? {
          name: 'package',
          status: 'pass',
          message: ns
            ? `installed as the managed package (namespace ${ns})`
            : 'deployed from source (no namespace)'
        }
      : {
          name: 'package',
          status: 'fail',
          message: 'the speed-to-lead package is not in this org (no SlaTimer__c object)',
          action: 'Run stl deploy --target-org <alias>, or install the package.'
        }
  );
  if (!installed) return { ok: false, namespace: ns, checks };

  const leadStamps = [
    'EngagementAt__c',
    'AssignedAt__c',
    'FirstTouchAt__c',
    'SlaStatus__c',
    'SlaDueAt__c'
  ];
  const missingStamps: string[] = [];
  for (const f of leadStamps) if (!(await schema.hasField('Lead', f))) missingStamps.push(f);
  checks.push(
    missingStamps.length
      ? {
          name: 'lead fields',
          status: 'fail',
          message: `Lead lacks ${missingStamps.join(', ')}`,
          action:
            'Deploy the package source again (stl deploy) or check field-level security for your user.'
        }
      : { name: 'lead fields', status: 'pass', message: 'the stamp fields exist on Lead' }
  );

  // rules
  const problems: string[] = [];
  let slaRows: Row[] = [];
  let settingsRow: Row | undefined;
  try {
    slaRows = await everyRecord<Row>(conn, schema.name('SlaRule__mdt'));
    const touchRows = await everyRecord<Row>(conn, schema.name('TouchRule__mdt'));
    const exclusionRows = await everyRecord<Row>(conn, schema.name('ExclusionRule__mdt'));
    settingsRow = (await everyRecord<Row>(conn, schema.name('StlSetting__mdt'))).find(
      (r) => r.DeveloperName === 'Default'
    );
    const check = async (object: string, where: string, fields: string[]): Promise<void> => {
      for (const f of fields) {
        if (!(await schema.hasField(object, f)))
          problems.push(`${where}: ${object} has no field ${f}`);
      }
    };
    for (const row of slaRows) {
      try {
        const rule = slaRuleOf(row);
        if (rule.isActive)
          await check(
            'Lead',
            `SlaRule ${rule.developerName}`,
            rule.criteria.map((c) => c.field)
          );
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    for (const row of touchRows) {
      try {
        const rule = touchRuleOf(row);
        if (rule.isActive)
          await check(
            rule.activityObject,
            `TouchRule ${rule.developerName}`,
            rule.criteria.map((c) => c.field)
          );
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    for (const row of exclusionRows) {
      try {
        const rule = exclusionRuleOf(row);
        if (rule.isActive)
          await check(
            'Lead',
            `ExclusionRule ${rule.developerName}`,
            rule.criteria.map((c) => c.field)
          );
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    const engagement = settingsOf(settingsRow).engagementSourceField;
    if (engagement && !(await schema.hasField('Lead', engagement))) {
      problems.push(
        `StlSetting Default: EngagementSourceField__c names ${engagement}, which Lead does not have`
      );
    }
  } catch (e) {
    problems.push(`the rules cannot be read: ${errorText(e)}`);
  }
  const activeRules = slaRows
    .map(stripNamespace)
    .filter((r) => r.IsActive__c !== false && r.IsActive__c !== 'false');
  checks.push(
    problems.length
      ? {
          name: 'rules',
          status: 'fail',
          message: problems.join('; '),
          action: 'Fix the named custom metadata records in Setup > Custom Metadata Types.'
        }
      : activeRules.length
        ? {
            name: 'rules',
            status: 'pass',
            message: `${activeRules.length} active SLA rules, criteria valid`
          }
        : {
            name: 'rules',
            status: 'warn',
            message: 'no active SLA rule: every lead will be Not Applicable',
            action: 'Activate at least one SlaRule__mdt record.'
          }
  );

  // business hours
  const hours = await records(
    conn,
    'SELECT Id, Name, IsDefault, IsActive FROM BusinessHours WHERE IsActive = true'
  );
  const names = new Set(hours.map((h) => String(h.Name).toLowerCase()));
  const missingHours = activeRules
    .map((r) => String(r.BusinessHoursName__c ?? '').trim())
    .filter((n) => n && !names.has(n.toLowerCase()));
  const hasDefault = hours.some((h) => h.IsDefault === true || h.IsDefault === 'true');
  checks.push(
    missingHours.length
      ? {
          name: 'business hours',
          status: 'fail',
          message: `rules name business hours that do not exist or are inactive: ${[...new Set(missingHours)].join(', ')}`,
          action:
            'Create them in Setup > Business Hours or change BusinessHoursName__c on the rules.'
        }
      : !hasDefault
        ? {
            name: 'business hours',
            status: 'fail',
            message: 'no default business hours',
            action: 'Mark one business hours record as default.'
          }
        : {
            name: 'business hours',
            status: 'pass',
            message: `${hours.length} active business hours; every rule resolves`
          }
  );

  // dispatcher
  const crons = await records(
    conn,
    "SELECT Id, State, NextFireTime, CronJobDetail.Name FROM CronTrigger WHERE CronJobDetail.Name LIKE 'StlDispatcher%'"
  );
  const alive = crons.filter((c) => ['WAITING', 'ACQUIRED', 'EXECUTING'].includes(String(c.State)));
  const jobs = await records(
    conn,
    "SELECT Id, Status, CompletedDate, ExtendedStatus FROM AsyncApexJob WHERE ApexClass.Name = 'StlDispatcher' ORDER BY CreatedDate DESC LIMIT 10"
  );
  const failed = jobs.filter((j) => j.Status === 'Failed');
  checks.push(
    !alive.length
      ? {
          name: 'dispatcher',
          status: 'fail',
          message: 'no scheduled StlDispatcher job: timers will not fire',
          action: `Run stl deploy again, or in anonymous Apex: ${ns ? `${ns}.` : ''}StlDispatcher.ensureScheduled();`
        }
      : failed.length
        ? {
            name: 'dispatcher',
            status: 'warn',
            message: `scheduled (next ${String(alive[0].NextFireTime)}) but ${failed.length} of the last ${jobs.length} runs failed: ${String(failed[0].ExtendedStatus ?? '')}`,
            action: 'Look at Setup > Apex Jobs and the StlError__c records.'
          }
        : {
            name: 'dispatcher',
            status: 'pass',
            message: `scheduled, next run ${String(alive[0].NextFireTime)}`
          }
  );

  // notification type
  const types = await records(
    conn,
    "SELECT Id, DeveloperName FROM CustomNotificationType WHERE DeveloperName = 'StlSlaAlert'"
  );
  checks.push(
    types.length
      ? { name: 'notification type', status: 'pass', message: 'StlSlaAlert is present' }
      : {
          name: 'notification type',
          status: 'fail',
          message:
            'the custom notification type StlSlaAlert is missing: bell and mobile alerts cannot be sent',
          action: 'Deploy the package source again (stl deploy).'
        }
  );

  // alert mode
  const s = stripNamespace(settingsRow ?? {});
  const enabled = !(s.IsEnabled__c === false || s.IsEnabled__c === 'false');
  const mode = String(s.AlertMode__c ?? 'Silent');
  checks.push(
    !settingsRow
      ? {
          name: 'alert mode',
          status: 'fail',
          message: 'no StlSetting__mdt record named Default',
          action: 'Deploy the package source again.'
        }
      : !enabled
        ? {
            name: 'alert mode',
            status: 'fail',
            message: 'the package is switched off (IsEnabled__c is false)',
            action: 'Tick IsEnabled__c on StlSetting Default.'
          }
        : mode === 'Live'
          ? { name: 'alert mode', status: 'pass', message: 'Live: alerts reach reps and managers' }
          : {
              name: 'alert mode',
              status: 'warn',
              message:
                mode === 'Test'
                  ? `Test: every alert goes to ${String(s.TestRecipient__c ?? '(no test recipient)')}`
                  : 'Silent: alerts are logged, not sent',
              action: 'Switch AlertMode__c to Live once reps are trained.'
            }
  );

  // recent package errors
  const errorObject = schema.name('StlError__c');
  if (schema.has(errorObject)) {
    const errors = await records(
      conn,
      `SELECT Id, ${schema.field('Source__c')}, ${schema.field('Message__c')}, CreatedDate FROM ${errorObject} WHERE CreatedDate = LAST_N_DAYS:1 ORDER BY CreatedDate DESC LIMIT 50`
    );
    const first = errors[0] ? stripNamespace(errors[0]) : undefined;
    checks.push(
      errors.length
        ? {
            name: 'recent errors',
            status: 'warn',
            message: `${errors.length}${errors.length === 50 ? '+' : ''} package errors in the last day; latest from ${String(first?.Source__c)}: ${String(first?.Message__c).slice(0, 160)}`,
            action: 'Open the setup/health page or the StlError__c list view.'
          }
        : { name: 'recent errors', status: 'pass', message: 'no package errors in the last day' }
    );
  }
  return { ok: checks.every((c) => c.status !== 'fail'), namespace: ns, checks };
}
