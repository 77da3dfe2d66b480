/**
 * Interns strings to dense integer ids (0, 1, 2, …) with open addressing over typed
 * arrays: per string, one array slot for the string itself, its 32-bit hash and two
 * table slots, and no Map entry. Ids are never reused.
 */
export class StringTable {
  private readonly strings: string[] = [];
  private hashes = new Int32Array(1024);
  /** Slot → id + 1; 0 marks an empty slot. Its length is a power of two. */
  private slots = new Int32Array(2048);
  private chars = 0;

  /** The id of `s`, or -1 when it was never interned. */
  find(s: string): number {
    const h = hashOf(s);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      if (this.hashes[v - 1] === h && this.strings[v - 1] === s) return v - 1;
    }
  }

  intern(s: string): number {
    const h = hashOf(s);
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v === 0) break;
      if (this.hashes[v - 1] === h && this.strings[v - 1] === s) return v - 1;
    }
    const id = this.strings.length;
    this.strings.push(s);
    this.chars += s.length;
    if (id === this.hashes.length) {
      const hashes = new Int32Array(Math.ceil(id * 1.5));
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[id] = h;
    this.slots[i] = id + 1;
    if (this.strings.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  at(id: number): string {
    return this.strings[id]!;
  }

  get size(): number {
    return this.strings.length;
  }

  /** Typed arrays plus an estimate of the strings on the V8 heap (header, two bytes a character, array slot). */
  estimatedBytes(): number {
    return this.hashes.byteLength + this.slots.byteLength + this.strings.length * (16 + 8) + this.chars * 2;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.strings.length; id++) {
      let i = this.hashes[id]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over UTF-16 code units. */
function hashOf(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
