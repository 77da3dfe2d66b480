/** The output flags of Keto's CLI: `--format` (table by default, or `default` for check-like output) and `--quiet`. */
import type { FlagSpec, ParsedArgs } from './flags.js';
import { JSON_PATH_SUBSET } from './json-path.js';
import { parseFormat, type Format } from './output.js';

const QUIET: FlagSpec = { name: 'quiet', short: 'q', kind: 'bool', description: 'Be quiet with output printing.' };

export const formatFlags = (defaultFormat: 'table' | 'default' = 'table'): readonly FlagSpec[] => [
  QUIET,
  {
    name: 'format',
    kind: 'string',
    default: defaultFormat,
    description:
      `Set the output format. One of ${defaultFormat}, json, yaml, json-pretty, jsonpath=<path> and jsonpointer=<pointer>. ` +
      `The jsonpath is GJSON syntax, of which gatehouse supports: ${JSON_PATH_SUBSET}.`,
  },
];

export const QUIET_FLAGS: readonly FlagSpec[] = [QUIET];

export const outputFormat = (args: ParsedArgs): Format => parseFormat(args.string('format'), args.bool('quiet'));
