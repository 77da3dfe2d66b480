/**
 * OPL compile time (parse, type check, lint, lowering) on generated models:
 * a valid ~1 MiB model, a 64 KiB model (p99 over repeated runs), and 1 MiB worst cases
 * (one long alternating `||`/`&&` chain; 1 MiB of `(`).
 *
 *   node dist/bench/opl.js [MEGABYTES]
 */
import { compileOpl } from '../src/opl/compile.js';
import { printFigure, quantile } from './figure.js';

const megabytes = Number(process.argv[2] ?? 1);

/** A model of about `bytes` bytes: classes with related types, SubjectSets and permits of every form. */
function generateModel(bytes: number): string {
  const parts = ['import { Namespace, SubjectSet, Context } from "@ory/keto-namespace-types"\n', 'class User implements Namespace {}\n'];
  let size = parts.join('').length;
  for (let i = 0; size < bytes; i++) {
    const group = `Group${i}`;
    const doc = `Doc${i}`;
    const text = `
class ${group} implements Namespace {
  related: { members: (User | ${group})[] }
}

class ${doc} implements Namespace {
  related: {
    parents: ${doc}[]
    owners: (User | SubjectSet<${group}, "members">)[]
    editors: Array<User | SubjectSet<${group}, "members">>
    viewers: (User | SubjectSet<${group}, "members">)[]
    banned: User[]
  }

  // permits of every form
  permits = {
    edit: (ctx: Context): boolean =>
      this.related.owners.includes(ctx.subject) ||
      this.related.editors.includes(ctx.subject) ||
      this.related.parents.traverse((p) => p.permits.edit(ctx)),
    view: (ctx: Context): boolean =>
      (this.permits.edit(ctx) || this.related.viewers.includes(ctx.subject) ||
        this.related.parents.traverse((p) => p.related.viewers.includes(ctx.subject))) &&
      !this.related.banned.includes(ctx.subject),
    comment: (ctx) => this.permits.view(ctx),
  }
}
`;
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

/** Wall-clock and CPU milliseconds of one compile (CPU time is what other processes on a busy machine do not inflate). */
function measure(source: string): { wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = compileOpl(source);
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  if (result.namespaces.length === 0 && result.errors.length === 0) throw new Error('nothing compiled');
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function time(source: string, runs: number): number[] {
  return Array.from({ length: runs }, () => measure(source).wall).sort((a, b) => a - b);
}

const big = generateModel(megabytes * 1024 * 1024);
const cold = measure(big);
const bigCheck = compileOpl(big);
if (bigCheck.errors.length > 0) throw new Error(`generated model has errors: ${bigCheck.errors[0]!.message}`);
const mib = (big.length / 1048576).toFixed(2);
printFigure({ part: 'opl', name: `compile valid ${mib} MiB model, first run (wall)`, value: cold.wall, unit: 'ms', target: '< 1000 ms', met: cold.wall < 1000 });
printFigure({ part: 'opl', name: `compile valid ${mib} MiB model, first run (CPU)`, value: cold.cpu, unit: 'ms' });
const bigTimes = time(big, 7);
printFigure({ part: 'opl', name: `compile valid ${mib} MiB model (${bigCheck.namespaces.length} namespaces), median of 7 warm runs`, value: quantile(bigTimes, 0.5), unit: 'ms', target: '< 1000 ms', met: quantile(bigTimes, 0.5) < 1000 });
printFigure({ part: 'opl', name: 'compile valid model, max of 7 warm runs', value: quantile(bigTimes, 1), unit: 'ms' });

const small = generateModel(64 * 1024);
const smallTimes = time(small, 200);
printFigure({ part: 'opl', name: 'compile 64 KiB model, median of 200', value: quantile(smallTimes, 0.5), unit: 'ms' });
printFigure({ part: 'opl', name: 'compile 64 KiB model, p99 of 200', value: quantile(smallTimes, 0.99), unit: 'ms', target: '< 50 ms', met: quantile(smallTimes, 0.99) < 50 });

const operand = 'this.permits.p(ctx)';
const chainLength = Math.floor((megabytes * 1024 * 1024) / (operand.length + 4));
const chain = `class A implements Namespace { permits = { p: (ctx) => ${Array.from({ length: chainLength }, (_, i) => (i === 0 ? operand : `${i % 2 ? '||' : '&&'} ${operand}`)).join(' ')} } }`;
const chainTimes = time(chain, 3);
printFigure({ part: 'opl', name: `compile one ${chainLength}-operand alternating chain (${(chain.length / 1048576).toFixed(2)} MiB), median`, value: quantile(chainTimes, 0.5), unit: 'ms', target: '< 1000 ms', met: quantile(chainTimes, 1) < 1000 });

const parens = `class A implements Namespace { permits = { p: (ctx) => ${'('.repeat(megabytes * 1024 * 1024)} } }`;
const parenTimes = time(parens, 3);
printFigure({ part: 'opl', name: '1 MiB of "(" (nesting error), median', value: quantile(parenTimes, 0.5), unit: 'ms' });
