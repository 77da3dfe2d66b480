/**
 * Invalid models with Keto's exact answer: message, and start/end as Keto numbers them
 * (`[Line, column]`). Type errors carry gatehouse's "did you mean" suffix.
 */
export interface InvalidCase {
  readonly name: string;
  readonly opl: string;
  readonly errors: readonly { message: string; start: [number, number]; end: [number, number] }[];
}

export const INVALID_MODELS: readonly InvalidCase[] = [
  {
    name: "unclosed block comment",
    opl: "/* unclosed comment",
    errors: [
      { message: "fatal: at \"\": unclosed comment", start: [1, 1], end: [1, 19] },
    ],
  },
  {
    name: "unclosed string",
    opl: "class A implements Namespace { related: { \"x: A[] } }",
    errors: [
      { message: "expected identifier or '}', got Error \"at \\\"\\\": unclosed string literal\"", start: [1, 43], end: [1, 53] },
    ],
  },
  {
    name: "unexpected character at top level",
    opl: "const x = 1",
    errors: [
      { message: "fatal: at \"1\": unexpected token 1", start: [1, 10], end: [1, 10] },
    ],
  },
  {
    name: "unexpected character in class",
    opl: "class A implements Namespace { @ }",
    errors: [
      { message: "expected 'permits' or 'related', got \"at \\\"@ }\\\": unexpected token @\"", start: [1, 31], end: [1, 31] },
    ],
  },
  {
    name: "class name is a keyword",
    opl: "class this implements Namespace {}",
    errors: [
      { message: "expected identifier, got KeywordThis", start: [1, 6], end: [1, 10] },
    ],
  },
  {
    name: "missing implements",
    opl: "class A extends Namespace {}",
    errors: [
      { message: "expected \"implements\", got \"extends\"", start: [1, 8], end: [1, 15] },
    ],
  },
  {
    name: "wrong interface",
    opl: "class A implements Nameplace {}",
    errors: [
      { message: "expected \"Namespace\", got \"Nameplace\"", start: [1, 19], end: [1, 28] },
    ],
  },
  {
    name: "missing open brace",
    opl: "class A implements Namespace related",
    errors: [
      { message: "expected \"{\", got \"related\"", start: [1, 29], end: [1, 36] },
    ],
  },
  {
    name: "unexpected member",
    opl: "class A implements Namespace { relations: {} }",
    errors: [
      { message: "expected 'permits' or 'related', got \"relations\"", start: [1, 31], end: [1, 40] },
    ],
  },
  {
    name: "unterminated class",
    opl: "class A implements Namespace {",
    errors: [
      { message: "expected 'permits' or 'related', got \"\"", start: [1, 30], end: [1, 30] },
    ],
  },
  {
    name: "related without colon",
    opl: "class A implements Namespace { related { a: A[] } }",
    errors: [
      { message: "expected \":\", got \"{\"", start: [1, 39], end: [1, 40] },
    ],
  },
  {
    name: "relation name is a keyword",
    opl: "class A implements Namespace { related: { ctx: A[] } }",
    errors: [
      { message: "expected identifier or '}', got KeywordCtx \"ctx\"", start: [1, 42], end: [1, 45] },
    ],
  },
  {
    name: "type without brackets",
    opl: "class A implements Namespace { related: { a: A } }",
    errors: [
      { message: "expected \"[\", got \"}\"", start: [1, 47], end: [1, 48] },
    ],
  },
  {
    name: "type union with ||",
    opl: "class A implements Namespace { related: { a: (A || A)[] } }",
    errors: [
      { message: "expected '|', got \"||\"", start: [1, 48], end: [1, 50] },
    ],
  },
  {
    name: "unterminated type union",
    opl: "class A implements Namespace { related: { a: (A | ",
    errors: [
      { message: "expected '|', got \"broken state\"", start: [1, 1], end: [1, 1] },
    ],
  },
  {
    name: "SubjectSet without comma",
    opl: "class A implements Namespace { related: { a: SubjectSet<A \"a\">[] } }",
    errors: [
      { message: "expected \",\", got \"a\"", start: [1, 59], end: [1, 60] },
    ],
  },
  {
    name: "SubjectSet in union without comma",
    opl: "class A implements Namespace { related: { a: (SubjectSet<A \"a\">)[] } }",
    errors: [
      { message: "expected \",\", got \"a\"", start: [1, 60], end: [1, 61] },
      { message: "expected '|', got \">\"", start: [1, 62], end: [1, 63] },
    ],
  },
  {
    name: "Array form followed by comma",
    opl: "class A implements Namespace { related: { a: Array<A>, b: A[] } }",
    errors: [
      { message: "expected identifier or '}', got \",\" \",\"", start: [1, 53], end: [1, 54] },
    ],
  },
  {
    name: "undeclared type",
    opl: "class A implements Namespace { related: { a: Usr[] } }",
    errors: [
      { message: "namespace \"Usr\" was not declared", start: [1, 45], end: [1, 48] },
    ],
  },
  {
    name: "undeclared type, suggestion",
    opl: "class User implements Namespace {}\nclass A implements Namespace { related: { a: Usr[] } }",
    errors: [
      { message: "namespace \"Usr\" was not declared; did you mean \"User\"?", start: [2, 45], end: [2, 48] },
    ],
  },
  {
    name: "undeclared SubjectSet namespace",
    opl: "class User implements Namespace {}\nclass A implements Namespace { related: { a: SubjectSet<Group, \"members\">[] } }",
    errors: [
      { message: "namespace \"Group\" was not declared", start: [2, 56], end: [2, 61] },
    ],
  },
  {
    name: "undeclared SubjectSet relation",
    opl: "class Group implements Namespace { related: { members: Group[] } }\nclass A implements Namespace { related: { a: SubjectSet<Group, \"member\">[] } }",
    errors: [
      { message: "namespace \"Group\" did not declare relation \"member\"; did you mean \"members\"?", start: [2, 64], end: [2, 70] },
    ],
  },
  {
    name: "permits without =",
    opl: "class A implements Namespace { permits { } }",
    errors: [
      { message: "expected \"=\", got \"{\"", start: [1, 39], end: [1, 40] },
    ],
  },
  {
    name: "permit without ctx",
    opl: "class A implements Namespace { permits = { p: () => this.permits.p(ctx) } }",
    errors: [
      { message: "expected \"ctx\", got \")\"", start: [1, 47], end: [1, 48] },
    ],
  },
  {
    name: "permit with wrong parameter type",
    opl: "class A implements Namespace { permits = { p: (ctx: Ctx) => this.permits.p(ctx) } }",
    errors: [
      { message: "expected \"Context\", got \"Ctx\"", start: [1, 52], end: [1, 55] },
    ],
  },
  {
    name: "permit with wrong return type",
    opl: "class A implements Namespace { permits = { p: (ctx): bool => this.permits.p(ctx) } }",
    errors: [
      { message: "expected \"boolean\", got \"bool\"", start: [1, 53], end: [1, 57] },
    ],
  },
  {
    name: "permit without arrow",
    opl: "class A implements Namespace { permits = { p: (ctx) this.permits.p(ctx) } }",
    errors: [
      { message: "expected \"=>\", got \"this\"", start: [1, 52], end: [1, 56] },
    ],
  },
  {
    name: "expression not starting with this",
    opl: "class A implements Namespace { permits = { p: (ctx) => that.permits.p(ctx) } }",
    errors: [
      { message: "expected \"this\", got \"that\"", start: [1, 55], end: [1, 59] },
    ],
  },
  {
    name: "unknown verb",
    opl: "class A implements Namespace { permits = { p: (ctx) => this.relates.p.includes(ctx.subject) } }",
    errors: [
      { message: "expected 'related' or 'permits', got \"relates\"", start: [1, 60], end: [1, 67] },
    ],
  },
  {
    name: "unknown method",
    opl: "class A implements Namespace { related: { r: A[] } permits = { p: (ctx) => this.related.r.contains(ctx.subject) } }",
    errors: [
      { message: "expected 'traverse' or 'includes', got \"contains\"", start: [1, 90], end: [1, 98] },
    ],
  },
  {
    name: "includes with other argument",
    opl: "class A implements Namespace { related: { r: A[] } permits = { p: (ctx) => this.related.r.includes(ctx.object) } }",
    errors: [
      { message: "expected \"subject\", got \"object\"", start: [1, 103], end: [1, 109] },
    ],
  },
  {
    name: "permit call without ctx",
    opl: "class A implements Namespace { permits = { p: (ctx) => this.permits.p() } }",
    errors: [
      { message: "expected \"ctx\", got \")\"", start: [1, 70], end: [1, 71] },
    ],
  },
  {
    name: "undeclared relation",
    opl: "class A implements Namespace { related: { viewers: A[] } permits = { p: (ctx) => this.related.viewer.includes(ctx.subject) } }",
    errors: [
      { message: "namespace \"A\" did not declare relation \"viewer\"; did you mean \"viewers\"?", start: [1, 94], end: [1, 100] },
    ],
  },
  {
    name: "undeclared permit",
    opl: "class A implements Namespace { permits = { view: (ctx) => this.permits.veiw(ctx) } }",
    errors: [
      { message: "namespace \"A\" did not declare relation \"veiw\"; did you mean \"view\"?", start: [1, 71], end: [1, 75] },
    ],
  },
  {
    name: "two expressions after a group",
    opl: "class A implements Namespace { permits = { p: (ctx) => (this.permits.p(ctx)) this.permits.p(ctx) } }",
    errors: [
      { message: "did not expect another expression", start: [1, 77], end: [1, 81] },
    ],
  },
  {
    name: "two expressions after a not",
    opl: "class A implements Namespace { permits = { p: (ctx) => !this.permits.p(ctx) this.permits.p(ctx) } }",
    errors: [
      { message: "did not expect another expression", start: [1, 76], end: [1, 80] },
    ],
  },
  {
    name: "too deeply nested parentheses",
    opl: "class A implements Namespace { permits = { p: (ctx) => ((((((((((this.permits.p(ctx)))))))))) } }",
    errors: [
      { message: "expression nested too deeply; maximal nesting depth is 10", start: [1, 65], end: [1, 69] },
    ],
  },
  {
    name: "too deeply nested negations",
    opl: "class A implements Namespace { permits = { p: (ctx) => !(!(!(!(!(this.permits.p(ctx)))))) } }",
    errors: [
      { message: "expression nested too deeply; maximal nesting depth is 10", start: [1, 65], end: [1, 69] },
    ],
  },
  {
    name: "double negation without parentheses",
    opl: "class A implements Namespace { permits = { p: (ctx) => !!this.permits.p(ctx) } }",
    errors: [
      { message: "expected \"this\", got \"!\"", start: [1, 56], end: [1, 57] },
    ],
  },
  {
    name: "traverse with unknown verb",
    opl: "class A implements Namespace { related: { r: A[] } permits = { p: (ctx) => this.related.r.traverse((x) => x.relates.r.includes(ctx.subject)) } }",
    errors: [
      { message: "expected 'related' or 'permits', got \"'relates'\"", start: [1, 108], end: [1, 115] },
    ],
  },
  {
    name: "traverse with wrong parameter",
    opl: "class A implements Namespace { related: { r: A[] } permits = { p: (ctx) => this.related.r.traverse((x) => y.permits.p(ctx)) } }",
    errors: [
      { message: "expected \"x\", got \"y\"", start: [1, 106], end: [1, 107] },
      { message: "expected 'related' or 'permits', got \"error: \"", start: [1, 1], end: [1, 1] },
    ],
  },
  {
    name: "traverse target missing on type",
    opl: "class B implements Namespace {}\nclass A implements Namespace { related: { r: B[] } permits = { p: (ctx) => this.related.r.traverse((x) => x.permits.p(ctx)) } }",
    errors: [
      { message: "relation \"p\" was not declared in namespace \"B\"", start: [2, 88], end: [2, 89] },
    ],
  },
  {
    name: "traverse over undeclared relation",
    opl: "class A implements Namespace { related: { parents: A[] } permits = { p: (ctx) => this.related.parent.traverse((x) => x.permits.p(ctx)) } }",
    errors: [
      { message: "relation \"parent\" was not declared in namespace \"A\"; did you mean \"parents\"?", start: [1, 94], end: [1, 100] },
      { message: "namespace \"A\" did not declare relation \"parent\"; did you mean \"parents\"?", start: [1, 94], end: [1, 100] },
    ],
  },
  {
    name: "traverse with || inside",
    opl: "class A implements Namespace { related: { r: A[] } permits = { p: (ctx) => this.related.r.traverse((x) => x.permits.p(ctx) || x.permits.p(ctx)) } }",
    errors: [
      { message: "expected \")\", got \"||\"", start: [1, 123], end: [1, 125] },
    ],
  },
  {
    name: "traverse through self-referencing SubjectSet",
    opl: "class G implements Namespace { related: { m: SubjectSet<G, \"m\">[] } }\nclass A implements Namespace { related: { r: SubjectSet<G, \"m\">[] } permits = { p: (ctx) => this.related.r.traverse((x) => x.permits.p(ctx)) } }",
    errors: [
      { message: "could not typecheck deeply nested SubjectSet further", start: [2, 105], end: [2, 106] },
    ],
  },
  {
    name: "comma inside group",
    opl: "class A implements Namespace { permits = { p: (ctx) => (this.permits.p(ctx), this.permits.p(ctx)) } }",
    errors: [
      { message: "expected \"this\", got \",\"", start: [1, 75], end: [1, 76] },
    ],
  },
  {
    name: "error on a later line",
    opl: "class A implements Namespace {\n  related: {\n    r: A[]\n  }\n  permits = {\n    p: (ctx) => this.related.rr.includes(ctx.subject),\n  }\n}",
    errors: [
      { message: "namespace \"A\" did not declare relation \"rr\"", start: [6, 29], end: [6, 31] },
    ],
  },
  {
    name: "token at the start of a line",
    opl: "class A implements Namespace {\n  permits = {\n    p: (ctx) =>\nthat.permits.p(ctx)\n  }\n}",
    errors: [
      { message: "expected \"this\", got \"that\"", start: [3, 16], end: [4, 4] },
    ],
  },
  {
    name: "non-ASCII identifier",
    opl: "class Ä implements Namespace {}",
    errors: [
      { message: "expected identifier, got Error", start: [1, 6], end: [1, 6] },
    ],
  },
];
