import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.doctor');

export type DoctorResult = { ok: boolean };

export default class Doctor extends SfCommand<DoctorResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': Flags.requiredOrg()
  };
  public async run(): Promise<DoctorResult> {
    const { flags } = await this.parse(Doctor);
    this.log(flags['target-org'].getUsername() ?? '');
    return { ok: true };
  }
}
