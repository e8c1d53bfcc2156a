/**
 * What the generated documents are made from, read from the package source (metadata XML, Apex
 * and ApexDoc, the Apex tests) or, for the configuration, from an org's custom metadata records.
 * Nothing here is hand-written prose about the package: every description comes from the
 * metadata's `<description>` or a class's ApexDoc `@description`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export class DocsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocsError';
  }
}

/** One custom metadata record: DeveloperName, label and its field values as text (null = blank). */
export interface MetadataRecord {
  developerName: string;
  label: string;
  values: Record<string, string | null>;
}

export interface ConfigRecords {
  slaRules: MetadataRecord[];
  touchRules: MetadataRecord[];
  exclusionRules: MetadataRecord[];
  escalationTiers: MetadataRecord[];
  settings: MetadataRecord | null;
  /** Where the records came from, e.g. `force-app/main/configuration/customMetadata`. */
  origin: string;
}

export interface FieldDoc {
  name: string;
  label: string;
  type: string;
  description: string;
}

export interface ObjectDoc {
  name: string;
  label: string;
  description: string;
  /** false for a standard object the package only adds fields to */
  custom: boolean;
  fields: FieldDoc[];
  path: string;
}

export type ClassKind = 'trigger action' | 'job' | 'controller' | 'class';

export interface ClassDoc {
  name: string;
  kind: ClassKind;
  description: string;
  /** interfaces named in `implements` */
  implementsList: string[];
  path: string;
}

export interface TriggerDoc {
  name: string;
  object: string;
  contexts: string[];
  path: string;
}

/** One `@covers key=value, key=value` line of a test method's ApexDoc, checked in matrix.ts. */
export interface CoversDeclaration {
  /** 1-based line of the `@covers` tag in its file */
  line: number;
  /** the pairs as written, in order (keys and values trimmed, not yet checked) */
  pairs: { key: string; value: string }[];
}

export interface TestMethod {
  className: string;
  method: string;
  path: string;
  /** 1-based line of the method name */
  line: number;
  /** the `@covers` lines of the ApexDoc right before the method */
  covers: CoversDeclaration[];
  /**
   * What the plausibility check of a declaration searches: the method body, the bodies of the
   * same-class methods it calls (transitively), then the values of the test classes' `static
   * final String` constants it names, each as a quoted literal.
   */
  code: string;
}

export interface ProjectModel {
  root: string;
  config: ConfigRecords;
  objects: ObjectDoc[];
  classes: ClassDoc[];
  triggers: TriggerDoc[];
  /** object name to the ordered trigger action names, from StlTriggerActionRegistry */
  actionOrder: Record<string, string[]>;
  tests: TestMethod[];
  /** the project's own configuration, which the tests' `@covers` lines are checked against */
  projectConfig: ConfigRecords;
  /** source of StlAlert.cls (the alert title and body), empty when absent */
  alertSource: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'values'
});

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'node_modules' || entry === '__tests__' || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

function parseXml(file: string, root: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DocsError(`${relative(root, file)}: not well-formed XML (${(e as Error).message})`);
  }
  return doc;
}

const text = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'object'
      ? text((v as Record<string, unknown>)['#text'])
      : String(v).trim();

/** Reads one `<Type>.<Name>.md-meta.xml` custom metadata record. */
export function parseMetadataRecord(xml: string, fileName: string): MetadataRecord {
  const m = /^(\w+)\.(\w+)\.md-meta\.xml$/.exec(basename(fileName));
  if (!m) throw new DocsError(`${fileName}: expected <Type>.<DeveloperName>.md-meta.xml`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw new DocsError(`${fileName}: not well-formed XML (${(e as Error).message})`);
  }
  const cm = doc.CustomMetadata as Record<string, unknown> | undefined;
  if (!cm) throw new DocsError(`${fileName}: no <CustomMetadata> root element`);
  const values: Record<string, string | null> = {};
  for (const v of (cm.values as Record<string, unknown>[] | undefined) ?? []) {
    const field = text(v.field);
    if (!field) throw new DocsError(`${fileName}: a <values> element has no <field>`);
    const raw = v.value;
    const nil =
      raw !== null &&
      typeof raw === 'object' &&
      (raw as Record<string, unknown>)['@_xsi:nil'] === 'true';
    const t = nil ? '' : text(raw);
    values[field] = t === '' ? null : t;
  }
  return { developerName: m[2], label: text(cm.label) || m[2], values };
}

