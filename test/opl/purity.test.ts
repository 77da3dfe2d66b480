import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The OPL compiler is pure: it reads text and returns a model or diagnostics. It imports its
 * own modules, the permission model and a string helper, and nothing else: not the live
 * namespaces (which import it), not the engine, not a transport, not I/O.
 */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const ALLOWED_OUTSIDE = ['../model.js', '../edit-distance.js', 'node:buffer'];

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]!);

test('src/opl imports only its own modules, the model, edit-distance and node:buffer', () => {
  const files = readdirSync(`${SRC}opl`).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10);
  const outside = files.flatMap((f) =>
    importsOf(`${SRC}opl/${f}`)
      .filter((spec) => !spec.startsWith('./') && !ALLOWED_OUTSIDE.includes(spec))
      .map((spec) => `${f}: ${spec}`),
  );
  assert.deepEqual(outside, []);
});

test('the permission model imports nothing', () => {
  assert.deepEqual(importsOf(`${SRC}model.ts`), []);
});
