import type { Subject } from '../tuple.js';
import type { CompiledModel, CompiledRelation, SubjectSetType } from './compiled-model.js';

/** Whether the model lets `subject` sit directly on `relation` (strict mode consults this). */
export function allowsDirectMember(relation: CompiledRelation | undefined, subject: Subject): boolean {
  if ('id' in subject) return relation === undefined || relation.rewrite === undefined;
  if (relation === undefined || relation.rewrite !== undefined) return false;
  const s = subject.set;
  return relation.types.some((t) => t.namespace === s.namespace && (t.relation ?? '') === s.relation);
}

/** A subject-set type strict mode expands, and whether the subject may sit directly on its relation. */
export interface ExpansionType extends SubjectSetType {
  readonly allowsDirect: boolean;
}

export function expansionTypes(model: CompiledModel, subject: Subject, relation: CompiledRelation | undefined): ExpansionType[] {
  if (relation === undefined) return [];
  return relation.subjectSetTypes.map((t) => ({
    namespace: t.namespace,
    relation: t.relation,
    allowsDirect: allowsDirectMember(model.relationFor(t.namespace, t.relation), subject),
  }));
}

/** Keto's lookup that ignores an undeclared relation instead of failing. */
export function relationOrNone(model: CompiledModel, namespace: string, relation: string): CompiledRelation | undefined {
  try {
    return model.relationFor(namespace, relation);
  } catch {
    return undefined;
  }
}
