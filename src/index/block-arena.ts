/**
 * Many small growable int32 lists ("blocks", addressed by a dense block id) packed
 * into one shared Int32Array, each entry optionally paired with a float64 sort key
 * in a parallel Float64Array. A block that outgrows its room moves to the end of the
 * arena with twice the capacity; the room it leaves is reclaimed by compact(), which
 * runs by itself once the abandoned room exceeds the live entries.
 *
 * Keeping every list in a few typed arrays keeps the V8 heap (and so GC pauses) small:
 * the garbage collector sees a handful of ArrayBuffers, not millions of objects.
 */
export class BlockArena {
  /** Entry values; block `k` holds `values[off(k) .. off(k) + len(k))`. */
  values: Int32Array;
  /** Sort keys parallel to `values` (ordered arenas only); each block ascending. */
  keys: Float64Array | null;
  private off = new Int32Array(1024);
  private len = new Int32Array(1024);
  private cap = new Int32Array(1024);
  private top = 0;
  private live = 0;
  private abandoned = 0;

  constructor(readonly ordered: boolean, initialEntries = 4096) {
    this.values = new Int32Array(initialEntries);
    this.keys = ordered ? new Float64Array(initialEntries) : null;
  }

  start(block: number): number {
    return block < this.off.length ? this.off[block]! : 0;
  }

  length(block: number): number {
    return block < this.len.length ? this.len[block]! : 0;
  }

  /** Whether `value` is in the block. */
  contains(block: number, value: number): boolean {
    const n = this.length(block);
    if (n === 0) return false;
    const v = this.values;
    for (let i = this.off[block]!, end = i + n; i < end; i++) if (v[i] === value) return true;
    return false;
  }

  /** Appends `value` (unordered arenas). */
  append(block: number, value: number): void {
    const at = this.makeRoom(block);
    this.values[at] = value;
  }

  /** Inserts `value` after every entry whose key is ≤ `key` (ordered arenas). */
  insert(block: number, value: number, key: number): void {
    const end = this.makeRoom(block);
    const start = this.off[block]!;
    const keys = this.keys!;
    const values = this.values;
    let lo = start;
    let hi = end;
    if (end > start && keys[end - 1]! > key) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! <= key) lo = mid + 1;
        else hi = mid;
      }
      values.copyWithin(lo + 1, lo, end);
      keys.copyWithin(lo + 1, lo, end);
    } else lo = end;
    values[lo] = value;
    keys[lo] = key;
  }

  /** Removes every entry equal to `value`, keeping the others' order; returns how many went. */
  removeAll(block: number, value: number): number {
    const n = this.length(block);
    if (n === 0) return 0;
    const start = this.off[block]!;
    const values = this.values;
    const keys = this.keys;
    let w = start;
    for (let r = start, end = start + n; r < end; r++) {
      const v = values[r]!;
      if (v === value) continue;
      if (w !== r) {
        values[w] = v;
        if (keys) keys[w] = keys[r]!;
      }
      w++;
    }
    const removed = start + n - w;
    this.len[block] = n - removed;
    this.live -= removed;
    return removed;
  }

  /** Keeps only the entries for which `keep(value)` holds. */
  filter(block: number, keep: (value: number) => boolean): void {
    const n = this.length(block);
    const start = this.off[block]!;
    const values = this.values;
    const keys = this.keys;
    let w = start;
    for (let r = start; r < start + n; r++) {
      if (!keep(values[r]!)) continue;
      values[w] = values[r]!;
      if (keys) keys[w] = keys[r]!;
      w++;
    }
    this.len[block] = w - start;
    this.live -= start + n - w;
  }

  clear(block: number): void {
    const n = this.length(block);
    this.live -= n;
    if (n > 0) this.len[block] = 0;
  }

  /** Entries held, and entries' room abandoned by moved blocks. */
  stats(): { live: number; abandoned: number } {
    return { live: this.live, abandoned: this.abandoned };
  }

  bytes(): number {
    return this.values.byteLength + (this.keys?.byteLength ?? 0) + this.off.byteLength * 3;
  }

  /** Repacks every block tightly, in block order, dropping the abandoned room. */
  compact(): void {
    const blocks = this.off.length;
    let room = 0;
    for (let b = 0; b < blocks; b++) room += this.len[b]!;
    const size = Math.max(4096, Math.ceil(room * 1.25));
    const values = new Int32Array(size);
    const keys = this.keys ? new Float64Array(size) : null;
    let at = 0;
    for (let b = 0; b < blocks; b++) {
      const n = this.len[b]!;
      const from = this.off[b]!;
      if (n > 0) {
        values.set(this.values.subarray(from, from + n), at);
        if (keys) keys.set(this.keys!.subarray(from, from + n), at);
      }
      this.off[b] = at;
      this.cap[b] = n;
      at += n;
    }
    this.values = values;
    this.keys = keys;
    this.top = at;
    this.abandoned = 0;
  }

  /** Ensures room for one more entry in `block`, grows its length, returns the new entry's position. */
  private makeRoom(block: number): number {
    if (block >= this.off.length) this.growDirectory(block + 1);
    const n = this.len[block]!;
    const c = this.cap[block]!;
    if (n === c) {
      const start = this.off[block]!;
      const wanted = c === 0 ? 1 : c * 2;
      if (c > 0 && start + c === this.top) {
        this.reserve(this.top + wanted - c);
        this.top += wanted - c;
      } else {
        this.reserve(this.top + wanted);
        this.values.copyWithin(this.top, start, start + n);
        this.keys?.copyWithin(this.top, start, start + n);
        this.off[block] = this.top;
        this.top += wanted;
        this.abandoned += c;
      }
      this.cap[block] = wanted;
    }
    this.len[block] = n + 1;
    this.live++;
    if (this.abandoned > this.live + 65536) {
      this.compact();
      return this.makeRoomAfterCompaction(block);
    }
    return this.off[block]! + n;
  }

  private makeRoomAfterCompaction(block: number): number {
    // compact() fitted the block exactly around its new (still unwritten) last entry.
    return this.off[block]! + this.len[block]! - 1;
  }

  private reserve(entries: number): void {
    if (entries <= this.values.length) return;
    const size = Math.max(entries, Math.ceil(this.values.length * 1.5));
    const values = new Int32Array(size);
    values.set(this.values.subarray(0, this.top));
    this.values = values;
    if (this.keys) {
      const keys = new Float64Array(size);
      keys.set(this.keys.subarray(0, this.top));
      this.keys = keys;
    }
  }

  private growDirectory(min: number): void {
    let size = this.off.length;
    while (size < min) size *= 2;
    const widen = (a: Int32Array) => {
      const next = new Int32Array(size);
      next.set(a);
      return next;
    };
    this.off = widen(this.off);
    this.len = widen(this.len);
    this.cap = widen(this.cap);
  }
}
