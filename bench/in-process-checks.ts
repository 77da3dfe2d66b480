import { CheckEngine } from '../src/engine/check-engine.js';
import { defaultCheckSettings } from '../src/engine/limits.js';
import { FreshnessGate, gatedReads } from '../src/index/freshness-gate.js';
import { TupleIndex } from '../src/index/tuple-index.js';
import type { RelationTuple } from '../src/tuple.js';
import { sampleChecks } from './check-samples.js';
import { datasetModel, shapeFor, tuplesOf } from './dataset.js';
import { type Figure, printFigure, quantile } from './figure.js';
import { currentReads } from '../src/reader.js';

/**
 * In-process check latency through the engine over the in-memory index, on the
 * synthetic data set of N tuples (argv[2], default 1M), for a bounded time per kind.
 */
const tuples = Number(process.argv[2] ?? 1_000_000);
const budgetMs = Number(process.argv[3] ?? 3000);
const shape = shapeFor(tuples);
const index = new TupleIndex();
for (const t of tuplesOf(shape)) index.insert(t);
index.compact();

const engine = new CheckEngine({ reads: currentReads(index), model: () => datasetModel, settings: () => defaultCheckSettings });
/** Checks as a server receives them: decoded from a request body, not built by the generator's string concatenation. */
const samples: ReturnType<typeof sampleChecks> = JSON.parse(JSON.stringify(sampleChecks(index, shape, 2000)));
const checkSync = (t: RelationTuple): boolean => engine.check(t) as boolean;
const denied = samples.threeHopDenied.filter((t) => !checkSync(t));
/** A sampled member may be banned from the document's folder: those are left out. */
const permitted = samples.permit.filter((t) => checkSync(t));

/** Times `run` over the samples in batches of 100; per-check figures are batch means. */
function time(kind: string, list: RelationTuple[], expect: boolean, run: (t: RelationTuple) => boolean, target?: { max: number; text: string }): void {
  for (const t of list) if (run(t) !== expect) throw new Error(`${kind}: ${JSON.stringify(t)} should be ${expect}`);
  const perCall: number[] = [];
  const deadline = performance.now() + budgetMs;
  let i = 0;
  while (performance.now() < deadline) {
    const started = performance.now();
    for (let b = 0; b < 100; b++) run(list[i++ % list.length]!);
    perCall.push(((performance.now() - started) * 1000) / 100);
  }
  report(kind, perCall, target);
}

/** As `time`, each check awaited in turn. */
async function timeAwaited(kind: string, list: RelationTuple[], expect: boolean, run: (t: RelationTuple) => Promise<boolean>): Promise<void> {
  for (const t of list) if ((await run(t)) !== expect) throw new Error(`${kind}: ${JSON.stringify(t)} should be ${expect}`);
  const perCall: number[] = [];
  const deadline = performance.now() + budgetMs;
  let i = 0;
  while (performance.now() < deadline) {
    const started = performance.now();
    for (let b = 0; b < 100; b++) await run(list[i++ % list.length]!);
    perCall.push(((performance.now() - started) * 1000) / 100);
  }
  report(kind, perCall);
}

function report(kind: string, perCall: number[], target?: { max: number; text: string }): void {
  perCall.sort((a, b) => a - b);
  const median = quantile(perCall, 0.5);
  const figure: Figure = {
    part: 'in-process check, index on (1M tuples)',
    name: `${kind}: median`,
    value: Math.round(median * 1000) / 1000,
    unit: 'µs/check',
    ...(target ? { target: target.text, met: median <= target.max } : {}),
  };
  printFigure(figure);
  printFigure({ ...figure, name: `${kind}: p99 of 100-check batches`, value: Math.round(quantile(perCall, 0.99) * 1000) / 1000, target: undefined, met: undefined } as Figure);
}

const hasSubject = (t: RelationTuple) => index.hasSubject([t], t.subject)[0]!;
time('raw index lookup (hasSubject)', samples.direct, true, hasSubject);
time('direct check', samples.direct, true, checkSync, { max: 0.5, text: '≤ 0.5 µs' });
time('3-hop nested group check, allowed', samples.threeHop, true, checkSync, { max: 2, text: '≤ 2 µs' });
time(`3-hop nested group check, denied (walks all 13 groups)`, denied, false, checkSync);
time('permit (owner | viewer & traverse parent → !banned), allowed', permitted, true, checkSync);

/**
 * The freshness gate's own cost in process: the same direct check behind the gate, over a
 * head revision read that answers at once and a follower already at the head (no
 * database in the figure). Default: one coalesced head probe per check; bounded
 * staleness: none while the follower is fresh.
 */
const atHead = { applied: 0, get freshAsOf() { return performance.now(); }, reach: () => Promise.resolve() };
const gated = (maxStalenessMs: number) =>
  new CheckEngine({
    reads: gatedReads(new FreshnessGate({ read: () => Promise.resolve(0) }, atHead, maxStalenessMs, () => true), index, () => 0),
    model: () => datasetModel,
    settings: () => defaultCheckSettings,
  });
const probing = gated(0);
const bounded = gated(1000);
await timeAwaited('direct check behind the freshness gate, default (head probe per check)', samples.direct, true, async (t) => probing.check(t));
await timeAwaited('direct check behind the freshness gate, bounded staleness', samples.direct, true, async (t) => bounded.check(t));
await timeAwaited('direct check awaited, no gate (baseline for the two above)', samples.direct, true, async (t) => engine.check(t));
