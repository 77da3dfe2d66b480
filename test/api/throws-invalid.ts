import assert from 'node:assert/strict';
import { GatehouseError } from '../../src/errors.js';

/** Asserts that `f` throws GatehouseError('invalid_argument') with exactly this message (and reason). */
export function throwsInvalid(f: () => unknown, message: string, reason?: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof GatehouseError, `expected a GatehouseError, got ${String(e)}`);
    assert.equal(e.kind, 'invalid_argument');
    assert.equal(e.message, message);
    assert.equal(e.reason, reason);
    return true;
  });
}
