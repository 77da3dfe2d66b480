import type { ModelSnapshot, Relation, RewriteChild } from '../../src/model.js';
import type { RelationTuple, Subject } from '../../src/tuple.js';
import { subjectEquals } from '../../src/tuple.js';

/**
 * An independent, naive evaluator of Keto's check semantics without limits: for one
 * subject, every `namespace:object#relation` is an atom defined by a formula over other
 * atoms (direct tuple, subject-set expansion, rewrite). Atoms are grouped into strongly
 * connected components and evaluated dependencies first; inside a component the least
 * fixpoint is reached by iteration from false. Negation inside a component has no
 * stratified meaning: the oracle refuses such inputs (NotStratified).
 */

export class NotStratified extends Error {}

type Formula =
  | { readonly op: 'const'; readonly value: boolean }
  | { readonly op: 'atom'; readonly atom: string }
  | { readonly op: 'or' | 'and'; readonly args: readonly Formula[] }
  | { readonly op: 'not'; readonly arg: Formula };

const FALSE: Formula = { op: 'const', value: false };
const atomKey = (namespace: string, object: string, relation: string) => `${namespace}\u0000${object}\u0000${relation}`;

export interface OracleOptions {
  /** Keto's strict mode: direct tuples and expansions only where the model declares the subject's type. */
  readonly strict: boolean;
}

export class Oracle {
  private readonly byKey = new Map<string, Subject[]>();
  private readonly memo = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly model: ModelSnapshot,
    tuples: readonly RelationTuple[],
    private readonly options: OracleOptions,
  ) {
    for (const t of tuples) {
      const k = atomKey(t.namespace, t.object, t.relation);
      const list = this.byKey.get(k) ?? [];
      list.push(t.subject);
      this.byKey.set(k, list);
    }
  }

  /** Whether `subject` has `relation` on `namespace:object`. */
  holds(namespace: string, object: string, relation: string, subject: Subject): boolean {
    const sk = JSON.stringify(subject);
    let values = this.memo.get(sk);
    if (values === undefined) {
      values = new Map();
      this.memo.set(sk, values);
    }
    const key = atomKey(namespace, object, relation);
    if (!values.has(key)) this.solve(key, subject, values);
    return values.get(key) as boolean;
  }

  private declared(namespace: string, relation: string): Relation | undefined {
    return this.model.namespace(namespace)?.relations.find((r) => r.name === relation);
  }

  private allowsDirect(rel: Relation | undefined, subject: Subject): boolean {
    if ('id' in subject) return rel === undefined || rel.rewrite === undefined;
    if (rel === undefined || rel.rewrite !== undefined) return false;
    return rel.types.some((t) => t.namespace === subject.set.namespace && (t.relation ?? '') === subject.set.relation);
  }

  private formula(key: string, subject: Subject): Formula {
    const [namespace, object, relation] = key.split('\u0000') as [string, string, string];
    const rel = relation === '' ? undefined : this.declared(namespace, relation);
    const stored = this.byKey.get(key) ?? [];
    const parts: Formula[] = [];
    const direct = stored.some((s) => subjectEquals(s, subject));
    if (direct && (!this.options.strict || this.allowsDirect(rel, subject))) parts.push({ op: 'const', value: true });
    for (const s of stored) {
      if (!('set' in s)) continue;
      if (this.options.strict) {
        const declaredType = rel?.types.some((t) => t.relation !== undefined && t.relation !== '' && t.namespace === s.set.namespace && t.relation === s.set.relation);
        if (declaredType !== true) continue;
      }
      parts.push({ op: 'atom', atom: atomKey(s.set.namespace, s.set.object, s.set.relation) });
    }
    if (rel?.rewrite !== undefined) parts.push(this.rewrite(namespace, object, rel.rewrite));
    return { op: 'or', args: parts };
  }

  private rewrite(namespace: string, object: string, child: RewriteChild): Formula {
    switch (child.type) {
      case 'rewrite':
        return { op: child.operator, args: child.children.map((c) => this.rewrite(namespace, object, c)) };
      case 'computed_subject_set':
        return { op: 'atom', atom: atomKey(namespace, object, child.relation) };
      case 'invert':
        return { op: 'not', arg: this.rewrite(namespace, object, child.child) };
      case 'tuple_to_subject_set': {
        const args: Formula[] = [];
        for (const s of this.byKey.get(atomKey(namespace, object, child.relation)) ?? []) {
          if ('set' in s) args.push({ op: 'atom', atom: atomKey(s.set.namespace, s.set.object, child.computedSubjectSetRelation) });
        }
        return args.length === 0 ? FALSE : { op: 'or', args };
      }
    }
  }

  /** Tarjan's strongly connected components from `root`, each solved as soon as it is complete. */
  private solve(root: string, subject: Subject, values: Map<string, boolean>): void {
    const formulas = new Map<string, Formula>();
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    let counter = 0;

    const formulaOf = (k: string) => {
      let f = formulas.get(k);
      if (f === undefined) {
        f = this.formula(k, subject);
        formulas.set(k, f);
      }
      return f;
    };

    const visit = (k: string): void => {
      index.set(k, counter);
      low.set(k, counter);
      counter++;
      stack.push(k);
      onStack.add(k);
      for (const dep of atomsOf(formulaOf(k))) {
        if (values.has(dep)) continue;
        if (!index.has(dep)) {
          visit(dep);
          low.set(k, Math.min(low.get(k) as number, low.get(dep) as number));
        } else if (onStack.has(dep)) {
          low.set(k, Math.min(low.get(k) as number, index.get(dep) as number));
        }
      }
      if (low.get(k) !== index.get(k)) return;
      const component: string[] = [];
      for (;;) {
        const top = stack.pop() as string;
        onStack.delete(top);
        component.push(top);
        if (top === k) break;
      }
      const members = new Set(component);
      for (const c of component) {
        if (negatedAtoms(formulaOf(c)).some((a) => members.has(a))) throw new NotStratified(`negation inside a cycle at ${c}`);
      }
      for (const c of component) values.set(c, false);
      for (let changed = true; changed; ) {
        changed = false;
        for (const c of component) {
          if (!values.get(c) && evaluate(formulaOf(c), values)) {
            values.set(c, true);
            changed = true;
          }
        }
      }
    };
    visit(root);
  }
}

function atomsOf(f: Formula, out: string[] = []): string[] {
  switch (f.op) {
    case 'const':
      break;
    case 'atom':
      out.push(f.atom);
      break;
    case 'not':
      atomsOf(f.arg, out);
      break;
    default:
      for (const a of f.args) atomsOf(a, out);
  }
  return out;
}

function negatedAtoms(f: Formula, negated = false, out: string[] = []): string[] {
  switch (f.op) {
    case 'const':
      break;
    case 'atom':
      if (negated) out.push(f.atom);
      break;
    case 'not':
      negatedAtoms(f.arg, true, out);
      break;
    default:
      for (const a of f.args) negatedAtoms(a, negated, out);
  }
  return out;
}

function evaluate(f: Formula, values: ReadonlyMap<string, boolean>): boolean {
  switch (f.op) {
    case 'const':
      return f.value;
    case 'atom':
      return values.get(f.atom) === true;
    case 'not':
      return !evaluate(f.arg, values);
    case 'or':
      return f.args.some((a) => evaluate(a, values));
    case 'and':
      return f.args.length > 0 && f.args.every((a) => evaluate(a, values));
  }
}
