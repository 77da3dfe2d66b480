import { goQuotePrefix, goRune } from './go-quote.js';
import { MAX_QUOTED_SOURCE } from './limits.js';
import { TokenType, type Token } from './token.js';

/** Single-character tokens by character code. */
const ONE_CHAR = new Map<number, TokenType>(
  (
    [
      [':', TokenType.Colon],
      ['.', TokenType.Dot],
      ['(', TokenType.ParenLeft],
      [')', TokenType.ParenRight],
      ['[', TokenType.BracketLeft],
      [']', TokenType.BracketRight],
      ['{', TokenType.BraceLeft],
      ['}', TokenType.BraceRight],
      ['<', TokenType.AngledLeft],
      ['>', TokenType.AngledRight],
      ['=', TokenType.Assign],
      [',', TokenType.Comma],
      [';', TokenType.Semicolon],
      ['|', TokenType.TypeUnion],
      ['!', TokenType.Not],
    ] as const
  ).map(([ch, type]) => [ch.charCodeAt(0), type]),
);

const PUNCTUATION_TEXT: Partial<Record<TokenType, string>> = {
  [TokenType.Arrow]: '=>',
  [TokenType.Or]: '||',
  [TokenType.And]: '&&',
};
for (const [code, type] of ONE_CHAR) PUNCTUATION_TEXT[type] = String.fromCharCode(code);

/** `=>`, `||` and `&&`, matched before anything else. */
function twoCharToken(first: number, second: number): TokenType | undefined {
  if (first === 0x3d && second === 0x3e) return TokenType.Arrow;
  if (first === 0x7c && second === 0x7c) return TokenType.Or;
  if (first === 0x26 && second === 0x26) return TokenType.And;
  return undefined;
}

const KEYWORDS: Readonly<Record<string, TokenType>> = {
  class: TokenType.KeywordClass,
  implements: TokenType.KeywordImplements,
  this: TokenType.KeywordThis,
  ctx: TokenType.KeywordCtx,
};

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** What Keto's lexer yields once it has stopped (after the end of input or an error). */
const BROKEN: Token = Object.freeze({ type: TokenType.Error, value: 'broken state', start: 0, end: 0 });

/**
 * Splits OPL source into tokens on demand, with Keto's token rules: ASCII identifiers,
 * strings in '…' or "…" without escapes, `//` and block comments. After the end of input
 * or the first error it only yields the "broken state" error token, as Keto's lexer does.
 */
export class Lexer {
  private pos = 0;
  private stopped = false;

  constructor(private readonly input: string) {}

  next(): Token {
    if (this.stopped) return BROKEN;
    const input = this.input;
    while (this.pos < input.length && isSpace(input.charCodeAt(this.pos))) this.pos++;
    const start = this.pos;
    if (start >= input.length) return this.stop({ type: TokenType.EOF, value: '', start, end: start });

    const code = input.charCodeAt(start);
    const next = input.charCodeAt(start + 1);
    const two = twoCharToken(code, next);
    if (two !== undefined) return this.fixed(two, start, 2);
    if (code === 0x2f && next === 0x2f) {
      const newline = input.indexOf('\n', start + 2);
      return this.token(TokenType.Comment, start, newline === -1 ? input.length : newline);
    }
    if (code === 0x2f && next === 0x2a) {
      const close = input.indexOf('*/', start + 2);
      if (close === -1) return this.fail('unclosed comment', start, input.length);
      return this.token(TokenType.Comment, start, close + 2);
    }
    const one = ONE_CHAR.get(code);
    if (one !== undefined) return this.fixed(one, start, 1);
    if (code === 0x22 || code === 0x27) {
      const close = input.indexOf(input[start]!, start + 1);
      if (close === -1) return this.fail('unclosed string literal', start + 1, input.length);
      this.pos = close + 1;
      return { type: TokenType.StringLiteral, value: input.slice(start + 1, close), start: start + 1, end: close };
    }
    if (isLetter(code)) {
      let end = start + 1;
      while (end < input.length && (isLetter(input.charCodeAt(end)) || isDigit(input.charCodeAt(end)))) end++;
      const word = input.slice(start, end);
      return this.token(KEYWORDS[word] ?? TokenType.Identifier, start, end);
    }
    return this.fail(`unexpected token ${goRune(input.codePointAt(start)!)}`, start, start);
  }

  /** The next token that is not a comment. */
  nextSignificant(): Token {
    let token = this.next();
    while (token.type === TokenType.Comment) token = this.next();
    return token;
  }

  /** A punctuation token: its text is one of a few constant strings, so it is not sliced out. */
  private fixed(type: TokenType, start: number, length: number): Token {
    this.pos = start + length;
    return { type, value: PUNCTUATION_TEXT[type]!, start, end: start + length };
  }

  private token(type: TokenType, start: number, end: number): Token {
    this.pos = end;
    return { type, value: this.input.slice(start, end), start, end };
  }

  /** Keto's lexer error: `at <the rest of the input, quoted>: message`, the quote cut at MAX_QUOTED_SOURCE. */
  private fail(message: string, start: number, end: number): Token {
    // Two code units a code point at most, and one more to see whether the rest goes on.
    const rest = this.input.slice(end, end + 2 * MAX_QUOTED_SOURCE + 1);
    return this.stop({ type: TokenType.Error, value: `at ${goQuotePrefix(rest, MAX_QUOTED_SOURCE)}: ${message}`, start, end });
  }

  private stop(token: Token): Token {
    this.stopped = true;
    return token;
  }
}
