// Front end: finds .cls/.trigger files of an SFDX project, parses them with apex-parser (parse
// results cached per file content) and builds the runtime class model (ClassInfo).

import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  ApexErrorListener,
  ApexParserFactory,
  ClassBodyContext,
  ClassDeclarationContext,
  EnumDeclarationContext,
  InterfaceDeclarationContext,
  ModifierContext,
  TriggerUnitContext,
  FormalParametersContext,
  PropertyDeclarationContext
} from '@apexdevtools/apex-parser';
import type { ApexParserRuleContext as ParserRuleContext } from '@apexdevtools/apex-parser';
import type { ClassInfo, FieldInfo, MethodInfo } from './model.ts';
import { typeText } from './types.ts';

export interface TriggerInfo {
  name: string;
  sobject: string;
  events: Set<string>;
  file: string;
  body: ParserRuleContext;
  lines: Set<number>;
  compiled?: unknown;
}

class SyntaxErrors extends ApexErrorListener {
  readonly errors: string[] = [];
  apexSyntaxError(line: number, column: number, msg: string): void {
    this.errors.push(`${line}:${column} ${msg}`);
  }
}

/** Every file under dir ending in one of the extensions (node_modules and dot-dirs skipped). */
export function findFiles(dir: string, exts: string[], out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) findFiles(full, exts, out);
    else if (exts.some((e) => entry.endsWith(e))) out.push(full);
  }
  return out;
}

/** Package directories of an SFDX project (sfdx-project.json), default force-app. */
export function packageDirs(projectDir: string): string[] {
  const file = path.join(projectDir, 'sfdx-project.json');
  if (!existsSync(file)) return [projectDir];
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    packageDirectories?: { path: string }[];
  };
  return (json.packageDirectories ?? [{ path: 'force-app' }]).map((p) =>
    path.join(projectDir, p.path)
  );
}

function modifiersOf(mods: ModifierContext[]): {
  modifiers: Set<string>;
  annotations: Map<string, Map<string, string>>;
} {
  const modifiers = new Set<string>();
  const annotations = new Map<string, Map<string, string>>();
  for (const m of mods) {
    const a = m.annotation();
    if (a) {
      const params = new Map<string, string>();
      const pairs = a.elementValuePairs();
      if (pairs) {
        for (const p of pairs.elementValuePair_list()) {
          params.set(p.id().getText().toLowerCase(), p.elementValue().getText());
        }
      }
      annotations.set(a.id().getText().toLowerCase(), params);
    } else {
      modifiers.add(m.getText().toLowerCase());
    }
  }
  return { modifiers, annotations };
}

function params(fp: FormalParametersContext): { name: string; type: string }[] {
  const list = fp.formalParameterList();
  if (!list) return [];
  return list
    .formalParameter_list()
    .map((p) => ({ name: p.id().getText(), type: typeText(p.typeRef()) }));
}

/** A ClassInfo with empty members; the loader and the runtime's synthetic classes fill it in. */
export function newClass(
  name: string,
  simpleName: string,
  kind: ClassInfo['kind'],
  outer: ClassInfo | null,
  file: string
): ClassInfo {
  return {
    name,
    simpleName,
    kind,
    outer,
    file,
    superName: null,
    interfaceNames: [],
    inner: new Map(),
    fields: new Map(),
    fieldOrder: [],
    methods: new Map(),
    ctors: [],
    staticBlocks: [],
    instanceBlocks: [],
    instanceInitOrder: [],
    staticInitOrder: [],
    enumValues: [],
    annotations: new Map(),
    modifiers: new Set(),
    isTest: false,
    isException: false,
    system: false,
    lines: new Set()
  };
}

function addMethod(cls: ClassInfo, m: MethodInfo): void {
  const key = m.name.toLowerCase();
  const list = cls.methods.get(key);
  if (list) list.push(m);
  else cls.methods.set(key, [m]);
}

