import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPath, selectJsonPath, withSortedKeys } from '../../src/cli/json-path.js';
import { UsageError } from '../../src/cli/flags.js';

// The example document and results of GJSON's SYNTAX.md.
const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};

const select = (path: string) => selectJsonPath(doc, parseJsonPath(path));

test('keys, indexes, wildcards and escapes select what GJSON selects', () => {
  assert.equal(select('name.last'), 'Anderson');
  assert.equal(select('age'), 37);
  assert.deepEqual(select('children'), ['Sara', 'Alex', 'Jack']);
  assert.equal(select('children.1'), 'Alex');
  assert.deepEqual(select('friends.1'), doc.friends[1]);
  assert.equal(select('friends.1.first'), 'Roger');
  assert.equal(select('child*.2'), 'Jack');
  assert.equal(select('c?ildren.0'), 'Sara');
  assert.equal(select('fav\\.movie'), 'Deer Hunter');
});

test('# is the length of an array, and #.key maps the rest of the path over it', () => {
  assert.equal(select('friends.#'), 3);
  assert.deepEqual(select('friends.#.age'), [44, 68, 47]);
  assert.deepEqual(select('friends.#.nets.#'), [3, 2, 2]);
  assert.deepEqual(select('friends.#.missing'), []);
  assert.equal(select('name.#'), undefined);
});

test('queries select the first match or, with a trailing #, every match', () => {
  assert.equal(select('friends.#(last=="Murphy").first'), 'Dale');
  assert.deepEqual(select('friends.#(last=="Murphy")#.first'), ['Dale', 'Jane']);
  assert.deepEqual(select('friends.#(age>45)#.last'), ['Craig', 'Murphy']);
  assert.equal(select('friends.#(first%"D*").last'), 'Murphy');
  assert.equal(select('friends.#(first!%"D*").last'), 'Craig');
  assert.equal(select('children.#(!%"*a*")'), 'Alex');
  assert.deepEqual(select('children.#(%"*a*")#'), ['Sara', 'Jack']);
  assert.deepEqual(select('friends.#(nets.#(=="fb"))#.first'), ['Dale', 'Roger']);
  assert.equal(select('friends.#(age<=44).first'), 'Dale');
  assert.equal(select('friends.#(last=="Nobody").first'), undefined);
  assert.deepEqual(select('friends.#(last=="Nobody")#'), []);
});

test('true and false compare as GJSON compares them', () => {
  const flags = [{ id: 1, on: true }, { id: 2, on: false }];
  const ids = (path: string) => selectJsonPath(flags, parseJsonPath(path));
  assert.deepEqual(ids('#(on==true)#.id'), [1]);
  assert.deepEqual(ids('#(on!=true)#.id'), [2]);
  assert.deepEqual(ids('#(on>false)#.id'), [1]);
  assert.deepEqual(ids('#(on<=true)#.id'), [2]);
});

test('a path that selects nothing gives undefined', () => {
  for (const path of ['nope', 'name.first.x', 'children.3', 'children.x', 'friends.#(age>100).first']) {
    assert.equal(select(path), undefined, path);
  }
});

test('syntax beyond the supported subset is a usage error', () => {
  for (const path of ['children|@reverse', 'children.@reverse', '[name.first,age]', '{name,age}', '!true', 'friends.#(nets.#(=="fb")', 'friends.#(b==~true)#']) {
    assert.throws(() => parseJsonPath(path), UsageError, path);
  }
});

test('objects print with sorted keys, as Go prints maps', () => {
  assert.equal(JSON.stringify(withSortedKeys({ type: 'leaf', tuple: { subject_id: 'a', namespace: 'n' } })), '{"tuple":{"namespace":"n","subject_id":"a"},"type":"leaf"}');
});
