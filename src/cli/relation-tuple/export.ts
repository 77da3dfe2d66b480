/**
 * `relation-tuple export` (gatehouse): streams every tuple matching the query flags (all
 * tuples without flags) page by page, one per line: Keto JSON lines by default, or the text
 * form. Waits for the output to drain between pages, so memory stays flat.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { relationQueryToProto, tupleFromProto } from '../../api/proto.js';
import { tupleToKeto } from '../../api/keto-json.js';
import { formatTuple } from '../../api/tuple-string.js';
import type { RelationTuple } from '../../tuple.js';
import type { CommandSpec } from '../command.js';
import { UsageError } from '../flags.js';
import { QUIET_FLAGS } from '../format-flags.js';
import { drained } from '../io.js';
import { goJson } from '../output.js';
import { progress } from '../progress.js';
import { REMOTE_FLAGS, withClient } from '../remote.js';
import { QUERY_FLAGS, queryFromFlags } from '../tuple-args.js';

const MAX_PAGE_SIZE = 500;

const LINE: Readonly<Record<string, (t: RelationTuple) => string>> = {
  jsonl: (t) => goJson(tupleToKeto(t), false),
  text: (t) => `${formatTuple(t)}\n`,
};

export const exportCommand: CommandSpec = {
  path: 'relation-tuple export',
  summary: 'Stream all tuples (or those matching a query) as JSON lines or text (gatehouse)',
  description:
    'Stream every tuple matching the query flags - all tuples when none is given - to stdout or --output,\n' +
    'one per line: Keto JSON (jsonl, the default) or the text form `namespace:object#relation@subject`.\n' +
    'The output can be read back with `gatehouse relation-tuple import`. Pages are read from live data: tuples\n' +
    'written during an export may or may not appear, so never import into the tuples an export is still reading.',
  examples: [
    'gatehouse relation-tuple export > tuples.jsonl',
    'gatehouse relation-tuple export --namespace Doc --output-format text -o docs.txt',
  ],
  flags: [
    ...REMOTE_FLAGS,
    ...QUIET_FLAGS,
    ...QUERY_FLAGS,
    { name: 'output', short: 'o', kind: 'string', default: '-', description: 'write to this file instead of stdout (-)' },
    { name: 'output-format', kind: 'string', default: 'jsonl', description: 'jsonl or text' },
    { name: 'page-size', kind: 'int', default: MAX_PAGE_SIZE, description: `tuples per request (at most ${MAX_PAGE_SIZE})` },
  ],
  minArgs: 0,
  maxArgs: 0,
  async action({ args, io }) {
    const line = LINE[args.string('output-format')];
    if (!line) throw new UsageError(`--output-format must be jsonl or text, not ${JSON.stringify(args.string('output-format'))}`);
    const pageSize = args.int('page-size');
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new UsageError(`--page-size must be between 1 and ${MAX_PAGE_SIZE}`);
    const query = relationQueryToProto(queryFromFlags(args));
    const path = args.string('output');
    const out: Writable = path === '-' ? io.stdout : createWriteStream(path);
    const bar = progress(io, 'tuples');
    let count = 0;
    try {
      await withClient('read', args, io, async (client) => {
        let pageToken = '';
        do {
          const page = await client.listRelationTuples({ relationQuery: query, pageSize, pageToken });
          let chunk = '';
          for (const tuple of page.relationTuples) chunk += line(tupleFromProto(tuple));
          out.write(chunk);
          count += page.relationTuples.length;
          bar.update(count);
          await drained(out);
          pageToken = page.nextPageToken;
        } while (pageToken !== '');
      });
    } finally {
      bar.finish();
      if (out !== io.stdout) {
        out.end();
        await once(out, 'close');
      }
    }
    if (!args.bool('quiet') && (io.interactiveErr || out !== io.stdout)) io.err(`Exported ${count} tuples.\n`);
  },
};
