/**
 * A local HTTP test double of a Salesforce org on 127.0.0.1: the documented REST endpoints the
 * CLI and @salesforce/core call (userinfo, versions, query with paging, describe, describeGlobal,
 * sObject rows (get, create, delete), sObject Collections, Tooling executeAnonymous, Bulk API 2.0 query jobs), answering
 * with the platform's shapes, including its error bodies (`[{"message", "errorCode"}]` with 400).
 * SOQL is interpreted for the subset the CLI writes: field lists, FIELDS(ALL) (only with a LIMIT of
 * at most 200, as the platform requires), COUNT(), relationship paths, WHERE with AND of =, !=,
 * LIKE, IN (values or a semi-join sub-select of an Id or reference field) and LAST_N_DAYS,
 * ORDER BY, LIMIT.
 *
 * Bulk API 2.0 query jobs follow the documented lifecycle: created `UploadComplete`, then
 * `InProgress` on the first status check and `JobComplete` on the next; results before that are
 * refused; results come in sets of `maxRecords` (or `bulkPageSize`) rows, each with its own CSV
 * header, the next set named by the `Sforce-Locator` header (the string `null` after the last).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRecord = Record<string, unknown>;

export interface FakeTable {
  fields: string[];
  records: FakeRecord[];
  /** Id prefix for inserts */
  prefix?: string;
  /** fields the API refuses on insert and update (`INVALID_FIELD_FOR_INSERT_UPDATE`) */
  readOnly?: string[];
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const API_VERSION = '62.0';
const USER_ID = '005000000000001AAA';
const ORG_ID = '00D000000000001EAA';
export const USERNAME = 'admin@fake-org.test';

class SoqlError extends Error {
  constructor(
    message: string,
    readonly errorCode: string
  ) {
    super(message);
  }
}

function get(record: FakeRecord, path: string): unknown {
  let v: unknown = record;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    const obj = v as FakeRecord;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    v = key === undefined ? null : obj[key];
  }
  return v === undefined ? null : v;
}

