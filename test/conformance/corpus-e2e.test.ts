import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Configuration, PermissionApi } from '@ory/keto-client';
import { parseTupleString } from '../../src/api/tuple-string.js';
import type { RelationTuple } from '../../src/tuple.js';
import { startPermissionServers } from '../engine/permission-servers.js';
import { caseModel, caseTuples, corpusSkip, loadConformanceCases } from '../support/conformance.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { UNSTATED_MAX_DEPTH } from './corpus-runner.js';

/**
 * A sample of the corpus (every fourth case) end to end: a server per case, every check
 * and error check asked through Keto's official REST SDK (@ory/keto-client) and gRPC
 * client (@ory/keto-grpc-client).
 */
const require = createRequire(import.meta.url);
const checkStubs = require('@ory/keto-grpc-client/ory/keto/relation_tuples/v1alpha2/check_service_grpc_pb.js');
const checkMessages = require('@ory/keto-grpc-client/ory/keto/relation_tuples/v1alpha2/check_service_pb.js');
const tupleMessages = require('@ory/keto-grpc-client/ory/keto/relation_tuples/v1alpha2/relation_tuples_pb.js');
const ketoGrpc = require(require.resolve('@grpc/grpc-js', { paths: [require.resolve('@ory/keto-grpc-client')] }));

const cases = loadConformanceCases()?.filter((_, i) => i % 4 === 0);

function restParams(t: RelationTuple, maxDepth: number) {
  const subject = 'id' in t.subject
    ? { subjectId: t.subject.id }
    : { subjectSetNamespace: t.subject.set.namespace, subjectSetObject: t.subject.set.object, subjectSetRelation: t.subject.set.relation };
  return { namespace: t.namespace, object: t.object, relation: t.relation, ...subject, maxDepth };
}

function grpcRequest(t: RelationTuple, maxDepth: number) {
  const subject = new tupleMessages.Subject();
  if ('id' in t.subject) subject.setId(t.subject.id);
  else subject.setSet(new tupleMessages.SubjectSet().setNamespace(t.subject.set.namespace).setObject(t.subject.set.object).setRelation(t.subject.set.relation));
  const tuple = new tupleMessages.RelationTuple().setNamespace(t.namespace).setObject(t.object).setRelation(t.relation).setSubject(subject);
  return new checkMessages.CheckRequest().setTuple(tuple).setMaxDepth(maxDepth);
}

describe('conformance corpus sample over REST and gRPC with Keto\'s clients', { skip: corpusSkip(cases) }, () => {
  it('every sampled check and error check agrees on both transports', async () => {
    let checks = 0;
    let errorChecks = 0;
    for (const c of cases ?? []) {
      const depth = c.mode?.maxDepth ?? UNSTATED_MAX_DEPTH;
      const env = { LIMIT_MAX_READ_DEPTH: String(depth), FEATURE_FLAGS_STRICT_MODE: String(c.mode?.strict === true) };
      const servers = await startPermissionServers(new MemoryTupleSource(caseTuples(c)), caseModel(c), env);
      const rest = new PermissionApi(new Configuration({ basePath: servers.rest }));
      const grpc = new checkStubs.CheckServiceClient(servers.grpc, ketoGrpc.credentials.createInsecure());
      const grpcCheck = (t: RelationTuple) =>
        new Promise<boolean>((resolve, reject) => grpc.check(grpcRequest(t, depth), (err: Error | null, res: any) => (err ? reject(err) : resolve(res.getAllowed()))));
      try {
        for (const check of c.checks) {
          const t = parseTupleString(check.tuple);
          const viaRest = await rest.checkPermission(restParams(t, depth));
          assert.equal(viaRest.data.allowed, check.expect, `${c.file} REST ${check.tuple}`);
          assert.equal(await grpcCheck(t), check.expect, `${c.file} gRPC ${check.tuple}`);
          checks++;
        }
        for (const e of c.errorChecks ?? []) {
          const t = parseTupleString(e.tuple);
          await assert.rejects(rest.checkPermission(restParams(t, depth)), (err: any) => err.response?.status === 400 && err.response.data.error.reason === e.reason);
          await assert.rejects(grpcCheck(t), (err: any) => err.code === ketoGrpc.status.INVALID_ARGUMENT);
          errorChecks++;
        }
      } finally {
        grpc.close();
        await servers.stop();
      }
    }
    console.log(`corpus sample end to end: ${cases?.length} cases, ${checks} checks and ${errorChecks} error checks agree over REST and over gRPC`);
    assert.ok(checks > 0);
  });
});
