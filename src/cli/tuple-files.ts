/**
 * Reading tuples given with `-f`, as Keto's CLI does: a file, a directory (every file in
 * it, up to 3 levels deep, in lexical order) or `-` for stdin; at most 10 MiB per input.
 * Two decoders: Keto's JSON (one tuple or an array, unknown keys refused) and the
 * human-readable text form (`ns:obj#rel@subject` per line, `//` comments, blank lines).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GatehouseError } from '../errors.js';
import { decodeKetoTuple, tupleFromKeto } from '../api/keto-json.js';
import { goFieldFor, isJsonObject } from '../api/go-json.js';
import { parseTupleString } from '../api/tuple-string.js';
import type { RelationTuple } from '../tuple.js';
import { CommandFailure } from './command.js';

export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
export const MAX_DIR_DEPTH = 3;

export type TupleDecoder = (text: string) => RelationTuple[];

const errorText = (err: unknown): string => {
  if (err instanceof GatehouseError && err.cause instanceof Error) return `${err.message} (${err.cause.message})`;
  return (err as Error).message ?? String(err);
};

/** All tuples of every `-f` input, in order. Fails with Keto's messages, prefixed by the input's name. */
export async function readTupleInputs(paths: readonly string[], decode: TupleDecoder, stdin: Readable): Promise<RelationTuple[]> {
  const tuples: RelationTuple[] = [];
  for (const path of paths) tuples.push(...(await readTuplePath(path, decode, stdin)));
  return tuples;
}

async function readTuplePath(path: string, decode: TupleDecoder, stdin: Readable): Promise<RelationTuple[]> {
  if (path === '-') return decodeNamed('stdin', await readBounded(stdin), decode);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new CommandFailure(`error getting stats for ${path}: ${(err as Error).message}`, 'check the path given with -f');
  }
  if (!info.isDirectory()) return readTupleFile(path, decode);
  const tuples: RelationTuple[] = [];
  for (const file of await filesUnder(path, 0)) tuples.push(...(await readTupleFile(file, decode)));
  return tuples;
}

/** Files below `dir` in lexical order (directories are entered where they sort), at most MAX_DIR_DEPTH deep. */
async function filesUnder(dir: string, depth: number): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (depth + 1 > MAX_DIR_DEPTH) {
      throw new CommandFailure(`maximum directory depth of ${MAX_DIR_DEPTH} exceeded at ${full}`);
    }
    if (entry.isDirectory()) files.push(...(await filesUnder(full, depth + 1)));
    else files.push(full);
  }
  return files;
}

async function readTupleFile(path: string, decode: TupleDecoder): Promise<RelationTuple[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new CommandFailure(`opening file ${path}: ${(err as Error).message}`);
  }
  try {
    return decodeNamed(path, await readBounded(handle.createReadStream({ autoClose: false })), decode);
  } finally {
    await handle.close();
  }
}

function decodeNamed(name: string, text: string, decode: TupleDecoder): RelationTuple[] {
  try {
    return decode(text);
  } catch (err) {
    throw new CommandFailure(`${name}: ${errorText(err)}`, 'fix the input; `gatehouse relation-tuple parse` shows how text tuples are read');
  }
}

async function readBounded(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_INPUT_BYTES) {
      stream.destroy();
      throw new CommandFailure(`input exceeds maximum size of ${MAX_INPUT_BYTES} bytes`, 'use `gatehouse relation-tuple import` for large inputs');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const TUPLE_KEYS = ['namespace', 'object', 'relation', 'subject_id', 'subject_set'] as const;
const SUBJECT_SET_KEYS = ['namespace', 'object', 'relation'] as const;

/** Go's DisallowUnknownFields, which Keto's CLI sets when it reads tuple files. */
function refuseUnknownKeys(value: unknown): void {
  if (!isJsonObject(value)) return;
  for (const key of Object.keys(value)) {
    if (goFieldFor(key, TUPLE_KEYS) === undefined) throw new Error(`json: unknown field ${JSON.stringify(key)}`);
  }
  const setKey = Object.keys(value).find((k) => goFieldFor(k, TUPLE_KEYS) === 'subject_set');
  const set = setKey === undefined ? undefined : value[setKey];
  if (isJsonObject(set)) {
    for (const key of Object.keys(set)) {
      if (goFieldFor(key, SUBJECT_SET_KEYS) === undefined) throw new Error(`json: unknown field ${JSON.stringify(key)}`);
    }
  }
}

/** One JSON tuple (Keto's shape, unknown keys refused) into a RelationTuple. */
export function tupleFromJsonValue(value: unknown): RelationTuple {
  refuseUnknownKeys(value);
  return tupleFromKeto(decodeKetoTuple(value));
}

/** Keto's JSON tuple files: one tuple object or an array of them; a UTF-8 BOM and surrounding space are ignored. */
export const decodeJsonTuples: TupleDecoder = (text) => {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (text.length === 0) throw new Error('empty input');
  if (trimmed.length === 0) throw new Error('empty input after trimming whitespace');
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    throw new Error(`could not decode: ${(err as Error).message}`);
  }
  try {
    return Array.isArray(parsed) ? parsed.map(tupleFromJsonValue) : [tupleFromJsonValue(parsed)];
  } catch (err) {
    throw new Error(`could not decode: ${errorText(err)}`);
  }
};

/** One line of the text form; undefined for a blank line or a `//` comment. */
export function tupleFromTextLine(line: string): RelationTuple | undefined {
  const row = line.trim();
  if (row === '' || row.startsWith('//')) return undefined;
  return parseTupleString(row);
}

/** The human-readable text form; errors name the 1-based line. */
export const decodeTextTuples: TupleDecoder = (text) => {
  const tuples: RelationTuple[] = [];
  text.split('\n').forEach((line, i) => {
    try {
      const tuple = tupleFromTextLine(line);
      if (tuple) tuples.push(tuple);
    } catch (err) {
      throw new Error(`line ${i + 1}: could not decode ${JSON.stringify(line.trim())}: ${errorText(err)}`);
    }
  });
  return tuples;
};
