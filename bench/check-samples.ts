import type { RelationTuple, Subject } from '../src/tuple.js';
import type { TupleSource } from '../src/reader.js';
import { type DatasetShape, prng } from './dataset.js';

/** The kinds of check the benchmarks time, each allowed unless its name says denied. */
export interface CheckSamples {
  /** `Doc:d#owner@user`: one direct lookup. */
  readonly direct: RelationTuple[];
  /** `Doc:d#viewer@user` where the user sits in a leaf group three subject-set hops down. */
  readonly threeHop: RelationTuple[];
  /** The same with a member of another document's tree (mostly denied: every branch is walked). */
  readonly threeHopDenied: RelationTuple[];
  /** `Doc:d#view@user`: the permit (owner, or viewer and a traverse to the folder with a negation). */
  readonly permit: RelationTuple[];
}

type SyncSource = { [K in keyof TupleSource]: (...a: Parameters<TupleSource[K]>) => Awaited<ReturnType<TupleSource[K]>> };

/** Picks `count` checks of each kind by walking the data set through a synchronous source. */
export function sampleChecks(source: SyncSource, shape: DatasetShape, count: number): CheckSamples {
  const rnd = prng(7);
  const out = { direct: [] as RelationTuple[], threeHop: [] as RelationTuple[], threeHopDenied: [] as RelationTuple[], permit: [] as RelationTuple[] };
  const firstSet = (namespace: string, object: string, relation: string) =>
    source.subjectSets([{ namespace, object, relation }], 100)[0]!;
  while (out.direct.length < count) {
    const object = `d_${rnd(shape.docs)}`;
    const owner = source.subjects([{ namespace: 'Doc', object, relation: 'owner' }], 1)[0]![0];
    const top = firstSet('Doc', object, 'viewer')[0];
    if (owner === undefined || top === undefined) continue;
    const middle = firstSet(top.namespace, top.object, top.relation)[rnd(3)];
    const leaf = middle && firstSet(middle.namespace, middle.object, middle.relation)[rnd(3)];
    const member = leaf && source.subjects([leaf], 1)[0]![0];
    if (member === undefined) continue;
    const doc = { namespace: 'Doc', object };
    out.direct.push({ ...doc, relation: 'owner', subject: owner });
    out.threeHop.push({ ...doc, relation: 'viewer', subject: member });
    out.permit.push({ ...doc, relation: 'view', subject: member });
  }
  out.threeHopDenied = out.threeHop.map((t, i) => ({ ...t, subject: out.threeHop[(i + 1) % count]!.subject as Subject }));
  return out;
}
