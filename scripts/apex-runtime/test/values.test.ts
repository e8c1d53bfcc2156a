// Unit tests of the value model (values.ts) and value operations (ops.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApexDate,
  ApexList,
  ApexMap,
  ApexSet,
  Decimal,
  SObjectValue,
  decimalScale,
  formatDecimal,
  idPrefix,
  normalizeId,
  parseDecimal
} from '../values.ts';
import { apexEquals, arith, formatDouble, stringOf } from '../ops.ts';

test('normalizeId adds the case-checksum suffix', () => {
  assert.equal(normalizeId('001000000000001'), '001000000000001AAA');
  // upper-case letters set bits of the suffix: first chunk 'A0000' → bit 0 → 'B'
  assert.equal(normalizeId('A0000000000000a').slice(15), 'BAA');
  assert.equal(normalizeId('001000000000001AAA'), '001000000000001AAA');
  assert.equal(idPrefix('00Q000000000001'), '00Q');
  assert.throws(() => normalizeId('abc'), /Invalid id/);
});

test('Decimals keep their scale', () => {
  const d = parseDecimal('1.10');
  assert.equal(decimalScale(d), 2);
  assert.equal(formatDecimal(d), '1.10');
  const sum = arith('+', 'decimal', d, parseDecimal('2.5')) as Decimal;
  assert.equal(formatDecimal(sum), '3.60');
  const product = arith('*', 'decimal', parseDecimal('1.5'), parseDecimal('2.0')) as Decimal;
  assert.equal(formatDecimal(product), '3.00');
});

test('Integer arithmetic is 32-bit and truncates division', () => {
  assert.equal(arith('+', 'int', 2147483647, 1), -2147483648);
  assert.equal(arith('/', 'int', -5, 2), -2);
  assert.equal(arith('*', 'int', 65536, 65536), 0);
  assert.equal(arith('+', 'long', 9223372036854775807n, 1n), -9223372036854775808n);
  assert.throws(() => arith('/', 'int', 1, 0), /Divide by 0/);
  assert.throws(() => arith('+', 'int', null, 1), /de-reference a null object/);
});

test('Double formatting follows Apex', () => {
  assert.equal(formatDouble(1), '1.0');
  assert.equal(formatDouble(1.5), '1.5');
  assert.equal(formatDouble(1e10), '1.0E10');
  assert.equal(stringOf(2, 'double'), '2.0');
  assert.equal(stringOf(2, 'int'), '2');
});

test('== ignores case for strings, collections use case-sensitive keys', () => {
  assert.equal(apexEquals('Abc', 'aBC'), true);
  assert.equal(apexEquals(1, new Decimal(1)), true);
  assert.equal(apexEquals(new ApexDate(2026, 1, 2), new ApexDate(2026, 1, 2)), true);
  const s = new ApexSet('String');
  s.add('a');
  s.add('A');
  s.add('a');
  assert.equal(s.size, 2);
  const m = new ApexMap('String', 'Integer');
  m.set('k', 1);
  assert.equal(m.set('k', 2), 1);
  assert.equal(m.get('K'), null);
  assert.deepEqual([...m.keys()], ['k']);
  assert.equal(apexEquals(new ApexList('Integer', [1, 2]), new ApexList('Integer', [1, 2])), true);
});

test('SObjects read case-insensitively and refuse unqueried fields', () => {
  const so = new SObjectValue('Lead');
  so.put('LastName', 'Smith');
  assert.equal(so.get('lastname'), 'Smith');
  assert.equal(so.get('Company'), null);
  so.markQueried(['LastName']);
  assert.throws(() => so.get('Company'), /without querying the requested field: Lead.Company/);
  const c = so.clone(false);
  assert.equal(c.get('LastName'), 'Smith');
  assert.equal(c.isSet('Id'), false);
});
