import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPENAPI_DOCUMENT } from '../../src/transport/rest/openapi.js';

/** The document's own consistency; test/server/ports.test.ts holds it to the routers. */

interface Document {
  paths: Record<string, Record<string, { operationId: string }>>;
  components: { schemas: Record<string, unknown> };
}

test('the OpenAPI document names each operation once, and every schema it refers to exists', () => {
  const document = OPENAPI_DOCUMENT as unknown as Document;
  const ids = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
  assert.equal(new Set(ids).size, ids.length);
  const refs = [...JSON.stringify(document).matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 0);
  for (const name of new Set(refs)) assert.ok(name in document.components.schemas, name);
});
