import type { TupleSource } from '../engine/source.js';
import type { ObjectRelation, RelationTuple, Subject, SubjectSet } from '../tuple.js';
import { BlockArena } from './block-arena.js';
import { StringTable } from './string-table.js';
import { TripleTable } from './triple-table.js';

/** Marks a node that stands for a subject id rather than an `ns:obj#rel` triple. */
const SUBJECT_ID = -1;

/**
 * The tuples of the loaded namespaces, in memory, answering the engine's TupleSource
 * synchronously.
 *
 * Every `namespace:object#relation` (a tuple's left-hand side or a subject set) and
 * every subject id is a node with a dense integer id. Three arenas of int32 lists hold
 * the edges:
 *  - forward, subject ids:  key node → subject-id nodes, one entry per stored row;
 *  - forward, subject sets: key node → subject-set nodes, one entry per stored row;
 *  - reverse: subject node → key nodes, one entry per distinct (key, subject) pair.
 *
 * Rows are kept as the store keeps them: writing a tuple twice stores two rows, and
 * deleting it removes every matching row (Keto deletes all rows matching a tuple).
 *
 * Order: each forward row carries a sort key; a key's rows are listed by ascending sort
 * key, ties in arrival order. The loader passes the store's own ordering column
 * (see order-key.ts) so that listings, and therefore width-limit truncation, follow the
 * SQL store's order exactly; without one, rows are listed in arrival order.
 */
export class TupleIndex implements TupleSource {
  private readonly strings = new StringTable();
  private readonly nodes = new TripleTable();
  private readonly idRows = new BlockArena(true);
  private readonly setRows = new BlockArena(true);
  private readonly reverse = new BlockArena(false);
  private readonly rowsPerNamespace = new Map<number, number>();
  private arrivals = 0;
  private rowCount = 0;

  /** Stored rows (duplicates counted). */
  get rows(): number {
    return this.rowCount;
  }

  /** Adds one row; `sortKey` places it among the rows of its key (arrival order when omitted). */
  insert(t: RelationTuple, sortKey = this.arrivals): void {
    this.arrivals++;
    const ns = this.strings.intern(t.namespace);
    const key = this.nodes.intern(ns, this.strings.intern(t.object), this.strings.intern(t.relation));
    const subject = this.internSubject(t.subject);
    const rows = 'id' in t.subject ? this.idRows : this.setRows;
    if (!this.linked(rows, key, subject)) this.reverse.append(subject, key);
    rows.insert(key, subject, sortKey);
    this.rowCount++;
    this.rowsPerNamespace.set(ns, (this.rowsPerNamespace.get(ns) ?? 0) + 1);
  }

  /** Removes every row equal to `t`; returns how many there were. */
  delete(t: RelationTuple): number {
    const key = this.findKey(t);
    const subject = this.findSubject(t.subject);
    if (key < 0 || subject < 0) return 0;
    const removed = ('id' in t.subject ? this.idRows : this.setRows).removeAll(key, subject);
    if (removed === 0) return 0;
    this.reverse.removeAll(subject, key);
    this.rowCount -= removed;
    const ns = this.nodes.first(key);
    this.rowsPerNamespace.set(ns, this.rowsPerNamespace.get(ns)! - removed);
    return removed;
  }

  /** Rows stored under `namespace`. */
  rowsIn(namespace: string): number {
    return this.rowsPerNamespace.get(this.strings.find(namespace)) ?? 0;
  }

