import type { Chain, OplDocument, Operand, Span } from './ast.js';
import { readingsDiffer, type Precedence } from './fold.js';
import type { SourceProblem } from './parser.js';

export interface LintResult {
  readonly errors: readonly SourceProblem[];
  readonly warnings: readonly SourceProblem[];
}

/**
 * What Keto accepts but TypeScript would not, or would read differently.
 *
 * - `||` and `&&` mixed so that Keto's left-to-right reading differs from TypeScript's
 *   precedence: a warning in both modes (the two servers or the two readings disagree).
 * - A missing or repeated operator, a trailing operator, a `(` closed by `}`, a permit with
 *   no expression, a class or relation declared twice: Keto accepts them with a surprising
 *   meaning; a warning by default, an error with TypeScript precedence (that mode follows
 *   TypeScript's grammar as well).
 */
export function lintDocument(document: OplDocument, precedence: Precedence): LintResult {
  const quirks: SourceProblem[] = [];
  const warnings: SourceProblem[] = [];
  const quirk = (at: Span, message: string) => quirks.push(Object.freeze({ message, start: at.start, end: at.end }));

  const visitChain = (chain: Chain): void => {
    const items = chain.items;
    const operators = new Set<'or' | 'and'>();
    let regular = true;
    items.forEach((item, i) => {
      const previous = items[i - 1];
      if (item.kind === 'operator') {
        operators.add(item.op);
        if (previous?.kind === 'operator' || i === items.length - 1) {
          const dangling = previous?.kind === 'operator' ? previous : item;
          quirk(dangling, `operator ${symbol(dangling.op)} has no right operand; Keto ignores it`);
          regular = false;
        }
        return;
      }
      if (previous !== undefined && previous.kind !== 'operator') {
        quirk(item, 'missing `||` or `&&` before this expression; Keto adds it to the expression before it');
        regular = false;
      }
      visitOperand(item);
    });
    if (regular && operators.size === 2 && readingsDiffer(chain)) {
      warnings.push(Object.freeze({ message: precedenceMessage(precedence), start: chain.start, end: chain.end }));
    }
  };

  const visitOperand = (operand: Operand): void => {
    if (operand.kind === 'not') return visitOperand(operand.operand);
    if (operand.kind !== 'group') return;
    if (!operand.closed) quirk(operand, 'this `(` is never closed; Keto closes it at the next `}`');
    visitChain(operand.chain);
  };

  const classes = new Set<string>();
  for (const decl of document.classes) {
    if (classes.has(decl.name.value)) {
      quirk(decl.name, `class ${JSON.stringify(decl.name.value)} is declared again; Keto type-checks against the first declaration but serves this one`);
    }
    classes.add(decl.name.value);
    const members = new Set<string>();
    for (const member of decl.members) {
      if (member.kind === 'related' || member.kept) {
        if (members.has(member.name.value)) {
          quirk(member.name, `${JSON.stringify(member.name.value)} is declared twice in class ${JSON.stringify(decl.name.value)}; only the first declaration counts`);
        }
        members.add(member.name.value);
      }
      if (member.kind !== 'permit') continue;
      if (!member.kept) {
        quirk(member.name, `permit ${JSON.stringify(member.name.value)} has no complete expression; Keto ignores it and the rest of this permits block`);
        continue;
      }
      visitChain(member.body);
    }
  }
  return precedence === 'keto' ? { errors: [], warnings: [...warnings, ...quirks] } : { errors: quirks, warnings };
}

const symbol = (op: 'or' | 'and') => (op === 'or' ? '`||`' : '`&&`');

function precedenceMessage(precedence: Precedence): string {
  const advice = 'add parentheses to say which is meant';
  return precedence === 'keto'
    ? `\`||\` and \`&&\` are mixed without parentheses: this is read strictly left to right as Keto does (\`a || b && c\` means \`(a || b) && c\`), not with TypeScript's precedence; ${advice}`
    : `\`||\` and \`&&\` are mixed without parentheses: this is read with TypeScript's precedence (\`a || b && c\` means \`a || (b && c)\`), but Keto reads it left to right; ${advice}`;
}
