import type { ModelSnapshot, Namespace } from '../model.js';

/** A model snapshot as the namespace manager hands it out: the model plus the strict-mode flag in force with it. */
export interface NamespaceSnapshot extends ModelSnapshot {
  /** `feature_flags.strict_mode` or `namespaces.experimental_strict_mode`. */
  readonly strictMode: boolean;
}

/** An immutable snapshot; of two namespaces with one name the later one counts. */
export function createSnapshot(namespaces: readonly Namespace[], strictMode: boolean): NamespaceSnapshot {
  const byName = new Map<string, Namespace>();
  for (const namespace of namespaces) byName.set(namespace.name, namespace);
  const list = Object.freeze([...byName.values()]);
  return Object.freeze({
    namespaces: list,
    strictMode,
    namespace: (name: string) => byName.get(name),
  });
}
