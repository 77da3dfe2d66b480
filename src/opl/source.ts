import { isUtf8 } from 'node:buffer';

/**
 * OPL source text and positions in it.
 *
 * Keto works on the raw bytes of a model; gatehouse works on a string in which each byte
 * that is not valid UTF-8 becomes one lone low surrogate (U+DC80..U+DCFF). That keeps every
 * byte offset, and so every reported position, equal to Keto's for any input.
 */

/** Decodes bytes as Keto reads them: valid UTF-8 as text, each undecodable byte escaped. */
export function decodeOplBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  // UTF-16 code units, at most one per byte; turned into a string in chunks, not piece by piece.
  const units = new Uint16Array(buf.length);
  let length = 0;
  let i = 0;
  while (i < buf.length) {
    const width = validSequenceLength(buf, i);
    if (width === 0) {
      units[length++] = 0xdc00 + buf[i]!;
      i += 1;
      continue;
    }
    const b0 = buf[i]!;
    let cp = width === 1 ? b0 : b0 & (0xff >> (width + 1));
    for (let k = 1; k < width; k++) cp = (cp << 6) | (buf[i + k]! & 0x3f);
    if (cp > 0xffff) {
      units[length++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[length++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    } else units[length++] = cp;
    i += width;
  }
  const CHUNK = 8192;
  const parts: string[] = [];
  for (let at = 0; at < length; at += CHUNK) parts.push(String.fromCharCode(...units.subarray(at, Math.min(at + CHUNK, length))));
  return parts.join('');
}

const isContinuation = (b: number | undefined) => b !== undefined && b >= 0x80 && b <= 0xbf;

/** Length of the valid UTF-8 sequence starting at `i` (Go's utf8.DecodeRune rules), 0 if invalid. */
function validSequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const b1 = buf[i + 1];
  if (b0 >= 0xc2 && b0 <= 0xdf) return isContinuation(b1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 === undefined || b1 < lo || b1 > hi) return 0;
    return isContinuation(buf[i + 2]) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 === undefined || b1 < lo || b1 > hi) return 0;
    return isContinuation(buf[i + 2]) && isContinuation(buf[i + 3]) ? 4 : 0;
  }
  return 0;
}

function utf8Width(codeUnit: number, next: number): number {
  if (codeUnit < 0x80) return 1;
  if (codeUnit < 0x800) return 2;
  if (codeUnit >= 0xd800 && codeUnit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return 4;
  if (codeUnit >= 0xdc80 && codeUnit <= 0xdcff) return 1;
  return 3;
}

/** A line and column as Keto reports them (see `PositionMap.keto`). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Maps UTF-16 offsets of a source string to Keto's and to editor positions; built once, on demand. */
export class PositionMap {
  private readonly byteAt: Int32Array;
  /** Per line, the rune and the UTF-16 offset it starts at (typed arrays: no growth, little garbage). */
  private readonly lineStartRune: Int32Array;
  private readonly lineStartUnit: Int32Array;
  private readonly runeCount: number;
  private readonly endsWithNewline: boolean;

  constructor(private readonly text: string) {
    const n = text.length;
    let lines = 1;
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 0x0a) lines++;
    const byteAt = new Int32Array(n + 1);
    const lineStartRune = new Int32Array(lines);
    const lineStartUnit = new Int32Array(lines);
    let line = 1;
    let bytes = 0;
    let runes = 0;
    for (let i = 0; i < n; i++) {
      const unit = text.charCodeAt(i);
      const width = utf8Width(unit, i + 1 < n ? text.charCodeAt(i + 1) : 0);
      byteAt[i] = bytes;
      bytes += width;
      runes++;
      if (width === 4) {
        i++;
        byteAt[i] = bytes;
      }
      if (unit === 0x0a) {
        lineStartRune[line] = runes;
        lineStartUnit[line] = i + 1;
        line++;
      }
    }
    byteAt[n] = bytes;
    this.byteAt = byteAt;
    this.lineStartRune = lineStartRune;
    this.lineStartUnit = lineStartUnit;
    this.runeCount = runes;
    this.endsWithNewline = n > 0 && text.charCodeAt(n - 1) === 0x0a;
  }

  /**
   * Keto's position of a UTF-16 offset: Keto walks `byteOffset` runes into the input and
   * reports the 1-based line and column of the last rune it walked over (so for ASCII the
   * column is the 0-based column of the offset, and a token at the start of a line is
   * reported at the end of the line before).
   */
  keto(offset: number): SourcePosition {
    const walk = Math.max(this.byteAt[Math.min(offset, this.text.length)]!, 1);
    if (this.runeCount === 0) return { line: 1, column: 0 };
    if (walk > this.runeCount && this.endsWithNewline) {
      return { line: this.lineStartRune.length, column: 0 };
    }
    const rune = Math.min(walk, this.runeCount) - 1;
    const line = upperBound(this.lineStartRune, rune);
    return { line, column: rune - this.lineStartRune[line - 1]! + 1 };
  }

  /** 1-based line and 1-based column (in code points) of a UTF-16 offset, as editors count. */
  editor(offset: number): SourcePosition {
    const line = upperBound(this.lineStartUnit, offset);
    const start = this.lineStartUnit[line - 1]!;
    return { line, column: countCodePoints(this.text, start, offset) + 1 };
  }

  /** The text of a 1-based line, without its line break (`\n` or `\r\n`). */
  lineText(line: number): string {
    const start = this.lineStartUnit[line - 1] ?? this.text.length;
    const next = this.lineStartUnit[line];
    const text = this.text.slice(start, next === undefined ? this.text.length : next - 1);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}

/** Number of entries of the ascending array `xs` that are <= x. */
function upperBound(xs: Int32Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countCodePoints(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < to) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
