import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { parseLegacyNamespaceFile } from '../../src/namespaces/legacy.js';

const refused = (message: string) => (err: unknown) => {
  assert.ok(err instanceof GatehouseError);
  assert.equal(err.kind, 'invalid_argument');
  assert.equal(err.message, message);
  return true;
};

test('a TOML namespace file with arrays, inline tables, dotted keys and sub-tables is read', () => {
  const file = [
    '# a legacy namespace file as Keto reads it',
    'name = "videos"',
    'id = 3',
    'config.owners = ["alice", "bob"]',
    'config.limits = { depth = 5, widths = [1, 2, 3], nested = { on = true } }',
    '"quoted key" = \'literal\'',
    '',
    '[config.retention]',
    'days = 30',
    'tags = [',
    '  "a", # a comment inside an array',
    '  { kind = "inline" },',
    ']',
    '',
    '[[config.rules]]',
    'relation = "view"',
    '',
  ].join('\n');
  assert.deepEqual(parseLegacyNamespaceFile('videos.toml', file), { name: 'videos', relations: [] });
});

test('TOML values arrive with their types: a table name and an array id are refused as such', () => {
  assert.throws(
    () => parseLegacyNamespaceFile('a.toml', 'name = { first = "videos" }\n'),
    refused('namespace file a.toml: "name" must be a non-empty string, got {"first":"videos"}'),
  );
  assert.throws(
    () => parseLegacyNamespaceFile('b.toml', 'name = "videos"\nid = [3]\n'),
    refused('namespace file b.toml: "id" must be an integer from 0 to 2147483647, got a list'),
  );
  assert.throws(
    () => parseLegacyNamespaceFile('c.toml', 'a.name = "videos"\n'),
    refused('namespace file c.toml: "name" must be a non-empty string, got nothing'),
  );
});

test('malformed TOML is refused with its line and column, without an excerpt of the file', () => {
  assert.throws(
    () => parseLegacyNamespaceFile('bad.toml', 'name = "videos"\nid = secret\n'),
    refused('namespace file bad.toml: line 2, column 6: invalid value'),
  );
  assert.throws(
    () => parseLegacyNamespaceFile('twice.toml', 'name = "a"\nname = "b"\n'),
    refused('namespace file twice.toml: line 2, column 1: trying to redefine an already defined table or value'),
  );
});
