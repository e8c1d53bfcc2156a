// The dashboard's fixtures (jest and browser tests both mock getDashboard with them) must have the
// shape StlDashboardController really returns: every @AuraEnabled member of each response class,
// nothing else, each with a value of the member's type. A renamed or added field in the
// controller (e.g. RepRow.cycles, Dashboard.missingCycles) fails here instead of leaving the
// component tested against a response the org never sends.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const controller = path.join(root, 'force-app/main/ui/classes/StlDashboardController.cls');
const dataDir = path.join(root, 'force-app/main/ui/lwc/speedToLeadDashboard/__tests__/data');

/** Member name to Apex type, for each inner class of the controller. */
function auraMembers(source: string): Map<string, Map<string, string>> {
  const classes = new Map<string, Map<string, string>>();
  const classPattern = /public class (\w+) \{([\s\S]*?)\n {2}\}/g;
  for (const match of source.matchAll(classPattern)) {
    const members = new Map<string, string>();
    const memberPattern = /@AuraEnabled\s+public ([\w<>]+) (\w+)/g;
    for (const member of match[2].matchAll(memberPattern)) {
      members.set(member[2], member[1]);
    }
    classes.set(match[1], members);
  }
  return classes;
}

const classes = auraMembers(readFileSync(controller, 'utf8'));

function check(value: unknown, type: string, where: string): void {
  const list = /^List<(\w+)>$/.exec(type);
  if (value === null) {
    assert.ok(
      !list && !classes.has(type),
      `${where}: null where the controller always sends ${type}`
    );
    return;
  }
  if (list) {
    assert.ok(Array.isArray(value), `${where}: expected a list of ${list[1]}`);
    value.forEach((item, i) => check(item, list[1], `${where}[${i}]`));
    return;
  }
  const members = classes.get(type);
  if (members) {
    assert.equal(typeof value, 'object', `${where}: expected a ${type} object`);
    const record = value as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(record).sort(),
      [...members.keys()].sort(),
      `${where}: the members of ${type}`
    );
    for (const [name, memberType] of members) {
      check(record[name], memberType, `${where}.${name}`);
    }
    return;
  }
  const expected: Record<string, string> = {
    String: 'string',
    Id: 'string',
    Integer: 'number',
    Long: 'number',
    Decimal: 'number',
    Boolean: 'boolean'
  };
  assert.ok(expected[type], `${where}: no check for the Apex type ${type}`);
  assert.equal(typeof value, expected[type], `${where}: ${type}`);
}

describe('speedToLeadDashboard fixtures', () => {
  it('finds the response classes in the controller', () => {
    for (const name of [
      'Dashboard',
      'Kpis',
      'SampleInfo',
      'RepRow',
      'LiveQueue',
      'MissingCycles'
    ]) {
      assert.ok(classes.get(name)?.size, `StlDashboardController.${name} has @AuraEnabled members`);
    }
  });

  const files = readdirSync(dataDir).filter((f) => /^dashboard.*\.json$/.test(f));
  it('has dashboard fixtures to check', () => {
    assert.ok(files.length >= 2, `dashboard fixtures in ${dataDir}: ${files.join(', ')}`);
  });
  for (const file of files) {
    it(`${file} has the shape of StlDashboardController.Dashboard`, () => {
      const fixture: unknown = JSON.parse(readFileSync(path.join(dataDir, file), 'utf8'));
      check(fixture, 'Dashboard', file);
    });
  }
  it('filterOptions.json has the shape of StlDashboardController.FilterOptions', () => {
    const fixture: unknown = JSON.parse(
      readFileSync(path.join(dataDir, 'filterOptions.json'), 'utf8')
    );
    check(fixture, 'FilterOptions', 'filterOptions.json');
  });
});
