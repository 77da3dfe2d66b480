import { parseSubject, parseSubjectSet, parseTupleString } from '../api/tuple-string.js';
import { DEFAULT_LOOKUP_PAGE_SIZE } from '../api/lookup-params.js';
import { configOf } from '../config/load.js';
import type { Tree } from '../config/merge.js';
import type { BatchCheckItem, BatchCheckResult, ExplainedCheck } from '../engine/check-engine.js';
import type { ExpandTree } from '../engine/expand-tree.js';
import type { LookupPage } from '../engine/lookup-engine.js';
import { GatehouseError, invalidArgument, unavailable } from '../errors.js';
import type { RelationTuple, Subject, SubjectSet } from '../tuple.js';
import { openDatabase } from './database.js';
import { type EngineLogger, type Engines, silentLogger } from './engines.js';
import { compiledModel, memoryEngines } from './memory.js';

/** A tuple as an object, or in the string form `namespace:object#relation@subject`. */
export type TupleInput = RelationTuple | string;

export interface CommonOptions {
  /**
   * Configuration keys as a config file holds them (`limit`, `feature_flags`, `index`,
   * `database`, `secrets`, …), validated by the server's schema; unset keys take its defaults.
   */
  readonly config?: Record<string, unknown>;
  /** Where the model's and the index's messages go (a pino logger fits). Default: nowhere. */
  readonly logger?: EngineLogger;
}

/** An engine on tuples held in this process only. */
export interface MemoryOptions extends CommonOptions {
  /** The model, in OPL. */
  readonly model: string;
  readonly tuples?: Iterable<TupleInput>;
}

/** An engine over a database, shared with gatehouse servers and other processes. */
export interface DatabaseOptions extends CommonOptions {
  /** `sqlite://PATH`, `postgres://…`, `mysql://…`, `cockroach://…` (or `memory`: SQLite in memory). */
  readonly dsn: string;
  /** The config's `namespaces` value: `{ location: 'file:///…/namespaces.ts' }` (watched and reloaded) or a legacy list. */
  readonly namespaces?: unknown;
  /** The model in OPL, instead of `namespaces`. */
  readonly model?: string;
  /** Apply pending migrations first (as `serve --migrate`). */
  readonly migrate?: boolean;
}

export type GatehouseOptions = MemoryOptions | DatabaseOptions;

export interface CallOptions {
  /** Keto's `max-depth`, capped by `limit.max_read_depth`. */
  readonly maxDepth?: number;
}

export interface ListObjectsQuery extends CallOptions {
  readonly namespace: string;
  readonly relation: string;
  readonly subject: Subject | string;
  /** Default 100. */
  readonly pageSize?: number;
  /** The `last` of the page before. */
  readonly after?: string;
}

export interface ListSubjectsQuery extends CallOptions {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  /** List the subject sets of this namespace and relation (`Group#member`); subject ids when unset. */
  readonly kind?: { readonly namespace: string; readonly relation: string };
  /** Default 100. */
  readonly pageSize?: number;
  /** The `last` of the page before. */
  readonly after?: string;
}

/** Tuples to insert and to delete, in one transaction (inserts first). */
export interface Changes {
  readonly insert?: readonly TupleInput[];
  readonly delete?: readonly TupleInput[];
}

/** gatehouse in this process: the server's engine and semantics, without a network hop. */
export interface Gatehouse {
  /** Whether the tuple holds (Keto's check). */
  check(tuple: TupleInput, options?: CallOptions): Promise<boolean>;
  /** One answer per tuple, in order; a tuple that cannot be checked answers with its error. */
  batchCheck(tuples: readonly TupleInput[], options?: CallOptions): Promise<BatchCheckResult[]>;
  /** The check with the steps that decided it. */
  explain(tuple: TupleInput, options?: CallOptions): Promise<ExplainedCheck>;
  /** Keto's expand tree of a subject set (`namespace:object#relation`); undefined when strict mode finds nothing to expand. */
  expand(subjectSet: SubjectSet | string, options?: CallOptions): Promise<ExpandTree | undefined>;
  /** The objects of a namespace on which the subject has the relation, by id. */
  listObjects(query: ListObjectsQuery): Promise<LookupPage<string>>;
  /** The subjects that have the relation on the object. */
  listSubjects(query: ListSubjectsQuery): Promise<LookupPage<Subject>>;
  write(changes: Changes): Promise<void>;
  /** Releases the database connections, the index follower and the model watcher. */
  close(): Promise<void>;
}

