import type { RelationTuple } from '../../tuple.js';
import type { SqlExecutor } from './driver.js';
import { UuidStrings } from './uuid-strings.js';

/**
 * The columns `walkCopy` reads, in this order: a tuple with its UUIDs and no strings. The
 * schema's check makes a row's subject either a subject id (its set columns NULL) or a set.
 */
export const COPY_WALK_COLUMNS =
  't.namespace, t.object, t.relation, COALESCE(t.subject_id, t.subject_set_object), t.subject_set_namespace, t.subject_set_relation';

/**
 * Streams `selection` (every tuple in store order, over COPY_WALK_COLUMNS, no parameters)
 * in PostgreSQL's binary COPY format through `tx`, handing `onPage` pages of `size` tuples
 * as the rows arrive. UUIDs become strings through the whole mapping table, read first in
 * the same format: `tx` must see one snapshot for both (REPEATABLE READ), in which every
 * tuple's strings were committed with it or before it. A UUID is then 16 bytes looked up
 * in a table here, and each row is read from its bytes with no value made for a UUID, and
 * none for a namespace or relation equal to the previous row's.
 */
export async function walkCopy(
  tx: SqlExecutor,
  selection: string,
  size: number,
  onPage: (tuples: RelationTuple[]) => boolean,
): Promise<void> {
  const { copyRows } = tx;
  if (copyRows === undefined) throw new Error('the copy walk needs a driver that copies rows out');
  const strings = new UuidStrings();
  await copyRows.call(tx, 'COPY (SELECT id, string_representation FROM keto_uuid_mappings) TO STDOUT (FORMAT binary)', (row) => {
    addMapping(strings, row);
    return true;
  });
  const rows = new TupleRows(strings);
  let page: RelationTuple[] = [];
  let going = true;
  await copyRows.call(tx, `COPY (${selection}) TO STDOUT (FORMAT binary)`, (row) => {
    const tuple = rows.read(row);
    if (tuple === undefined) return true;
    page.push(tuple);
    if (page.length < size) return true;
    const full = page;
    page = [];
    return (going = onPage(full));
  });
  if (going && page.length > 0) onPage(page);
}

/** 11-byte signature, 4-byte flags, 4-byte header extension length. */
const SIGNATURE = 'PGCOPY\n\xff\r\n\0';
const HEADER_BYTES = 19;

/**
 * Where the fields of a binary COPY row start, or -1 for a message with no row (the
 * trailer). The first message may carry the file header before its row.
 */
function fieldsStart(row: Buffer): number {
  let at = 0;
  if (row.length >= HEADER_BYTES && row[0] === 0x50 && row.toString('latin1', 0, SIGNATURE.length) === SIGNATURE) {
    at = HEADER_BYTES + row.readInt32BE(15);
    if (at >= row.length) return -1;
  }
  return row.readInt16BE(at) < 0 ? -1 : at + 2;
}

const int32At = (b: Buffer, at: number): number => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;

/** A row of (id, string_representation) into `strings`. */
function addMapping(strings: UuidStrings, row: Buffer): void {
  const at = fieldsStart(row);
  if (at < 0) return;
  const id = at + 4;
  const textLength = int32At(row, id + 16);
  strings.add(int32At(row, id), int32At(row, id + 4), int32At(row, id + 8), int32At(row, id + 12), row.toString('utf8', id + 20, id + 20 + textLength));
}

/** The string of the UUID at `at` in `b`; "" for one with no mapping (Keto answers the same). */
const stringAt = (strings: UuidStrings, b: Buffer, at: number): string =>
  strings.get(int32At(b, at), int32At(b, at + 4), int32At(b, at + 8), int32At(b, at + 12)) ?? '';

/**
 * A text column read from its bytes, the previous row's string given again when the bytes
 * are the same: a namespace or relation repeats from row to row.
 */
class TextColumn {
  private bytes = new Uint8Array(0);
  private text = '';

  read(b: Buffer, start: number, end: number): string {
    const last = this.bytes;
    if (end - start === last.length) {
      let i = 0;
      while (i < last.length && last[i] === b[start + i]) i++;
      if (i === last.length) return this.text;
    }
    this.bytes = Uint8Array.prototype.slice.call(b, start, end);
    this.text = b.toString('utf8', start, end);
    return this.text;
  }
}

/** Tuples from binary COPY rows of COPY_WALK_COLUMNS. */
class TupleRows {
  private readonly namespace = new TextColumn();
  private readonly relation = new TextColumn();
  private readonly setNamespace = new TextColumn();
  private readonly setRelation = new TextColumn();

  constructor(private readonly strings: UuidStrings) {}

  /** The row's tuple, or undefined for a message with no row. */
  read(b: Buffer): RelationTuple | undefined {
    let at = fieldsStart(b);
    if (at < 0) return undefined;
    let n = int32At(b, at);
    const namespace = this.namespace.read(b, at + 4, at + 4 + n);
    at += 4 + n;
    const object = stringAt(this.strings, b, at + 4);
    at += 20;
    n = int32At(b, at);
    const relation = this.relation.read(b, at + 4, at + 4 + n);
    at += 4 + n;
    const subject = stringAt(this.strings, b, at + 4);
    at += 20;
    n = int32At(b, at);
    if (n < 0) return { namespace, object, relation, subject: { id: subject } };
    const setNamespace = this.setNamespace.read(b, at + 4, at + 4 + n);
    at += 4 + n;
    n = int32At(b, at);
    const setRelation = n < 0 ? '' : this.setRelation.read(b, at + 4, at + 4 + n);
    return { namespace, object, relation, subject: { set: { namespace: setNamespace, object: subject, relation: setRelation } } };
  }
}
