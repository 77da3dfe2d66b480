/** Arguments and flags naming tuples, subjects and queries, with Keto's rules and messages. */
import { parseSubjectSet } from '../api/tuple-string.js';
import type { RelationQuery, Subject } from '../tuple.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './flags.js';
import type { CliIo } from './io.js';

/**
 * `namespace:object`, or the deprecated two arguments `namespace object` (with a warning).
 * The object may be empty; the namespace may not.
 */
export function namespaceAndObject(args: readonly string[], io: CliIo): { namespace: string; object: string } {
  if (args.length === 2) {
    io.err(
      'Warning: passing namespace and object as separate arguments is deprecated. Use <object_namespace>:<object_id> instead.\n',
    );
    return { namespace: args[0]!, object: args[1]! };
  }
  if (args.length === 1) {
    const i = args[0]!.indexOf(':');
    if (i <= 0) throw new UsageError(`expected <object_namespace>:<object_id> format, got ${JSON.stringify(args[0])}`);
    return { namespace: args[0]!.slice(0, i), object: args[0]!.slice(i + 1) };
  }
  throw new UsageError(
    `unexpected number of arguments for <object_namespace>:<object_id>: got ${args.length} arguments - ${args.join(',')}`,
  );
}

export const QUERY_FLAGS: readonly FlagSpec[] = [
  { name: 'namespace', kind: 'string', description: 'Set the requested namespace' },
  { name: 'subject-id', kind: 'string', description: 'Set the requested subject ID' },
  { name: 'subject-set', kind: 'string', description: 'Set the requested subject set; format: "namespace:object#relation"' },
  { name: 'relation', kind: 'string', description: 'Set the requested relation' },
  { name: 'object', kind: 'string', description: 'Set the requested object' },
  { name: 'subject', kind: 'string', description: '', hidden: true },
];

/** The query given by the flags that are set; `--subject-id` wins over `--subject-set` as in Keto. */
export function queryFromFlags(args: ParsedArgs): RelationQuery {
  if (args.changed.has('subject')) {
    throw new UsageError('usage of --subject is not supported anymore, use --subject-id or --subject-set respectively');
  }
  const set = (name: string) => (args.changed.has(name) ? args.string(name) : undefined);
  let subject: Subject | undefined;
  const subjectId = set('subject-id');
  const subjectSet = set('subject-set');
  if (subjectId !== undefined) subject = { id: subjectId };
  else if (subjectSet !== undefined) {
    try {
      subject = { set: parseSubjectSet(subjectSet) };
    } catch {
      throw new UsageError(`invalid --subject-set ${JSON.stringify(subjectSet)}: expected namespace:object#relation`);
    }
  }
  const query: { namespace?: string; object?: string; relation?: string; subject?: Subject } = {};
  const namespace = set('namespace');
  const object = set('object');
  const relation = set('relation');
  if (namespace !== undefined) query.namespace = namespace;
  if (object !== undefined) query.object = object;
  if (relation !== undefined) query.relation = relation;
  if (subject !== undefined) query.subject = subject;
  return query;
}
