import type { ModelSnapshot, RewriteChild } from '../model.js';

/** A permit that follows a relation of the objects another relation points to: `this.related.via.traverse((x) => x.…)`. */
export interface TraverseUse {
  /** The namespace and permit whose rewrite traverses. */
  readonly namespace: string;
  readonly permit: string;
  /** The relation walked on that namespace's objects. */
  readonly via: string;
}

/**
 * What a lookup needs of the model besides the check's rules: the edges of the model read
 * backwards (which permits a relation feeds), and which relations need a stored path to the
 * subject to hold at all.
 */
export interface LookupModel {
  /** The permits of `namespace` whose rewrite names `relation` (anywhere in it). */
  permitsUsing(namespace: string, relation: string): readonly string[];
  /** The permits that traverse to `relation` on the objects they reach. */
  traversesTo(relation: string): readonly TraverseUse[];
  /**
   * Whether `namespace#relation` holds for a subject only where a chain of stored tuples
   * leads from the object to the subject (no `!` can make it hold on its own). When it
   * does not, every object (or subject) is a candidate.
   */
  needsStoredPath(namespace: string, relation: string): boolean;
  /** The relations `namespace` declares. */
  relationsOf(namespace: string): readonly string[];
  /** The relations the rewrite of `namespace#relation` names (anywhere in it), read forwards. */
  computedOf(namespace: string, relation: string): readonly string[];
  /** The traverses in the rewrite of `namespace#relation`: the relation walked and the relation asked of each object reached. */
  traversesOf(namespace: string, relation: string): readonly { readonly via: string; readonly relation: string }[];
}

const cache = new WeakMap<ModelSnapshot, LookupModel>();

export function lookupModel(snapshot: ModelSnapshot): LookupModel {
  let model = cache.get(snapshot);
  if (model === undefined) cache.set(snapshot, (model = buildLookupModel(snapshot)));
  return model;
}

const pair = (namespace: string, relation: string) => `${namespace}\u0000${relation}`;

function buildLookupModel(snapshot: ModelSnapshot): LookupModel {
  const permitsUsing = new Map<string, string[]>();
  const traversesTo = new Map<string, TraverseUse[]>();
  const computedOf = new Map<string, string[]>();
  const traversesOf = new Map<string, { via: string; relation: string }[]>();
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  for (const ns of snapshot.namespaces) {
    for (const rel of ns.relations) {
      if (rel.rewrite === undefined) continue;
      const visit = (child: RewriteChild): void => {
        switch (child.type) {
          case 'computed_subject_set':
            add(computedOf, pair(ns.name, rel.name), child.relation);
            return add(permitsUsing, pair(ns.name, child.relation), rel.name);
          case 'tuple_to_subject_set':
            add(traversesOf, pair(ns.name, rel.name), { via: child.relation, relation: child.computedSubjectSetRelation });
            return add(traversesTo, child.computedSubjectSetRelation, { namespace: ns.name, permit: rel.name, via: child.relation });
          case 'rewrite':
            return child.children.forEach(visit);
          case 'invert':
            return visit(child.child);
        }
      };
      visit(rel.rewrite);
    }
  }
  const storedPath = storedPathRelations(snapshot);
  return {
    permitsUsing: (namespace, relation) => permitsUsing.get(pair(namespace, relation)) ?? [],
    traversesTo: (relation) => traversesTo.get(relation) ?? [],
    needsStoredPath: (namespace, relation) => !storedPath.without.has(pair(namespace, relation)),
    relationsOf: (namespace) => snapshot.namespace(namespace)?.relations.map((r) => r.name) ?? [],
    computedOf: (namespace, relation) => computedOf.get(pair(namespace, relation)) ?? [],
    traversesOf: (namespace, relation) => traversesOf.get(pair(namespace, relation)) ?? [],
  };
}

/**
 * The relations that can hold without a stored path (`!` somewhere they depend on, in a
 * position that can decide alone): the least set closed under the rules below, so a cycle
 * of positive references stays "needs a stored path", as a check's answer needs a finite
 * chain of tuples. A relation without a rewrite needs a stored path; `a || b` needs one
 * when both do; `a && b` when either does; `!a` never does; a traverse when the relation
 * it asks for does on every namespace declaring it.
 */
function storedPathRelations(snapshot: ModelSnapshot): { without: Set<string> } {
  const without = new Set<string>();
  const holdsWithout = (namespace: string, relation: string): boolean => without.has(pair(namespace, relation));
  const childWithout = (namespace: string, child: RewriteChild): boolean => {
    switch (child.type) {
      case 'computed_subject_set':
        return holdsWithout(namespace, child.relation);
      case 'tuple_to_subject_set':
        return snapshot.namespaces.some((n) => holdsWithout(n.name, child.computedSubjectSetRelation));
      case 'rewrite':
        return child.operator === 'or' ? child.children.some((c) => childWithout(namespace, c)) : child.children.every((c) => childWithout(namespace, c));
      case 'invert':
        return true;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const ns of snapshot.namespaces) {
      for (const rel of ns.relations) {
        if (rel.rewrite === undefined || holdsWithout(ns.name, rel.name)) continue;
        if (childWithout(ns.name, rel.rewrite)) {
          without.add(pair(ns.name, rel.name));
          changed = true;
        }
      }
    }
  }
  return { without };
}
