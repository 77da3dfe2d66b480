import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import grpc from '@grpc/grpc-js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { ExpandEngine } from '../../src/engine/expand-engine.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { LookupEngine } from '../../src/engine/lookup-engine.js';
import { deadlineExceeded } from '../../src/errors.js';
import { currentReads, DEFAULT_CONSISTENCY, type TupleSource } from '../../src/reader.js';
import type { RelationTuple } from '../../src/tuple.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { ns, related, snapshot, t } from '../engine/hand-models.js';
import { startPermissionServers, type PermissionServers } from '../engine/permission-servers.js';
import { http1Request } from './clients.js';
import { unaryCall } from './grpc-clients.js';

/**
 * A request whose deadline passes, or whose client goes away, stops its evaluation: the reads
 * it makes stop. The data is a chain of subject sets as deep as the limits allow, read through
 * a source that answers each read a few milliseconds later, so that a whole check takes far
 * longer than its deadline; the test waits until the reads stop and compares their number with
 * what the whole evaluation makes.
 */

const LENGTH = 300;
const READ_MS = 8;
const groups = snapshot([ns('User'), ns('Group', related('members', 'User', 'Group#members'))]);
const chain: RelationTuple[] = Array.from({ length: LENGTH }, (_, i) => t(`Group:g${i}#members@Group:g${i + 1}#members`));
const LIMITS = { LIMIT_MAX_READ_DEPTH: String(LENGTH) };
const CHECK = { namespace: 'Group', object: 'g0', relation: 'members', subject_id: 'nobody' };

/** Every read answered READ_MS later, and counted. */
class SlowSource {
  reads = 0;
  readonly source: TupleSource;
  constructor(inner: TupleSource) {
    const wrapped: Record<string, unknown> = {};
    for (const name of ['hasSubject', 'subjectSets', 'orderedSubjectSets', 'subjects', 'keysOf', 'objectsIn', 'subjectsOfKind'] as const) {
      wrapped[name] = async (...args: unknown[]) => {
        this.reads++;
        await delay(READ_MS);
        return (inner[name] as (...a: unknown[]) => unknown).apply(inner, args);
      };
    }
    this.source = wrapped as unknown as TupleSource;
  }

  /** The number of reads once it stopped growing (two samples 200 ms apart agree). */
  async settled(): Promise<number> {
    for (;;) {
      const seen = this.reads;
      await delay(200);
      if (this.reads === seen) return seen;
    }
  }
}

/** The reads a whole check of the chain makes, counted on the same source without a deadline. */
async function readsOfWholeCheck(): Promise<number> {
  const source = new MemoryTupleSource(chain, { async: true });
  const engine = new CheckEngine({ reads: currentReads(source), model: () => groups, settings: () => ({ ...defaultCheckSettings, maxReadDepth: LENGTH }) });
  assert.equal(await engine.check(t('Group:g0#members@User:nobody'), LENGTH), false);
  return source.calls;
}

const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Inside a describe: the check and expand servers over a fresh slow source, started before its tests and stopped after them. */
function slowServers(env: Record<string, string>): { slow: SlowSource; servers: PermissionServers } {
  const served = {} as { slow: SlowSource; servers: PermissionServers };
  before(async () => {
    served.slow = new SlowSource(new MemoryTupleSource(chain));
    served.servers = await startPermissionServers(served.slow.source, groups, { ...LIMITS, ...env });
  });
  after(() => served.servers.stop());
  return served;
}

