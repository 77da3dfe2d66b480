import type { CancelSignal } from '../cancellation.js';
import { GatehouseError, invalidArgument, limitExceeded, unknownNamespace } from '../errors.js';
import type { ModelSnapshot } from '../model.js';
import type { RelationTuple } from '../tuple.js';
import { compileModel, type CompiledModel } from './compiled-model.js';
import { Evaluator, PAUSED_FOR_TURN } from './evaluator.js';
import { type Explanation, explanationOf, Trace } from './explanation.js';
import { MemberProofs } from './member-proof.js';
import { type FetchingNodeReads, FetchingReads, type KnownRows } from './fetching-reads.js';
import { nextTurn } from './slices.js';
import { type CheckSettings, clampDepth, MAX_CALL_STEPS } from './limits.js';
import { type Limitation, limitReason, MEMBER, type Outcome } from './outcome.js';
import { type Consistency, DEFAULT_CONSISTENCY, type InternedReads, internedReadsOf, type MaybePromise, type Readers, type TupleSource } from '../reader.js';

export interface CheckEngineDeps {
  /** Where the tuples are read, at the revision a request's consistency asks for. */
  readonly reads: Readers;
  /** The model in force; read once per check. */
  readonly model: () => ModelSnapshot;
  /** Limits and mode in force; read once per check. */
  readonly settings: () => CheckSettings;
  /** Told the answer of every check, batch check item and explained check, with the steps it took. */
  readonly observer?: CheckObserver;
}

export interface CheckObserver {
  /** `steps`: Keto's steps the evaluation took, or the hops of the path that proved the check upward. */
  checked(allowed: boolean, steps: number): void;
}

/** A check's answer and why: `error` when the check fails (strict mode's limits, the call budget). */
export interface ExplainedCheck {
  readonly allowed: boolean;
  readonly explanation: Explanation;
  /** Set when the evaluation took more steps than an explanation records. */
  readonly truncated: boolean;
  readonly error?: GatehouseError;
}

/** One BatchCheck answer: allowed, or why the check could not be answered. */
export interface BatchCheckResult {
  readonly allowed: boolean;
  /** A failed check, or (strict mode only) the limit that left the answer unknown. */
  readonly error?: GatehouseError | { readonly limit: Limitation };
}

/** A tuple to check, or the error that reading it from the request gave. */
export type BatchCheckItem = RelationTuple | GatehouseError;

export interface BatchLimits {
  readonly maxBatchCheckSize: number;
  readonly maxParallelization: number;
}

/**
 * Check and BatchCheck with Keto's semantics over a tuple source. Synchronous from end to
 * end when the source answers synchronously.
 */
export class CheckEngine {
  private lastSnapshot?: ModelSnapshot;
  private lastModel?: CompiledModel;
  /** An evaluator no check is using (a paused check keeps its own). */
  private idle: Evaluator | undefined = new Evaluator();
  private readonly proofs = new MemberProofs();
  /** The key's and the subject's nodes of the check starting. */
  private readonly nodes = new Int32Array(2);

  constructor(private readonly deps: CheckEngineDeps) {}

  /** The compiled form of the snapshot in force (the same snapshot serves request after request). */
  private compiled(snapshot: ModelSnapshot): CompiledModel {
    if (snapshot !== this.lastSnapshot || this.lastModel === undefined) {
      this.lastModel = compileModel(snapshot);
      this.lastSnapshot = snapshot;
    }
    return this.lastModel;
  }

  /**
   * Whether the tuple holds. Throws not_found for an unknown namespace (of the object
   * or of a subject set), invalid_argument for an undeclared relation, and in strict
   * mode unprocessable when a limit left the answer unknown. Once `signal` is aborted, the
   * evaluation stops at its next pause (a read, or the end of a slice) and throws its reason.
   */
  check(tuple: RelationTuple, maxDepth?: number, consistency: Consistency = DEFAULT_CONSISTENCY, signal?: CancelSignal): MaybePromise<boolean> {
    const settings = this.deps.settings();
    const outcome = this.evaluate(tuple, maxDepth, consistency, settings, signal);
    return outcome instanceof Promise ? outcome.then((o) => allowedOrThrow(o, settings)) : allowedOrThrow(outcome, settings);
  }

  /** Keto's three-valued answer, with the limit that made it unknown. */
  evaluate(tuple: RelationTuple, maxDepth: number | undefined, consistency: Consistency = DEFAULT_CONSISTENCY, settings = this.deps.settings(), signal?: CancelSignal): MaybePromise<Outcome> {
    const source = this.deps.reads.open(consistency);
    return source instanceof Promise
      ? source.then((s) => this.evaluateOn(s, tuple, maxDepth, settings, undefined, signal))
      : this.evaluateOn(source, tuple, maxDepth, settings, undefined, signal);
  }

