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
 * into one shared Int32Array. A block's room is the size class at or above its length
 * (1, 2, 3, 4, 6, 8, 12, 16, 24, …), so the directory holds only (start, length) per
 * block. A block that outgrows its room moves to the end of the arena into the next
 * class; compact() reclaims the room left behind, and runs by itself once the arena is
 * more than three times its live entries.
 *
 * Keeping every list in a few typed arrays keeps the V8 heap (and so GC pauses) small:
 * the garbage collector sees a handful of ArrayBuffers, not millions of objects.
 */
export class BlockArena {
  /** Entry values; block `k` holds `values[start(k) .. start(k) + length(k))`. */
  values: Int32Array;
  private top = 0;
  private live = 0;
  private compactions = 0;

  /** `directory`: where (start, length) go, at `column` and `column + 1` of each block's row. */
  constructor(
    initialEntries = 4096,
    private readonly directory: BlockDirectory = new OwnDirectory(),
    private readonly column = 0,
  ) {
    this.values = new Int32Array(initialEntries);
  }

  /** The position of block `block`'s start in the directory's table (its length follows). */
  private at(block: number): number {
    return block * this.directory.stride + this.column;
  }

  start(block: number): number {
    const at = this.at(block);
    const table = this.directory.table;
    return at < table.length ? table[at]! : 0;
  }

  length(block: number): number {
    const at = this.at(block) + 1;
    const table = this.directory.table;
    return at < table.length ? table[at]! : 0;
  }

  /** Whether `value` is in the block. */
  contains(block: number, value: number): boolean {
    const n = this.length(block);
    if (n === 0) return false;
    const v = this.values;
    for (let i = this.start(block), end = i + n; i < end; i++) if (v[i] === value) return true;
    return false;
  }

  /** Appends `value` to the block. */
  append(block: number, value: number): void {
    const at = this.makeRoom(block);
    this.values[at] = value;
  }

  /** Removes every entry equal to `value`, keeping the others' order; returns how many went. */
  removeAll(block: number, value: number): number {
    return this.filter(block, (v) => v !== value);
  }

  /** Keeps only the entries for which `keep(value)` holds, in order; returns how many went. */
  filter(block: number, keep: (value: number) => boolean): number {
    const n = this.length(block);
    if (n === 0) return 0;
    const start = this.start(block);
    const values = this.values;
    let w = start;
    for (let r = start, end = start + n; r < end; r++) {
      const v = values[r]!;
      if (keep(v)) values[w++] = v;
    }
    const removed = start + n - w;
    this.directory.table[this.at(block) + 1] = n - removed;
    this.live -= removed;
    return removed;
  }

  clear(block: number): void {
    const n = this.length(block);
    this.live -= n;
    if (n > 0) this.directory.table[this.at(block) + 1] = 0;
  }

  /** Entries held, arena positions in use (held, spare or abandoned), and repacks so far. */
  stats(): { live: number; used: number; compactions: number } {
    return { live: this.live, used: this.top, compactions: this.compactions };
  }

  /** The entries' bytes, and the directory's when the arena shares it with no one. */
  bytes(): number {
    return this.values.byteLength + (this.directory instanceof OwnDirectory ? this.directory.table.byteLength : 0);
  }

  /** Repacks every block into its size class, in block order, dropping abandoned room. */
  compact(): void {
    const { table, stride } = this.directory;
    let room = 0;
    for (let r = this.column; r < table.length; r += stride) room += roomFor(table[r + 1]!);
    const values = new Int32Array(room + 4096);
    let at = 0;
    for (let r = this.column; r < table.length; r += stride) {
      const n = table[r + 1]!;
      const from = table[r]!;
      if (n > 0) values.set(this.values.subarray(from, from + n), at);
      table[r] = at;
      at += roomFor(n);
    }
    this.values = values;
    this.top = at;
    this.compactions++;
  }

  /** Grows the block by one entry (moving it when full) and returns that entry's position. */
  private makeRoom(block: number): number {
    this.directory.reserve(block + 1);
    const at = this.at(block);
    const n = this.directory.table[at + 1]!;
    if (n === roomFor(n)) {
      if (this.top > 3 * this.live + 65536) this.compact();
      const start = this.directory.table[at]!;
      const wanted = roomFor(n + 1);
      if (n > 0 && start + n === this.top) {
        this.reserve(start + wanted);
        this.top = start + wanted;
      } else {
        this.reserve(this.top + wanted);
        this.values.copyWithin(this.top, start, start + n);
        this.directory.table[at] = this.top;
        this.top += wanted;
      }
    }
    const table = this.directory.table;
    table[at + 1] = n + 1;
    this.live++;
    return table[at]! + n;
  }

  private reserve(entries: number): void {
    if (entries <= this.values.length) return;
    const size = Math.max(entries, Math.ceil(this.values.length * 1.5));
    const values = new Int32Array(size);
    values.set(this.values.subarray(0, this.top));
    this.values = values;
  }
}

/** The room a block of `n` entries occupies: the size class (2^k or 3·2^(k-1)) at or above `n`. */
function roomFor(n: number): number {
  if (n <= 3) return n;
  const p = 2 ** (31 - Math.clz32(n - 1));
  return n <= p + p / 2 ? p + p / 2 : 2 * p;
}
