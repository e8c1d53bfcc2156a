import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { generateSeed } from '../../../lib/seed.ts';
import type { OrgConnection } from '../../audit/org-source.ts';
import { writeSeedExport } from '../../seed/local-writer.ts';
import { seedOrg, SeedOrgError, type OrgSeedResult } from '../../seed/org-writer.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.seed');

export type SeedResult = {
  seed: number;
  target: string;
  generated: {
    users: number;
    queues: number;
    leads: number;
    ownerChanges: number;
    /** leads whose engagement field was written again later (LeadHistory rows) */
    reEngagements: number;
    tasks: number;
    events: number;
    opportunities: number;
  };
  files?: Record<string, number>;
  org?: OrgSeedResult;
};

export default class Seed extends SfCommand<SeedResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    local: Flags.directory({
      summary: messages.getMessage('flags.local.summary'),
      aliases: ['out'],
      exactlyOne: ['local', 'target-org']
    }),
    'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.target-org.summary') }),
    'api-version': Flags.orgApiVersion(),
    seed: Flags.integer({ summary: messages.getMessage('flags.seed.summary'), default: 42 }),
    leads: Flags.integer({
      summary: messages.getMessage('flags.leads.summary'),
      default: 400,
      min: 1,
      max: 2_000_000
    }),
    start: Flags.string({
      summary: messages.getMessage('flags.start.summary'),
      default: '2026-09-14'
    }),
    weeks: Flags.integer({
      summary: messages.getMessage('flags.weeks.summary'),
      default: 8,
      min: 1,
      max: 104
    }),
    'keep-dates': Flags.boolean({
      summary: messages.getMessage('flags.keep-dates.summary'),
      default: false
    }),
    bypass: Flags.boolean({
      summary: messages.getMessage('flags.bypass.summary'),
      description: messages.getMessage('flags.bypass.description'),
      default: true,
      allowNo: true
    })
  };

  public async run(): Promise<SeedResult> {
    const { flags } = await this.parse(Seed);
    let data;
    try {
      data = generateSeed({
        seed: flags.seed,
        leads: flags.leads,
        start: flags.start,
        weeks: flags.weeks
      });
    } catch (e) {
      throw new SfError(
        (e as Error).message,
        'BadSeedOptions',
        messages.getMessages('error.BadSeedOptions.actions')
      );
    }
    const generated = {
      users: data.users.length,
      queues: data.queues.length,
      leads: data.leads.length,
      ownerChanges: data.leadHistory.filter((h) => h.Field === 'Owner').length / 2,
      reEngagements: data.leadHistory.filter((h) => h.Field === data.engagementField).length,
      opportunities: data.opportunities.length,
      tasks: data.tasks.length,
      events: data.events.length
    };
    const tty = Boolean(process.stderr.isTTY) && !this.jsonEnabled();
    if (flags.local) {
      const files = await writeSeedExport(flags.local, data);
      this.log(
        messages.getMessage('info.local', [
          generated.leads,
          generated.tasks + generated.events,
          flags.local,
          flags.seed
        ])
      );
      this.log(messages.getMessage('info.next', [flags.local]));
      return { seed: flags.seed, target: flags.local, generated, files };
    }
    const org = flags['target-org'];
    if (!org) throw messages.createError('error.NoTarget');
    const connection = org.getConnection(flags['api-version']);
    if (!flags.bypass) this.warn(messages.getMessage('warning.noBypass'));
    if (tty) this.spinner.start('Seeding');
    let result: OrgSeedResult;
    try {
      result = await seedOrg(data, {
        connection: connection as unknown as OrgConnection,
        apiVersion: connection.getApiVersion(),
        keepDates: flags['keep-dates'],
        bypass: flags.bypass,
        onProgress: (m) => {
          if (tty) this.spinner.status = m;
        }
      });
    } catch (e) {
      if (tty) this.spinner.stop('failed');
      if (e instanceof SeedOrgError && e.code === 'BypassMissing')
        throw messages.createError('error.BypassMissing', [e.message]);
      if (e instanceof SeedOrgError && e.code === 'BypassRemove')
        throw messages.createError('error.BypassRemove', [e.message]);
      if (e instanceof SeedOrgError) throw new SfError(e.message, `Seed${e.code}`);
      throw e;
    }
    if (tty) this.spinner.stop();
    if (result.bypass.mode !== 'off')
      this.log(
        messages.getMessage(`info.bypass.${result.bypass.mode}`, [result.bypass.permissionSet])
      );
    this.warn(messages.getMessage('warning.usersMapped', [generated.users, result.users]));
    for (const w of result.warnings) this.warn(w);
    for (const f of result.failures.slice(0, 10))
      this.warn(`${f.object} ${f.sourceId}: ${f.message}`);
    if (result.failures.length > 10)
      this.warn(`… and ${result.failures.length - 10} more failures`);
    this.log(
      messages.getMessage('info.org', [
        result.created.Lead ?? 0,
        result.created.Task ?? 0,
        result.created.Event ?? 0,
        result.ownerChanges,
        org.getUsername() ?? ''
      ])
    );
    if (result.engagementField)
      this.log(
        messages.getMessage('info.engagement', [result.engagementField, result.engagementUpdates])
      );
    if (result.opportunities.created)
      this.log(
        messages.getMessage('info.opportunities', [
          result.opportunities.created,
          result.opportunities.leadsNotConverted
        ])
      );
    return {
      seed: flags.seed,
      target: org.getUsername() ?? org.getOrgId(),
      generated,
      org: result
    };
  }
}
