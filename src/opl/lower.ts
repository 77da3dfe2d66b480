import type { Namespace, Relation, RelationType } from '../model.js';
import type { OplDocument, TypeRef } from './ast.js';
import { lowerPermitBody, type Precedence } from './fold.js';

/**
 * The engine's namespaces from a checked document, as Keto builds them: relations in
 * source order (`related` entries with their types, permits with their rewrite), and of
 * two classes with one name the later one. Of two relations with one name only the first
 * is kept: it is the one Keto finds and evaluates.
 */
export function lowerDocument(document: OplDocument, precedence: Precedence): Namespace[] {
  const byName = new Map<string, Namespace>();
  for (const decl of document.classes) {
    const relations: Relation[] = [];
    const seen = new Set<string>();
    for (const member of decl.members) {
      if (seen.has(member.name.value) || (member.kind === 'permit' && !member.kept)) continue;
      seen.add(member.name.value);
      if (member.kind === 'related') {
        relations.push(Object.freeze({ name: member.name.value, types: Object.freeze(member.types.map(lowerType)) }));
      } else {
        relations.push(Object.freeze({ name: member.name.value, types: Object.freeze([]), rewrite: lowerPermitBody(member.body, precedence) }));
      }
    }
    byName.set(decl.name.value, Object.freeze({ name: decl.name.value, relations: Object.freeze(relations) }));
  }
  return [...byName.values()];
}

function lowerType(type: TypeRef): RelationType {
  const relation = type.relation?.value;
  return Object.freeze(relation ? { namespace: type.namespace.value, relation } : { namespace: type.namespace.value });
}
