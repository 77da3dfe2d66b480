/**
 * Interns triples of int32 (here: namespace, object, relation string ids) to dense
 * node ids with open addressing over typed arrays, so a million nodes cost a few
 * typed arrays and no V8 objects. Node ids are never reused.
 */
export class TripleTable {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private c = new Int32Array(1024);
  /** Slot → node id + 1; 0 marks an empty slot. Its length is a power of two. */
  private slots = new Int32Array(2048);
  private count = 0;

  get size(): number {
    return this.count;
  }

  first(node: number): number {
    return this.a[node]!;
  }
  second(node: number): number {
    return this.b[node]!;
  }
  third(node: number): number {
    return this.c[node]!;
  }

  /** The node id of (x, y, z), or -1 when it was never interned. */
  find(x: number, y: number, z: number): number {
    const mask = this.slots.length - 1;
    for (let i = hash(x, y, z) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const n = s - 1;
      if (this.b[n] === y && this.a[n] === x && this.c[n] === z) return n;
    }
  }

  intern(x: number, y: number, z: number): number {
    const found = this.find(x, y, z);
    if (found >= 0) return found;
    const node = this.count++;
    if (node === this.a.length) {
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.c = grow(this.c);
    }
    this.a[node] = x;
    this.b[node] = y;
    this.c[node] = z;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(node);
    return node;
  }

  bytes(): number {
    return this.a.byteLength * 3 + this.slots.byteLength;
  }

  private place(node: number): void {
    const mask = this.slots.length - 1;
    let i = hash(this.a[node]!, this.b[node]!, this.c[node]!) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = node + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let n = 0; n < this.count; n++) this.place(n);
  }
}

function hash(x: number, y: number, z: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ y, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ z, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

function grow(arr: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(arr.length * 2);
  next.set(arr);
  return next;
}