describe('deadlines and cancellation', () => {
  let whole: number;
  before(async () => {
    whole = await readsOfWholeCheck();
    assert.ok(whole >= LENGTH, `a whole check reads ${whole} times`);
  });

  describe('gRPC', () => {
    const served = slowServers({});

    test('grpc-timeout passed: DEADLINE_EXCEEDED, and the evaluation stops', async () => {
      const call = unaryCall(
        served.servers.grpc,
        '/ory.keto.relation_tuples.v1alpha2.CheckService/Check',
        'ory.keto.relation_tuples.v1alpha2.CheckRequest',
        'ory.keto.relation_tuples.v1alpha2.CheckResponse',
        { tuple: { namespace: 'Group', object: 'g0', relation: 'members', subject: { id: 'nobody' } }, maxDepth: LENGTH },
        // grpc-js resolves even 127.0.0.1 before the call, which took 0.27 s on a loaded machine.
        { callOptions: { deadline: Date.now() + 1000 } },
      );
      await assert.rejects(call, { code: grpc.status.DEADLINE_EXCEEDED });
      const reads = await served.slow.settled();
      assert.ok(reads > 0 && reads < whole / 2, `${reads} of ${whole} reads`);
    });
  });

  describe('REST', () => {
    const served = slowServers({ SERVE_READ_REQUEST_TIMEOUT: '300ms' });

    test('serve.read.request_timeout passed: 504 in the envelope, and the evaluation stops', async () => {
      const before = served.slow.reads;
      const res = await http1Request(`${served.servers.rest}/relation-tuples/check?${query({ ...CHECK, 'max-depth': String(LENGTH) })}`, {
        headers: { 'x-request-id': 'slow' },
      });
      assert.equal(res.status, 504);
      assert.deepEqual(JSON.parse(res.body), {
        error: { code: 504, status: 'Gateway Timeout', message: 'The request did not complete within its deadline of 300 ms.', request: 'slow' },
      });
      const reads = (await served.slow.settled()) - before;
      assert.ok(reads > 0 && reads < whole / 2, `${reads} of ${whole} reads`);
    });

    test('expand: 504, and the expansion stops', async () => {
      const before = served.slow.reads;
      const res = await http1Request(`${served.servers.rest}/relation-tuples/expand?${query({ namespace: 'Group', object: 'g0', relation: 'members', 'max-depth': String(LENGTH) })}`);
      assert.equal(res.status, 504);
      const reads = (await served.slow.settled()) - before;
      assert.ok(reads > 0 && reads < LENGTH / 2, `${reads} reads of the ${LENGTH} an expansion makes`);
    });
  });

  describe('a REST client that goes away', () => {
    const served = slowServers({});

    test('stops its evaluation', async () => {
      const req = http.get(`${served.servers.rest}/relation-tuples/check?${query({ ...CHECK, 'max-depth': String(LENGTH) })}`, { agent: false });
      const closed = new Promise((resolve) => req.on('close', resolve));
      req.on('error', () => {});
      while (served.slow.reads < 10) await delay(5);
      req.destroy();
      await closed;
      const reads = await served.slow.settled();
      assert.ok(reads < whole / 2, `${reads} of ${whole} reads`);
    });
  });
});

describe('the engine, given an aborted signal, stops at its first read and throws the reason', () => {
  const source = new MemoryTupleSource(chain, { async: true });
  const reads = currentReads(source);
  const settings = { ...defaultCheckSettings, maxReadDepth: LENGTH };
  const checks = new CheckEngine({ reads, model: () => groups, settings: () => settings });
  const expand = new ExpandEngine({ reads, model: () => groups, settings: () => ({ maxReadDepth: LENGTH, maxExpandSize: 1000, strictMode: false, expandRewrites: false }) });
  const lookups = new LookupEngine({ reads, model: () => groups, checks });
  const reason = deadlineExceeded('over');
  const signal = AbortSignal.abort(reason);
  const tuple = t('Group:g0#members@User:nobody');
  /** Each run, and the reads it makes before it stops (the lookups gather their candidates first: the signal stops the checks that confirm them). */
  const cases: Record<string, [() => Promise<unknown>, number | undefined]> = {
    check: [async () => checks.check(tuple, LENGTH, DEFAULT_CONSISTENCY, signal), 1],
    explain: [() => checks.explain(tuple, LENGTH, DEFAULT_CONSISTENCY, signal), 1],
    'batch check': [() => checks.batchCheck([tuple, tuple], LENGTH, { maxBatchCheckSize: 10, maxParallelization: 1 }, DEFAULT_CONSISTENCY, signal), 0],
    expand: [async () => expand.expand({ namespace: 'Group', object: 'g0', relation: 'members' }, LENGTH, DEFAULT_CONSISTENCY, signal), 1],
    'list objects': [ () => lookups.listObjects({ namespace: 'Group', relation: 'members', subject: { set: { namespace: 'Group', object: `g${LENGTH}`, relation: 'members' } }, pageSize: 100, maxDepth: LENGTH }, DEFAULT_CONSISTENCY, signal), undefined],
    'list subjects': [ () => lookups.listSubjects({ namespace: 'Group', object: 'g0', relation: 'members', kind: { namespace: 'Group', relation: 'members' }, pageSize: 100, maxDepth: LENGTH }, DEFAULT_CONSISTENCY, signal), undefined],
  };
  for (const [name, [run, reads]] of Object.entries(cases)) {
    test(name, async () => {
      const before = source.calls;
      await assert.rejects(run(), (err: unknown) => err === reason);
      if (reads !== undefined) assert.equal(source.calls - before, reads);
    });
  }
});
