// Project-shape rules that no other gate checks: every Apex file has its metadata companion at
// the project's API version, every class declares a sharing keyword, test classes follow the
// `<Class>_Tests` naming, and the packaged directory is the one sfdx-project.json names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const project = JSON.parse(readFileSync(path.join(root, 'sfdx-project.json'), 'utf8')) as {
  sourceApiVersion: string;
  namespace: string;
  packageDirectories: { path: string; package?: string; default?: boolean }[];
};

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

const apexFiles = walk(path.join(root, 'force-app')).filter((f) => /\.(cls|trigger)$/.test(f));

test('exactly one packaged directory, and it is the default', () => {
  const packaged = project.packageDirectories.filter((d) => d.package);
  assert.equal(packaged.length, 1, 'one packaged directory');
  assert.equal(packaged[0].path, 'force-app');
  assert.equal(packaged[0].default, true);
  assert.match(project.namespace, /^[a-z][a-z0-9]{0,14}$/, 'namespace entry for the managed build');
});

test('every Apex file has a meta.xml at the project API version', () => {
  assert.ok(apexFiles.length > 0, 'the package has Apex');
  for (const file of apexFiles) {
    const meta = `${file}-meta.xml`;
    assert.ok(existsSync(meta), `${path.relative(root, file)} has no ${path.basename(meta)}`);
    const version = /<apiVersion>([\d.]+)<\/apiVersion>/.exec(readFileSync(meta, 'utf8'))?.[1];
    assert.equal(version, project.sourceApiVersion, `${path.relative(root, meta)} apiVersion`);
  }
});

test('every top-level Apex class declares a sharing keyword', () => {
  for (const file of apexFiles.filter((f) => f.endsWith('.cls'))) {
    const source = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const declaration =
      /^\s*(?:@\w+(?:\([^)]*\))?\s*)*([\w\s]*?)\b(class|interface|enum)\s+\w+/m.exec(source);
    assert.ok(declaration, `${path.relative(root, file)}: no type declaration found`);
    if (declaration[2] !== 'class') continue;
    const isTest = /@IsTest/i.test(source.slice(0, declaration.index + declaration[0].length));
    if (isTest) continue;
    assert.match(
      declaration[1],
      /\b(with|without|inherited) sharing\b/i,
      `${path.relative(root, file)}: class needs with/without/inherited sharing`
    );
  }
});

test('test classes are named <Class>_Tests and live under force-app/tests', () => {
  for (const file of apexFiles.filter((f) => f.endsWith('.cls'))) {
    const header = readFileSync(file, 'utf8').split('{')[0];
    const rel = path.relative(root, file);
    const isTestClass = /@IsTest\b[^\n]*\s+(?:private|public)?\s*(?:\w+\s+)*class\b/i.test(header);
    const inTestsFolder = rel.startsWith(path.join('force-app', 'tests') + path.sep);
    assert.equal(
      isTestClass,
      inTestsFolder,
      `${rel}: test classes (and only they) live under force-app/tests`
    );
    // Shared test helpers (factory, fakes) live in force-app/tests/testkit; every other test
    // class is named after the class it tests.
    const inTestkit = rel.startsWith(path.join('force-app', 'tests', 'testkit') + path.sep);
    if (isTestClass && !inTestkit) {
      assert.match(path.basename(file), /_Tests\.cls$/, `${rel}: name test classes <Class>_Tests`);
    }
  }
});
