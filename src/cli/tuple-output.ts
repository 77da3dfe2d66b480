/** Tuples as Keto's CLI prints them: a table of tuples, one tuple as a row, and a page from `get`. */
import { formatSubject, formatTuple } from '../api/tuple-string.js';
import { tupleToKeto } from '../api/keto-json.js';
import type { RelationTuple } from '../tuple.js';
import type { RowOutput, TableOutput } from './output.js';

const COLLECTION_HEADER = ['NAMESPACE', 'OBJECT', 'RELATION NAME', 'SUBJECT'] as const;
const ROW_HEADER = ['NAMESPACE', 'OBJECT ID', 'RELATION NAME', 'SUBJECT'] as const;

const columns = (t: RelationTuple) => [t.namespace, t.object, t.relation, formatSubject(t.subject)];

/** `null` in the structured formats stands for "no list at all", as Keto prints it for an empty parse. */
export function tupleTable(tuples: readonly RelationTuple[], emptyAsNull = false): TableOutput {
  return {
    header: COLLECTION_HEADER,
    rows: tuples.map(columns),
    data: emptyAsNull && tuples.length === 0 ? null : tuples.map(tupleToKeto),
    ids: tuples.map(formatTuple),
  };
}

export function tupleRow(tuple: RelationTuple): RowOutput {
  return { header: ROW_HEADER, columns: columns(tuple), data: tupleToKeto(tuple), id: tuple.namespace };
}

/** One page of `relation-tuple get`: the tuples, then the page token and whether it is the last page. */
export function tuplePage(tuples: readonly RelationTuple[], nextPageToken: string): TableOutput {
  const isLastPage = nextPageToken === '';
  return {
    header: COLLECTION_HEADER,
    rows: [...tuples.map(columns), [], ['NEXT PAGE TOKEN', nextPageToken], ['IS LAST PAGE', String(isLastPage)]],
    data: { relation_tuples: tuples.map(tupleToKeto), is_last_page: isLastPage, next_page_token: nextPageToken },
    ids: tuples.map(formatTuple),
  };
}
