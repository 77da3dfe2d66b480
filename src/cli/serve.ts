import { parseConfigFlags } from './config-flags.js';

const USAGE = `Usage: gatehouse serve [-c FILE]... [--migrate]

Runs the read (4466), write (4467), metrics (4468) and OPL (4469) servers.
Configuration comes from the files given with -c/--config (YAML or JSON, merged in order)
and from environment variables (SERVE_READ_PORT=4000, DSN=..., LOG_LEVEL=debug), which win.
SIGTERM or SIGINT stops it gracefully.

  --migrate      apply pending database migrations before serving
                 (otherwise run "gatehouse migrate up"; /health/ready is 503 until then)
  --sqa-opt-out  accepted for compatibility with Keto; gatehouse sends no telemetry
`;

export async function run(args: string[]): Promise<number> {
  const { files, rest: words } = parseConfigFlags(args);
  if (words.includes('--help') || words.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const migrate = words.includes('--migrate');
  const rest = words.filter((w) => w !== '--migrate' && w !== '--sqa-opt-out');
  if (rest.length > 0) {
    process.stderr.write(`unexpected argument: ${rest[0]}\n\n${USAGE}`);
    return 2;
  }
  const { startGatehouse } = await import('../main.js');
  const running = await startGatehouse({ files, env: process.env }, { migrate });
  return running.stopped;
}
