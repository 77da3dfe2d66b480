import type { RelationTuple } from '../../tuple.js';
import type { SqlExecutor, SqlValue } from './driver.js';

/**
 * The columns `walkCursor` reads, in this order: a tuple with its UUIDs and no strings. The
 * schema's check makes a row's subject either a subject id (its set columns NULL) or a set.
 */
export const CURSOR_WALK_COLUMNS =
  't.namespace, t.object, t.relation, COALESCE(t.subject_id, t.subject_set_object), t.subject_set_namespace, t.subject_set_relation';

type UuidRow = [namespace: string, object: string, relation: string, subject: string, setNamespace: string | null, setRelation: string | null];

/** Mapping rows per FETCH while the strings are read. */
const STRINGS_PER_FETCH = 50_000;

/**
 * Streams `selection` (every tuple in store order, over CURSOR_WALK_COLUMNS) through a
 * server-side cursor in `tx`, `size` rows a FETCH, the next FETCH already sent while a page
 * is handed to `onPage`. UUIDs become strings through the whole mapping table, read once
 * after the cursor is declared: the table only grows, so it holds every UUID the cursor's
 * snapshot can return. That is one hash lookup per UUID here instead of an index probe per
 * UUID in the database, at the cost of one in-memory entry per mapping row for the walk.
 */
export async function walkCursor(
  tx: SqlExecutor,
  selection: string,
  params: readonly SqlValue[],
  size: number,
  onPage: (tuples: RelationTuple[]) => boolean,
): Promise<void> {
  const { queryArrays } = tx;
  if (queryArrays === undefined) throw new Error('the cursor walk needs a driver that reads rows as arrays');
  const arrays = (sql: string) => queryArrays.call(tx, sql);
  await tx.execute(`DECLARE gatehouse_walk NO SCROLL CURSOR FOR ${selection}`, params);
  const strings = await mappedStrings(tx, arrays);
  const fetch = () => arrays(`FETCH FORWARD ${size} FROM gatehouse_walk`) as Promise<UuidRow[]>;
  let pending: Promise<UuidRow[]> | undefined = fetch();
  try {
    while (pending !== undefined) {
      const rows: UuidRow[] = await pending;
      pending = rows.length === size ? fetch() : undefined;
      if (rows.length === 0 || !onPage(tuplesOf(rows, strings))) return;
    }
  } finally {
    // A FETCH sent ahead when the walk stops early; a failure of it fails the transaction anyway.
    await pending?.catch(() => undefined);
  }
}

async function mappedStrings(tx: SqlExecutor, arrays: (sql: string) => Promise<unknown[][]>): Promise<Map<string, string>> {
  const strings = new Map<string, string>();
  await tx.execute('DECLARE gatehouse_strings NO SCROLL CURSOR FOR SELECT id, string_representation FROM keto_uuid_mappings');
  for (;;) {
    const rows = (await arrays(`FETCH FORWARD ${STRINGS_PER_FETCH} FROM gatehouse_strings`)) as [string, string][];
    for (const [id, text] of rows) strings.set(id, text);
    if (rows.length < STRINGS_PER_FETCH) break;
  }
  await tx.execute('CLOSE gatehouse_strings');
  return strings;
}

/** A UUID with no mapping reads as "" (Keto answers the same). */
function tuplesOf(rows: readonly UuidRow[], strings: ReadonlyMap<string, string>): RelationTuple[] {
  const tuples: RelationTuple[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [namespace, object, relation, subject, setNamespace, setRelation] = rows[i]!;
    const text = strings.get(subject) ?? '';
    tuples[i] = {
      namespace,
      object: strings.get(object) ?? '',
      relation,
      subject: setNamespace === null ? { id: text } : { set: { namespace: setNamespace, object: text, relation: setRelation ?? '' } },
    };
  }
  return tuples;
}
