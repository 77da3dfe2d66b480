import type { Namespace, Relation, RelationType, RewriteChild, SubjectSetRewrite } from '../../src/model.js';
import type { RelationTuple, Subject } from '../../src/tuple.js';

/**
 * Random models and tuple sets for the engine-versus-oracle property test, built from a
 * seed. Relations reference only relations defined before them (the model itself has no
 * cycles); data may be cyclic or, with `acyclic`, only point "upwards" in a fixed order
 * of objects, so that no search ever needs more hops than there are objects.
 *
 * With `andNot`, rewrites use `&&` and `!` as well as `||`, and subject sets only ever name
 * relations without a rewrite. Keto shares one visited set among all checks below a
 * subject-set expansion, so a set already expanded by one conjunct is skipped when a later
 * conjunct needs it again; that can only happen when a rewrite with `&&`/`!` is evaluated
 * below an expansion, which this restriction rules out (such worlds are where Keto and
 * a fixpoint legitimately differ; see keto-semantics.test.ts).
 */
export interface RandomWorldOptions {
  readonly acyclic: boolean;
  readonly andNot: boolean;
}

export interface RandomWorld {
  readonly namespaces: Namespace[];
  readonly tuples: RelationTuple[];
  /** The objects worth asking about: every object, but only the ends and middle of a chain or fan. */
  readonly objects: ReadonlyMap<string, readonly string[]>;
  readonly subjects: readonly Subject[];
}

