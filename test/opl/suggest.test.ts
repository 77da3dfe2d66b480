import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest } from '../../src/opl/suggest.js';

test('suggestions: close names only, case ignored, nothing for unrelated short names', () => {
  assert.equal(closest('viewr', ['owners', 'viewers', 'parents']), 'viewers');
  assert.equal(closest('veiw', ['view', 'edit']), 'view');
  assert.equal(closest('user', ['User', 'Group']), 'User');
  assert.equal(closest('B', ['A']), undefined);
  assert.equal(closest('doc', ['dog', 'Doc']), 'Doc');
  assert.equal(closest('members', ['owners']), undefined);
  assert.equal(closest('x', []), undefined);
});