function literal(raw: string): unknown {
  const s = raw.trim();
  if (/^'.*'$/s.test(s)) return s.slice(1, -1).replace(/\\'/g, "'");
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  if (/^null$/i.test(s)) return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  throw new SoqlError(`unexpected token: '${s}'`, 'MALFORMED_QUERY');
}

function splitTopLevel(s: string, sep: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'" && s[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (!quoted && depth === 0) {
      const m = sep.exec(s.slice(i));
      if (m && m.index === 0) {
        out.push(cur);
        cur = '';
        i += m[0].length - 1;
        continue;
      }
    }
    cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

function condition(
  cond: string,
  subSelect: (soql: string) => unknown[]
): (r: FakeRecord) => boolean {
  let m = /^([\w.]+)\s*=\s*LAST_N_DAYS:\d+$/i.exec(cond);
  if (m) return () => true;
  m = /^([\w.]+)\s+(NOT\s+)?IN\s*\((.*)\)$/is.exec(cond);
  if (m) {
    const path = m[1];
    const values = /^\s*SELECT\s/i.test(m[3])
      ? subSelect(m[3])
      : splitTopLevel(m[3], /^,/).map(literal);
    const not = Boolean(m[2]);
    return (r) =>
      values.some((v) => String(v).toLowerCase() === String(get(r, path)).toLowerCase()) !== not;
  }
  m = /^([\w.]+)\s+LIKE\s+(.+)$/is.exec(cond);
  if (m) {
    const path = m[1];
    const pattern = String(literal(m[2]));
    const re = new RegExp(
      `^${pattern
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.')}$`,
      'i'
    );
    return (r) => re.test(String(get(r, path) ?? ''));
  }
  m = /^([\w.]+)\s*(!=|=)\s*(.+)$/s.exec(cond);
  if (m) {
    const path = m[1];
    const value = literal(m[3]);
    const eq = (r: FakeRecord): boolean => {
      const actual = get(r, path);
      if (value === null) return actual === null;
      return String(actual).toLowerCase() === String(value).toLowerCase();
    };
    return m[2] === '=' ? eq : (r) => !eq(r);
  }
  throw new SoqlError(`unexpected condition: '${cond}'`, 'MALFORMED_QUERY');
}

export class FakeOrg {
  readonly tables = new Map<string, FakeTable>();
  readonly requests: SeenRequest[] = [];
  /** records per REST query page (the platform's default is 2000) */
  pageSize = 2000;
  /** records per Bulk API 2.0 result set when the client sends no maxRecords */
  bulkPageSize = 50_000;
  /**
   * A test's injected platform failure: return an error for a request (`[{message, errorCode}]`
   * with `status`) to make it fail; the request is still recorded.
   */
  fault:
    | ((
        method: string,
        path: string
      ) => { status: number; message: string; errorCode: string } | undefined)
    | null = null;
  private server: Server | null = null;
  private cursors = new Map<string, FakeRecord[]>();
  private bulkJobs = new Map<string, { soql: string; state: string }>();
  private idCounter = 100;
  url = '';

  constructor(tables: Record<string, FakeTable>) {
    const base: Record<string, FakeTable> = {
      Organization: {
        fields: [
          'Id',
          'Name',
          'IsSandbox',
          'TrialExpirationDate',
          'NamespacePrefix',
          'OrganizationType',
          'InstanceName',
          'CreatedDate'
        ],
        records: [
          {
            Id: ORG_ID,
            Name: 'Fake Org',
            IsSandbox: false,
            TrialExpirationDate: null,
            NamespacePrefix: null,
            OrganizationType: 'Developer Edition',
            InstanceName: 'FAKE1',
            CreatedDate: '2026-01-01T00:00:00.000+0000'
          }
        ]
      },
      User: {
        fields: [
          'Id',
          'Username',
          'Name',
          'IsActive',
          'ManagerId',
          'UserType',
          'Email',
          'LastName',
          'FirstName',
          'TimeZoneSidKey',
          'LanguageLocaleKey',
          'CreatedDate',
          'ProfileId'
        ],
        records: [
          {
            Id: USER_ID,
            Username: USERNAME,
            Name: 'Ada Admin',
            FirstName: 'Ada',
            LastName: 'Admin',
            IsActive: true,
            ManagerId: null,
            UserType: 'Standard',
            Email: USERNAME,
            TimeZoneSidKey: 'America/New_York',
            LanguageLocaleKey: 'en_US',
            CreatedDate: '2026-01-01T00:00:00.000+0000',
            ProfileId: '00e000000000001AAA'
          }
        ]
      }
    };
    for (const [name, t] of Object.entries({ ...base, ...tables })) this.tables.set(name, t);
  }

  table(name: string): FakeTable | undefined {
    const key = [...this.tables.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? this.tables.get(key) : undefined;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve()
    );
  }

  /** Record writes (inserts, updates, deletes) the double has seen. */
  writes(): SeenRequest[] {
    return this.requests.filter(
      (r) =>
        (r.method === 'POST' || r.method === 'PATCH' || r.method === 'DELETE') &&
        /\/(sobjects|composite)\b/.test(r.path)
    );
  }

  query(soql: string): { totalSize: number; records: FakeRecord[] } {
    const m =
      /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+([\w.]+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(
        soql
      );
    if (!m)
      throw new SoqlError(`unexpected token in query: ${soql.slice(0, 80)}`, 'MALFORMED_QUERY');
    const [, select, object, where, orderBy, dir, limit] = m;
    const table = this.table(object);
    if (!table) {
      throw new SoqlError(
        `\n${soql.slice(0, 60)}\n^\nERROR at Row:1:Column:1\nsObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_TYPE'
      );
    }
    const fieldSet = new Set(table.fields.map((f) => f.toLowerCase()));
    const selectParts = splitTopLevel(select, /^,/);
    const count = selectParts.length === 1 && /^COUNT\(\)$/i.test(selectParts[0]);
    const fieldsAll = selectParts.some((p) => /^FIELDS\(ALL\)$/i.test(p));
    if (fieldsAll && (!limit || Number(limit) > 200)) {
      throw new SoqlError(
        'The SOQL FIELDS function must have a LIMIT of at most 200',
        'MALFORMED_QUERY'
      );
    }
    const fields = count
      ? []
      : selectParts.flatMap((p) => (/^FIELDS\(ALL\)$/i.test(p) ? table.fields : [p]));
    for (const f of [...fields, ...(where ? [] : [])]) {
      if (!f.includes('.') && !fieldSet.has(f.toLowerCase())) {
        throw new SoqlError(
          `\n${f}\n^\nERROR at Row:1:Column:8\nNo such column '${f}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          'INVALID_FIELD'
        );
      }
    }
    let rows = table.records;
    if (where) {
      const conds = splitTopLevel(where, /^\s+AND\s+/i).map((c) =>
        condition(c, (sub) => this.subSelect(sub))
      );
      rows = rows.filter((r) => conds.every((c) => c(r)));
    }
    if (orderBy) {
      const sign = dir?.toUpperCase() === 'DESC' ? -1 : 1;
      rows = [...rows].sort(
        (a, b) => sign * String(get(a, orderBy)).localeCompare(String(get(b, orderBy)))
      );
    }
    if (limit) rows = rows.slice(0, Number(limit));
    if (count) return { totalSize: rows.length, records: [] };
    const shaped = rows.map((r) => {
      const out: FakeRecord = {
        attributes: {
          type: object,
          url: `/services/data/v${API_VERSION}/sobjects/${object}/${String(r.Id)}`
        }
      };
      for (const f of fields) {
        if (f.includes('.')) {
          const [rel, ...rest] = f.split('.');
          const relValue = get(r, rel);
          out[rel] =
            relValue === null
              ? null
              : { ...(out[rel] as FakeRecord | undefined), [rest.join('.')]: get(r, f) };
        } else {
          const key = table.fields.find((k) => k.toLowerCase() === f.toLowerCase()) as string;
          out[key] = r[key] ?? null;
        }
      }
      return out;
    });
    return { totalSize: shaped.length, records: shaped };
  }

  /** The values of a semi-join sub-select, which may select only an Id or reference field. */
  private subSelect(soql: string): unknown[] {
    const field = /^\s*SELECT\s+([\w.]+)\s+FROM\s/i.exec(soql)?.[1] ?? '';
    if (!/^(\w+)?Id$/i.test(field)) {
      throw new SoqlError(
        `semi join sub selects can only query id fields, cannot use: '${field}'`,
        'MALFORMED_QUERY'
      );
    }
    const { records } = this.query(soql);
    return records
      .map((r) => r[Object.keys(r).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field])
      .filter((v) => v !== null && v !== undefined);
  }

  private insert(
    object: string,
    fields: FakeRecord
  ): {
    id?: string;
    success: boolean;
    errors: { statusCode: string; message: string; fields: string[] }[];
  } {
    const table = this.table(object);
    if (!table)
      return {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_TYPE',
            message: `sObject type '${object}' is not supported.`,
            fields: []
          }
        ]
      };
    const bad = Object.keys(fields).filter(
      (k) => k !== 'attributes' && !table.fields.some((f) => f.toLowerCase() === k.toLowerCase())
    );
    if (bad.length) {
      return {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD',
            message: `No such column '${bad[0]}' on sobject of type ${object}`,
            fields: bad
          }
        ]
      };
    }
    const locked = this.lockedFields(table, fields);
    if (locked.length) return locked[0];
    if (object === 'PermissionSetAssignment') {
      const dup = table.records.some(
        (r) => r.AssigneeId === fields.AssigneeId && r.PermissionSetId === fields.PermissionSetId
      );
      if (dup) {
        return {
          success: false,
          errors: [
            {
              statusCode: 'DUPLICATE_VALUE',
              message: `Duplicate PermissionSetAssignment. Assignee: ${String(fields.AssigneeId)}; Permission Set: ${String(fields.PermissionSetId)}`,
              fields: []
            }
          ]
        };
      }
    }
    const id = `${table.prefix ?? 'a00'}${String(++this.idCounter).padStart(12, '0')}AAA`;
    const rec: FakeRecord = { Id: id };
    for (const [k, v] of Object.entries(fields)) if (k !== 'attributes') rec[k] = v;
    table.records.push(rec);
    return { id, success: true, errors: [] };
  }

  private update(
    object: string,
    fields: FakeRecord
  ): {
    id?: string;
    success: boolean;
    errors: { statusCode: string; message: string; fields: string[] }[];
  } {
    const table = this.table(object);
    const rec = table?.records.find((r) => r.Id === fields.Id);
    if (!table || !rec)
      return {
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]
      };
    const locked = this.lockedFields(table, fields);
    if (locked.length) return locked[0];
    for (const [k, v] of Object.entries(fields)) if (k !== 'attributes' && k !== 'Id') rec[k] = v;
    return { id: String(rec.Id), success: true, errors: [] };
  }

  /** The platform's answer to a write that names fields it cannot write (none: []). */
  private lockedFields(
    table: FakeTable,
    fields: FakeRecord
  ): {
    success: false;
    errors: { statusCode: string; message: string; fields: string[] }[];
  }[] {
    const locked = Object.keys(fields).filter((k) =>
      (table.readOnly ?? []).some((f) => f.toLowerCase() === k.toLowerCase())
    );
    if (!locked.length) return [];
    return [
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            message: `Unable to create/update fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            fields: locked
          }
        ]
      }
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    // any API version is served alike
    const path = url.pathname.replace(/\/+$/, '').replace(/^\/services\/data\/v\d+\.\d+/, '/V');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body
    });
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(value));
    };
    const fail = (status: number, message: string, errorCode: string): void =>
      json(status, [{ message, errorCode }]);
    if (req.headers.authorization !== 'Bearer fake-token')
      return fail(401, 'Session expired or invalid', 'INVALID_SESSION_ID');
    const injected = this.fault?.(req.method ?? 'GET', decodeURIComponent(url.pathname));
    if (injected) return fail(injected.status, injected.message, injected.errorCode);
    try {
      const v = '/V';
      if (path === '/services/oauth2/userinfo') {
        return json(200, {
          user_id: USER_ID,
          organization_id: ORG_ID,
          preferred_username: USERNAME,
          email: USERNAME,
          name: 'Ada Admin',
          urls: { custom_domain: this.url }
        });
      }
      if (path === '/services/data')
        return json(200, [{ label: 'Winter', url: v, version: API_VERSION }]);
      if (path === `${v}/query` || path === `${v}/queryAll`) {
        const soql = url.searchParams.get('q') ?? '';
        const result = this.query(soql);
        return json(200, this.page(result.records, result.totalSize));
      }
      let m = new RegExp(`^${v}/query/(\\w+)-(\\d+)$`).exec(path);
      if (m) {
        const rows = this.cursors.get(m[1]) ?? [];
        return json(200, this.page(rows, rows.length, Number(m[2]), m[1]));
      }
      if (path === `${v}/sobjects`) {
        return json(200, {
          encoding: 'UTF-8',
          maxBatchSize: 200,
          sobjects: [...this.tables.keys()].map((name) => ({
            name,
            queryable: true,
            createable: true
          }))
        });
      }
      m = new RegExp(`^${v}/sobjects/(\\w+)/describe$`).exec(path);
      if (m) {
        const t = this.table(m[1]);
        if (!t) return fail(404, `The requested resource does not exist`, 'NOT_FOUND');
        return json(200, {
          name: m[1],
          fields: t.fields.map((name) => ({ name, type: 'string' }))
        });
      }
      m = new RegExp(`^${v}/sobjects/(\\w+)/(\\w{15,18})$`).exec(path);
      if (m && req.method === 'GET') {
        const rec = this.table(m[1])?.records.find(
          (r) => String(r.Id).slice(0, 15) === m?.[2].slice(0, 15)
        );
        if (!rec) return fail(404, 'The requested resource does not exist', 'NOT_FOUND');
        return json(200, { attributes: { type: m[1] }, ...rec });
      }
      if (m && req.method === 'DELETE') {
        const records = this.table(m[1])?.records;
        const at =
          records?.findIndex((r) => String(r.Id).slice(0, 15) === m?.[2].slice(0, 15)) ?? -1;
        if (!records || at < 0)
          return fail(404, 'The requested resource does not exist', 'NOT_FOUND');
        records.splice(at, 1);
        res.writeHead(204).end();
        return;
      }
      m = new RegExp(`^${v}/sobjects/(\\w+)$`).exec(path);
      if (m && req.method === 'POST') {
        const r = this.insert(m[1], JSON.parse(body) as FakeRecord);
        if (!r.success)
          return json(
            400,
            r.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }))
          );
        return json(201, r);
      }
      if (path === `${v}/composite/sobjects` && (req.method === 'POST' || req.method === 'PATCH')) {
        const payload = JSON.parse(body) as { records: FakeRecord[] };
        if (payload.records.length > 200)
          return fail(400, 'Maximum number of records allowed is 200', 'EXCEEDED_ID_LIMIT');
        return json(
          200,
          payload.records.map((r) => {
            const type = (r.attributes as { type: string }).type;
            return req.method === 'POST' ? this.insert(type, r) : this.update(type, r);
          })
        );
      }
      if (path === `${v}/tooling/executeAnonymous`) {
        const code = url.searchParams.get('anonymousBody') ?? '';
        if (
          !/^(\w+\.)?StlDispatcher\.ensureScheduled\(\);$/.test(code.trim()) ||
          !this.table('ApexClass')?.records.some((r) => r.Name === 'StlDispatcher')
        ) {
          return json(200, {
            line: 1,
            column: 1,
            compiled: false,
            success: false,
            compileProblem: 'Variable does not exist: StlDispatcher',
            exceptionMessage: null,
            exceptionStackTrace: null
          });
        }
        this.table('CronTrigger')?.records.push({
          Id: '08e000000000001AAA',
          State: 'WAITING',
          NextFireTime: '2026-11-22T17:01:00.000+0000',
          CronJobDetail: { Name: 'StlDispatcherWatchdog 1' }
        });
        return json(200, {
          line: -1,
          column: -1,
          compiled: true,
          success: true,
          compileProblem: null,
          exceptionMessage: null,
          exceptionStackTrace: null
        });
      }
      // Bulk API 2.0 query jobs
      if (path === `${v}/jobs/query` && req.method === 'POST') {
        const { query } = JSON.parse(body) as { query: string };
        if (/\b(GROUP\s+BY|OFFSET|TYPEOF)\b|\bCOUNT\(/i.test(query)) {
          return fail(
            400,
            'Aggregate queries, GROUP BY, OFFSET and TYPEOF are not supported by Bulk API 2.0 query jobs',
            'API_ERROR'
          );
        }
        this.query(query);
        const id = `750${String(++this.idCounter).padStart(12, '0')}`;
        this.bulkJobs.set(id, { soql: query, state: 'UploadComplete' });
        return json(200, {
          id,
          operation: 'query',
          object: /\sFROM\s+(\w+)/i.exec(query)?.[1] ?? '',
          state: 'UploadComplete',
          apiVersion: Number(API_VERSION)
        });
      }
      m = new RegExp(`^${v}/jobs/query/(\\w+)(/results)?$`).exec(path);
      if (m) {
        const job = this.bulkJobs.get(m[1]);
        if (!job) return fail(404, 'The requested resource does not exist', 'NOT_FOUND');
        if (req.method === 'DELETE') {
          this.bulkJobs.delete(m[1]);
          res.writeHead(204).end();
          return;
        }
        if (!m[2]) {
          job.state = job.state === 'UploadComplete' ? 'InProgress' : 'JobComplete';
          return json(200, {
            id: m[1],
            state: job.state,
            operation: 'query',
            numberRecordsProcessed: job.state === 'JobComplete' ? this.query(job.soql).totalSize : 0
          });
        }
        if (job.state !== 'JobComplete') {
          return fail(
            412,
            `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${job.state}`,
            'JOB_NOT_COMPLETE'
          );
        }
        const { records } = this.query(job.soql);
        const max = Number(url.searchParams.get('maxRecords') ?? this.bulkPageSize);
        const locator = url.searchParams.get('locator');
        const offset = locator ? Number(Buffer.from(locator, 'base64').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0 || offset > records.length)
          return fail(400, `Invalid locator: ${locator ?? ''}`, 'INVALIDLOCATOR');
        const set = records.slice(offset, offset + max);
        const next = offset + max < records.length ? offset + max : null;
        const cols = Object.keys(records[0] ?? {}).filter((k) => k !== 'attributes');
        const esc = (x: unknown): string => {
          const s = x === null || x === undefined ? '' : String(x);
          return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
        };
        const csv =
          [cols.join(','), ...set.map((r) => cols.map((c) => esc(r[c])).join(','))].join('\n') +
          '\n';
        res.writeHead(200, {
          'Content-Type': 'text/csv',
          'Sforce-Locator':
            next === null ? 'null' : Buffer.from(String(next), 'utf8').toString('base64'),
          'Sforce-NumberOfRecords': String(set.length)
        });
        res.end(csv);
        return;
      }
      return fail(404, `The requested resource does not exist: ${req.method} ${path}`, 'NOT_FOUND');
    } catch (e) {
      if (e instanceof SoqlError) return fail(400, e.message, e.errorCode);
      return fail(500, String((e as Error).message), 'UNKNOWN_EXCEPTION');
    }
  }

  private page(rows: FakeRecord[], totalSize: number, offset = 0, cursor?: string): FakeRecord {
    const slice = rows.slice(offset, offset + this.pageSize);
    const done = offset + this.pageSize >= rows.length;
    let id = cursor;
    if (!done && !id) {
      id = `01g${String(++this.idCounter).padStart(12, '0')}`;
      this.cursors.set(id, rows);
    }
    return {
      totalSize,
      done,
      records: slice,
      ...(done
        ? {}
        : {
            nextRecordsUrl: `/services/data/v${API_VERSION}/query/${id}-${offset + this.pageSize}`
          })
    };
  }
}
