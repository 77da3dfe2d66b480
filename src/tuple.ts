/** The relationship data model, independent of any wire format or database. */

export interface SubjectSet {
  readonly namespace: string;
  readonly object: string;
  /** Empty for a typed subject such as `User:alice`. */
  readonly relation: string;
}

/** A subject is an opaque id or a subject set. */
export type Subject = { readonly id: string } | { readonly set: SubjectSet };

export interface RelationTuple {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject: Subject;
}

/** `namespace:object#relation`: the left-hand side of a tuple; the same shape as a subject set. */
export type ObjectRelation = SubjectSet;

/** A filter over tuples: every field that is set must match exactly. */
export interface RelationQuery {
  readonly namespace?: string;
  readonly object?: string;
  readonly relation?: string;
  readonly subject?: Subject;
}

export const isSubjectSet = (s: Subject): s is { readonly set: SubjectSet } => 'set' in s;

export function subjectEquals(a: Subject, b: Subject): boolean {
  if ('id' in a) return 'id' in b && a.id === b.id;
  return 'set' in b && a.set.namespace === b.set.namespace && a.set.object === b.set.object && a.set.relation === b.set.relation;
}

/** Binary string order (UTF-8 bytes, that is code points), as the stores collate. */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A key as one string, for maps and sets (NUL never occurs in a stored identifier). */
export const keyName = (namespace: string, object: string, relation: string): string => `${namespace}\u0000${object}\u0000${relation}`;
