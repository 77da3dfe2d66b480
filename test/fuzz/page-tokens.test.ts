import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { GrpcCode } from '../../src/grpc-code.js';
import { messageType } from '../../src/transport/grpc/schema.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { closeClientConnections, envelopeProblem, queryEscape, request } from './support/http.js';
import { garbageString } from './support/garbage.js';
import { FUZZ_SEED, runs } from './support/knobs.js';

/**
 * Forged and bit-flipped page tokens, with and without `secrets.pagination`: each one is a
 * 400 in Keto's envelope over REST and INVALID_ARGUMENT over gRPC (never a 5xx, never another
 * query's rows); a token whose bytes survive the edit unchanged still reads the next page.
 */

const SECRET_CONFIGS = [
  { name: 'with secrets.pagination', config: { secrets: { pagination: ['fuzz-pagination-secret-0123456789', 'an-older-secret-still-verifying'] } } },
  { name: 'without secrets.pagination (generated key)', config: {} },
];
const INVALID_TOKEN = 'The page token is invalid or has expired; request the first page again';

/** Junk short enough that the URL stays under the header limit (a longer one is a 431 before any token is read). */
const junk = garbageString.filter((s) => Buffer.byteLength(s) <= 4096);

/** An edit of a genuine token: flipped bits and characters, cuts, swaps, re-signed or replayed payloads. */
const tokenEdit = fc.oneof(
  fc.tuple(fc.nat(), fc.nat({ max: 7 })).map(([at, bit]) => (t: string) => {
    const i = at % t.length;
    return t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << bit)) + t.slice(i + 1);
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 7 }), fc.boolean()).map(([at, bit, inPayload]) => (t: string) => {
    const [payload, mac] = t.split('.') as [string, string];
    const bytes = Buffer.from(inPayload ? payload : mac, 'base64url');
    bytes[at % bytes.length] ^= 1 << bit;
    return inPayload ? `${bytes.toString('base64url')}.${mac}` : `${payload}.${bytes.toString('base64url')}`;
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (t: string) => t.slice(0, a % t.length) + t.slice((a % t.length) + 1 + (b % 4))),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((mac) => (t: string) => `${t.split('.')[0]}.${Buffer.from(mac).toString('base64url')}`),
  fc
    .record({ v: fc.oneof(fc.constant(1), fc.integer()), a: fc.oneof(fc.uuid(), junk), q: junk })
    .map((payload) => (t: string) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${t.split('.')[1]}`),
  junk.map((extra) => (t: string) => `${t}${extra}`),
  junk.map((extra) => () => extra),
  fc.constant((t: string) => t.split('.').reverse().join('.')),
  fc.constant((t: string) => `${t}.${t}`),
  fc.constant((t: string) => t.repeat(8)),
);

/** True when node decodes the edited token to the very bytes of the genuine one (a base64 padding bit, an ignored character). */
function sameBytes(genuine: string, edited: string): boolean {
  const dot = edited.indexOf('.');
  if (dot < 0 || edited.length > 512) return false;
  const [payload, mac] = genuine.split('.') as [string, string];
  return (
    Buffer.from(edited.slice(0, dot), 'base64url').equals(Buffer.from(payload, 'base64url')) &&
    Buffer.from(edited.slice(dot + 1), 'base64url').equals(Buffer.from(mac, 'base64url'))
  );
}

for (const { name, config } of SECRET_CONFIGS) {
  describe(`page tokens ${name}`, () => {
    let gh: GatehouseProcess;
    before(async () => {
      gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'Doc' }, { name: 'User' }], log: { level: 'warn' }, ...config } });
      for (const object of ['a', 'b', 'c', 'd', 'e']) {
        for (const namespace of ['Doc', 'User']) {
          const res = await request(gh.url.write, 'PUT', '/admin/relation-tuples', {}, Buffer.from(JSON.stringify({ namespace, object, relation: 'r', subject_id: 's' })));
          assert.equal(res.status, 201, res.body);
        }
      }
    });
    after(async () => {
      closeClientConnections();
      assert.equal(await gh.stop(), 0);
    });

    const page = (query: string, token: string) =>
      request(gh.url.read, 'GET', `/relation-tuples?${query}&page_size=2&page_token=${queryEscape(token)}`, {}, undefined);

    test('forged and bit-flipped tokens are 400, never 5xx', async (t) => {
      const first = await request(gh.url.read, 'GET', '/relation-tuples?namespace=Doc&page_size=2', {}, undefined);
      const genuine = (JSON.parse(first.body) as { next_page_token: string }).next_page_token;
      assert.notEqual(genuine, '');
      const next = await page('namespace=Doc', genuine);
      assert.equal(next.status, 200, next.body);
      const other = await page('namespace=User', genuine);
      assert.equal(other.status, 400, `a token is bound to its query: ${other.body}`);

      const edits = fc.sample(tokenEdit, { seed: FUZZ_SEED, numRuns: runs(1000) });
      const seen = { refused: 0, unchanged: 0, empty: 0 };
      for (let i = 0; i < edits.length; i += 8) {
        await Promise.all(
          edits.slice(i, i + 8).map(async (edit) => {
            const forged = edit(genuine);
            if (forged === '') {
              seen.empty++; // no token: the first page, not a forgery
              return;
            }
            const res = await page('namespace=Doc', forged);
            const what = `${JSON.stringify(forged)} (seed ${FUZZ_SEED}): ${res.status} ${res.body}`;
            if (sameBytes(genuine, forged)) {
              assert.equal(res.status, 200, what);
              seen.unchanged++;
              return;
            }
            assert.equal(res.status, 400, what);
            assert.equal(envelopeProblem(res), undefined, what);
            assert.equal(JSON.parse(res.body).error.message, INVALID_TOKEN, what);
            seen.refused++;
          }),
        );
      }
      assert.equal(gh.child.exitCode, null);
      assert.deepEqual(gh.logs.filter((l) => (l as { level?: string }).level === 'error'), []);
      t.diagnostic(`seed ${FUZZ_SEED}; ${edits.length} forged tokens over REST: ${seen.refused} refused with 400, ${seen.unchanged} decoded to the genuine bytes and read the next page, ${seen.empty} empty (not sent)`);
    });

    test('forged tokens in gRPC ListRelationTuples are INVALID_ARGUMENT', async (t) => {
      const request = messageType('ory.keto.relation_tuples.v1alpha2.ListRelationTuplesRequest');
      const response = messageType('ory.keto.relation_tuples.v1alpha2.ListRelationTuplesResponse');
      const client = new grpc.Client(gh.grpc.read, grpc.credentials.createInsecure());
      const list = (pageToken: string) =>
        new Promise<{ code: number; details: string; next?: string }>((resolve) =>
          client.makeUnaryRequest<Buffer, Buffer>(
            '/ory.keto.relation_tuples.v1alpha2.ReadService/ListRelationTuples',
            (b) => b,
            (b) => b,
            Buffer.from(request.encode(request.fromObject({ relationQuery: { namespace: 'Doc' }, pageSize: 2, pageToken })).finish()),
            (err, bytes) =>
              resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '', next: (response.decode(bytes!) as unknown as { nextPageToken: string }).nextPageToken }),
          ),
        );
      try {
        const genuine = (await list('')).next!;
        assert.notEqual(genuine, '');
        const edits = fc.sample(tokenEdit, { seed: FUZZ_SEED + 1, numRuns: runs(200) });
        let refused = 0;
        for (const edit of edits) {
          const forged = edit(genuine);
          if (forged === '' || sameBytes(genuine, forged)) continue;
          const answer = await list(forged);
          assert.equal(answer.code, GrpcCode.INVALID_ARGUMENT, `${JSON.stringify(forged)} (seed ${FUZZ_SEED}): ${answer.code} ${answer.details}`);
          refused++;
        }
        t.diagnostic(`${edits.length} forged tokens over gRPC: ${refused} refused with INVALID_ARGUMENT, the rest empty or the genuine bytes`);
      } finally {
        client.close();
      }
    });
  });
}
