import type {
  Chain,
  ClassDecl,
  Group,
  Leaf,
  Name,
  Not,
  OplDocument,
  Operand,
  Operator,
  PermitDecl,
  RelatedDecl,
  Span,
  TypeRef,
} from './ast.js';
import { goQuote, goQuotePrefix } from './go-quote.js';
import { Lexer } from './lexer.js';
import { EXPRESSION_NESTING_MAX_DEPTH, MAX_QUOTED_SOURCE } from './limits.js';
import { describeToken, TokenType, tokenTypeName, type Token } from './token.js';

/** Source text in a message: Go's `%q`, cut at MAX_QUOTED_SOURCE code points. */
const q = (text: string) => goQuotePrefix(text, MAX_QUOTED_SOURCE);

/** A token's text in a message; a lexer error's text is quoted whole (the lexer has already cut its quote). */
const quoted = (token: Token) => (token.type === TokenType.Error ? goQuote(token.value) : q(token.value));

/** A problem found in the source, located by UTF-16 offsets. */
export interface SourceProblem extends Span {
  readonly message: string;
}

export interface ParseResult {
  readonly document: OplDocument;
  /** Keto's syntax errors, in Keto's order and wording; at most one besides a trailing follow-up. */
  readonly errors: readonly SourceProblem[];
}

/**
 * Parses OPL with exactly Keto's acceptance rules (ory/keto: schema/parser.go): anything
 * before and between classes is skipped (imports, `export`), names may be identifiers or
 * string literals, and parsing stops at the first fatal error. Recursion is bounded by
 * the nesting limit, so no input can exhaust the stack.
 */
export function parseOpl(source: string): ParseResult {
  const parser = new Parser(source);
  const document = parser.parseDocument();
  return { document, errors: parser.errors };
}

/** Keto's zero token: what an unmatched capture holds. */
const NONE: Token = Object.freeze({ type: TokenType.Error, value: '', start: 0, end: 0 });

type Part = string | ((p: Parser) => boolean);

interface ChainResult {
  readonly chain: Chain;
  /** False for Keto's silent "nil" result: nothing parsed, or an operand-less operator inside. */
  readonly kept: boolean;
  readonly closed: boolean;
}

/** A token doubles as the name it spells (it has the same fields, and more). */
const nameOf = (t: Token): Name => Object.freeze(t);
const freeze = <T>(node: T): T => Object.freeze(node);

class Parser {
  readonly errors: SourceProblem[] = [];
  private readonly lexer: Lexer;
  private lookahead: Token | undefined;
  /** End of the token consumed last (the closing `)` of a leaf). */
  private lastEnd = 0;
  private fatal = false;
  private readonly classes: ClassDecl[] = [];

  constructor(source: string) {
    this.lexer = new Lexer(source);
  }

  parseDocument(): OplDocument {
    while (!this.fatal) {
      const token = this.next();
      if (token.type === TokenType.EOF) break;
      if (token.type === TokenType.Error) this.addFatal(token, `fatal: ${token.value}`);
      else if (token.type === TokenType.KeywordClass) this.parseClass();
    }
    return freeze({ kind: 'document', classes: freeze(this.classes) });
  }

  // --- token access -------------------------------------------------------

  private next(): Token {
    const token = this.lookahead ?? this.lexer.nextSignificant();
    this.lookahead = undefined;
    this.lastEnd = token.end;
    return token;
  }

  private peek(): Token {
    this.lookahead ??= this.lexer.nextSignificant();
    return this.lookahead;
  }

  private addError(at: Span, message: string): void {
    this.errors.push(freeze({ message, start: at.start, end: at.end }));
  }

  private addFatal(at: Span, message: string): void {
    this.addError(at, message);
    this.fatal = true;
  }

  /** Matches a sequence of parts; a string must equal the next token's text. Stops at the first mismatch. */
  private match(...parts: Part[]): boolean {
    if (this.fatal) return false;
    for (const part of parts) {
      if (typeof part === 'function') {
        if (!part(this)) return false;
        continue;
      }
      const token = this.next();
      if (token.value !== part) {
        this.addFatal(token, `expected ${q(part)}, got ${quoted(token)}`);
        return false;
      }
    }
    return true;
  }

  /** Like `match`, but only when the next token satisfies the predicate. */
  private matchIf(type: TokenType, ...parts: Part[]): boolean {
    if (this.fatal || this.peek().type !== type) return false;
    return this.match(...parts);
  }

  /** A part that takes any token. */
  private static any(into: (t: Token) => void): Part {
    return (p) => {
      into(p.next());
      return true;
    };
  }

  /** A part that takes an identifier or string literal. */
  private static name(into: (t: Token) => void): Part {
    return (p) => {
      const token = p.next();
      if (token.type !== TokenType.Identifier && token.type !== TokenType.StringLiteral) {
        p.addFatal(token, `expected identifier, got ${tokenTypeName(token.type)}`);
        return false;
      }
      into(token);
      return true;
    };
  }

