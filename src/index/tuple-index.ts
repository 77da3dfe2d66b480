import type { InternedReads, InterningSource, OrderedRange, OrderedSets, SubjectSetKind } from '../reader.js';
import { type ObjectRelation, type RelationTuple, type Subject, type SubjectSet } from '../tuple.js';
import { NIL_NETWORK_ID, traverseOrder } from '../store/traverse-order.js';
import { uuidV5 } from '../store/uuid.js';
import { TraverseOrders } from './traverse-orders.js';
import { BlockArena } from './block-arena.js';
import { FirstInOrder } from './first-in-order.js';
import { NodeTable } from './node-table.js';
import { SetKinds } from './set-kinds.js';

/**
 * The tuples of the loaded namespaces, in memory, answering the engine's TupleSource
 * synchronously.
 *
 * Every `namespace:object#relation` (a tuple's left-hand side or a subject set) and
 * every subject id is a node with a dense integer id. Three arenas of int32 lists hold
 * the edges:
 *  - forward: key node → subject nodes, one entry per stored row;
 *  - forward sets: key node → subject-set nodes only, one entry per stored row (what a
 *    subject-set expansion reads, without wading through a big group's user ids);
 *  - reverse: subject node → key nodes, one entry per distinct (key, subject) pair.
 *
 * Rows are kept as the store keeps them: writing a tuple twice stores two rows, and
 * deleting it removes every matching row (Keto deletes all rows matching a tuple).
 *
 * Order: a key's rows are listed in arrival order. Loaded by a keyset walk of the store
 * (ascending shard_id) and then fed the changelog in revision order, that is the store's
 * own order for every row gatehouse wrote (time-ordered shard ids), so listings and
 * width-limit truncation match the SQL store. Rows written by a Keto process (random
 * shard ids) that arrive through the changelog are the one exception: the store slots
 * them among older rows, the index after them. Only a key with more subject sets than
 * `limit.max_read_width` can tell the difference, and Keto's own answer there depends on
 * row order too.
 *
 * A traverse walks a key's subject sets in another order, Keto's listing order (by
 * namespace, the object's UUID under the network id, relation; `src/store/traverse-order.ts`):
 * sorted when first walked and kept until that key's subject sets change.
 */
export class TupleIndex implements InterningSource, InternedReads {
  private readonly nodes = new NodeTable(3);
  // Reverse edges sit next to the name: a subject found by name is followed upward from the same bytes.
  private readonly reverse = new BlockArena(4096, this.nodes, this.nodes.listColumn(0));
  private readonly forwardSets = new BlockArena(4096, this.nodes, this.nodes.listColumn(1));
  private readonly forward = new BlockArena(4096, this.nodes, this.nodes.listColumn(2));
  /** Rows per namespace string id. */
  private namespaceRows = new Float64Array(64);
  private rowCount = 0;
  private network = NIL_NETWORK_ID;
  private readonly traverseOrders = new TraverseOrders();
  private readonly setKinds = new SetKinds();
  /** The key of the last insert and its node (-1: none yet). */
  private lastKey: ObjectRelation = { namespace: '', object: '', relation: '' };
  private lastKeyNode = -1;

  /** The network id whose object UUIDs order a traverse (the store's; Keto's tests' nil UUID until told). */
  get networkId(): string {
    return this.network;
  }

  set networkId(id: string) {
    if (id === this.network) return;
    this.network = id;
    this.traverseOrders.clear();
  }

  /** Stored rows (duplicates counted). */
  get rows(): number {
    return this.rowCount;
  }

  /** Adds one row (a second equal row when the tuple is already stored, as the store does). */
  insert(t: RelationTuple): void {
    const key = this.keyOf(t);
    const subject = this.internSubject(t.subject);
    if (!this.linked(key, subject)) this.reverse.append(subject, key);
    this.forward.append(key, subject);
    if ('set' in t.subject) {
      this.forwardSets.append(key, subject);
      this.traverseOrders.delete(key);
      this.countSetKinds(key, subject, 1);
    }
    this.rowCount++;
    this.countRows(this.nodes.namespaceId(key), 1);
  }

  /** Removes every row equal to `t`; returns how many there were. */
  delete(t: RelationTuple): number {
    const key = this.findKey(t);
    const subject = this.findSubject(t.subject);
    if (key < 0 || subject < 0) return 0;
    const removed = this.forward.removeAll(key, subject);
    if (removed === 0) return 0;
    if ('set' in t.subject) {
      this.forwardSets.removeAll(key, subject);
      this.traverseOrders.delete(key);
      this.countSetKinds(key, subject, -removed);
    }
    this.reverse.removeAll(subject, key);
    this.rowCount -= removed;
    this.countRows(this.nodes.namespaceId(key), -removed);
    return removed;
  }

  /** Rows stored under `namespace`. */
  rowsIn(namespace: string): number {
    const ns = this.nodes.strings.find(namespace);
    return ns < 0 || ns >= this.namespaceRows.length ? 0 : this.namespaceRows[ns]!;
  }

