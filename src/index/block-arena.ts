/**
 * Where an arena keeps each block's (start, length): two adjacent columns of a table with
 * one row per block, which other columns may share (the index keeps them in its node
 * records, so that a node's name and all its lists' places are read together).
 */
export interface BlockDirectory {
  /** Rows side by side, `stride` int32s each; replaced by a larger table as it grows. */
  readonly table: Int32Array;
  readonly stride: number;
  /** Makes sure rows 0 … `rows - 1` exist (new rows are zero: empty blocks). */
  reserve(rows: number): void;
}

/** The directory of an arena that shares none. */
class OwnDirectory implements BlockDirectory {
  table = new Int32Array(2 * 1024);
  readonly stride = 2;

  reserve(rows: number): void {
    if (2 * rows <= this.table.length) return;
    const table = new Int32Array(2 * Math.max(rows, Math.ceil((this.table.length / 2) * 1.5)));
    table.set(this.table);
    this.table = table;
  }
}

/**
 * Many small growable int32 lists ("blocks", addressed by a dense block id) packed
 * into one shared Int32Array. A block of one entry keeps it in the directory, in place
 * of its start: most nodes hold one edge (a user in one group, a group in one parent), and
 * reading such a node's record then reads its edge too, with no second fetch from memory.
 * A longer block's room is the size class at or above its length (2, 3, 4, 6, 8, 12, 16,
 * 24, …), so the directory holds only (start or entry, length) per block. A block that
 * outgrows its room moves to the end of the arena into the next class; compact() reclaims
 * the room left behind, and runs by itself once the arena is more than three times its
 * live entries.
 *
 * Keeping every list in a few typed arrays keeps the V8 heap (and so GC pauses) small:
 * the garbage collector sees a handful of ArrayBuffers, not millions of objects.
 */
export class BlockArena {
  /** Entries of blocks longer than one; block `k` holds `values[start .. start + length(k))`. */
  private values: Int32Array;
  private top = 0;
  /** Entries held in `values` (a one-entry block holds none there). */
  private live = 0;
  private compactions = 0;

  /** `directory`: where (start or entry, length) go, at `column` and `column + 1` of each block's row. */
  constructor(
    initialEntries = 4096,
    private readonly directory: BlockDirectory = new OwnDirectory(),
    private readonly column = 0,
  ) {
    this.values = new Int32Array(initialEntries);
  }

  /** The position of block `block`'s start (or entry) in the directory's table (its length follows). */
  private row(block: number): number {
    return block * this.directory.stride + this.column;
  }

  length(block: number): number {
    const at = this.row(block) + 1;
    const table = this.directory.table;
    return at < table.length ? table[at]! : 0;
  }

  /** Entry `i` (below `length(block)`) of the block. */
  valueAt(block: number, i: number): number {
    const at = this.row(block);
    const table = this.directory.table;
    return table[at + 1] === 1 ? table[at]! : this.values[table[at]! + i]!;
  }

  /** The block's entries, copied. */
  list(block: number): Int32Array {
    const n = this.length(block);
    const at = this.row(block);
    if (n <= 1) return n === 0 ? new Int32Array(0) : Int32Array.of(this.directory.table[at]!);
    const start = this.directory.table[at]!;
    return this.values.slice(start, start + n);
  }

  /** Whether `value` is in the block. */
  contains(block: number, value: number): boolean {
    const n = this.length(block);
    if (n === 0) return false;
    const start = this.directory.table[this.row(block)]!;
    if (n === 1) return start === value;
    const v = this.values;
    for (let i = start, end = start + n; i < end; i++) if (v[i] === value) return true;
    return false;
  }

  /** Appends `value` to the block. */
  append(block: number, value: number): void {
    this.directory.reserve(block + 1);
    const at = this.row(block);
    const table = this.directory.table;
    const n = table[at + 1]!;
    if (n === 0) table[at] = value;
    else {
      const position = this.makeRoom(at, n);
      this.values[position] = value;
    }
    table[at + 1] = n + 1;
  }

