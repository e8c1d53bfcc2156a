import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import type { AuditReport } from '../../../lib/audit.ts';
import { CsvFileError, type RowProblem } from '../../audit/csv-reader.ts';
import { auditExport } from '../../audit/export-source.ts';
import { auditOrg, type OrgConnection } from '../../audit/org-source.ts';
import { colours, renderText } from '../../audit/render-text.ts';
import {
  writeCsvDir,
  writeHtml,
  writeJson,
  writeLeadsCsv,
  writeMarkdown
} from '../../audit/write-outputs.ts';
import { parseInstant } from '../../../lib/audit.ts';
import {
  ConversionError,
  parseInstantStrict,
  parseWindow,
  type ConversionImpact
} from '../../../lib/conversion.ts';
import { loadRules } from '../../rules-source.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('speed-to-lead', 'stl.audit');

/** The conversion impact fields, beside the audit's own (the module's definitions unchanged). */
export type ConversionFields = Omit<ConversionImpact, 'minSample' | 'leads' | 'definitions'> & {
  conversion: { unit: 'lead'; leads: number; minSample: number; definitions: string[] };
};

export type AuditResult = AuditReport &
  ConversionFields & {
    source: string;
    rules: string;
    files: Record<string, number>;
    skippedRows: RowProblem[];
    outputs: string[];
  };

