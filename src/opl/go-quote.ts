/**
 * Go's `%q` (strconv.Quote) and `%c` formatting. Keto's parse error messages embed source
 * text quoted this way, so gatehouse quotes identically to produce the same messages.
 *
 * Source text decoded by `decodeOplBytes` carries each byte that is not valid UTF-8 as a
 * lone low surrogate U+DC80..U+DCFF; Go quotes such a byte as `\xNN`.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x22: '\\"',
  0x5c: '\\\\',
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The raw byte a lone surrogate stands for, or undefined for any other code point. */
export function escapedByte(codePoint: number): number | undefined {
  return codePoint >= 0xdc80 && codePoint <= 0xdcff ? codePoint - 0xdc00 : undefined;
}

export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const escape = ESCAPES[cp];
    if (escape !== undefined) out += escape;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) {
      const byte = escapedByte(cp);
      out += byte === undefined ? '\ufffd' : `\\x${hex(byte, 2)}`;
    } else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

/**
 * Go's `%.Nq`: the first `maxRunes` code points of `text` quoted, followed by `...` when
 * text was cut. Reads no further into `text` than it quotes.
 */
export function goQuotePrefix(text: string, maxRunes: number): string {
  let end = 0;
  for (let runes = 0; end < text.length && runes < maxRunes; runes++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return end < text.length ? `${goQuote(text.slice(0, end))}...` : goQuote(text);
}

/** Go's `%c` of the rune the lexer read: an undecodable byte reads as U+FFFD. */
export function goRune(codePoint: number): string {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return '\ufffd';
  return String.fromCodePoint(codePoint);
}

/** Text as Go's JSON encoder writes a string holding undecodable bytes: each becomes U+FFFD. */
export function replaceEscapedBytes(text: string): string {
  return text.replace(/[\ud800-\udfff]/gu, '\ufffd');
}