  /** Removes every entry equal to `value`, keeping the others' order; returns how many went. */
  removeAll(block: number, value: number): number {
    return this.filter(block, (v) => v !== value);
  }

  /** Keeps only the entries for which `keep(value)` holds, in order; returns how many went. */
  filter(block: number, keep: (value: number) => boolean): number {
    const n = this.length(block);
    if (n === 0) return 0;
    const table = this.directory.table;
    const at = this.row(block);
    const start = table[at]!;
    if (n === 1) {
      if (keep(start)) return 0;
      table[at + 1] = 0;
      return 1;
    }
    const values = this.values;
    let w = start;
    for (let r = start, end = start + n; r < end; r++) {
      const v = values[r]!;
      if (keep(v)) values[w++] = v;
    }
    const left = w - start;
    this.live -= left === 1 ? n : n - left;
    if (left === 1) table[at] = values[start]!;
    table[at + 1] = left;
    return n - left;
  }

  clear(block: number): void {
    const n = this.length(block);
    if (n > 1) this.live -= n;
    if (n > 0) this.directory.table[this.row(block) + 1] = 0;
  }

  /** Entries held in the arena (not in the directory), arena positions in use (held, spare or abandoned), and repacks so far. */
  stats(): { live: number; used: number; compactions: number } {
    return { live: this.live, used: this.top, compactions: this.compactions };
  }

  /** The entries' bytes, and the directory's when the arena shares it with no one. */
  bytes(): number {
    return this.values.byteLength + (this.directory instanceof OwnDirectory ? this.directory.table.byteLength : 0);
  }

  /** Repacks every block longer than one into its size class, in block order, dropping abandoned room. */
  compact(): void {
    const { table, stride } = this.directory;
    let room = 0;
    for (let r = this.column; r < table.length; r += stride) room += roomFor(table[r + 1]!);
    const values = new Int32Array(room + 4096);
    let at = 0;
    for (let r = this.column; r < table.length; r += stride) {
      const n = table[r + 1]!;
      if (n < 2) continue;
      const from = table[r]!;
      values.set(this.values.subarray(from, from + n), at);
      table[r] = at;
      at += roomFor(n);
    }
    this.values = values;
    this.top = at;
    this.compactions++;
  }

  /**
   * Grows the block whose row is at `at`, holding `n` ≥ 1 entries, by one entry (moving it
   * out of the directory or to a larger room when full) and returns that entry's position.
   */
  private makeRoom(at: number, n: number): number {
    if (n === 1 || n === roomFor(n)) {
      if (this.top > 3 * this.live + 65536) this.compact();
      const table = this.directory.table;
      const start = table[at]!;
      const wanted = roomFor(n + 1);
      if (n > 1 && start + n === this.top) {
        this.reserve(start + wanted);
        this.top = start + wanted;
      } else {
        this.reserve(this.top + wanted);
        if (n === 1) this.values[this.top] = start;
        else this.values.copyWithin(this.top, start, start + n);
        table[at] = this.top;
        this.top += wanted;
        if (n === 1) this.live++;
      }
    }
    this.live++;
    return this.directory.table[at]! + n;
  }

  private reserve(entries: number): void {
    if (entries <= this.values.length) return;
    const size = Math.max(entries, Math.ceil(this.values.length * 1.5));
    const values = new Int32Array(size);
    values.set(this.values.subarray(0, this.top));
    this.values = values;
  }
}

/** The room a block of `n` entries occupies in the arena: none for one, else the size class (2^k or 3·2^(k-1)) at or above `n`. */
function roomFor(n: number): number {
  if (n <= 3) return n === 1 ? 0 : n;
  const p = 1 << (31 - Math.clz32(n - 1));
  return n <= p + (p >> 1) ? p + (p >> 1) : 2 * p;
}
