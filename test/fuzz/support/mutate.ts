import fc from 'fast-check';
import { garbageString } from './garbage.js';

/** One structural edit of a JSON document, at the node `at` picks (modulo the node count). */
export interface JsonMutation {
  at: number;
  op: 'replace' | 'delete' | 'rename' | 'wrap' | 'null' | 'stringify' | 'add';
  value: unknown;
  name: string;
}

const KEY_NAMES = [
  'namespace', 'Namespace', 'NAMESPACE', 'object', 'relation', 'subject', 'subject_id', 'subjectId', 'SUBJECT_ID',
  'subject_set', 'subjectSet', 'relation_tuple', 'Relation_Tuple', 'action', 'Action', 'tuples', 'max_depth', '',
];

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'rename', 'wrap', 'null', 'stringify', 'add'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), garbageString, fc.constantFrom(1e308, -0, 2 ** 53 + 1, true)),
  name: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEY_NAMES) }, { weight: 1, arbitrary: garbageString }),
});

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Applies the mutations in order to a copy of the document. */
export function mutateJson(doc: unknown, mutations: readonly JsonMutation[]): unknown {
  const holder: Record<string, unknown> = { root: structuredClone(doc) };
  for (const m of mutations) {
    const slots: Slot[] = [];
    collect(holder, 'root', slots);
    const { parent, key } = slots[m.at % slots.length]!;
    const get = () => (parent as Record<string | number, unknown>)[key];
    const set = (v: unknown) => ((parent as Record<string | number, unknown>)[key] = v);
    switch (m.op) {
      case 'replace':
        set(m.value);
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (parent !== holder) delete parent[key as string];
        break;
      case 'rename':
        if (!Array.isArray(parent) && parent !== holder) {
          const v = get();
          delete parent[key as string];
          parent[m.name] = v;
        }
        break;
      case 'wrap':
        set([get()]);
        break;
      case 'null':
        set(null);
        break;
      case 'stringify':
        set(JSON.stringify(get()) ?? '');
        break;
      case 'add': {
        const v = get();
        if (Array.isArray(v)) v.push(m.value);
        else if (typeof v === 'object' && v !== null) (v as Record<string, unknown>)[m.name] = m.value;
        else set(m.value);
        break;
      }
    }
  }
  return holder.root;
}

function collect(parent: Record<string, unknown> | unknown[], key: string | number, out: Slot[]): void {
  out.push({ parent, key });
  const v = (parent as Record<string | number, unknown>)[key];
  if (Array.isArray(v)) v.forEach((_, i) => collect(v, i, out));
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) collect(v as Record<string, unknown>, k, out);
}
