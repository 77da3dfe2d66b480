/**
 * A stand-in for the server's tuple services, for command tests that must not depend on
 * the engine: an in-memory tuple list behind the Keto gRPC methods. Check is exact-match
 * only, Expand lists the direct subjects, pages are offsets.
 */
import { startFakeGrpc, GrpcStatusError, type FakeGrpc } from './fake-grpc.js';

const PKG = '/ory.keto.relation_tuples.v1alpha2';

type Proto = Record<string, any>;

const subjectKey = (s: Proto | null | undefined) =>
  s?.id !== undefined && s?.ref !== 'set' ? `id:${s.id}` : `set:${s?.set?.namespace}:${s?.set?.object}#${s?.set?.relation}`;
const tupleKey = (t: Proto) => `${t.namespace}:${t.object}#${t.relation}@${subjectKey(t.subject)}`;

function matches(t: Proto, q: Proto): boolean {
  return (
    (q.namespace === undefined || q.namespace === t.namespace) &&
    (q.object === undefined || q.object === t.object) &&
    (q.relation === undefined || q.relation === t.relation) &&
    (!q.subject || subjectKey(q.subject) === subjectKey(t.subject))
  );
}

export interface FakeKeto extends FakeGrpc {
  readonly tuples: Proto[];
  /** Health answers, consumed one per call; SERVING once empty. */
  readonly healthSequence: string[];
  /** Transactions to fail (by 0-based count of TransactRelationTuples calls). */
  readonly failTransactions: Set<number>;
}

export async function startFakeKeto(namespaces: string[]): Promise<FakeKeto> {
  const tuples: Proto[] = [];
  const healthSequence: string[] = [];
  const failTransactions = new Set<number>();
  let transactions = 0;
  const known = (ns: string) => {
    if (!namespaces.includes(ns)) throw new GrpcStatusError(5, `Unknown namespace with name "${ns}".`);
  };
  const grpc = await startFakeGrpc({
    [`${PKG}.CheckService/Check`]: (req) => {
      known(req.tuple.namespace);
      return { allowed: tuples.some((t) => tupleKey(t) === tupleKey(req.tuple)) };
    },
    [`${PKG}.ExpandService/Expand`]: (req) => {
      const set = req.subject.set;
      known(set.namespace);
      const direct = tuples.filter((t) => t.namespace === set.namespace && t.object === set.object && t.relation === set.relation);
      if (direct.length === 0) return { tree: null };
      return {
        tree: {
          nodeType: 'NODE_TYPE_UNION',
          tuple: { namespace: set.namespace, object: set.object, relation: set.relation, subject: { set } },
          children: direct.map((t) => ({ nodeType: 'NODE_TYPE_LEAF', tuple: t, children: [] })),
        },
      };
    },
    [`${PKG}.ReadService/ListRelationTuples`]: (req) => {
      const q = req.relationQuery ?? {};
      if (q.namespace !== undefined) known(q.namespace);
      const all = tuples.filter((t) => matches(t, q));
      const offset = req.pageToken ? Number(req.pageToken) : 0;
      const size = req.pageSize > 0 ? Math.min(req.pageSize, 500) : 100;
      const page = all.slice(offset, offset + size);
      return { relationTuples: page, nextPageToken: offset + size < all.length ? String(offset + size) : '' };
    },
    [`${PKG}.WriteService/TransactRelationTuples`]: (req) => {
      if (failTransactions.has(transactions++)) throw new GrpcStatusError(14, 'the database is unavailable');
      for (const d of req.relationTupleDeltas) known(d.relationTuple.namespace);
      for (const d of req.relationTupleDeltas) {
        if (d.action === 'ACTION_INSERT') tuples.push(d.relationTuple);
      }
      for (const d of req.relationTupleDeltas) {
        if (d.action !== 'ACTION_DELETE') continue;
        for (let i = tuples.length - 1; i >= 0; i--) if (tupleKey(tuples[i]!) === tupleKey(d.relationTuple)) tuples.splice(i, 1);
      }
      return { snaptokens: [] };
    },
    [`${PKG}.WriteService/DeleteRelationTuples`]: (req) => {
      const q = req.relationQuery ?? {};
      for (let i = tuples.length - 1; i >= 0; i--) if (matches(tuples[i]!, q)) tuples.splice(i, 1);
      return {};
    },
    '/grpc.health.v1.Health/Check': () => ({ status: healthSequence.shift() ?? 'SERVING' }),
  });
  return Object.assign(grpc, { tuples, healthSequence, failTransactions });
}
