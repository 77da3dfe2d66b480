/** The walk's UUID → string table: every mapping found again after the table has grown many times. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UuidStrings } from '../../src/store/sql/uuid-strings.js';

const hex = (i: number) => i.toString(16).padStart(8, '0');
/** A canonical UUID whose four words are i, i * 7, ~i and i ^ 0x5a5a5a5a. */
const uuidOf = (i: number) => {
  const d = hex(i) + hex(Math.imul(i, 7) >>> 0) + hex(~i >>> 0) + hex((i ^ 0x5a5a5a5a) >>> 0);
  return `${d.slice(0, 8)}-${d.slice(8, 12)}-${d.slice(12, 16)}-${d.slice(16, 20)}-${d.slice(20)}`;
};

test('a table grown from its first size holds every mapping, the first of each UUID', () => {
  const strings = new UuidStrings();
  const count = 200_000;
  for (let i = 0; i < count; i++) strings.addText(uuidOf(i), `s${i}`);
  strings.addText(uuidOf(17), 'second mapping of 17');
  for (let i = 0; i < count; i++) assert.equal(strings.getText(uuidOf(i)), `s${i}`);
  assert.equal(strings.getText(uuidOf(count)), undefined);
  assert.equal(strings.getText(uuidOf(5).toUpperCase()), undefined);
});