/** mulberry32: a tiny deterministic generator. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ['u0', 'u1', 'u2'];

export function randomWorld(seed: number, options: RandomWorldOptions): RandomWorld {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number) => rnd() < p;

  const nsNames = ['A', 'B', 'C'].slice(0, 2 + int(2));
  const objects = new Map<string, string[]>();
  for (const n of nsNames) objects.set(n, Array.from({ length: 2 + int(3) }, (_, i) => `${n.toLowerCase()}${i}`));

  interface Rel { ns: string; name: string; types: RelationType[]; rewrite?: SubjectSetRewrite }
  const rels: Rel[] = [];
  /** Relations some traverse follows: their tuples must point where the traversed relation exists. */
  const traversed = new Set<string>();
  const relsOf = (n: string) => rels.filter((r) => r.ns === n);

  // Related relations first (so that types may name any of them), then permits in order.
  for (const n of nsNames) {
    const count = 1 + int(3);
    for (let i = 0; i < count; i++) rels.push({ ns: n, name: `r${i}`, types: [] });
  }
  for (const r of rels) {
    const types: RelationType[] = [{ namespace: 'U' }];
    for (let k = int(3); k > 0; k--) {
      const target = pick(rels);
      if (chance(0.3)) types.push({ namespace: target.ns });
      else types.push({ namespace: target.ns, relation: target.name });
    }
    r.types = dedupeTypes(types);
  }
  for (const n of nsNames) {
    for (let i = int(4); i > 0; i--) {
      const name = `p${relsOf(n).filter((r) => r.rewrite !== undefined).length}`;
      const available = [...rels];
      const rewrite = randomRewrite(n, available, 0);
      rels.push({ ns: n, name, types: [], rewrite: rewrite.type === 'rewrite' ? rewrite : { type: 'rewrite', operator: 'or', children: [rewrite] } });
    }
  }

  function randomRewrite(n: string, available: readonly Rel[], level: number): RewriteChild {
    const own = available.filter((r) => r.ns === n);
    const roll = rnd();
    if (level < 3 && roll < 0.3) {
      const operator = options.andNot && chance(0.5) ? 'and' : 'or';
      const children = Array.from({ length: 2 + int(2) }, () => randomRewrite(n, available, level + 1));
      return { type: 'rewrite', operator, children };
    }
    if (options.andNot && level < 3 && roll < 0.4) return { type: 'invert', child: randomRewrite(n, available, level + 1) };
    const traversable = own.filter((r) => r.rewrite === undefined && r.types.some((t) => t.relation === undefined && t.namespace !== 'U'));
    if (traversable.length > 0 && roll < 0.65) {
      const via = pick(traversable);
      const targets = [...new Set(via.types.filter((t) => t.namespace !== 'U').map((t) => t.namespace))];
      // The traversed relation must exist on every namespace the tuples may point to.
      const common = available.filter((r) => r.ns === targets[0] && targets.every((t) => available.some((o) => o.ns === t && o.name === r.name)));
      if (common.length > 0) {
        traversed.add(`${via.ns}#${via.name}`);
        return { type: 'tuple_to_subject_set', relation: via.name, computedSubjectSetRelation: pick(common).name };
      }
    }
    return { type: 'computed_subject_set', relation: pick(own).name };
  }

  // Tuples, mostly conforming to the declared types, some not (strict mode must ignore those).
  const rank = (ns: string, obj: string) => nsNames.indexOf(ns) * 1000 + (objects.get(ns) as string[]).indexOf(obj);
  const tuples: RelationTuple[] = [];
  const sampled: string[] = [];
  const seen = new Set<string>();
  const add = (t: RelationTuple) => {
    const k = JSON.stringify(t);
    if (seen.has(k)) return;
    if (options.acyclic && 'set' in t.subject && t.subject.set.namespace !== 'U' && rank(t.subject.set.namespace, t.subject.set.object) <= rank(t.namespace, t.object)) return;
    seen.add(k);
    tuples.push(t);
  };
  const related = rels.filter((r) => r.rewrite === undefined);
  for (let i = 5 + int(25); i > 0; i--) {
    const r = chance(0.9) ? pick(related) : pick(rels);
    const object = pick(objects.get(r.ns) as string[]);
    add({ namespace: r.ns, object, relation: r.name, subject: randomSubject(r.types.length > 0 && (chance(0.85) || traversed.has(`${r.ns}#${r.name}`)) ? r.types : randomTypes()) });
  }

  // Deep nesting: a chain through one self-typed relation, with a user at its end.
  const selfTyped = related.find((r) => r.types.some((t) => t.namespace === r.ns && t.relation === r.name));
  if (selfTyped !== undefined && chance(0.3)) {
    const length = 5 + int(40);
    const chain = Array.from({ length }, (_, i) => `chain${String(i).padStart(2, '0')}`);
    (objects.get(selfTyped.ns) as string[]).push(...chain);
    sampled.push(chain[0] as string, chain[length >> 1] as string, chain[length - 1] as string);
    for (let i = 0; i + 1 < length; i++) add({ namespace: selfTyped.ns, object: chain[i] as string, relation: selfTyped.name, subject: { set: { namespace: selfTyped.ns, object: chain[i + 1] as string, relation: selfTyped.name } } });
    add({ namespace: selfTyped.ns, object: chain[length - 1] as string, relation: selfTyped.name, subject: { id: pick(USERS) } });
  }
  // Wide fan-out: one object with many subject sets, a member behind one of the last ones.
  const setTyped = related.find((r) => r.types.some((t) => t.relation !== undefined));
  if (setTyped !== undefined && chance(0.3)) {
    const type = setTyped.types.find((t) => t.relation !== undefined) as RelationType;
    const fan = Array.from({ length: 50 + int(100) }, (_, i) => `fan${String(i).padStart(3, '0')}`);
    (objects.get(type.namespace) as string[]).push(...fan);
    sampled.push(fan[0] as string, fan[fan.length - 1] as string);
    const from = (objects.get(setTyped.ns) as string[])[0] as string;
    for (const f of fan) add({ namespace: setTyped.ns, object: from, relation: setTyped.name, subject: { set: { namespace: type.namespace, object: f, relation: type.relation as string } } });
    add({ namespace: type.namespace, object: fan[fan.length - 1 - int(3)] as string, relation: type.relation as string, subject: { set: { namespace: 'U', object: pick(USERS), relation: '' } } });
  }

  function randomTypes(): RelationType[] {
    const r = pick(options.andNot ? related : rels);
    return [{ namespace: 'U' }, { namespace: r.ns, relation: r.name }, { namespace: r.ns }];
  }

  function randomSubject(types: readonly RelationType[]): Subject {
    const type = pick(types);
    if (type.namespace === 'U') return chance(0.2) ? { id: pick(USERS) } : { set: { namespace: 'U', object: pick(USERS), relation: '' } };
    return { set: { namespace: type.namespace, object: pick(objects.get(type.namespace) as string[]), relation: type.relation ?? '' } };
  }

  const namespaces: Namespace[] = [
    { name: 'U', relations: [] },
    ...nsNames.map((n) => ({ name: n, relations: relsOf(n).map((r): Relation => (r.rewrite === undefined ? { name: r.name, types: r.types } : { name: r.name, types: [], rewrite: r.rewrite })) })),
  ];
  const subjects: Subject[] = [...USERS.map((u): Subject => ({ id: u })), ...USERS.map((u): Subject => ({ set: { namespace: 'U', object: u, relation: '' } }))];
  const subjectKeys = new Set(subjects.map((s) => JSON.stringify(s)));
  for (const t of tuples) {
    const k = JSON.stringify(t.subject);
    if (!subjectKeys.has(k)) {
      subjectKeys.add(k);
      subjects.push(t.subject);
    }
  }
  const asked = new Map([...objects].map(([n, list]) => [n, list.filter((o) => !/^(chain|fan)/.test(o) || sampled.includes(o))]));
  return { namespaces, tuples, objects: asked, subjects };
}

function dedupeTypes(types: RelationType[]): RelationType[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const k = `${t.namespace}#${t.relation ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
