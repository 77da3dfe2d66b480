/**
 * Where an import stands, for resuming it: the number of input lines whose tuples are all
 * written. Batches may finish out of order; the mark only moves past a batch once every
 * batch before it has finished. Kept in a small JSON file when `--progress-file` is given,
 * replaced atomically after each move.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { CommandFailure } from '../command.js';

export interface ProgressRecord {
  readonly input: string;
  /** Lines 1..line are imported. */
  readonly line: number;
  /** Tuples written so far, counting earlier runs. */
  readonly tuples: number;
}

export async function readProgressFile(path: string): Promise<ProgressRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CommandFailure(`cannot read the progress file ${path}: ${(err as Error).message}`);
  }
  try {
    const record = JSON.parse(text) as ProgressRecord;
    if (Number.isSafeInteger(record.line) && record.line >= 0 && Number.isSafeInteger(record.tuples)) return record;
  } catch {
    // reported below
  }
  throw new CommandFailure(`the progress file ${path} is not one gatehouse wrote`, 'delete it to start the import from the beginning');
}

export const removeProgressFile = (path: string) => rm(path, { force: true });

/** Tracks finished batches and advances the resume mark in input order. */
export class ImportWatermark {
  private readonly finished = new Map<number, { endLine: number; tuples: number }>();
  private nextToSettle = 0;
  private issued = 0;
  private pendingWrite: Promise<void> = Promise.resolve();

  constructor(
    private line: number,
    private tuples: number,
    private readonly input: string,
    private readonly file: string | undefined,
  ) {}

  /** The sequence number of a new batch. */
  issue(): number {
    return this.issued++;
  }

  /** Marks batch `seq` (covering input up to `endLine`) as written. */
  settle(seq: number, endLine: number, tuples: number): void {
    this.finished.set(seq, { endLine, tuples });
    let moved = false;
    for (let next = this.finished.get(this.nextToSettle); next; next = this.finished.get(this.nextToSettle)) {
      this.finished.delete(this.nextToSettle++);
      this.line = next.endLine;
      this.tuples += next.tuples;
      moved = true;
    }
    if (moved) this.persist();
  }

  /** Input that holds no tuples (trailing comments, blank lines) counts as done once everything before it is. */
  skipTo(endLine: number): void {
    this.settle(this.issue(), endLine, 0);
  }

  get state(): ProgressRecord {
    return { input: this.input, line: this.line, tuples: this.tuples };
  }

  /** Waits for the progress file to hold the latest mark. */
  flushed(): Promise<void> {
    return this.pendingWrite;
  }

  private persist(): void {
    const file = this.file;
    if (file === undefined) return;
    const record = JSON.stringify(this.state) + '\n';
    this.pendingWrite = this.pendingWrite.then(async () => {
      await writeFile(`${file}.tmp`, record);
      await rename(`${file}.tmp`, file);
    });
  }
}