  /** A part that matches `first, ...rest` when the next token is `first`, and nothing otherwise. */
  private static optional(first: string, ...rest: string[]): Part {
    return (p) => {
      if (p.peek().value !== first) return true;
      p.next();
      for (const expected of rest) {
        const token = p.next();
        if (token.value !== expected) {
          p.addFatal(token, `expected ${q(expected)}, got ${quoted(token)}`);
          return false;
        }
      }
      return true;
    };
  }

  /** `.name` or `["name"]` */
  private propertyAccess(part: Part): boolean {
    return this.matchIf(TokenType.BracketLeft, '[', part, ']') || this.match('.', part);
  }

  // --- declarations -------------------------------------------------------

  private parseClass(): void {
    let name = NONE;
    this.match(
      Parser.name((t) => (name = t)),
      'implements',
      'Namespace',
      '{',
    );
    const members: (RelatedDecl | PermitDecl)[] = [];
    while (!this.fatal) {
      const token = this.next();
      if (token.type === TokenType.BraceRight) {
        this.classes.push(freeze({ kind: 'class', name: nameOf(name), members: freeze(members) }));
        return;
      }
      if (token.value === 'related') this.parseRelated(members);
      else if (token.value === 'permits') this.parsePermits(members);
      else if (token.type !== TokenType.Semicolon) {
        this.addFatal(token, `expected 'permits' or 'related', got ${quoted(token)}`);
        return;
      }
    }
  }

  private parseRelated(members: (RelatedDecl | PermitDecl)[]): void {
    this.match(':', '{');
    while (!this.fatal) {
      const token = this.next();
      if (token.type === TokenType.Semicolon) continue;
      if (token.type === TokenType.BraceRight) return;
      if (token.type !== TokenType.Identifier && token.type !== TokenType.StringLiteral) {
        this.addFatal(token, `expected identifier or '}', got ${tokenTypeName(token.type)} ${quoted(token)}`);
        return;
      }
      const types: TypeRef[] = [];
      this.match(':');
      const head = this.next();
      if (head.value === 'Array') {
        this.match('<');
        types.push(...this.parseTypeUnion(TokenType.AngledRight));
      } else {
        if (head.value === 'SubjectSet') types.push(this.parseSubjectSet());
        else if (head.type === TokenType.ParenLeft) types.push(...this.parseTypeUnion(TokenType.ParenRight));
        else types.push(freeze({ kind: 'type', namespace: nameOf(head) }));
        this.match('[', ']', Parser.optional(','));
      }
      members.push(freeze({ kind: 'related', name: nameOf(token), types: freeze(types) }));
    }
  }

  /** `<Namespace, "relation">` after `SubjectSet`. */
  private parseSubjectSet(): TypeRef {
    let namespace = NONE;
    let relation = NONE;
    this.match(
      '<',
      Parser.any((t) => (namespace = t)),
      ',',
      Parser.any((t) => (relation = t)),
      '>',
    );
    return freeze({ kind: 'type', namespace: nameOf(namespace), relation: nameOf(relation) });
  }

  private parseTypeUnion(end: TokenType): TypeRef[] {
    const types: TypeRef[] = [];
    while (!this.fatal) {
      let head = NONE;
      this.match(Parser.any((t) => (head = t)));
      types.push(head.value === 'SubjectSet' ? this.parseSubjectSet() : freeze({ kind: 'type', namespace: nameOf(head) }));
      const token = this.next();
      if (token.type === end) return types;
      if (token.type !== TokenType.TypeUnion) this.addFatal(token, `expected '|', got ${quoted(token)}`);
    }
    return types;
  }

  private parsePermits(members: (RelatedDecl | PermitDecl)[]): void {
    this.match('=', '{');
    while (!this.fatal) {
      const token = this.next();
      if (token.type === TokenType.BraceRight) return;
      if (token.type !== TokenType.Identifier && token.type !== TokenType.StringLiteral) {
        this.addFatal(token, `expected identifier or '}', got ${tokenTypeName(token.type)} ${quoted(token)}`);
        return;
      }
      this.match(':', '(', 'ctx', Parser.optional(':', 'Context'), ')', Parser.optional(':', 'boolean'), '=>');
      const body = this.parseChain(TokenType.Comma, EXPRESSION_NESTING_MAX_DEPTH, token.end);
      members.push(freeze({ kind: 'permit', name: nameOf(token), body: body.chain, kept: body.kept }));
      if (!body.kept) return;
    }
  }

  // --- expressions --------------------------------------------------------

