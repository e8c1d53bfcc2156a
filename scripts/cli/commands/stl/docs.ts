import { resolve } from 'node:path';
import { Messages, Org, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { DocsError, readProjectModel } from '../../../lib/docs/model.ts';
import { generateAll } from '../../../lib/docs/generate.ts';
import { readOrgConfig, type DocsOrgConnection } from '../../../lib/docs/org.ts';
import { writeDocuments, type WrittenDocument } from '../../../lib/docs/write.ts';
import { PROJECT_ROOT } from '../../rules-source.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.docs');

export interface DocsResult {
  configuration: string;
  project: string;
  out: string;
  documents: WrittenDocument[];
}

export default class Docs extends SfCommand<DocsResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    // a plain string, not Flags.optionalOrg: a default org in the sf config must not silently
    // replace the project's own configuration
    'target-org': Flags.string({
      char: 'o',
      summary: messages.getMessage('flags.target-org.summary')
    }),
    'from-project': Flags.directory({
      summary: messages.getMessage('flags.from-project.summary'),
      exists: true
    }),
    out: Flags.directory({
      summary: messages.getMessage('flags.out.summary'),
      default: 'reports/docs'
    }),
    'api-version': Flags.orgApiVersion()
  };

  public async run(): Promise<DocsResult> {
    const { flags } = await this.parse(Docs);
    const project = resolve(flags['from-project'] ?? PROJECT_ROOT);
    try {
      let config;
      if (flags['target-org']) {
        const org = await Org.create({ aliasOrUsername: flags['target-org'] });
        const conn = org.getConnection(flags['api-version']) as unknown as DocsOrgConnection;
        config = await readOrgConfig(conn, org.getUsername() ?? org.getOrgId());
      }
      const model = readProjectModel(project, config);
      const out = resolve(flags.out);
      const documents = writeDocuments(generateAll(model), out);
      for (const d of documents) this.log(`Wrote ${d.title}: ${d.markdown}, ${d.html}`);
      return { configuration: model.config.origin, project, out, documents };
    } catch (e) {
      if (e instanceof DocsError) {
        throw new SfError(e.message, 'DocsError', [messages.getMessage('actions.fix-source')]);
      }
      throw e;
    }
  }
}