  /** Every namespace holding rows, with its row count. */
  namespaces(): { name: string; rows: number }[] {
    const out: { name: string; rows: number }[] = [];
    for (let ns = 0; ns < this.namespaceRows.length; ns++) {
      const rows = this.namespaceRows[ns]!;
      if (rows > 0) out.push({ name: this.nodes.strings.at(ns), rows });
    }
    return out;
  }

  /** Forgets every row of `namespace` (its strings and nodes stay interned). */
  dropNamespace(namespace: string): void {
    const ns = this.nodes.strings.find(namespace);
    if (this.rowsIn(namespace) === 0) return;
    for (let node = 0; node < this.nodes.size; node++) {
      if (this.nodes.namespaceId(node) !== ns) continue;
      for (let i = 0, n = this.forward.length(node); i < n; i++) this.reverse.removeAll(this.forward.valueAt(node, i), node);
      for (let i = 0, n = this.forwardSets.length(node); i < n; i++) this.countSetKinds(node, this.forwardSets.valueAt(node, i), -1);
      this.forward.clear(node);
      this.forwardSets.clear(node);
      this.traverseOrders.delete(node);
    }
    this.rowCount -= this.namespaceRows[ns]!;
    this.namespaceRows[ns] = 0;
  }

  /** Forgets every row. */
  clear(): void {
    for (const { name } of this.namespaces()) this.dropNamespace(name);
    this.compact();
  }

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): boolean[] {
    const out = new Array<boolean>(keys.length).fill(false);
    const s = this.findSubject(subject);
    if (s < 0) return out;
    for (let i = 0; i < keys.length; i++) {
      const key = this.findKey(keys[i]!);
      out[i] = key >= 0 && this.linked(key, s);
    }
    return out;
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): SubjectSet[][] {
    const out: SubjectSet[][] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = this.findKey(keys[i]!);
      const sets: SubjectSet[] = [];
      if (key >= 0) {
        for (let r = 0, n = Math.min(this.forwardSets.length(key), limit); r < n; r++) sets.push(this.setOf(this.forwardSets.valueAt(key, r)));
      }
      out[i] = sets;
    }
    return out;
  }

  orderedSubjectSets(keys: readonly ObjectRelation[]): OrderedSets[] {
    return keys.map((k) => {
      const key = this.findKey(k);
      if (key < 0) return { sets: [], traverse: [] };
      const sets = Array.from(this.forwardSets.list(key), (node) => this.setOf(node));
      return { sets, traverse: Array.from(this.traverseOrder(key)) };
    });
  }

  subjects(keys: readonly ObjectRelation[], limit: number): Subject[][] {
    return keys.map((key) => {
      const k = this.findKey(key);
      if (k < 0) return [];
      const out: Subject[] = [];
      for (let r = 0, n = Math.min(this.forward.length(k), limit); r < n; r++) out.push(this.subjectOf(this.forward.valueAt(k, r)));
      return out;
    });
  }

  interned(): InternedReads {
    return this;
  }

  setNode(namespace: string, object: string, relation: string): number {
    return this.nodes.findSet(namespace, object, relation);
  }

  checkNodes(t: RelationTuple, out: Int32Array): void {
    const s = t.subject;
    if ('set' in s) this.nodes.findPair(t.namespace, t.object, t.relation, s.set.namespace, s.set.object, s.set.relation, out);
    else this.nodes.findPair(t.namespace, t.object, t.relation, undefined, s.id, '', out);
  }

  /** The index never waits for a row. */
  readonly prefetching = false;

  direct(key: number, subject: number): number {
    return key >= 0 && subject >= 0 && this.linked(key, subject) ? 1 : 0;
  }

  /** Whether the pair (key, subject) is stored, scanning the shorter of the two lists. */
  linked(key: number, subject: number): boolean {
    return this.forward.length(key) <= this.reverse.length(subject)
      ? this.forward.contains(key, subject)
      : this.reverse.contains(subject, key);
  }

  holderCount(node: number): number {
    return this.reverse.length(node);
  }

  holderAt(node: number, i: number): number {
    return this.reverse.valueAt(node, i);
  }

  get setKindsVersion(): number {
    return this.setKinds.version;
  }

  setKindsUnder(namespace: string, relation: string): SubjectSetKind[] {
    const strings = this.nodes.strings;
    const ns = strings.find(namespace);
    const rel = strings.find(relation);
    if (ns < 0 || rel < 0) return [];
    return this.setKinds.under(ns, rel).map(([n, r]) => ({ namespace: strings.at(n), relation: strings.at(r) }));
  }

  subjectSetCount(key: number): number {
    return this.forwardSets.length(key);
  }

  subjectSetAt(key: number, i: number): number {
    return this.forwardSets.valueAt(key, i);
  }

  traverseCount(key: number): number {
    return this.forwardSets.length(key);
  }

  traverseAt(key: number, i: number): number {
    return this.forwardSets.valueAt(key, this.traverseOrder(key)[i]!);
  }

  namespaceOf(node: number): string {
    return this.nodes.namespace(node);
  }

  objectOf(node: number): string {
    return this.nodes.object(node);
  }

  relationOf(node: number): string {
    return this.nodes.relation(node);
  }

  keysOf(subjects: readonly Subject[], namespace?: string): ObjectRelation[][] {
    const ns = namespace === undefined ? -1 : this.nodes.strings.find(namespace);
    return subjects.map((subject) => {
      const s = this.findSubject(subject);
      if (s < 0 || (namespace !== undefined && ns < 0)) return [];
      const out: ObjectRelation[] = [];
      for (let r = 0, n = this.reverse.length(s); r < n; r++) {
        const key = this.reverse.valueAt(s, r);
        if (ns < 0 || this.nodes.namespaceId(key) === ns) out.push(this.setOf(key));
      }
      return out;
    });
  }

  objectsIn(namespace: string, range: OrderedRange): string[] {
    const ns = this.nodes.strings.find(namespace);
    if (ns < 0) return [];
    const first = new FirstInOrder(range);
    for (let node = 0; node < this.nodes.size; node++) {
      if (this.nodes.namespaceId(node) !== ns) continue;
      if (this.forward.length(node) > 0 || this.reverse.length(node) > 0) first.offer(this.nodes.object(node));
    }
    return first.sorted();
  }

  subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): Subject[] {
    const first = new FirstInOrder(range);
    if (kind === undefined) {
      for (let node = 0; node < this.nodes.size; node++) {
        if (this.nodes.isSubjectId(node) && this.reverse.length(node) > 0) first.offer(this.nodes.object(node));
      }
      return first.sorted().map((id) => ({ id }));
    }
    const ns = this.nodes.strings.find(kind.namespace);
    const relation = this.nodes.strings.find(kind.relation);
    if (ns < 0 || relation < 0) return [];
    for (let node = 0; node < this.nodes.size; node++) {
      if (this.nodes.namespaceId(node) === ns && this.nodes.relationId(node) === relation && this.reverse.length(node) > 0) first.offer(this.nodes.object(node));
    }
    return first.sorted().map((object) => ({ set: { namespace: kind.namespace, object, relation: kind.relation } }));
  }

  /** Bytes held by the typed arrays and the cached traverse orders, plus an estimate of the interned strings' heap. */
  estimatedBytes(): number {
    return (
      this.nodes.bytes() +
      this.forward.bytes() +
      this.forwardSets.bytes() +
      this.reverse.bytes() +
      this.namespaceRows.byteLength +
      this.traverseOrders.bytes()
    );
  }

  /** Repacks the arenas (they also repack by themselves once half their room is abandoned). */
  compact(): void {
    this.forward.compact();
    this.forwardSets.compact();
    this.reverse.compact();
  }

  /** Positions of `key`'s subject-set rows (in store order) in traverse order. */
  private traverseOrder(key: number): Int32Array {
    let order = this.traverseOrders.get(key);
    if (order === undefined) {
      const rows = Array.from(this.forwardSets.list(key), (node) => ({
        namespace: this.nodes.namespace(node),
        objectId: uuidV5(this.network, this.nodes.object(node)),
        relation: this.nodes.relation(node),
      }));
      order = Int32Array.from(traverseOrder(rows));
      this.traverseOrders.set(key, order);
    }
    return order;
  }

  private countSetKinds(key: number, set: number, delta: number): void {
    const nodes = this.nodes;
    this.setKinds.count(nodes.namespaceId(key), nodes.relationId(key), nodes.namespaceId(set), nodes.relationId(set), delta);
  }

  private countRows(ns: number, delta: number): void {
    if (ns >= this.namespaceRows.length) {
      const grown = new Float64Array(Math.max(ns + 1, this.namespaceRows.length * 2));
      grown.set(this.namespaceRows);
      this.namespaceRows = grown;
    }
    this.namespaceRows[ns] = this.namespaceRows[ns]! + delta;
  }

  /**
   * The node of `t`'s key, interned. The last key inserted is kept: rows of one key tend to
   * arrive together (one write's tuples, a group's members), and nodes are never removed.
   */
  private keyOf(t: ObjectRelation): number {
    const last = this.lastKey;
    if (this.lastKeyNode >= 0 && t.object === last.object && t.namespace === last.namespace && t.relation === last.relation) return this.lastKeyNode;
    this.lastKeyNode = this.nodes.internSet(t.namespace, t.object, t.relation);
    this.lastKey = t;
    return this.lastKeyNode;
  }

  private findKey(k: ObjectRelation): number {
    return this.nodes.findSet(k.namespace, k.object, k.relation);
  }

  private findSubject(s: Subject): number {
    return 'set' in s ? this.nodes.findSet(s.set.namespace, s.set.object, s.set.relation) : this.nodes.findId(s.id);
  }

  private internSubject(s: Subject): number {
    return 'set' in s ? this.nodes.internSet(s.set.namespace, s.set.object, s.set.relation) : this.nodes.internId(s.id);
  }

  private subjectOf(node: number): Subject {
    return this.nodes.isSubjectId(node) ? { id: this.nodes.object(node) } : { set: this.setOf(node) };
  }

  private setOf(node: number): SubjectSet {
    return { namespace: this.nodes.namespace(node), object: this.nodes.object(node), relation: this.nodes.relation(node) };
  }
}