  private parseChain(final: TokenType, depth: number, from: number): ChainResult {
    const items: (Operand | Operator)[] = [];
    const result = (kept: boolean, closed: boolean): ChainResult => {
      const last = items[items.length - 1];
      const chain: Chain = freeze({ kind: 'chain', items: freeze(items), start: items[0]?.start ?? from, end: last?.end ?? from });
      return { chain, kept: kept && items.length > 0, closed };
    };
    if (depth <= 0) {
      this.addFatal(this.peek(), `expression nested too deeply; maximal nesting depth is ${EXPRESSION_NESTING_MAX_DEPTH}`);
      return result(false, false);
    }
    let expectOperand = true;
    while (!this.fatal) {
      const token = this.peek();
      switch (token.type) {
        case final:
          this.next();
          return result(true, true);
        case TokenType.BraceRight:
          return result(true, false);
        case TokenType.ParenLeft: {
          this.next();
          const group = this.parseGroup(token, depth - 1);
          items.push(group.node);
          if (!group.kept) return result(false, false);
          expectOperand = false;
          break;
        }
        case TokenType.And:
        case TokenType.Or:
          this.next();
          if (items.length === 0) return result(false, false);
          items.push(freeze({ kind: 'operator', op: token.type === TokenType.And ? 'and' : 'or', start: token.start, end: token.end }));
          expectOperand = true;
          break;
        case TokenType.Not: {
          this.next();
          const not = this.parseNot(token, depth - 1);
          if (not === undefined) return result(false, false);
          items.push(not);
          expectOperand = false;
          break;
        }
        default: {
          if (!expectOperand) {
            this.addFatal(token, 'did not expect another expression');
            return result(false, false);
          }
          const leaf = this.parseLeaf();
          if (leaf === undefined) return result(false, false);
          items.push(leaf);
        }
      }
    }
    return result(false, false);
  }

  /** After `(`: the group up to its `)`. */
  private parseGroup(open: Token, depth: number): { node: Group; kept: boolean } {
    const inner = this.parseChain(TokenType.ParenRight, depth, open.end);
    const end = inner.closed ? this.lastEnd : inner.chain.end;
    return { node: freeze({ kind: 'group', chain: inner.chain, closed: inner.closed, start: open.start, end }), kept: inner.kept };
  }

  /** After `!`: a leaf or a parenthesised group. */
  private parseNot(bang: Token, depth: number): Not | undefined {
    if (depth <= 0) {
      this.addFatal(this.peek(), `expression nested too deeply; maximal nesting depth is ${EXPRESSION_NESTING_MAX_DEPTH}`);
      return undefined;
    }
    let operand: Leaf | Group | undefined;
    const open = this.peek();
    if (open.type === TokenType.ParenLeft) {
      this.next();
      const group = this.parseGroup(open, depth - 1);
      if (!group.kept) return undefined;
      operand = group.node;
    } else {
      operand = this.parseLeaf();
    }
    if (operand === undefined) return undefined;
    return freeze({ kind: 'not', operand, start: bang.start, end: operand.end });
  }

  /** `this.related.R.includes(ctx.subject)`, `this.related.R.traverse(…)` or `this.permits.P(ctx)`. */
  private parseLeaf(): Leaf | undefined {
    const start = this.peek().start;
    let verb = NONE;
    let name = NONE;
    if (!this.match('this', '.', Parser.any((t) => (verb = t)))) return undefined;
    if (!this.propertyAccess(Parser.any((t) => (name = t)))) return undefined;
    switch (verb.value) {
      case 'related': {
        if (!this.match('.')) return undefined;
        const method = this.next();
        if (method.value === 'traverse') return this.parseTraverse(start, name);
        if (method.value === 'includes') {
          if (!this.match('(', 'ctx', '.', 'subject', ')')) return undefined;
          return freeze({ kind: 'includes', relation: nameOf(name), start, end: this.lastEnd });
        }
        this.addFatal(method, `expected 'traverse' or 'includes', got ${quoted(method)}`);
        return undefined;
      }
      case 'permits':
        if (!this.match('(', 'ctx', ')')) return undefined;
        return freeze({ kind: 'permit_call', permit: nameOf(name), start, end: this.lastEnd });
      default:
        this.addFatal(verb, `expected 'related' or 'permits', got ${quoted(verb)}`);
        return undefined;
    }
  }

  /** After `this.related.R.traverse`: `((x) => x.related.S.includes(ctx.subject))` or `(x => x.permits.S(ctx))`. */
  private parseTraverse(start: number, relation: Token): Leaf | undefined {
    let parameter = NONE;
    let verb = NONE;
    let target = NONE;
    if (!this.match('(')) return undefined;
    const takeParameter = Parser.any((t) => (parameter = t));
    if (!this.matchIf(TokenType.ParenLeft, '(', takeParameter, ')') && !this.match(takeParameter)) return undefined;
    this.match('=>', parameter.value, '.', Parser.any((t) => (verb = t)));
    const takeTarget = Parser.name((t) => (target = t));
    switch (verb.value) {
      case 'related':
        if (!this.propertyAccess(takeTarget)) return undefined;
        this.match('.', 'includes', '(', 'ctx', '.', 'subject', Parser.optional(','), ')', Parser.optional(','), ')');
        break;
      case 'permits':
        if (!this.propertyAccess(takeTarget)) return undefined;
        this.match('(', 'ctx', ')', ')');
        break;
      default:
        this.addFatal(verb, `expected 'related' or 'permits', got ${goQuote(describeToken(verb))}`);
        return undefined;
    }
    return freeze({
      kind: 'traverse',
      relation: nameOf(relation),
      parameter: nameOf(parameter),
      via: verb.value as 'related' | 'permits',
      target: nameOf(target),
      start,
      end: this.lastEnd,
    });
  }

}
