import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatSubject,
  formatSubjectSet,
  formatTuple,
  parseSubject,
  parseSubjectSet,
  parseTupleString,
} from '../../src/api/tuple-string.js';
import type { RelationTuple } from '../../src/tuple.js';
import { throwsInvalid } from './throws-invalid.js';

const set = (namespace: string, object: string, relation: string) => ({ set: { namespace, object, relation } });
const tuple = (namespace: string, object: string, relation: string, subject: RelationTuple['subject']): RelationTuple => ({
  namespace,
  object,
  relation,
  subject,
});

describe('tuple string form: parse', () => {
  it('reads subject ids and subject sets', () => {
    assert.deepEqual(parseTupleString('n:o#r@s'), tuple('n', 'o', 'r', { id: 's' }));
    assert.deepEqual(parseTupleString('n:o#r@n:o#r'), tuple('n', 'o', 'r', set('n', 'o', 'r')));
    assert.deepEqual(parseTupleString('n:o#r@n:o#...'), tuple('n', 'o', 'r', set('n', 'o', '...')));
    assert.deepEqual(parseTupleString('Group:backend#members@Alice'), tuple('Group', 'backend', 'members', { id: 'Alice' }));
  });

  it('reads a subject set without relation, with or without a trailing #', () => {
    assert.deepEqual(parseTupleString('n:o#r@n:o'), tuple('n', 'o', 'r', set('n', 'o', '')));
    assert.deepEqual(parseTupleString('n:o#r@n:o#'), tuple('n', 'o', 'r', set('n', 'o', '')));
    assert.deepEqual(parseTupleString('document:1#viewer@user:*'), tuple('document', '1', 'viewer', set('user', '*', '')));
  });

  it('trims parentheses around the subject', () => {
    assert.deepEqual(parseTupleString('n:o#r@(n:o#r)'), tuple('n', 'o', 'r', set('n', 'o', 'r')));
    assert.deepEqual(parseTupleString('n:o#r@((s))'), tuple('n', 'o', 'r', { id: 's' }));
    assert.deepEqual(parseTupleString('n:o#r@()('), tuple('n', 'o', 'r', { id: '' }));
    assert.deepEqual(parseTupleString('n:o#r@(a(b)c)'), tuple('n', 'o', 'r', { id: 'a(b)c' }));
  });

  it('cuts at the first :, then #, then @', () => {
    assert.deepEqual(
      parseTupleString('#dev:@ory#:working:@projects:keto#awesome'),
      tuple('#dev', '@ory', ':working:', set('projects', 'keto', 'awesome')),
    );
    assert.deepEqual(parseTupleString('n:o#r@s@t'), tuple('n', 'o', 'r', { id: 's@t' }));
    assert.deepEqual(parseTupleString('n:o#r@a:b#c#d'), tuple('n', 'o', 'r', set('a', 'b', 'c#d')));
    assert.deepEqual(parseTupleString('n:o#r@a:b:c'), tuple('n', 'o', 'r', set('a', 'b:c', '')));
  });

  it('accepts empty parts', () => {
    assert.deepEqual(parseTupleString(':#@'), tuple('', '', '', { id: '' }));
    assert.deepEqual(parseTupleString(':#@:'), tuple('', '', '', set('', '', '')));
  });

  it('passes unicode and SQL text through', () => {
    assert.deepEqual(parseTupleString("名前:'; DROP--#👀@ünï:%_#\\"), tuple('名前', "'; DROP--", '👀', set('ünï', '%_', '\\')));
  });

  it('refuses malformed input with Keto’s message', () => {
    throwsInvalid(() => parseTupleString('no-colon#in@this'), 'malformed string input');
    throwsInvalid(() => parseTupleString('no:hash-in@this'), 'malformed string input');
    throwsInvalid(() => parseTupleString('no:at#in-this'), 'malformed string input');
    throwsInvalid(() => parseTupleString(''), 'malformed string input');
    // the subject contains ':' only after its '#'
    throwsInvalid(() => parseTupleString('n:o#r@a#b:c'), 'malformed string input');
  });
});

describe('subject string form', () => {
  it('reads an id without ":" and a subject set with one', () => {
    assert.deepEqual(parseSubject('alice'), { id: 'alice' });
    assert.deepEqual(parseSubject(''), { id: '' });
    assert.deepEqual(parseSubject('a#b'), { id: 'a#b' });
    assert.deepEqual(parseSubject('User:alice'), set('User', 'alice', ''));
    assert.deepEqual(parseSubject('Group:dev#members'), set('Group', 'dev', 'members'));
    assert.deepEqual(parseSubject('(User:alice)'), set('(User', 'alice)', ''));
    throwsInvalid(() => parseSubject('x#y:z'), 'malformed string input');
    assert.deepEqual(parseSubjectSet('Group:dev#'), { namespace: 'Group', object: 'dev', relation: '' });
    throwsInvalid(() => parseSubjectSet('nocolon'), 'malformed string input');
  });

  it('formats', () => {
    assert.equal(formatSubject({ id: 'alice' }), 'alice');
    assert.equal(formatSubject(set('User', 'alice', '')), 'User:alice');
    assert.equal(formatSubjectSet({ namespace: 'Group', object: 'dev', relation: 'members' }), 'Group:dev#members');
  });
});

describe('tuple string form: format', () => {
  it('writes Keto’s form, omitting # for an empty subject relation', () => {
    assert.equal(formatTuple(tuple('n', 'o', 'r', { id: 's' })), 'n:o#r@s');
    assert.equal(formatTuple(tuple('groups', 'dev', 'member', set('users', 'user', ''))), 'groups:dev#member@users:user');
    assert.equal(formatTuple(tuple('n', 'o', 'r', set('a', 'b', 'c'))), 'n:o#r@a:b#c');
    assert.equal(formatTuple(tuple('', '', '', { id: '' })), ':#@');
  });

  it('round-trips identifiers free of separators', () => {
    for (const t of [
      tuple('n', 'o', 'r', { id: 's' }),
      tuple('Ünï', "o'--", '🦀', set('名', '%', '')),
      tuple('a', 'b', 'c', set('d', 'e', 'f')),
      tuple('', '', '', { id: '' }),
    ]) {
      assert.deepEqual(parseTupleString(formatTuple(t)), t);
    }
  });
});
