/** Flags every relation-tuple subcommand that talks to the server has, as in Keto (remote + output). */
import type { FlagSpec } from '../flags.js';
import { formatFlags } from '../format-flags.js';
import { REMOTE_FLAGS } from '../remote.js';

export const PACKAGE_FLAGS: readonly FlagSpec[] = [...REMOTE_FLAGS, ...formatFlags()];

export const FILE_FLAG: FlagSpec = {
  name: 'file',
  short: 'f',
  kind: 'list',
  description: 'Read relationships from JSON files or directories (use the special filename - for stdin)',
};
