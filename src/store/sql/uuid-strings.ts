/** Int32s per slot: the UUID's four big-endian words, then its string's index + 1 (0: empty). */
const SLOT = 5;

/**
 * UUID → string (keto_uuid_mappings read whole, for a walk of every tuple), by open
 * addressing over one typed array: a probe reads a slot's key and value from the same
 * place in memory, and a UUID is held as four numbers, never as a string.
 */
export class UuidStrings {
  private slots = new Int32Array(SLOT * 65536);
  private readonly strings: string[] = [];
  private readonly words = new Int32Array(4);

  /** Maps the UUID of words w0…w3 to `text`; the first mapping of a UUID stays. */
  add(w0: number, w1: number, w2: number, w3: number, text: string): void {
    if (2 * SLOT * (this.strings.length + 1) > this.slots.length) this.grow();
    const slot = this.slotOf(w0, w1, w2, w3);
    if (this.slots[slot + 4] !== 0) return;
    this.strings.push(text);
    this.slots[slot] = w0;
    this.slots[slot + 1] = w1;
    this.slots[slot + 2] = w2;
    this.slots[slot + 3] = w3;
    this.slots[slot + 4] = this.strings.length;
  }

  /** The string of the UUID of words w0…w3, or undefined for one this table does not hold. */
  get(w0: number, w1: number, w2: number, w3: number): string | undefined {
    const v = this.slots[this.slotOf(w0, w1, w2, w3) + 4]!;
    return v === 0 ? undefined : this.strings[v - 1];
  }

  /** `add` for a UUID in text; one not in canonical form is left out (a join compares it otherwise). */
  addText(uuid: unknown, text: string): void {
    const w = this.words;
    if (parseUuidText(uuid, w)) this.add(w[0]!, w[1]!, w[2]!, w[3]!, text);
  }

  /** `get` for a UUID in text; undefined too for one not in canonical form. */
  getText(uuid: unknown): string | undefined {
    const w = this.words;
    return parseUuidText(uuid, w) ? this.get(w[0]!, w[1]!, w[2]!, w[3]!) : undefined;
  }

  /** Where the slot holding the UUID starts, or the empty one where it would go. */
  private slotOf(w0: number, w1: number, w2: number, w3: number): number {
    const slots = this.slots;
    const count = slots.length / SLOT;
    for (let i = firstSlot(w0, w1, w2, w3, count); ; i = (i + 1) & (count - 1)) {
      const s = SLOT * i;
      if (slots[s + 4] === 0 || (slots[s] === w0 && slots[s + 1] === w1 && slots[s + 2] === w2 && slots[s + 3] === w3)) return s;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(2 * old.length);
    this.slots = slots;
    const count = slots.length / SLOT;
    for (let s = 0; s < old.length; s += SLOT) {
      if (old[s + 4] === 0) continue;
      let i = firstSlot(old[s]!, old[s + 1]!, old[s + 2]!, old[s + 3]!, count);
      while (slots[SLOT * i + 4] !== 0) i = (i + 1) & (count - 1);
      for (let k = 0; k < SLOT; k++) slots[SLOT * i + k] = old[s + k]!;
    }
  }
}

/** A UUID's first slot among `count` (a power of two). */
const firstSlot = (w0: number, w1: number, w2: number, w3: number, count: number): number => Math.imul(w0 ^ w1 ^ w2 ^ w3, 0x9e3779b1) >>> 0 & (count - 1);

/** Where the 32 hex digits of a UUID's canonical text stand. */
const DIGIT_AT = Uint8Array.from({ length: 36 }, (_, i) => i).filter((i) => i !== 8 && i !== 13 && i !== 18 && i !== 23);

/** A lower-case hex digit's value by character code; -1 for any other ASCII character. */
const HEX = Int8Array.from({ length: 128 }, (_, c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1));

/**
 * Fills `words` with the UUID `text` holds when it is in the canonical form (36 characters,
 * lower-case hex, hyphens at 8, 13, 18 and 23) and answers true; false for any other value.
 */
function parseUuidText(text: unknown, words: Int32Array): boolean {
  if (typeof text !== 'string' || text.length !== 36) return false;
  if (text.charCodeAt(8) !== 0x2d || text.charCodeAt(13) !== 0x2d || text.charCodeAt(18) !== 0x2d || text.charCodeAt(23) !== 0x2d) return false;
  // A digit outside 0-9a-f is -1, which sets the sign bit of `bad`.
  let bad = 0;
  let value = 0;
  for (let i = 0; i < 32; i++) {
    const c = text.charCodeAt(DIGIT_AT[i]!);
    const digit = c < 128 ? HEX[c]! : -1;
    bad |= digit;
    value = (value << 4) | (digit & 15);
    if ((i & 7) === 7) words[i >> 3] = value;
  }
  return bad >= 0;
}
