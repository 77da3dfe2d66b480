/** Token kinds of OPL, with the names Keto prints for them in its error messages. */
export enum TokenType {
  Error,
  EOF,
  Identifier,
  Comment,
  StringLiteral,
  KeywordClass,
  KeywordImplements,
  KeywordThis,
  KeywordCtx,
  And,
  Or,
  Not,
  Assign,
  Arrow,
  Dot,
  Colon,
  Comma,
  Semicolon,
  TypeUnion,
  ParenLeft,
  ParenRight,
  BraceLeft,
  BraceRight,
  BracketLeft,
  BracketRight,
  AngledLeft,
  AngledRight,
}

const NAMES: Readonly<Record<TokenType, string>> = {
  [TokenType.Error]: 'Error',
  [TokenType.EOF]: 'EOF',
  [TokenType.Identifier]: 'Identifier',
  [TokenType.Comment]: 'Comment',
  [TokenType.StringLiteral]: 'StringLiteral',
  [TokenType.KeywordClass]: 'KeywordClass',
  [TokenType.KeywordImplements]: 'KeywordImplements',
  [TokenType.KeywordThis]: 'KeywordThis',
  [TokenType.KeywordCtx]: 'KeywordCtx',
  [TokenType.And]: '"&&"',
  [TokenType.Or]: '"||"',
  [TokenType.Not]: '"!"',
  [TokenType.Assign]: '"="',
  [TokenType.Arrow]: '"=>"',
  [TokenType.Dot]: '"."',
  [TokenType.Colon]: '":"',
  [TokenType.Comma]: '","',
  [TokenType.Semicolon]: '";"',
  [TokenType.TypeUnion]: '"|"',
  [TokenType.ParenLeft]: '"("',
  [TokenType.ParenRight]: '")"',
  [TokenType.BraceLeft]: '"{"',
  [TokenType.BraceRight]: '"}"',
  [TokenType.BracketLeft]: '"["',
  [TokenType.BracketRight]: '"]"',
  [TokenType.AngledLeft]: '"<"',
  [TokenType.AngledRight]: '">"',
};

export const tokenTypeName = (type: TokenType): string => NAMES[type];

/** A token: its kind, its text (for strings: without quotes) and its UTF-16 span in the source. */
export interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** Keto's short rendering of a token (its `item.String()`), used in one of its messages. */
export function describeToken(token: Token): string {
  switch (token.type) {
    case TokenType.Error:
      return `error: ${token.value}`;
    case TokenType.EOF:
      return 'EOF';
    case TokenType.Identifier:
    case TokenType.StringLiteral:
      return `'${truncateRunes(token.value, 10)}'`;
    default:
      return token.value;
  }
}

/** Go's `%.10s...` for values longer than 10 bytes; `%.Ns` truncates to N runes. */
function truncateRunes(value: string, limit: number): string {
  if (Buffer.byteLength(value, 'utf8') <= limit) return value;
  return Array.from(value).slice(0, limit).join('') + '...';
}