function buildClass(
  decl: ClassDeclarationContext | InterfaceDeclarationContext | EnumDeclarationContext,
  mods: ModifierContext[],
  outer: ClassInfo | null,
  file: string
): ClassInfo {
  const simple = decl.id().getText();
  const name = outer ? `${outer.name}.${simple}` : simple;
  const kind =
    decl instanceof ClassDeclarationContext
      ? 'class'
      : decl instanceof InterfaceDeclarationContext
        ? 'interface'
        : 'enum';
  const cls = newClass(name, simple, kind, outer, file);
  const { modifiers, annotations } = modifiersOf(mods);
  cls.modifiers = modifiers;
  cls.annotations = annotations;
  cls.isTest = annotations.has('istest');
  if (decl instanceof EnumDeclarationContext) {
    const consts = decl.enumConstants();
    cls.enumValues = consts ? consts.id_list().map((i) => i.getText()) : [];
    return cls;
  }
  if (decl instanceof InterfaceDeclarationContext) {
    const tl = decl.typeList();
    if (tl) cls.interfaceNames = tl.typeRef_list().map((t) => typeText(t));
    for (const m of decl.interfaceBody().interfaceMethodDeclaration_list()) {
      addMethod(cls, {
        name: m.id().getText(),
        owner: cls,
        params: params(m.formalParameters()),
        returnType: m.typeRef() ? typeText(m.typeRef()) : 'void',
        isStatic: false,
        isAbstract: true,
        annotations: new Set(),
        modifiers: new Set(),
        line: m.start.line,
        body: null
      });
    }
    return cls;
  }
  const cd = decl as ClassDeclarationContext;
  if (cd.EXTENDS()) cls.superName = typeText(cd.typeRef());
  const tl = cd.typeList();
  if (tl) cls.interfaceNames = tl.typeRef_list().map((t) => typeText(t));
  cls.isException = simple.toLowerCase().endsWith('exception');
  buildBody(cls, cd.classBody());
  return cls;
}

function buildBody(cls: ClassInfo, body: ClassBodyContext): void {
  for (const d of body.classBodyDeclaration_list()) {
    const block = d.block();
    if (block) {
      if (d.STATIC()) {
        cls.staticBlocks.push(block);
        cls.staticInitOrder.push(block);
      } else {
        cls.instanceBlocks.push(block);
        cls.instanceInitOrder.push(block);
      }
      continue;
    }
    const md = d.memberDeclaration();
    if (!md) continue;
    const { modifiers, annotations } = modifiersOf(d.modifier_list());
    const isStatic = modifiers.has('static');
    const annSet = new Set(annotations.keys());
    const method = md.methodDeclaration();
    if (method) {
      addMethod(cls, {
        name: method.id().getText(),
        owner: cls,
        params: params(method.formalParameters()),
        returnType: method.typeRef() ? typeText(method.typeRef()) : 'void',
        isStatic,
        isAbstract: !method.block(),
        annotations: annSet,
        modifiers,
        line: method.start.line,
        body: method.block() ?? null
      });
      continue;
    }
    const field = md.fieldDeclaration();
    if (field) {
      const type = typeText(field.typeRef());
      for (const v of field.variableDeclarators().variableDeclarator_list()) {
        const f: FieldInfo = {
          name: v.id().getText(),
          type,
          isStatic,
          init: v.expression() ?? null,
          isFinal: modifiers.has('final'),
          isProperty: false,
          line: v.start.line,
          owner: cls,
          modifiers,
          annotations: annSet
        };
        cls.fields.set(f.name.toLowerCase(), f);
        cls.fieldOrder.push(f);
        (isStatic ? cls.staticInitOrder : cls.instanceInitOrder).push(f);
      }
      continue;
    }
    const prop = md.propertyDeclaration();
    if (prop) {
      addProperty(cls, prop, isStatic, modifiers, annSet);
      continue;
    }
    const inner = md.classDeclaration() ?? md.interfaceDeclaration() ?? md.enumDeclaration();
    if (inner) {
      const ic = buildClass(inner, d.modifier_list(), cls, cls.file);
      cls.inner.set(ic.simpleName.toLowerCase(), ic);
      continue;
    }
    const c = md.constructorDeclaration();
    if (c) {
      cls.ctors.push({
        name: cls.simpleName,
        owner: cls,
        params: params(c.formalParameters()),
        returnType: 'void',
        isStatic: false,
        isAbstract: false,
        annotations: annSet,
        modifiers,
        line: c.start.line,
        body: c.block(),
        isConstructor: true
      });
    }
  }
}

