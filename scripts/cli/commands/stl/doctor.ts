import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgConnection } from '../../audit/org-source.ts';
import { runDoctor, type DoctorReport } from '../../org/doctor-checks.ts';
import { renderChecks } from '../../org/render-checks.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.doctor');

export type DoctorResult = DoctorReport & { org: string };

export default class Doctor extends SfCommand<DoctorResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion()
  };

  public async run(): Promise<DoctorResult> {
    const { flags } = await this.parse(Doctor);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']) as unknown as OrgConnection;
    const report = await runDoctor(conn);
    const name = org.getUsername() ?? org.getOrgId();
    this.log(renderChecks(report, name, Boolean(process.stdout.isTTY)));
    // the checks are the result: a failing check makes the exit code (and the JSON status) 1
    if (!report.ok) process.exitCode = 1;
    return { ...report, org: name };
  }
}
