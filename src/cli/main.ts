/**
 * The command table. Each command is loaded only when it runs, so `gatehouse version`
 * starts without the server's modules. Add a command with one line.
 */
/** What a command module exports: `args` are the words after the command name. */
export interface CliCommand {
  run(args: string[]): Promise<number>;
}

interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

const COMMANDS: readonly CommandEntry[] = [
  { name: 'serve', summary: 'Run the read, write, metrics and OPL servers', load: () => import('./serve.js') },
  { name: 'version', summary: 'Print the gatehouse version', load: () => import('./version.js') },
  { name: 'relation-tuple', summary: 'Read and manipulate relationships', load: () => import('./relation-tuple.js') },
  { name: 'check', summary: 'Check whether a subject has a relation on an object', load: () => import('./check.js') },
  { name: 'expand', summary: 'Expand all subjects that have the relation on the object', load: () => import('./expand.js') },
  { name: 'list-objects', summary: 'List the objects of a namespace a subject has a relation on', load: () => import('./list-objects.js') },
  { name: 'list-subjects', summary: 'List the subjects that have a relation on an object', load: () => import('./list-subjects.js') },
  { name: 'watch', summary: 'Print every change of the relation tuples as it is committed', load: () => import('./watch.js') },
  { name: 'status', summary: 'Get the status of the upstream instance', load: () => import('./status.js') },
  { name: 'test', summary: 'Run model tests: a model, tuples and the answers expected of them', load: () => import('./test.js') },
  { name: 'namespace', summary: 'Validate Ory Permission Language files', load: () => import('./namespace.js') },
  { name: 'migrate', summary: 'Apply, revert and list database migrations', load: () => import('./migrate.js') },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `gatehouse: a relationship-based permission server, wire-compatible with Ory Keto

Usage: gatehouse <command> [arguments]

Commands:
${lines.join('\n')}

Run "gatehouse <command> --help" for a command's arguments.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    process.stderr.write(`unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
