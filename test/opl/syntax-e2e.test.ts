import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

/** The syntax check as a client sees it on a running server: REST and gRPC (through Keto's own client) on the OPL port. */

const MODEL = 'class A implements Namespace { related: { a: Bee[] } }\nclass Be implements Namespace {}';
const ERROR = { message: 'namespace "Bee" was not declared; did you mean "Be"?', start: { line: 1, column: 45 }, end: { line: 1, column: 48 } };

let gh: GatehouseProcess;
before(async () => {
  gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'files' }] } });
});
after(async () => {
  await gh.stop();
});

test('POST /opl/syntax/check on the OPL port only, as Keto', async () => {
  const response = await fetch(`${gh.url.opl}/opl/syntax/check`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: MODEL,
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    errors: [{ message: ERROR.message, start: { Line: 1, column: 45 }, end: { Line: 1, column: 48 } }],
  });
  for (const endpoint of ['read', 'write'] as const) {
    const elsewhere = await fetch(`${gh.url[endpoint]}/opl/syntax/check`, { method: 'POST', body: MODEL });
    assert.equal(elsewhere.status, 404);
  }
  const empty = await fetch(`${gh.url.opl}/opl/syntax/check`, { method: 'POST', body: '' });
  assert.deepEqual(await empty.json(), {});
});

test('ory.keto.opl.v1alpha1.SyntaxService/Check through @ory/keto-grpc-client', async () => {
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@ory/keto-grpc-client/package.json'));
  const grpc = fromClient('@grpc/grpc-js');
  const { SyntaxServiceClient } = fromClient('./ory/keto/opl/v1alpha1/syntax_service_grpc_pb.js');
  const { CheckRequest } = fromClient('./ory/keto/opl/v1alpha1/syntax_service_pb.js');
  const client = new SyntaxServiceClient(gh.grpc.opl, grpc.credentials.createInsecure());
  try {
    const request = new CheckRequest();
    request.setContent(Buffer.from(MODEL));
    const response = await new Promise<{ toObject(): unknown }>((resolve, reject) =>
      client.check(request, (err: Error | null, res: { toObject(): unknown }) => (err ? reject(err) : resolve(res))),
    );
    assert.deepEqual(response.toObject(), { parseErrorsList: [ERROR] });
  } finally {
    client.close();
  }
});

test('4 MiB of NUL bytes (the default body limit) answers one error whose quote is cut, over REST and gRPC', async () => {
  const body = Buffer.alloc(4 * 1024 * 1024, 0);
  const quoted = `"${'\\x00'.repeat(64)}"...`;
  const message = `fatal: at ${quoted}: unexpected token \u0000`;
  const response = await fetch(`${gh.url.opl}/opl/syntax/check`, { method: 'POST', body });
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.ok(text.length < 1024, `${text.length} bytes`);
  assert.deepEqual(JSON.parse(text), { errors: [{ message, start: { Line: 1, column: 1 }, end: { Line: 1, column: 1 } }] });

  const fromClient = createRequire(createRequire(import.meta.url).resolve('@ory/keto-grpc-client/package.json'));
  const grpc = fromClient('@grpc/grpc-js');
  const { SyntaxServiceClient } = fromClient('./ory/keto/opl/v1alpha1/syntax_service_grpc_pb.js');
  const { CheckRequest } = fromClient('./ory/keto/opl/v1alpha1/syntax_service_pb.js');
  // gRPC frames its message: 4 MiB of content no longer fits the default message limit, so send 4 MiB less a little.
  const client = new SyntaxServiceClient(gh.grpc.opl, grpc.credentials.createInsecure());
  try {
    const request = new CheckRequest();
    request.setContent(body.subarray(0, body.length - 16));
    const answer = await new Promise<{ toObject(): unknown }>((resolve, reject) =>
      client.check(request, (err: Error | null, res: { toObject(): unknown }) => (err ? reject(err) : resolve(res))),
    );
    assert.deepEqual(answer.toObject(), { parseErrorsList: [{ message, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }] });
  } finally {
    client.close();
  }
});
