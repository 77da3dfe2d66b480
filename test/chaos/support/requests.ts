import assert from 'node:assert/strict';
import http from 'node:http';

/** What the chaos tests send and what they check in every answer. */

export interface Answer {
  status: number;
  body: string;
  /** Milliseconds from sending to the complete answer. */
  ms: number;
}

/** One HTTP/1.1 request on a connection of its own; rejects on a socket error (reset, refused). */
export function request(url: string, options: { method?: string; body?: string; timeoutMs?: number } = {}): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    }
    req.end(options.body);
  });
}

/** A PATCH body inserting `count` tuples (or deleting them), distinct per `tag`. */
export function patchBody(tag: string, count: number, action: 'insert' | 'delete' = 'insert'): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      action,
      relation_tuple: { namespace: 'files', object: `${tag}-${i}`, relation: 'view', subject_id: `user-${i % 50}` },
    })),
  );
}

/** Keto's envelope for an unavailable database, and nothing in it that names the database. */
export function assertUnavailable(answer: Answer, secrets: readonly string[]): void {
  assert.equal(answer.status, 503, answer.body);
  const body = JSON.parse(answer.body) as { error: Record<string, unknown> };
  const { request: requestId, ...error } = body.error;
  assert.equal(typeof requestId, 'string');
  assert.equal(error['code'], 503);
  assert.equal(error['status'], 'Service Unavailable');
  assert.equal(typeof error['message'], 'string');
  // The request id is a random UUID: its hex digits can spell a port number by chance.
  const told = JSON.stringify(error);
  for (const secret of [...secrets, 'SELECT', 'INSERT', 'keto_', 'gatehouse_', 'ECONN', ' at ']) {
    assert.ok(!told.includes(secret), `the answer names ${JSON.stringify(secret)}: ${answer.body}`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An integer knob from the environment (`npm run chaos` raises them), else `fallback`. */
export function knob(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}
