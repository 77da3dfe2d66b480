import type { Namespace, RelationType, RewriteChild, SubjectSetRewrite } from '../../../src/model.js';

/** Syntax choices the printer can make; every combination is valid OPL with the same meaning. */
export interface PrintStyle {
  readonly typedArrow: boolean;
  readonly arrayGeneric: boolean;
  readonly bracketAccess: boolean;
  readonly parenthesisedParameter: boolean;
  readonly comments: boolean;
  readonly trailingCommas: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['class', 'implements', 'this', 'ctx']);
const isPlainName = (name: string) => IDENTIFIER.test(name) && !KEYWORDS.has(name);

const key = (name: string) => (isPlainName(name) ? name : JSON.stringify(name));

/** Prints a model as OPL that compiles back to exactly this model (rewrites must be in Keto's simplified shape). */
export function printModel(namespaces: readonly Namespace[], style: PrintStyle): string {
  const comment = (text: string) => (style.comments ? ` /* ${text} */` : '');
  const access = (name: string) => (style.bracketAccess || !isPlainName(name) ? `[${JSON.stringify(name)}]` : `.${name}`);
  const typeText = (t: RelationType) => (t.relation === undefined ? t.namespace : `SubjectSet<${t.namespace}, ${JSON.stringify(t.relation)}>`);

  /** A relation with types is read with `related…includes`, a permit with `permits…(ctx)`: both mean the same. */
  const leaf = (child: RewriteChild, related: ReadonlySet<string>): string => {
    switch (child.type) {
      case 'computed_subject_set':
        return related.has(child.relation)
          ? `this.related${access(child.relation)}.includes(ctx.subject)`
          : `this.permits${access(child.relation)}(ctx)`;
      case 'tuple_to_subject_set': {
        const param = style.parenthesisedParameter ? '(x)' : 'x';
        const target = child.computedSubjectSetRelation;
        const body = related.has(target) ? `x.related${access(target)}.includes(ctx.subject)` : `x.permits${access(target)}(ctx)`;
        return `this.related${access(child.relation)}.traverse(${param} => ${body})`;
      }
      case 'invert':
        return `!${child.child.type === 'rewrite' ? `(${expression(child.child, related)})` : leaf(child.child, related)}`;
      case 'rewrite':
        return `(${expression(child, related)})`;
    }
  };
  const expression = (rewrite: SubjectSetRewrite, related: ReadonlySet<string>): string =>
    rewrite.children.map((c) => leaf(c, related)).join(rewrite.operator === 'or' ? ' ||\n      ' : ' && ');

  return namespaces
    .map((ns) => {
      const related = ns.relations.filter((r) => r.rewrite === undefined);
      const permits = ns.relations.filter((r) => r.rewrite !== undefined);
      const relatedNames = new Set(related.map((r) => r.name));
      const lines = [`class ${ns.name} implements Namespace {${comment('a class')}`];
      if (related.length > 0) {
        lines.push('  related: {');
        for (const r of related) {
          const types = r.types.map(typeText).join(' | ');
          const text = style.arrayGeneric ? `Array<${types}>` : `(${types})[]${style.trailingCommas ? ',' : ''}`;
          lines.push(`    ${key(r.name)}: ${text}`);
        }
        lines.push('  }');
      }
      if (permits.length > 0) {
        lines.push('  permits = {');
        const head = style.typedArrow ? '(ctx: Context): boolean =>' : '(ctx) =>';
        permits.forEach((p, i) => {
          const comma = style.trailingCommas || i < permits.length - 1 ? ',' : '';
          lines.push(`    ${key(p.name)}: ${head}${comment('body')}\n      ${expression(p.rewrite!, relatedNames)}${comma}`);
        });
        lines.push('  }');
      }
      lines.push('}');
      return lines.join('\n');
    })
    .join('\n\n');
}