const TYPES = {
  SlaRule: 'slaRules',
  TouchRule: 'touchRules',
  ExclusionRule: 'exclusionRules',
  EscalationTier: 'escalationTiers'
} as const;

/** Every custom metadata record of the package under `root` (any `customMetadata` folder). */
export function readProjectConfig(root: string): ConfigRecords {
  const files = walk(join(root, 'force-app')).filter((f) => f.endsWith('.md-meta.xml'));
  const config: ConfigRecords = {
    slaRules: [],
    touchRules: [],
    exclusionRules: [],
    escalationTiers: [],
    settings: null,
    origin: "the project's custom metadata records (`customMetadata/*.md-meta.xml`)"
  };
  for (const f of files) {
    const type = basename(f).split('.')[0];
    const record = parseMetadataRecord(readFileSync(f, 'utf8'), relative(root, f));
    if (type === 'StlSetting') {
      if (record.developerName === 'Default') config.settings = record;
    } else if (type in TYPES) {
      config[TYPES[type as keyof typeof TYPES]].push(record);
    }
  }
  if (!files.length) {
    throw new DocsError(
      `${join(root, 'force-app')}: no custom metadata records (*.md-meta.xml) found; is this the project root?`
    );
  }
  return config;
}

/** Custom objects and the package's fields on standard objects, from their metadata XML. */
export function readObjects(root: string): ObjectDoc[] {
  const all = walk(join(root, 'force-app'));
  const byObject = new Map<string, ObjectDoc>();
  for (const f of all) {
    const m =
      /[\\/]objects[\\/](\w+)[\\/](?:(\w+)\.object-meta\.xml|fields[\\/](\w+)\.field-meta\.xml)$/.exec(
        f
      );
    if (!m) continue;
    const name = m[1];
    const obj =
      byObject.get(name) ??
      ({
        name,
        label: name,
        description: '',
        custom: /__(c|e|mdt)$/.test(name),
        fields: [],
        path: relative(root, f).replace(/[\\/](fields[\\/])?[^\\/]+$/, '')
      } satisfies ObjectDoc);
    byObject.set(name, obj);
    const doc = parseXml(f, root);
    if (m[2]) {
      const o = doc.CustomObject as Record<string, unknown> | undefined;
      if (!o) throw new DocsError(`${relative(root, f)}: no <CustomObject> root element`);
      obj.label = text(o.label) || name;
      obj.description = text(o.description);
      obj.path = relative(root, f).replace(/[\\/][^\\/]+$/, '');
    } else {
      const fd = doc.CustomField as Record<string, unknown> | undefined;
      if (!fd) throw new DocsError(`${relative(root, f)}: no <CustomField> root element`);
      obj.fields.push({
        name: text(fd.fullName) || m[3],
        label: text(fd.label),
        type: text(fd.type) || (text(fd.formula) ? 'Formula' : ''),
        description: text(fd.description)
      });
    }
  }
  const objects = [...byObject.values()];
  for (const o of objects) o.fields.sort((a, b) => a.name.localeCompare(b.name));
  return objects.sort((a, b) => a.name.localeCompare(b.name));
}

/** The ApexDoc `@description` of the comment right before the top-level class declaration. */
export function classDescription(source: string): string {
  const decl =
    /\b(?:public|global|private)?\s*(?:with sharing|without sharing|inherited sharing)?\s*(?:abstract\s+|virtual\s+)?(?:class|interface|enum)\s+\w+/i.exec(
      source
    );
  const head = decl ? source.slice(0, decl.index) : source;
  const comments = [...head.matchAll(/\/\*\*([\s\S]*?)\*\//g)];
  const last = comments.at(-1);
  if (!last) return '';
  const body = last[1]
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, ''))
    .join('\n');
  const m = /@description\s+([\s\S]*?)(?=\n\s*@\w+|$)/.exec(body);
  return (m ? m[1] : '').replace(/\s+/g, ' ').trim();
}

function classKind(name: string, impl: string[]): ClassKind {
  if (name.startsWith('TA_')) return 'trigger action';
  if (impl.some((i) => /Schedulable|Queueable|Batchable/i.test(i))) return 'job';
  if (name.endsWith('Controller')) return 'controller';
  return 'class';
}

