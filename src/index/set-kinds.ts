/**
 * The shape of the stored graph, one level up from its nodes: which kinds of subject set
 * (`namespace#relation`) are stored under keys of which kind, with the number of rows of
 * each pair. A handful of entries, whatever the number of tuples; `version` changes
 * whenever a pair appears or disappears, so that what is derived from the shape (which
 * relations a walk down from a key can reach) is recomputed only then. Kinds are given
 * by the string ids of their namespace and relation.
 */
export class SetKinds {
  /** Key kind → set kind → rows; a kind is `namespace id → relation id`. */
  private readonly rows = new Map<number, Map<number, Map<number, Map<number, number>>>>();
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  /** Counts `delta` rows (negative: removed) of subject sets of the set kind under keys of the key kind. */
  count(keyNamespace: number, keyRelation: number, setNamespace: number, setRelation: number, delta: number): void {
    const below = nested(nested(this.rows, keyNamespace), keyRelation);
    const ofNamespace = nested(below, setNamespace);
    const rows = (ofNamespace.get(setRelation) ?? 0) + delta;
    if (rows > 0) {
      if (!ofNamespace.has(setRelation)) this.changes++;
      ofNamespace.set(setRelation, rows);
      return;
    }
    if (ofNamespace.delete(setRelation)) this.changes++;
    if (ofNamespace.size === 0) below.delete(setNamespace);
  }

  /** The kinds of subject set stored under keys of the kind, as [namespace id, relation id] pairs. */
  under(keyNamespace: number, keyRelation: number): [number, number][] {
    const out: [number, number][] = [];
    for (const [namespace, relations] of this.rows.get(keyNamespace)?.get(keyRelation) ?? []) {
      for (const relation of relations.keys()) out.push([namespace, relation]);
    }
    return out;
  }
}

function nested<V>(map: Map<number, Map<number, V>>, key: number): Map<number, V> {
  let inner = map.get(key);
  if (inner === undefined) map.set(key, (inner = new Map()));
  return inner;
}
