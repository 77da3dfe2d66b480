/**
 * `-c/--config FILE` flags as Ory's CLIs take them: repeatable, comma-separated lists allowed,
 * merged in order. Returns the files and the remaining arguments.
 */
export function parseConfigFlags(args: readonly string[]): { files: string[]; rest: string[] } {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^(?:-c|--config)=(.*)$/.exec(arg);
    if (inline) {
      files.push(...splitList(inline[1]!));
    } else if (arg === '-c' || arg === '--config') {
      const value = args[++i];
      if (value === undefined) throw new Error(`${arg} needs a file name`);
      files.push(...splitList(value));
    } else {
      rest.push(arg);
    }
  }
  return { files, rest };
}

function splitList(value: string): string[] {
  return value.split(',').filter((f) => f !== '');
}
