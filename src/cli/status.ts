/** `gatehouse status`: the gRPC health of the read or write endpoint; `--block` waits until it is SERVING. */
import { UsageError } from './flags.js';
import { runCommand, type CommandSpec } from './command.js';
import { EXIT } from './exit-codes.js';
import { QUIET_FLAGS } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { REMOTE_FLAGS, withClient } from './remote.js';

const POLL_MS = 500;

export const statusCommand: CommandSpec = {
  path: 'status',
  summary: 'Get the status of the upstream gatehouse or Keto instance',
  description:
    'Get a status report about the upstream instance. Can also block until the service is healthy.\n' +
    'Prints the gRPC health status (SERVING, NOT_SERVING, ...); exits 0 when SERVING and 4 otherwise.',
  examples: [
    'gatehouse status --insecure-disable-transport-security',
    'gatehouse status --endpoint write --block --insecure-disable-transport-security',
  ],
  flags: [
    ...REMOTE_FLAGS,
    ...QUIET_FLAGS,
    { name: 'endpoint', kind: 'string', default: 'read', description: 'which endpoint to use; one of {read, write}' },
  ],
  minArgs: 0,
  maxArgs: 0,
  async action({ args, io }) {
    const endpoint = args.string('endpoint');
    if (endpoint !== 'read' && endpoint !== 'write') {
      throw new UsageError(`expected one of [read write] but got ${JSON.stringify(endpoint)}`);
    }
    const block = args.bool('block');
    const loud = !args.bool('quiet');
    const status = await withClient(endpoint, args, io, async (client) => {
      for (;;) {
        const { status } = await client.health();
        if (!block || status === 'SERVING') return status;
        if (loud) io.out(`Got the status ${status}, waiting until SERVING.\n`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    });
    io.out(`${status}\n`);
    return status === 'SERVING' ? EXIT.ok : EXIT.unavailable;
  },
};

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(statusCommand, argv, io);
