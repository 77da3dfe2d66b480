import { StringTable } from './string-table.js';

/** The `namespace` column of a node that stands for a subject id. */
export const SUBJECT_ID = -1;

/**
 * Interns nodes to dense ids: every `namespace:object#relation` (a tuple's left-hand
 * side, or a subject set) and every subject id. A node keeps the string ids of its parts
 * (strings are interned once in a shared StringTable), and the node table is addressed
 * by a hash of the strings themselves, so a lookup by strings costs one probe and a
 * compare, not one probe per part. Open addressing over typed arrays: no V8 object per
 * node. Node ids are never reused.
 */
export class NodeTable {
  readonly strings = new StringTable();
  /** Per node, side by side so that one lookup touches one cache line: hash, namespace, object, relation. */
  private rec = new Int32Array(4 * 1024);
  /** Slot → node id + 1; 0 marks an empty slot. Its length is a power of two. */
  private slots = new Int32Array(2048);
  private count = 0;

  get size(): number {
    return this.count;
  }

  isSubjectId(node: number): boolean {
    return this.rec[4 * node + 1] === SUBJECT_ID;
  }
  namespace(node: number): string {
    return this.strings.at(this.rec[4 * node + 1]!);
  }
  namespaceId(node: number): number {
    return this.rec[4 * node + 1]!;
  }
  object(node: number): string {
    return this.strings.at(this.rec[4 * node + 2]!);
  }
  relation(node: number): string {
    return this.strings.at(this.rec[4 * node + 3]!);
  }
  relationId(node: number): number {
    return this.rec[4 * node + 3]!;
  }

  /** The node of `namespace:object#relation`, or -1. */
  findSet(namespace: string, object: string, relation: string): number {
    return this.findHashedSet(hashSet(namespace, object, relation), namespace, object, relation);
  }

  private findHashedSet(h: number, namespace: string, object: string, relation: string): number {
    const mask = this.slots.length - 1;
    const strings = this.strings;
    const rec = this.rec;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const r = 4 * (s - 1);
      if (
        rec[r] === h &&
        rec[r + 1] !== SUBJECT_ID &&
        strings.at(rec[r + 2]!) === object &&
        strings.at(rec[r + 3]!) === relation &&
        strings.at(rec[r + 1]!) === namespace
      ) {
        return s - 1;
      }
    }
  }

  /** The node of subject id `id`, or -1. */
  findId(id: string): number {
    const h = hashId(id);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const r = 4 * (s - 1);
      if (this.rec[r] === h && this.rec[r + 1] === SUBJECT_ID && this.strings.at(this.rec[r + 2]!) === id) return s - 1;
    }
  }

  internSet(namespace: string, object: string, relation: string): number {
    const h = hashSet(namespace, object, relation);
    const found = this.findHashedSet(h, namespace, object, relation);
    if (found >= 0) return found;
    const s = this.strings;
    return this.add(s.intern(namespace), s.intern(object), s.intern(relation), h);
  }

  internId(id: string): number {
    const found = this.findId(id);
    return found >= 0 ? found : this.add(SUBJECT_ID, this.strings.intern(id), SUBJECT_ID, hashId(id));
  }

  bytes(): number {
    return this.rec.byteLength + this.slots.byteLength + this.strings.estimatedBytes();
  }

  private add(ns: number, obj: number, rel: number, h: number): number {
    const node = this.count++;
    if (4 * node === this.rec.length) {
      const rec = new Int32Array(4 * Math.ceil(node * 1.5));
      rec.set(this.rec);
      this.rec = rec;
    }
    const r = 4 * node;
    this.rec[r] = h;
    this.rec[r + 1] = ns;
    this.rec[r + 2] = obj;
    this.rec[r + 3] = rel;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(node);
    return node;
  }

  private place(node: number): void {
    const mask = this.slots.length - 1;
    let i = this.rec[4 * node]! & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = node + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let n = 0; n < this.count; n++) this.place(n);
  }
}

/** FNV-1a over the three parts with a separator that no part can forge (a lone 0x10000). */
function hashSet(namespace: string, object: string, relation: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < namespace.length; i++) h = Math.imul(h ^ namespace.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x10000, 0x01000193);
  for (let i = 0; i < object.length; i++) h = Math.imul(h ^ object.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x10000, 0x01000193);
  for (let i = 0; i < relation.length; i++) h = Math.imul(h ^ relation.charCodeAt(i), 0x01000193);
  return finish(h);
}

function hashId(id: string): number {
  let h = 0x2545f491 | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** Spreads FNV's weak low bits, which pick the slot. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
