/**
 * Integer parsing with the exact acceptance rules and error texts of Go's strconv, which
 * Keto uses for `max-depth` (ParseInt, base 0: `0x`/`0o`/`0b`/legacy-octal prefixes and
 * `_` separators) and `page_size` (Atoi, plain decimal). Both are 64-bit.
 */

export type GoIntResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: string };

const INT64_LIMIT = 1n << 63n;
const UINT64_MAX = (1n << 64n) - 1n;

/** `strconv.ParseInt(s, 0, 64)`; the value is exact up to 2^53 and rounded beyond. */
export function goParseIntBase0(s: string): GoIntResult {
  return parseInt64(s, 'ParseInt', true);
}

/** `strconv.Atoi(s)` on a 64-bit platform. */
export function goAtoi(s: string): GoIntResult {
  return parseInt64(s, 'Atoi', false);
}

function parseInt64(s0: string, fn: string, base0: boolean): GoIntResult {
  const syntax = (): GoIntResult => ({ ok: false, error: `strconv.${fn}: parsing ${goQuote(s0)}: invalid syntax` });
  const range = (): GoIntResult => ({ ok: false, error: `strconv.${fn}: parsing ${goQuote(s0)}: value out of range` });
  if (s0 === '') return syntax();
  let s = s0;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  const magnitude = parseUint64(s, base0);
  if (magnitude === 'syntax') return syntax();
  if (magnitude === 'range') return range();
  if (!negative && magnitude >= INT64_LIMIT) return range();
  if (negative && magnitude > INT64_LIMIT) return range();
  return { ok: true, value: Number(negative ? -magnitude : magnitude) };
}

function parseUint64(s0: string, base0: boolean): bigint | 'syntax' | 'range' {
  if (s0 === '') return 'syntax';
  let base = 10n;
  let digits = s0;
  if (base0 && s0[0] === '0') {
    const prefix = s0.length >= 3 ? s0[1]!.toLowerCase() : '';
    base = prefix === 'b' ? 2n : prefix === 'o' ? 8n : prefix === 'x' ? 16n : 8n;
    digits = s0.slice(base === 8n && prefix !== 'o' ? 1 : 2);
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === '_' && base0) {
      underscores = true;
      continue;
    }
    const d = digitValue(c);
    if (d === undefined || d >= base) return 'syntax';
    n = n * base + d;
    if (n > UINT64_MAX) return 'range';
  }
  if (underscores && !underscoreOK(s0)) return 'syntax';
  return n;
}

function digitValue(c: string): bigint | undefined {
  if (c >= '0' && c <= '9') return BigInt(c.charCodeAt(0) - 48);
  if (/^[A-Za-z]$/.test(c)) return BigInt(c.toLowerCase().charCodeAt(0) - 87);
  return undefined;
}

/** Underscores may only separate digits (or follow a base prefix), as in Go integer literals. */
function underscoreOK(s: string): boolean {
  let saw: '^' | '0' | '_' | '!' = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-f]/i.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `%q` / strconv.Quote: printable characters verbatim, everything else escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
