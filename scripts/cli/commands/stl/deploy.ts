import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgConnection } from '../../audit/org-source.ts';
import {
  assignPermissionSets,
  deploySource,
  DeployStepError,
  startDispatcher,
  type AssignmentResult,
  type SourceDeployResult
} from '../../org/deploy-steps.ts';
import { OrgSchema, runDoctor, type DoctorReport } from '../../org/doctor-checks.ts';
import { renderChecks } from '../../org/render-checks.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.deploy');

export type DeployResult = {
  org: string;
  deploy: SourceDeployResult | null;
  permissionSets: AssignmentResult[];
  dispatcher: string;
  doctor: DoctorReport;
};

export default class Deploy extends SfCommand<DeployResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'source-dir': Flags.directory({
      summary: messages.getMessage('flags.source-dir.summary'),
      default: 'force-app'
    }),
    'skip-source': Flags.boolean({
      summary: messages.getMessage('flags.skip-source.summary'),
      default: false
    }),
    'permission-set': Flags.string({
      summary: messages.getMessage('flags.permission-set.summary'),
      multiple: true,
      default: ['StlAdmin']
    }),
    assignee: Flags.string({
      summary: messages.getMessage('flags.assignee.summary'),
      multiple: true
    }),
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), default: 33, min: 1 })
  };

  public async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const org = flags['target-org'];
    const username = org.getUsername();
    if (!username) throw messages.createError('error.NoUsername');
    const connection = org.getConnection(flags['api-version']);
    const conn = connection as unknown as OrgConnection;
    const apiVersion = connection.getApiVersion();
    const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
      if (!this.jsonEnabled()) this.spinner.start(label);
      try {
        const value = await fn();
        if (!this.jsonEnabled()) this.spinner.stop('done');
        return value;
      } catch (e) {
        if (!this.jsonEnabled()) this.spinner.stop('failed');
        if (e instanceof DeployStepError) {
          throw new SfError(
            e.message,
            `Deploy${e.step[0].toUpperCase()}${e.step.slice(1)}Failed`,
            messages.getMessages(`error.${e.step}.actions`),
            e
          );
        }
        throw e;
      }
    };
    const deploy = flags['skip-source']
      ? null
      : await step(`Deploying ${flags['source-dir']} to ${username}`, () =>
          deploySource(username, flags['source-dir'], flags.wait)
        );
    const schema = await OrgSchema.load(conn);
    const permissionSets = await step(`Assigning ${flags['permission-set'].join(', ')}`, () =>
      assignPermissionSets(
        conn,
        apiVersion,
        flags['permission-set'],
        flags.assignee ?? [username],
        schema.namespace
      )
    );
    const dispatcher = await step('Starting the dispatcher', () =>
      startDispatcher(conn, apiVersion, schema.namespace)
    );
    const doctor = await runDoctor(conn);
    this.log(renderChecks(doctor, username, Boolean(process.stdout.isTTY)));
    if (!doctor.ok) process.exitCode = 1;
    return { org: username, deploy, permissionSets, dispatcher, doctor };
  }
}