  /** Forgets every row of `namespace` (its strings stay interned). */
  dropNamespace(namespace: string): void {
    const ns = this.strings.find(namespace);
    if (ns < 0 || !this.rowsPerNamespace.get(ns)) return;
    for (let node = 0; node < this.nodes.size; node++) {
      if (this.nodes.first(node) !== ns) continue;
      for (const rows of [this.idRows, this.setRows]) {
        const start = rows.start(node);
        for (let i = start, end = start + rows.length(node); i < end; i++) {
          this.reverse.removeAll(rows.values[i]!, node);
        }
        rows.clear(node);
      }
    }
    this.rowCount -= this.rowsPerNamespace.get(ns)!;
    this.rowsPerNamespace.set(ns, 0);
  }

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): boolean[] {
    const out = new Array<boolean>(keys.length).fill(false);
    const s = this.findSubject(subject);
    if (s < 0) return out;
    const rows = 'id' in subject ? this.idRows : this.setRows;
    for (let i = 0; i < keys.length; i++) {
      const key = this.findKey(keys[i]!);
      out[i] = key >= 0 && this.linked(rows, key, s);
    }
    return out;
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): SubjectSet[][] {
    const out: SubjectSet[][] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = this.findKey(keys[i]!);
      const sets: SubjectSet[] = [];
      if (key >= 0) {
        const start = this.setRows.start(key);
        const end = start + Math.min(this.setRows.length(key), limit);
        for (let r = start; r < end; r++) sets.push(this.setOf(this.setRows.values[r]!));
      }
      out[i] = sets;
    }
    return out;
  }

  subjects(key: ObjectRelation, limit: number): Subject[] {
    const k = this.findKey(key);
    if (k < 0) return [];
    const ids = this.idRows;
    const sets = this.setRows;
    let i = ids.start(k);
    const iEnd = i + ids.length(k);
    let s = sets.start(k);
    const sEnd = s + sets.length(k);
    const out: Subject[] = [];
    while (out.length < limit && (i < iEnd || s < sEnd)) {
      if (s >= sEnd || (i < iEnd && ids.keys![i]! <= sets.keys![s]!)) {
        out.push({ id: this.strings.at(this.nodes.second(ids.values[i++]!)) });
      } else {
        out.push({ set: this.setOf(sets.values[s++]!) });
      }
    }
    return out;
  }

  /** Every `ns:obj#rel` on which `subject` is stored directly (reverse adjacency), in no particular order. */
  keysHolding(subject: Subject): ObjectRelation[] {
    const s = this.findSubject(subject);
    if (s < 0) return [];
    const start = this.reverse.start(s);
    const out: ObjectRelation[] = [];
    for (let r = start, end = start + this.reverse.length(s); r < end; r++) out.push(this.setOf(this.reverse.values[r]!));
    return out;
  }

  /** Bytes held by the typed arrays plus an estimate of the interned strings' heap. */
  estimatedBytes(): number {
    return (
      this.strings.estimatedBytes() +
      this.nodes.bytes() +
      this.idRows.bytes() +
      this.setRows.bytes() +
      this.reverse.bytes()
    );
  }

  /** Repacks the arenas (they also repack by themselves once half their room is abandoned). */
  compact(): void {
    this.idRows.compact();
    this.setRows.compact();
    this.reverse.compact();
  }

  /** Whether the pair (key, subject) is stored, scanning the shorter of the two lists. */
  private linked(rows: BlockArena, key: number, subject: number): boolean {
    return rows.length(key) <= this.reverse.length(subject)
      ? rows.contains(key, subject)
      : this.reverse.contains(subject, key);
  }

  private findKey(k: ObjectRelation): number {
    const ns = this.strings.find(k.namespace);
    if (ns < 0) return -1;
    const obj = this.strings.find(k.object);
    if (obj < 0) return -1;
    const rel = this.strings.find(k.relation);
    if (rel < 0) return -1;
    return this.nodes.find(ns, obj, rel);
  }

  private findSubject(s: Subject): number {
    if ('set' in s) return this.findKey(s.set);
    const id = this.strings.find(s.id);
    return id < 0 ? -1 : this.nodes.find(SUBJECT_ID, id, SUBJECT_ID);
  }

  private internSubject(s: Subject): number {
    if ('set' in s) {
      const { namespace, object, relation } = s.set;
      return this.nodes.intern(this.strings.intern(namespace), this.strings.intern(object), this.strings.intern(relation));
    }
    return this.nodes.intern(SUBJECT_ID, this.strings.intern(s.id), SUBJECT_ID);
  }

  private setOf(node: number): SubjectSet {
    return {
      namespace: this.strings.at(this.nodes.first(node)),
      object: this.strings.at(this.nodes.second(node)),
      relation: this.strings.at(this.nodes.third(node)),
    };
  }
}