function addProperty(
  cls: ClassInfo,
  prop: PropertyDeclarationContext,
  isStatic: boolean,
  modifiers: Set<string>,
  annotations: Set<string>
): void {
  const name = prop.id().getText();
  const type = typeText(prop.typeRef());
  const f: FieldInfo = {
    name,
    type,
    isStatic,
    init: null,
    isFinal: false,
    isProperty: true,
    line: prop.start.line,
    owner: cls,
    modifiers,
    annotations
  };
  for (const pb of prop.propertyBlock_list()) {
    const g = pb.getter();
    const s = pb.setter();
    if (s && pb.modifier_list().some((m) => m.getText().toLowerCase() === 'private')) {
      f.setterPrivate = true;
    }
    if (g && g.block()) {
      f.getter = {
        name: `get ${name}`,
        owner: cls,
        params: [],
        returnType: type,
        isStatic,
        isAbstract: false,
        annotations: new Set(),
        modifiers: new Set(),
        line: g.start.line,
        body: g.block()
      };
    }
    if (s && s.block()) {
      f.setter = {
        name: `set ${name}`,
        owner: cls,
        params: [{ name: 'value', type }],
        returnType: 'void',
        isStatic,
        isAbstract: false,
        annotations: new Set(),
        modifiers: new Set(),
        line: s.start.line,
        body: s.block()
      };
    }
  }
  cls.fields.set(name.toLowerCase(), f);
  cls.fieldOrder.push(f);
  (isStatic ? cls.staticInitOrder : cls.instanceInitOrder).push(f);
}

const parseCache = new Map<string, ParserRuleContext>();

function parseSource(source: string, file: string, trigger: boolean): ParserRuleContext {
  const key = (trigger ? 'T:' : 'C:') + source;
  const hit = parseCache.get(key);
  if (hit) return hit;
  const listener = new SyntaxErrors();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  const tree = trigger ? parser.triggerUnit() : parser.compilationUnit();
  if (listener.errors.length) {
    throw new Error(`Syntax error in ${file}: ${listener.errors.join('; ')}`);
  }
  parseCache.set(key, tree);
  return tree;
}

/** File text, or null when the file vanished between listing and reading. */
function readIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export interface LoadedProject {
  classes: Map<string, ClassInfo>;
  triggers: TriggerInfo[];
}

/** Parses every class and trigger of the project's package directories. */
export function loadProject(projectDir: string): LoadedProject {
  const classes = new Map<string, ClassInfo>();
  const triggers: TriggerInfo[] = [];
  for (const dir of packageDirs(projectDir)) {
    for (const file of findFiles(dir, ['.cls'])) {
      const source = readIfPresent(file);
      if (source === null) continue;
      const unit = parseSource(source, file, false) as unknown as {
        typeDeclaration(): {
          classDeclaration(): ClassDeclarationContext | null;
          interfaceDeclaration(): InterfaceDeclarationContext | null;
          enumDeclaration(): EnumDeclarationContext | null;
          modifier_list(): ModifierContext[];
        };
      };
      const td = unit.typeDeclaration();
      const decl = td.classDeclaration() ?? td.interfaceDeclaration() ?? td.enumDeclaration();
      if (!decl) continue;
      const cls = buildClass(decl, td.modifier_list(), null, path.relative(projectDir, file));
      classes.set(cls.name.toLowerCase(), cls);
    }
    for (const file of findFiles(dir, ['.trigger'])) {
      const source = readIfPresent(file);
      if (source === null) continue;
      const unit = parseSource(source, file, true) as TriggerUnitContext;
      const ids = unit.id_list();
      const events = new Set<string>();
      for (const tc of unit.triggerCase_list()) {
        events.add(tc.getText().toLowerCase().replace(/\s+/g, ''));
      }
      triggers.push({
        name: ids[0].getText(),
        sobject: ids[1].getText(),
        events,
        file: path.relative(projectDir, file),
        body: unit.triggerBlock(),
        lines: new Set()
      });
    }
  }
  return { classes, triggers };
}
