import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';

/** A test file that cannot be read as one: where, and why. */
export class TestFileError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'TestFileError';
  }
}

/** Reads the model file a test names (a path relative to the test file). */
export type ModelFileReader = (path: string) => string;

export type Path = readonly (string | number)[];

/** The parsed YAML with the line of every value. */
export class Source {
  private readonly lines = new LineCounter();
  readonly doc: Document;

  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true });
    const error = this.doc.errors[0];
    if (error !== undefined) throw new TestFileError(`not valid YAML: ${error.message.split('\n')[0]}`, error.linePos?.[0].line ?? 1);
  }

  lineOf(path: Path): number {
    const node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range === undefined ? 1 : this.lines.linePos(node.range[0]).line;
  }

  fail(path: Path, message: string): never {
    throw new TestFileError(`${path.length === 0 ? 'the file' : JSON.stringify(path.join('.'))}: ${message}`, this.lineOf(path));
  }

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  keys(path: Path): string[] {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (!isMap(node)) this.fail(path, 'must be a mapping');
    return node.items.map((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key));
  }

  length(path: Path): number {
    const node = this.doc.getIn(path, true);
    if (!isSeq(node)) this.fail(path, 'must be a list');
    return node.items.length;
  }

  value(path: Path): unknown {
    const node = this.doc.getIn(path, true) as { toJSON?: () => unknown } | undefined;
    return node?.toJSON?.() ?? this.doc.getIn(path);
  }

  string(path: Path): string {
    const v = this.value(path);
    if (typeof v !== 'string') this.fail(path, 'must be a string');
    return v;
  }

  optionalString(path: Path): string | undefined {
    return this.has(path) ? this.string(path) : undefined;
  }

  strings(path: Path): string[] {
    return Array.from({ length: this.length(path) }, (_, i) => this.string([...path, i]));
  }

  onlyKeys(path: Path, allowed: readonly string[]): string[] {
    const keys = this.keys(path);
    for (const key of keys) if (!allowed.includes(key)) this.fail([...path, key], `unknown key; expected one of ${allowed.join(', ')}`);
    return keys;
  }

  /** The model file named at `path`, read with `reader`; a file that cannot be read fails there. */
  modelFile(path: Path, file: string, reader: ModelFileReader): string {
    try {
      return reader(file);
    } catch (err) {
      return this.fail(path, `cannot read ${JSON.stringify(file)}: ${(err as Error).message}`);
    }
  }
}
