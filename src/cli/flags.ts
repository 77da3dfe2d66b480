/**
 * Command-line flags in the style Keto's CLI accepts (spf13/pflag): `--name value`,
 * `--name=value`, `-n value`, `-n=value`, `-nvalue`, boolean `--name[=true|false]`,
 * repeatable lists that also split on commas, `--` to end flags, and flags anywhere
 * among the positional arguments.
 */

export type FlagKind = 'string' | 'bool' | 'int' | 'list';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  readonly description: string;
  /** Shown in help; the value a flag has when not given. */
  readonly default?: string | number | boolean;
  /** Accepted but not listed in help. */
  readonly hidden?: boolean;
}

export type FlagValue = string | number | boolean | string[];

export interface ParsedArgs {
  readonly positionals: string[];
  readonly help: boolean;
  /** Flags given on the command line. */
  readonly changed: ReadonlySet<string>;
  string(name: string): string;
  int(name: string): number;
  bool(name: string): boolean;
  list(name: string): string[];
}

/** The command line cannot be understood: exit code 2 and the command's usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, FlagValue>();
  const changed = new Set<string>();
  const positionals: string[] = [];
  let help = false;

  const assign = (spec: FlagSpec, raw: string, shown: string) => {
    changed.add(spec.name);
    switch (spec.kind) {
      case 'string':
        values.set(spec.name, raw);
        break;
      case 'bool': {
        if (raw !== 'true' && raw !== 'false' && raw !== '1' && raw !== '0') {
          throw new UsageError(`invalid argument ${JSON.stringify(raw)} for ${shown} flag: expected true or false`);
        }
        values.set(spec.name, raw === 'true' || raw === '1');
        break;
      }
      case 'int': {
        const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(n) || n < INT32_MIN || n > INT32_MAX) {
          throw new UsageError(`invalid argument ${JSON.stringify(raw)} for ${shown} flag: expected a 32-bit integer`);
        }
        values.set(spec.name, n);
        break;
      }
      case 'list': {
        const previous = (values.get(spec.name) as string[] | undefined) ?? [];
        values.set(spec.name, [...previous, ...raw.split(',')]);
        break;
      }
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = long ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    let key: string;
    let inline: string | undefined;
    /** `-nvalue`: a value glued to a shorthand without `=`. */
    let glued = false;
    if (long) {
      key = eq < 0 ? body : body.slice(0, eq);
      inline = eq < 0 ? undefined : body.slice(eq + 1);
    } else {
      key = body[0]!;
      const rest = body.slice(1);
      glued = rest !== '' && !rest.startsWith('=');
      inline = rest === '' ? undefined : glued ? rest : rest.slice(1);
    }
    if ((long && key === 'help') || (!long && key === 'h' && !byShort.has('h'))) {
      help = true;
      continue;
    }
    const spec = long ? byName.get(key) : byShort.get(key);
    const shown = long ? `--${key}` : `-${key}`;
    if (!spec) {
      throw new UsageError(long ? `unknown flag: --${key}` : `unknown shorthand flag: '${key}' in ${arg}`);
    }
    if (spec.kind === 'bool') {
      if (glued) throw new UsageError(`combined shorthand flags are not supported: ${arg}`);
      assign(spec, inline ?? 'true', shown);
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${shown}`);
      inline = argv[++i]!;
    }
    assign(spec, inline, shown);
  }

  const get = (name: string, kind: FlagKind): FlagValue => {
    const spec = byName.get(name);
    if (!spec || spec.kind !== kind) throw new Error(`no ${kind} flag --${name} is declared`);
    const value = values.get(name);
    if (value !== undefined) return value;
    if (kind === 'list') return [];
    return spec.default ?? (kind === 'bool' ? false : kind === 'int' ? 0 : '');
  };

  return {
    positionals,
    help,
    changed,
    string: (name) => get(name, 'string') as string,
    int: (name) => get(name, 'int') as number,
    bool: (name) => get(name, 'bool') as boolean,
    list: (name) => get(name, 'list') as string[],
  };
}
