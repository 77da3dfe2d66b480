/**
 * `npm run bench`: every benchmark in one run, each part in its own process with a time
 * limit, then one table and one JSON document of every figure measured.
 *
 * PostgreSQL (and MySQL) figures need TEST_POSTGRES_DSN (TEST_MYSQL_DSN) naming a server
 * on loopback; without them those parts say they were skipped. Sizes can be lowered for
 * a quick run: BENCH_TUPLES (in-process and served checks, default 1M), BENCH_SQL_TUPLES
 * (index vs database, default 100k), BENCH_IMPORT_TUPLES (CLI import and export, default
 * 1M), BENCH_SKIP_10M=1. A quick run of one server kind alone:
 * `node dist/bench/served-checks.js 1000000 3000 --only memory|sqlite|postgres`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Figure, parseFigures } from './figure.js';

interface Part {
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly node?: readonly string[];
  readonly timeoutMs: number;
}

const memoryTuples = process.env['BENCH_TUPLES'] ?? '1000000';
const sqlTuples = process.env['BENCH_SQL_TUPLES'] ?? '100000';
const importTuples = process.env['BENCH_IMPORT_TUPLES'] ?? '1000000';
const parts: Part[] = [
  { name: 'index build and memory, 1M', script: 'index-build.js', args: ['1000000'], node: ['--expose-gc'], timeoutMs: 180_000 },
  ...(process.env['BENCH_SKIP_10M'] === '1'
    ? []
    : [{ name: 'index build and memory, 10M', script: 'index-build.js', args: ['10000000'], node: ['--expose-gc', '--max-old-space-size=8192'], timeoutMs: 900_000 }]),
  { name: 'in-process checks', script: 'in-process-checks.js', args: [memoryTuples, '3000'], timeoutMs: 300_000 },
  // One process per size: the smaller run's heap and garbage do not weigh on the larger one.
  { name: 'library API vs casbin and oso, 122k facts', script: 'library.js', args: ['2000', '1000'], timeoutMs: 300_000 },
  { name: 'library API vs casbin and oso, 1.02M facts', script: 'library.js', args: ['2000', '8360'], timeoutMs: 600_000 },
  { name: 'index vs database', script: 'index-vs-database.js', args: [sqlTuples, '3000'], timeoutMs: 1_200_000 },
  { name: 'PostgreSQL load per replica (probe, changelog read, NOTIFY)', script: 'database-load.js', args: ['20000', '20', '2000'], timeoutMs: 300_000 },
  { name: 'served warm-up on SQLite, PostgreSQL and MySQL, 1M', script: 'warm-up.js', args: ['1000000'], node: ['--max-old-space-size=8192'], timeoutMs: 1_800_000 },
  // 10M on PostgreSQL alone: SQLite and MySQL warm up through the same index inserts, and
  // loading 10M into them would double the bench's time for a figure the 1M part gives per tuple.
  ...(process.env['BENCH_SKIP_10M'] === '1'
    ? []
    : [{ name: 'served warm-up on PostgreSQL, 10M', script: 'warm-up.js', args: ['10000000', 'postgres'], node: ['--max-old-space-size=8192'], timeoutMs: 3_600_000 }]),
  { name: 'served checks (REST, gRPC)', script: 'served-checks.js', args: [memoryTuples, '3000'], timeoutMs: 2_400_000 },
  { name: 'lookups and snaptoken checks', script: 'lookups.js', args: [memoryTuples, sqlTuples, '3000'], timeoutMs: 1_200_000 },
  { name: 'write throughput', script: 'write.js', timeoutMs: 900_000 },
  { name: 'Galera writes, one node vs three', script: 'galera-writes.js', args: ['10', '4'], timeoutMs: 600_000 },
  { name: 'CLI import and export', script: 'import.js', args: [importTuples], timeoutMs: 1_800_000 },
  { name: 'filtered listing', script: 'listing.js', args: ['200000'], timeoutMs: 900_000 },
  { name: 'gRPC server floor (lean handler vs grpc-js)', script: 'grpc-floor.js', args: ['3', '32', '1'], timeoutMs: 180_000 },
  { name: 'OPL compile', script: 'opl.js', timeoutMs: 300_000 },
  { name: '/health/alive under 8 worst-case checks', script: 'health-under-load.js', args: ['20'], timeoutMs: 300_000 },
  { name: 'tracing cost', script: 'tracing.js', args: ['5', '3000'], timeoutMs: 300_000 },
];

interface PartResult {
  readonly name: string;
  readonly seconds: number;
  readonly exit: string;
  readonly figures: Figure[];
  /** Output lines that are not figures (scripts that print their own report). */
  readonly lines: string[];
}

function run(part: Part): Promise<PartResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const script = fileURLToPath(new URL(part.script, import.meta.url));
    const child = spawn(process.execPath, [...(part.node ?? []), script, ...(part.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      process.stderr.write(c.split('\n').filter((l) => l !== '').map((l) => `  [${part.name}] ${l}\n`).join(''));
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, part.timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const exit = timedOut ? `stopped after its ${part.timeoutMs / 1000} s limit` : code === 0 ? 'ok' : `exit ${code ?? signal}`;
      const notes = err.split('\n').filter((l) => l.includes('not set') || l.includes('skipped'));
      if (exit !== 'ok') notes.push(...err.trim().split('\n').slice(-20));
      resolve({
        name: part.name,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        exit,
        figures: parseFigures(out),
        lines: [...out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('FIGURE ')), ...notes],
      });
    });
  });
}

const results: PartResult[] = [];
for (const part of parts) {
  process.stderr.write(`bench: ${part.name} …\n`);
  results.push(await run(part));
}

const rows = results.flatMap((r) =>
  r.figures.map((f) => [f.part, f.name, `${f.value} ${f.unit}`, f.target ?? '', f.met === undefined ? '' : f.met ? 'met' : 'NOT met']),
);
const header = ['part', 'figure', 'value', 'target', ''];
const widths = header.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
for (const r of results) {
  if (r.lines.length > 0 || r.exit !== 'ok') {
    console.log(`\n${r.name} (${r.exit}, ${r.seconds} s):`);
    for (const l of r.lines) console.log(`  ${l}`);
  }
}
console.log('\nJSON:');
console.log(JSON.stringify({ parts: results.map(({ name, seconds, exit, figures, lines }) => ({ name, seconds, exit, figures, notes: lines })) }, null, 2));