export default class Audit extends SfCommand<AuditResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    from: Flags.directory({
      summary: messages.getMessage('flags.from.summary'),
      exists: false,
      exactlyOne: ['from', 'target-org']
    }),
    'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.target-org.summary') }),
    'api-version': Flags.orgApiVersion(),
    rules: Flags.file({ summary: messages.getMessage('flags.rules.summary'), exists: true }),
    'as-of': Flags.string({ summary: messages.getMessage('flags.as-of.summary') }),
    format: Flags.option({
      summary: messages.getMessage('flags.format.summary'),
      options: ['text', 'json', 'csv', 'md', 'html'] as const,
      default: 'text'
    })(),
    out: Flags.file({ summary: messages.getMessage('flags.out.summary') }),
    html: Flags.file({ summary: messages.getMessage('flags.html.summary') }),
    csv: Flags.directory({ summary: messages.getMessage('flags.csv.summary') }),
    days: Flags.integer({
      summary: messages.getMessage('flags.days.summary'),
      default: 120,
      min: 1
    }),
    'bulk-threshold': Flags.integer({
      summary: messages.getMessage('flags.bulk-threshold.summary'),
      default: 10_000,
      min: 0
    }),
    slowest: Flags.integer({
      summary: messages.getMessage('flags.slowest.summary'),
      default: 10,
      min: 1,
      max: 500
    }),
    'go-live': Flags.string({ summary: messages.getMessage('flags.go-live.summary') }),
    'exclude-window': Flags.string({
      summary: messages.getMessage('flags.exclude-window.summary'),
      multiple: true
    })
  };

  public async run(): Promise<AuditResult> {
    const { flags } = await this.parse(Audit);
    if (flags.format !== 'text' && !flags.out) {
      throw messages.createError('error.FormatNeedsOut', [flags.format]);
    }
    let asOf: number | undefined;
    if (flags['as-of']) {
      const parsed = parseInstant(flags['as-of']);
      if (parsed === null) throw messages.createError('error.BadAsOf', [flags['as-of']]);
      asOf = parsed;
    }
    const { rules, origin } = this.wrap(() => loadRules(flags.rules, flags.from), 'BadRules');
    const conversion = this.wrap(
      () => ({
        goLive: flags['go-live']
          ? (parseInstantStrict(flags['go-live'], '--go-live'), flags['go-live'])
          : null,
        excludeWindows: (flags['exclude-window'] ?? []).map(parseWindow)
      }),
      'BadConversionFlag'
    );
    const showProgress = Boolean(process.stderr.isTTY) && !this.jsonEnabled();
    const progress = (m: string): void => {
      if (showProgress) this.spinner.status = m;
    };
    if (showProgress) this.spinner.start('Auditing');
    const keepLeads = Boolean(flags.csv) || flags.format === 'csv';
    let outcome;
    let source: string;
    try {
      if (flags.from) {
        source = flags.from;
        outcome = await auditExport({
          dir: flags.from,
          rules,
          asOf,
          slowestCount: flags.slowest,
          onProgress: progress,
          keepLeads,
          conversion
        });
      } else {
        const org = flags['target-org'];
        if (!org) throw messages.createError('error.NoSource');
        source = org.getUsername() ?? org.getOrgId();
        outcome = await auditOrg({
          connection: org.getConnection(flags['api-version']) as unknown as OrgConnection,
          rules,
          asOf,
          slowestCount: flags.slowest,
          onProgress: progress,
          keepLeads,
          bulkThreshold: flags['bulk-threshold'],
          days: flags.days,
          useOrgRules: !flags.rules,
          conversion
        });
      }
    } catch (e) {
      if (showProgress) this.spinner.stop('failed');
      if (e instanceof ConversionError) {
        throw new SfError(
          e.message,
          'BadConversionInput',
          messages.getMessages('error.BadConversionInput.actions'),
          e
        );
      }
      if (e instanceof CsvFileError) {
        throw new SfError(
          e.message,
          'BadExportFile',
          messages.getMessages('error.BadExportFile.actions'),
          e
        );
      }
      throw e;
    }
    if (showProgress) this.spinner.stop();
    const { report, leads, warnings, problems, files } = outcome;
    const impact = outcome.conversion;
    const conversionFields: ConversionFields = {
      conversion: {
        unit: 'lead',
        leads: impact.leads,
        minSample: impact.minSample,
        definitions: impact.definitions
      },
      conversionByBucket: impact.conversionByBucket,
      conversionBySlaOutcome: impact.conversionBySlaOutcome,
      conversionByLeadType: impact.conversionByLeadType,
      pipelineBySlaOutcome: impact.pipelineBySlaOutcome,
      beforeAfter: impact.beforeAfter,
      systemsDelayRating: impact.systemsDelayRating
    };
    for (const w of warnings) this.warn(w);
    if (problems.length) {
      this.warn(`${problems.length} row(s) skipped; the good rows were counted:`);
      for (const p of problems.slice(0, 20)) {
        this.warn(`${p.file} line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.reason}`);
      }
      if (problems.length > 20) this.warn(`… and ${problems.length - 20} more skipped row(s)`);
    }
    const outputs: string[] = [];
    const result: AuditResult = {
      source,
      rules: origin,
      ...report,
      ...conversionFields,
      files,
      skippedRows: problems,
      outputs
    };
    const ctx = { source, problems, warnings, conversion: impact };
    if (flags.out) {
      switch (flags.format) {
        case 'json':
          writeJson(flags.out, { ...result, outputs: undefined });
          break;
        case 'csv':
          await writeLeadsCsv(flags.out, leads);
          break;
        case 'md':
          writeMarkdown(flags.out, report, source);
          break;
        case 'html':
          writeHtml(flags.out, report, ctx);
          break;
        default:
          throw messages.createError('error.FormatNeedsOut', ['text']);
      }
      outputs.push(flags.out);
    }
    if (flags.html) {
      writeHtml(flags.html, report, ctx);
      outputs.push(flags.html);
    }
    if (flags.csv) outputs.push(...(await writeCsvDir(flags.csv, report, leads)));
    this.log(
      renderText(report, {
        source,
        files,
        problems,
        outputs,
        style: process.stdout.isTTY ? colours : undefined,
        conversion: impact
      })
    );
    return result;
  }

  private wrap<T>(fn: () => T, name: string): T {
    try {
      return fn();
    } catch (e) {
      throw new SfError(
        (e as Error).message,
        name,
        messages.getMessages(`error.${name}.actions`),
        e as Error
      );
    }
  }
}