/** Package classes (not tests), triggers and the trigger action order. */
export function readApex(root: string): {
  classes: ClassDoc[];
  triggers: TriggerDoc[];
  actionOrder: Record<string, string[]>;
  alertSource: string;
} {
  const main = walk(join(root, 'force-app', 'main'));
  const classes: ClassDoc[] = [];
  const actionOrder: Record<string, string[]> = {};
  let alertSource = '';
  for (const f of main.filter((x) => x.endsWith('.cls'))) {
    const source = readFileSync(f, 'utf8');
    const name = basename(f, '.cls');
    if (/@IsTest/i.test(source.slice(0, 400)) && /^\s*@IsTest/im.test(source)) continue;
    const decl = new RegExp(`class\\s+${name}\\b([^{]*)\\{`, 'i').exec(source);
    const impl = decl
      ? (/implements\s+([^{]+)/i.exec(decl[1])?.[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    classes.push({
      name,
      kind: classKind(name, impl),
      description: classDescription(source),
      implementsList: impl,
      path: relative(root, f)
    });
    if (name === 'StlAlert') alertSource = source;
    if (name === 'StlTriggerActionRegistry') {
      const branches = source.split(/sObjectType\s*==\s*Schema\.(\w+)\.SObjectType/);
      for (let i = 1; i < branches.length; i += 2) {
        const end = branches[i + 1].search(/\}\s*else|List<Registration>\s+extra/);
        const body = end >= 0 ? branches[i + 1].slice(0, end) : branches[i + 1];
        actionOrder[branches[i]] = [...body.matchAll(/new Registration\(\s*'(\w+)'/g)].map(
          (m) => m[1]
        );
      }
    }
  }
  const triggers: TriggerDoc[] = main
    .filter((x) => x.endsWith('.trigger'))
    .map((f) => {
      const source = readFileSync(f, 'utf8');
      const m = /trigger\s+(\w+)\s+on\s+(\w+)\s*\(([^)]*)\)/i.exec(source);
      if (!m)
        throw new DocsError(`${relative(root, f)}: no "trigger <Name> on <Object> (...)" header`);
      return {
        name: m[1],
        object: m[2],
        contexts: m[3].split(',').map((s) => s.trim().replace(/\s+/g, ' ')),
        path: relative(root, f)
      };
    });
  classes.sort((a, b) => a.name.localeCompare(b.name));
  return { classes, triggers, actionOrder, alertSource };
}

/** Body of the block that opens at `open` (index of its `{`), by brace counting. */
function blockAt(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  return source.slice(open + 1);
}

const lineAt = (source: string, index: number): number => source.slice(0, index).split('\n').length;

/** Only annotations and modifiers may stand between a method's ApexDoc and its name. */
const BETWEEN_DOC_AND_METHOD =
  /^\s*(?:@\w+(?:\s*\([^)]*\))?\s*)*(?:(?:public|private|protected|global|static|testMethod)\s+)*$/i;

/** The `/** ... *\/` comment right before `index` (a method's `void`), with its start. */
function docBefore(source: string, index: number): { text: string; start: number } | null {
  const end = source.lastIndexOf('*/', index);
  if (end < 0 || !BETWEEN_DOC_AND_METHOD.test(source.slice(end + 2, index))) return null;
  const start = source.lastIndexOf('/**', end);
  return start < 0 ? null : { text: source.slice(start, end), start };
}

/**
 * `@covers leadType=Hot, outcome=Missed, tier=2` lines of an ApexDoc comment. A declaration may
 * wrap onto the following comment lines until the next `@tag` or the end of the comment.
 */
export function parseCovers(doc: string, firstLine: number, where: string): CoversDeclaration[] {
  const lines = doc
    .replace(/\*\/\s*$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').trim());
  const out: CoversDeclaration[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^@covers\b(.*)$/.exec(lines[i]);
    if (!m) continue;
    let textOf = m[1];
    for (let j = i + 1; j < lines.length && lines[j] !== '' && !lines[j].startsWith('@'); j++) {
      textOf += ` ${lines[j]}`;
    }
    const line = firstLine + i;
    const parts = textOf
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (!parts.length) {
      throw new DocsError(`${where}:${line}: @covers names nothing; write @covers key=value, ...`);
    }
    out.push({
      line,
      pairs: parts.map((p) => {
        const eq = p.indexOf('=');
        const key = eq < 0 ? '' : p.slice(0, eq).trim();
        const value = eq < 0 ? '' : p.slice(eq + 1).trim();
        if (!key || !value) {
          throw new DocsError(`${where}:${line}: "${p}" in @covers is not key=value`);
        }
        return { key, value };
      })
    });
  }
  return out;
}

const NOT_METHODS = new Set(['if', 'for', 'while', 'catch', 'switch', 'when', 'new', 'return']);

/** Every method of a class source with its body, by name (overloads joined). */
function methodBodies(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(/\b(\w+)\s*\([^;{}()]*(?:\([^()]*\)[^;{}()]*)*\)\s*\{/g)) {
    if (NOT_METHODS.has(m[1].toLowerCase())) continue;
    const body = blockAt(source, (m.index ?? 0) + m[0].length - 1);
    out.set(m[1], `${out.get(m[1]) ?? ''}\n${body}`);
  }
  return out;
}

/** The body plus the bodies of same-class methods it calls, transitively. */
function reach(body: string, className: string, methods: Map<string, string>): string {
  const seen = new Set<string>();
  const parts = [body];
  for (let i = 0; i < parts.length; i++) {
    for (const call of parts[i].matchAll(/(\.?)\b(\w+)\s*\(/g)) {
      const name = call[2];
      if (seen.has(name) || !methods.has(name)) continue;
      const before = parts[i].slice(0, call.index ?? 0);
      if (call[1] && !before.endsWith(className)) continue;
      seen.add(name);
      parts.push(methods.get(name)!);
    }
  }
  return parts.join('\n');
}

/** Every `it_should_*` test method under force-app/tests, its `@covers` lines and its code. */
export function readTests(root: string): TestMethod[] {
  const files = walk(join(root, 'force-app', 'tests')).filter((x) => x.endsWith('.cls'));
  const sources = files.map((f) => ({ f, source: readFileSync(f, 'utf8') }));
  const constants = new Map<string, string | null>();
  for (const { source } of sources) {
    for (const c of source.matchAll(/\bstatic\s+final\s+String\s+(\w+)\s*=\s*'([^'\\]*)'\s*;/gi)) {
      const known = constants.get(c[1]);
      constants.set(c[1], known === undefined || known === c[2] ? c[2] : null);
    }
  }
  // one level of `static final String A = StlTestFactory.B;`
  for (const { source } of sources) {
    for (const c of source.matchAll(
      /\bstatic\s+final\s+String\s+(\w+)\s*=\s*(?:\w+\.)?(\w+)\s*;/gi
    )) {
      const value = constants.get(c[2]);
      if (value && !constants.has(c[1])) constants.set(c[1], value);
    }
  }
  const out: TestMethod[] = [];
  for (const { f, source } of sources) {
    const className = basename(f, '.cls');
    const path = relative(root, f);
    const methods = methodBodies(source);
    for (const m of source.matchAll(/void\s+(it_should_\w+)\s*\([^)]*\)\s*\{/g)) {
      const index = m.index ?? 0;
      const body = blockAt(source, index + m[0].length - 1);
      const doc = docBefore(source, index);
      let code = reach(body, className, methods);
      for (const [name, value] of constants) {
        if (value !== null && new RegExp(`\\b${name}\\b`).test(code)) code += `\n'${value}'`;
      }
      out.push({
        className,
        method: m[1],
        path,
        line: lineAt(source, index),
        covers: doc ? parseCovers(doc.text, lineAt(source, doc.start), path) : [],
        code
      });
    }
  }
  return out;
}

/** Reads everything from a project directory (the one holding force-app). */
export function readProjectModel(root: string, config?: ConfigRecords): ProjectModel {
  if (!existsSync(join(root, 'force-app'))) {
    throw new DocsError(`${root}: no force-app folder; pass the project root with --from-project`);
  }
  const apex = readApex(root);
  const projectConfig = readProjectConfig(root);
  return {
    root,
    config: config ?? projectConfig,
    projectConfig,
    objects: readObjects(root),
    classes: apex.classes,
    triggers: apex.triggers,
    actionOrder: apex.actionOrder,
    tests: readTests(root),
    alertSource: apex.alertSource
  };
}

/** A record's field value, trimmed ('' when blank or when there is no record). */
export const fieldValue = (r: MetadataRecord | null | undefined, field: string): string =>
  (r?.values[field] ?? '').trim();

/** A record's numeric field; null when blank, a DocsError naming the record when not a number. */
export function numberField(r: MetadataRecord, field: string): number | null {
  const raw = fieldValue(r, field);
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    throw new DocsError(`${r.developerName}: ${field} "${raw}" is not a number`);
  }
  return n;
}
