#!/usr/bin/env node
// Syntax gate: every .cls/.trigger under the project's Apex folders parses with the
// apex-dev-tools ANTLR grammar. Reports file:line:column for each error.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';

const roots = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['force-app', 'unpackaged', 'scripts/apex-runtime'];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(cls|trigger|apex)$/.test(entry)) out.push(full);
  }
  return out;
}

class Collect extends ApexErrorListener {
  constructor(file) {
    super();
    this.file = file;
    this.errors = [];
  }
  apexSyntaxError(line, column, msg) {
    this.errors.push(`${this.file}:${line}:${column + 1} ${msg}`);
  }
}

const files = roots.flatMap((r) => walk(r));
const errors = [];
for (const file of files) {
  const listener = new Collect(file);
  const { parser } = ApexParserFactory.createLexerAndParser(readFileSync(file, 'utf8'), listener);
  if (file.endsWith('.trigger')) parser.triggerUnit();
  else if (file.endsWith('.apex')) parser.anonymousUnit();
  else parser.compilationUnit();
  errors.push(...listener.errors);
}
for (const e of errors) console.error(e);
console.log(`apex-parse: ${files.length} files, ${errors.length} syntax errors`);
process.exit(errors.length ? 1 : 0);
