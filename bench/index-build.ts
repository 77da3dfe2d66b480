import { TupleIndex } from '../src/index/tuple-index.js';
import { shapeFor, tuplesOf } from './dataset.js';
import { printFigure, settledMemory } from './figure.js';

/**
 * Builds the in-memory index from the synthetic data set of N tuples (argv[2]) and
 * reports build rate and memory per tuple. Run with --expose-gc so memory is measured
 * after a full collection.
 */
const tuples = Number(process.argv[2] ?? 1_000_000);
const label = tuples >= 1e6 ? `${tuples / 1e6}M` : `${tuples / 1e3}k`;
const shape = shapeFor(tuples);
const before = settledMemory();
const index = new TupleIndex();
const started = process.hrtime.bigint();
for (const t of tuplesOf(shape)) index.insert(t);
index.compact();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const after = settledMemory();
const bytes = after.heap - before.heap + (after.arrayBuffers - before.arrayBuffers);
const part = 'index build';
printFigure({ part, name: `build ${label} tuples (generated in process)`, value: Math.round(tuples / (ms / 1000)), unit: 'tuples/s' });
printFigure({ part, name: `build ${label} tuples, wall time`, value: Math.round(ms), unit: 'ms' });
printFigure({
  part,
  name: `memory per tuple at ${label} (heap + array buffers)`,
  value: Math.round((bytes / tuples) * 10) / 10,
  unit: 'B/tuple',
  ...(tuples >= 10e6 ? { target: '≤ 100 B/tuple', met: bytes / tuples <= 100 } : {}),
});
printFigure({ part, name: `index estimate of its own size at ${label}`, value: Math.round((index.estimatedBytes() / tuples) * 10) / 10, unit: 'B/tuple' });
printFigure({ part, name: `rss after build ${label}`, value: Math.round(after.rss / 2 ** 20), unit: 'MiB' });
