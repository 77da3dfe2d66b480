import type { Chain, ClassDecl, Name, OplDocument, Operand, PermitDecl, RelatedDecl, TypeRef } from './ast.js';
import { goQuotePrefix } from './go-quote.js';
import { MAX_QUOTED_SOURCE, MAX_REPORTED_DIAGNOSTICS, SUBJECT_SET_TYPECHECK_MAX_DEPTH } from './limits.js';
import type { SourceProblem } from './parser.js';
import { closest, didYouMean } from './suggest.js';

/**
 * Keto's type checks (ory/keto: schema/typechecks.go), in Keto's order and wording, each
 * message followed by a suggestion when a declared name is close:
 * - every type names a declared class, every `SubjectSet<C, "r">` a relation of C;
 * - `this.related.R` and `this.permits.P` name relations of the enclosing class;
 * - the target of `R.traverse(x => x.….S…)` exists on every type R can point to, following
 *   `SubjectSet` types up to the depth limit.
 * A problem found again through another path at the same place is reported once.
 *
 * A suggestion compares a name with every name declared where it was looked up, so only
 * the first MAX_REPORTED_DIAGNOSTICS problems (those a compilation reports) get one: with
 * a suggestion for each of n problems among n names, a large model took quadratic time.
 */
export function typecheck(document: OplDocument): SourceProblem[] {
  return new TypeChecker(document).run();
}

type Relation = RelatedDecl | PermitDecl;

const q = (text: string) => goQuotePrefix(text, MAX_QUOTED_SOURCE);

class TypeChecker {
  private readonly classes = new Map<string, ClassDecl>();
  private readonly relations = new Map<string, Map<string, Relation>>();
  private readonly problems: SourceProblem[] = [];
  private readonly reported = new Set<string>();

  constructor(private readonly document: OplDocument) {
    for (const decl of document.classes) {
      if (this.classes.has(decl.name.value)) continue;
      this.classes.set(decl.name.value, decl);
      const byName = new Map<string, Relation>();
      for (const member of decl.members) {
        if (member.kind === 'permit' && !member.kept) continue;
        if (!byName.has(member.name.value)) byName.set(member.name.value, member);
      }
      this.relations.set(decl.name.value, byName);
    }
  }

  run(): SourceProblem[] {
    for (const decl of this.document.classes) {
      for (const member of decl.members) {
        if (member.kind === 'related') member.types.forEach((t) => this.checkType(t));
        else this.checkChain(decl.name.value, member.body);
      }
    }
    return this.problems;
  }

  /** Records a problem once per place and message; `suggest` is asked only while problems are still reported. */
  private report(at: Name, message: string, suggest?: () => string | undefined): void {
    const key = `${at.start}:${at.end}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const hint = suggest !== undefined && this.problems.length < MAX_REPORTED_DIAGNOSTICS ? didYouMean(suggest()) : '';
    this.problems.push(Object.freeze({ message: message + hint, start: at.start, end: at.end }));
  }

  private undeclaredNamespace(at: Name, namespace: string): void {
    this.report(at, `namespace ${q(namespace)} was not declared`, () => closest(namespace, this.classes.keys()));
  }

  private relationNames(namespace: string): Iterable<string> {
    return this.relations.get(namespace)?.keys() ?? [];
  }

  private checkType(type: TypeRef): void {
    const namespace = type.namespace.value;
    if (!this.classes.has(namespace)) return this.undeclaredNamespace(type.namespace, namespace);
    if (type.relation === undefined) return;
    this.checkHasRelation(namespace, type.relation);
  }

  private checkHasRelation(namespace: string, relation: Name): void {
    if (this.relations.get(namespace)?.has(relation.value)) return;
    this.report(relation, `namespace ${q(namespace)} did not declare relation ${q(relation.value)}`, () =>
      closest(relation.value, this.relationNames(namespace)),
    );
  }

  private checkChain(namespace: string, chain: Chain): void {
    for (const item of chain.items) if (item.kind !== 'operator') this.checkOperand(namespace, item);
  }

  private checkOperand(namespace: string, operand: Operand): void {
    switch (operand.kind) {
      case 'group':
        return this.checkChain(namespace, operand.chain);
      case 'not':
        return this.checkOperand(namespace, operand.operand);
      case 'includes':
        return this.checkHasRelation(namespace, operand.relation);
      case 'permit_call':
        return this.checkHasRelation(namespace, operand.permit);
      case 'traverse':
        this.checkTraverseTarget(operand.relation, namespace, operand.relation.value, operand.target.value, SUBJECT_SET_TYPECHECK_MAX_DEPTH, new Set());
        return this.checkHasRelation(namespace, operand.relation);
    }
  }

  /** Every type that `namespace#relation` can point to must declare `target`. */
  private checkTraverseTarget(at: Name, namespace: string, relation: string, target: string, depth: number, seen: Set<string>): void {
    if (depth < 0) return this.report(at, 'could not typecheck deeply nested SubjectSet further');
    const state = `${depth}\u0000${namespace}\u0000${relation}`;
    if (seen.has(state)) return;
    seen.add(state);
    const decl = this.relations.get(namespace)?.get(relation);
    if (decl === undefined) {
      return this.report(at, `relation ${q(relation)} was not declared in namespace ${q(namespace)}`, () =>
        closest(relation, this.relationNames(namespace)),
      );
    }
    if (decl.kind !== 'related') return;
    for (const type of decl.types) {
      const typeNamespace = type.namespace.value;
      if (type.relation === undefined || type.relation.value === '') {
        if (this.relations.get(typeNamespace)?.has(target)) continue;
        this.report(at, `relation ${q(target)} was not declared in namespace ${q(typeNamespace)}`, () =>
          closest(target, this.relationNames(typeNamespace)),
        );
      } else {
        this.checkTraverseTarget(at, typeNamespace, type.relation.value, target, depth - 1, seen);
      }
    }
  }
}
