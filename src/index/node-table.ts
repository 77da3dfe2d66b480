import type { BlockDirectory } from './block-arena.js';
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
 *
 * A node's record also holds the places of its lists in the index's arenas (it is their
 * directory): a check that finds a node by name reads where its lists are from the same
 * record.
 */
export class NodeTable implements BlockDirectory {
  readonly strings = new StringTable();
  /** Int32s per node: hash, namespace, object, relation, then (start, length) of each list. */
  readonly stride: number;
  /** Per node, side by side: see `stride`. */
  private rec: Int32Array;
  /**
   * Slot → node id + 1 in the low `shift` bits, and above them as many more bits of the
   * node's hash as fit (a tag): a probe passes over another node's slot without reading that
   * node's record, a fetch from memory. 0 marks an empty slot. Its length is `2 ** shift`,
   * at least twice the node count, so that an id + 1 fits below the tag.
   */
  private slots = new Int32Array(2048);
  private shift = 11;
  private count = 0;

  /** `lists`: how many arenas keep their directory in the records. */
  constructor(lists = 0) {
    this.stride = NAME_COLUMNS + 2 * lists;
    this.rec = new Int32Array(this.stride * 1024);
  }

  get size(): number {
    return this.count;
  }

  /** The first of the two columns of list `i` (for an arena's directory). */
  listColumn(i: number): number {
    return NAME_COLUMNS + 2 * i;
  }

  get table(): Int32Array {
    return this.rec;
  }

  reserve(rows: number): void {
    if (rows * this.stride > this.rec.length) this.grow(rows);
  }

  isSubjectId(node: number): boolean {
    return this.rec[this.stride * node + 1] === SUBJECT_ID;
  }
  namespace(node: number): string {
    return this.strings.at(this.rec[this.stride * node + 1]!);
  }
  namespaceId(node: number): number {
    return this.rec[this.stride * node + 1]!;
  }
  object(node: number): string {
    return this.strings.at(this.rec[this.stride * node + 2]!);
  }
  relation(node: number): string {
    return this.strings.at(this.rec[this.stride * node + 3]!);
  }
  relationId(node: number): number {
    return this.rec[this.stride * node + 3]!;
  }

  /** The node of `namespace:object#relation`, or -1. */
  findSet(namespace: string, object: string, relation: string): number {
    return this.findHashed(hashSet(namespace, object, relation), namespace, object, relation);
  }

  /** The node of subject id `id`, or -1. */
  findId(id: string): number {
    return this.findHashed(hashId(id), undefined, id, '');
  }

  /**
   * `findSet(namespace, object, relation)` into `out[0]`, and into `out[1]` the node of subject
   * id `subjectObject` (`subjectNamespace` undefined) or of the set `subjectNamespace:subjectObject#subjectRelation`.
   * The two lookups go step by step side by side — first slots, records, object strings —
   * so that each step's two fetches from memory overlap; a first candidate that is not the
   * node (a tag shared by chance) leaves the lookup to the whole probe.
   */
  findPair(namespace: string, object: string, relation: string, subjectNamespace: string | undefined, subjectObject: string, subjectRelation: string, out: Int32Array): void {
    const h = hashSet(namespace, object, relation);
    const subjectHash = subjectNamespace === undefined ? hashId(subjectObject) : hashSet(subjectNamespace, subjectObject, subjectRelation);
    const key = this.nodeIn(this.taggedSlot(h, h));
    const subject = this.nodeIn(this.taggedSlot(subjectHash, subjectHash));
    const keyObject = this.objectOrEmpty(key);
    const subjectName = this.objectOrEmpty(subject);
    out[0] = key >= 0 && keyObject === object && this.isNamed(key, h, namespace, relation) ? key : this.findHashed(h, namespace, object, relation);
    out[1] =
      subject >= 0 && subjectName === subjectObject && this.isNamed(subject, subjectHash, subjectNamespace, subjectRelation)
        ? subject
        : this.findHashed(subjectHash, subjectNamespace, subjectObject, subjectRelation);
  }

  /**
   * The first slot from slot `from` (taken modulo the slots' length) along the probe path of
   * hash `h` whose tag is `h`'s, or -1 once an empty slot ends the path.
   */
  private taggedSlot(h: number, from: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const shift = this.shift;
    const tag = h >>> shift;
    for (let i = from & mask, s = slots[i]!; s !== 0; i = (i + 1) & mask, s = slots[i]!) if (s >>> shift === tag) return i;
    return -1;
  }

  /** The node held by slot `slot`, or -1 for no slot. */
  private nodeIn(slot: number): number {
    return slot < 0 ? -1 : (this.slots[slot]! & (this.slots.length - 1)) - 1;
  }

  private objectOrEmpty(node: number): string {
    return node < 0 ? '' : this.strings.at(this.rec[this.stride * node + 2]!);
  }

  /**
   * Whether `node`, whose object is known to match, is the node of hash `h` named by
   * `namespace` and `relation`: a set, or a subject id when `namespace` is undefined.
   */
  private isNamed(node: number, h: number, namespace: string | undefined, relation: string): boolean {
    const r = this.stride * node;
    const rec = this.rec;
    if (rec[r] !== h) return false;
    if (namespace === undefined) return rec[r + 1] === SUBJECT_ID;
    return rec[r + 1] !== SUBJECT_ID && this.strings.at(rec[r + 3]!) === relation && this.strings.at(rec[r + 1]!) === namespace;
  }

  /** The node of hash `h` named `namespace:object#relation`, or subject id `object` when `namespace` is undefined; or -1. */
  private findHashed(h: number, namespace: string | undefined, object: string, relation: string): number {
    for (let slot = this.taggedSlot(h, h); slot >= 0; slot = this.taggedSlot(h, slot + 1)) {
      const node = this.nodeIn(slot);
      if (this.objectOrEmpty(node) === object && this.isNamed(node, h, namespace, relation)) return node;
    }
    return -1;
  }

  internSet(namespace: string, object: string, relation: string): number {
    const h = hashSet(namespace, object, relation);
    const found = this.findHashed(h, namespace, object, relation);
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
    if (this.stride * node === this.rec.length) this.grow(node + 1);
    const r = this.stride * node;
    this.rec[r] = h;
    this.rec[r + 1] = ns;
    this.rec[r + 2] = obj;
    this.rec[r + 3] = rel;
    if (this.count * 2 > this.slots.length) this.rehash();
    else this.place(node);
    return node;
  }

  private grow(rows: number): void {
    const rec = new Int32Array(this.stride * Math.max(rows, Math.ceil((this.rec.length / this.stride) * 1.5)));
    rec.set(this.rec);
    this.rec = rec;
  }

  private place(node: number): void {
    const mask = this.slots.length - 1;
    const h = this.rec[this.stride * node]!;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = ((h >>> this.shift) << this.shift) | (node + 1);
  }

  /** Doubles the slots (placing every node again), keeping them at most half full. */
  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    this.shift++;
    for (let n = 0; n < this.count; n++) this.place(n);
  }
}

/** hash, namespace, object, relation. */
const NAME_COLUMNS = 4;

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
