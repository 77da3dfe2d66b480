import { unknownNamespace } from '../errors.js';
import type { ModelSnapshot } from '../model.js';
import type { RelationQuery, RelationTuple } from '../tuple.js';

/** Every namespace a tuple or query names must be configured, as Keto's mapper requires (404 otherwise). */
export function requireKnownNamespaces(model: ModelSnapshot, item: RelationTuple | RelationQuery): void {
  const names = [item.namespace];
  if (item.subject !== undefined && 'set' in item.subject) names.push(item.subject.set.namespace);
  for (const name of names) {
    if (name !== undefined && model.namespace(name) === undefined) throw unknownNamespace(name);
  }
}