const tupleOf = (t: TupleInput): RelationTuple => (typeof t === 'string' ? parseTupleString(t) : t);

function pageSizeOf(size: number | undefined): number {
  if (size === undefined) return DEFAULT_LOOKUP_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size <= 0) throw invalidArgument('pageSize must be a positive integer');
  return size;
}

/**
 * Opens gatehouse in this process: on OPL text and tuples held in memory (`model`), or on a
 * database (`dsn`), read through the in-memory index that the changelog follower keeps
 * coherent with every process writing there, as a server does. Installs no signal handler,
 * never exits the process and logs only to `logger`.
 */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const logger = options.logger ?? silentLogger;
  if ('dsn' in options && options.dsn !== undefined) {
    const namespaces = options.model === undefined ? options.namespaces : { location: `base64://${Buffer.from(options.model).toString('base64')}` };
    const config = configOf({ ...(options.config as Tree | undefined), dsn: options.dsn, ...(namespaces === undefined ? {} : { namespaces }) } as Tree);
    const engines = await openDatabase(() => config, { migrate: options.migrate === true, logger });
    const problem = engines.namespaces.problem;
    if (problem !== undefined) {
      await engines.close();
      throw invalidArgument(problem);
    }
    return new InProcessGatehouse(engines);
  }
  const { model: opl } = options as Partial<MemoryOptions>;
  if (typeof opl !== 'string') throw invalidArgument('createGatehouse needs `model` (the OPL text) or `dsn`');
  const config = configOf({ ...(options.config as Tree | undefined), dsn: 'memory' } as Tree);
  const model = compiledModel(opl, config);
  return new InProcessGatehouse(memoryEngines(config, model, tuplesOf((options as MemoryOptions).tuples ?? [])));
}

function* tuplesOf(inputs: Iterable<TupleInput>): Generator<RelationTuple> {
  for (const input of inputs) yield tupleOf(input);
}

class InProcessGatehouse implements Gatehouse {
  private closed: Promise<void> | undefined;

  constructor(private readonly engines: Engines) {}

  private open(): Engines {
    if (this.closed !== undefined) throw unavailable('this gatehouse instance is closed');
    return this.engines;
  }

  async check(tuple: TupleInput, options?: CallOptions): Promise<boolean> {
    return this.open().checks.check(tupleOf(tuple), options?.maxDepth);
  }

  async batchCheck(tuples: readonly TupleInput[], options?: CallOptions): Promise<BatchCheckResult[]> {
    const engines = this.open();
    const items = tuples.map((t): BatchCheckItem => {
      try {
        return tupleOf(t);
      } catch (err) {
        if (err instanceof GatehouseError) return err;
        throw err;
      }
    });
    return engines.checks.batchCheck(items, options?.maxDepth, engines.batchLimits());
  }

  async explain(tuple: TupleInput, options?: CallOptions): Promise<ExplainedCheck> {
    return this.open().checks.explain(tupleOf(tuple), options?.maxDepth);
  }

  async expand(subjectSet: SubjectSet | string, options?: CallOptions): Promise<ExpandTree | undefined> {
    return this.open().expands.expand(typeof subjectSet === 'string' ? parseSubjectSet(subjectSet) : subjectSet, options?.maxDepth);
  }

  async listObjects(query: ListObjectsQuery): Promise<LookupPage<string>> {
    const { namespace, relation, subject, after, maxDepth } = query;
    return this.open().lookups.listObjects({
      namespace,
      relation,
      subject: typeof subject === 'string' ? parseSubject(subject) : subject,
      pageSize: pageSizeOf(query.pageSize),
      ...(after === undefined ? {} : { after }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
    });
  }

  async listSubjects(query: ListSubjectsQuery): Promise<LookupPage<Subject>> {
    const { namespace, object, relation, kind, after, maxDepth } = query;
    return this.open().lookups.listSubjects({
      namespace,
      object,
      relation,
      pageSize: pageSizeOf(query.pageSize),
      ...(kind === undefined ? {} : { kind }),
      ...(after === undefined ? {} : { after }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
    });
  }

  async write(changes: Changes): Promise<void> {
    const engines = this.open();
    await engines.write((changes.insert ?? []).map(tupleOf), (changes.delete ?? []).map(tupleOf));
  }

  close(): Promise<void> {
    return (this.closed ??= this.engines.close());
  }
}