  /**
   * The check with its explanation: the answer Keto's semantics give (allowed only for a
   * member; a limit or the call budget leave it denied, or fail it as `check` would) and
   * the steps that led there.
   */
  async explain(tuple: RelationTuple, maxDepth?: number, consistency: Consistency = DEFAULT_CONSISTENCY, signal?: CancelSignal): Promise<ExplainedCheck> {
    const settings = this.deps.settings();
    const source = await this.deps.reads.open(consistency);
    const trace = new Trace();
    let outcome: Outcome | undefined;
    let error: GatehouseError | undefined;
    try {
      outcome = await this.evaluateOn(source, tuple, maxDepth, settings, trace, signal);
      allowedOrThrow(outcome, settings);
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.kind !== 'unprocessable') throw err;
      error = err;
    }
    return { allowed: outcome === MEMBER, explanation: explanationOf(trace.root), truncated: trace.truncated, ...(error === undefined ? {} : { error }) };
  }

  /** `counted`: the observer is told the answer (not for a lookup's candidates). */
  private evaluateOn(
    source: TupleSource,
    tuple: RelationTuple,
    maxDepth: number | undefined,
    settings: CheckSettings,
    trace?: Trace,
    signal?: CancelSignal,
    counted = true,
  ): MaybePromise<Outcome> {
    const model = this.compiled(this.deps.model());
    assertKnownNamespaces(model, tuple);
    const index = internedReadsOf(source);
    const depth = clampDepth(maxDepth, settings.maxReadDepth);
    let subjectNode = 0;
    if (index !== undefined) {
      // Decided before the lookups, so that nothing stands between them and the walk up.
      const provable = trace === undefined && !settings.strictMode && this.proofs.applies(model, index, tuple.namespace, tuple.relation);
      index.checkNodes(tuple, this.nodes);
      subjectNode = this.nodes[1]!;
      const hops = provable ? this.proofs.hops(index, this.nodes[0]!, subjectNode, depth, settings.maxReadWidth) : 0;
      if (hops > 0) {
        if (counted) this.deps.observer?.checked(true, hops);
        return MEMBER;
      }
    }
    const reads = index ?? new FetchingReads(source, tuple.subject);
    const evaluator = this.idle ?? new Evaluator();
    this.idle = undefined;
    const q = { namespace: tuple.namespace, object: tuple.object, relation: tuple.relation, depth };
    evaluator.start(model, reads, tuple.subject, subjectNode, settings, MAX_CALL_STEPS, q, trace);
    return this.drive(evaluator, reads, signal, counted);
  }

  /**
   * Which of `tuples` hold, read from one reader (an answer left unknown by a limit, or a
   * check that fails, does not hold). Over a database, the evaluations of one subject share
   * their rows, and every evaluation waiting for rows is served by one fetch per subject per
   * round, so the round trips do not grow with the number of tuples; keys whose rows are
   * `known` (by `keyName`) are not read again. Once `signal` is aborted, stops at the next
   * pause and throws its reason.
   */
  async allowedAmong(
    source: TupleSource,
    tuples: readonly RelationTuple[],
    maxDepth: number | undefined,
    known?: ReadonlyMap<string, KnownRows>,
    settings = this.deps.settings(),
    signal?: CancelSignal,
  ): Promise<boolean[]> {
    const results = new Array<boolean>(tuples.length).fill(false);
    if (internedReadsOf(source) !== undefined) {
      for (let i = 0; i < tuples.length; i++) {
        if (i > 0 && i % CANDIDATES_PER_TURN === 0) await nextTurn();
        try {
          const outcome = this.evaluateOn(source, tuples[i]!, maxDepth, settings, undefined, signal, false);
          results[i] = (outcome instanceof Promise ? await outcome : outcome) === MEMBER;
        } catch {
          signal?.throwIfAborted();
          results[i] = false;
        }
      }
      return results;
    }
    const model = this.compiled(this.deps.model());
    const depth = clampDepth(maxDepth, settings.maxReadDepth);
    const readsOf = new Map<string, FetchingReads>();
    let running: { readonly i: number; readonly evaluator: Evaluator; readonly reads: FetchingReads }[] = [];
    tuples.forEach((tuple, i) => {
      if (!knowsNamespaces(model, tuple)) return;
      const subjectKey = JSON.stringify(tuple.subject);
      let reads = readsOf.get(subjectKey);
      if (reads === undefined) readsOf.set(subjectKey, (reads = new FetchingReads(source, tuple.subject, known)));
      const evaluator = new Evaluator();
      evaluator.start(model, reads, tuple.subject, 0, settings, MAX_CALL_STEPS, { namespace: tuple.namespace, object: tuple.object, relation: tuple.relation, depth });
      running.push({ i, evaluator, reads });
    });
    while (running.length > 0) {
      signal?.throwIfAborted();
      const fetching = new Set<FetchingReads>();
      let turn = false;
      const paused: typeof running = [];
      for (const r of running) {
        let outcome: number;
        try {
          outcome = r.evaluator.run();
        } catch {
          continue;
        }
        if (outcome > 0) results[r.i] = outcome === MEMBER;
        else {
          if (outcome === PAUSED_FOR_TURN) turn = true;
          else fetching.add(r.reads);
          paused.push(r);
        }
      }
      await Promise.all([...fetching].map((reads) => reads.fetch()));
      if (turn) await nextTurn();
      running = paused;
    }
    return results;
  }

  /** Runs an evaluation to its outcome, fetching what its reads lack and letting the event loop turn between slices. */
  private drive(evaluator: Evaluator, reads: FetchingNodeReads | InternedReads, signal: CancelSignal | undefined, counted: boolean, resumed = false): MaybePromise<Outcome> {
    try {
      if (resumed) signal?.throwIfAborted();
      for (;;) {
        const r = evaluator.run();
        if (r > 0) {
          if (counted) this.deps.observer?.checked(r === MEMBER, evaluator.stepsTaken);
          this.release(evaluator);
          return r as Outcome;
        }
        const wait = r === PAUSED_FOR_TURN ? nextTurn() : (reads as FetchingNodeReads).fetch();
        if (wait !== undefined) {
          return wait.then(
            () => this.drive(evaluator, reads, signal, counted, true),
            (err: unknown) => {
              this.release(evaluator);
              throw err;
            },
          );
        }
      }
    } catch (err) {
      evaluator.endRunning('call_budget_exceeded');
      this.release(evaluator);
      throw err;
    }
  }

  private release(evaluator: Evaluator): void {
    evaluator.release();
    this.idle = evaluator;
  }

  /**
   * Every item checked (at most `maxParallelization` at a time), one result per item, in
   * order. An item that could not even be read is given as its error, which becomes its result.
   */
  async batchCheck(
    items: readonly BatchCheckItem[],
    maxDepth: number | undefined,
    limits: BatchLimits,
    consistency: Consistency = DEFAULT_CONSISTENCY,
    signal?: CancelSignal,
  ): Promise<BatchCheckResult[]> {
    if (items.length > limits.maxBatchCheckSize) throw invalidArgument(`batch exceeds max size of ${limits.maxBatchCheckSize}`);
    const settings = this.deps.settings();
    const source = await this.deps.reads.open(consistency);
    const results = new Array<BatchCheckResult>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        signal?.throwIfAborted();
        const i = next++;
        const item = items[i] as BatchCheckItem;
        results[i] = item instanceof GatehouseError ? { allowed: false, error: item } : await this.batchResult(source, item, maxDepth, settings, signal);
      }
    };
    const workers = Math.max(1, Math.min(limits.maxParallelization, items.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  private async batchResult(source: TupleSource, tuple: RelationTuple, maxDepth: number | undefined, settings: CheckSettings, signal?: CancelSignal): Promise<BatchCheckResult> {
    try {
      const outcome = await this.evaluateOn(source, tuple, maxDepth, settings, undefined, signal);
      const limit = limitReason(outcome);
      if (limit !== undefined && settings.strictMode) return { allowed: false, error: { limit } };
      return { allowed: outcome === MEMBER };
    } catch (err) {
      const error = err instanceof GatehouseError ? err : new GatehouseError('internal', 'the check failed unexpectedly', undefined, { cause: err });
      return { allowed: false, error };
    }
  }
}

/** Checks of many candidates over the index let the event loop turn after this many. */
const CANDIDATES_PER_TURN = 256;

const knowsNamespaces = (model: CompiledModel, tuple: RelationTuple): boolean =>
  model.hasNamespace(tuple.namespace) && (!('set' in tuple.subject) || model.hasNamespace(tuple.subject.set.namespace));

function assertKnownNamespaces(model: CompiledModel, tuple: RelationTuple): void {
  if (!model.hasNamespace(tuple.namespace)) throw unknownNamespace(tuple.namespace);
  if ('set' in tuple.subject && !model.hasNamespace(tuple.subject.set.namespace)) throw unknownNamespace(tuple.subject.set.namespace);
}

function allowedOrThrow(outcome: Outcome, settings: CheckSettings): boolean {
  const limit = limitReason(outcome);
  if (limit !== undefined && settings.strictMode) throw limitExceeded(limit);
  return outcome === MEMBER;
}
