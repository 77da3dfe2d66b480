import type { Assertion, FileLine, ModelTest } from './test-file.js';
import { type ModelFileReader, type Path, Source } from './yaml-source.js';

/**
 * SpiceDB's validation file, where its schema is OPL:
 *   schema: | …OPL…  (or schemaFile)
 *   relationships: |  one `ns:obj#rel@ns:subj[#rel]` per line (`#...` is no relation; `//` comments)
 *   assertions: { assertTrue: [ … ], assertFalse: [ … ] }
 *   validation: { "ns:obj#rel": [ "[ns:subj] is <…>", … ] }   (the subjects are compared, not the `<…>` reasons)
 * Not supported (an error names them): caveats and their context (`[caveat]`, `with {…}`,
 * `assertCaveated`, `[...]` on a subject), expiration, wildcard exceptions (`- {…}`), and
 * SpiceDB's schema language.
 */

/** The top-level keys that mark a file as SpiceDB's. */
export const SPICEDB_KEYS = ['schema', 'schemaFile', 'relationships', 'assertions', 'validation'];

/** SpiceDB's validation file, read as one scenario. */
export function spicedbTest(src: Source, readModelFile: ModelFileReader): ModelTest {
  src.onlyKeys([], SPICEDB_KEYS);
  if (src.has(['schema']) && src.has(['schemaFile'])) src.fail(['schemaFile'], 'give "schema" or "schemaFile", not both');
  const file = src.optionalString(['schemaFile']);
  const model = file === undefined ? { text: src.optionalString(['schema']) ?? '' } : { text: src.modelFile(['schemaFile'], file, readModelFile), file };
  if (/^\s*(definition|caveat)\s/m.test(model.text)) {
    src.fail([file === undefined ? 'schema' : 'schemaFile'], "is in SpiceDB's schema language; gatehouse reads the schema as OPL (Ory Permission Language)");
  }
  const tuples: (FileLine & { tuple: string })[] = [];
  if (src.has(['relationships'])) {
    const first = src.lineOf(['relationships']);
    const node = src.doc.getIn(['relationships'], true) as { type?: string } | undefined;
    // In a block scalar (`|`), the text starts on the line after the key's.
    const offset = node?.type === 'BLOCK_LITERAL' || node?.type === 'BLOCK_FOLDED' ? 1 : 0;
    src.string(['relationships']).split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('//')) return;
      if (line.includes('[')) src.fail(['relationships'], `line ${i + 1}: caveats and expiration are not supported: ${line}`);
      tuples.push({ tuple: spicedbRelationship(line), line: first + offset + i });
    });
  }
  const assertions: Assertion[] = [];
  if (src.has(['assertions'])) {
    for (const key of src.onlyKeys(['assertions'], ['assertTrue', 'assertFalse', 'assertCaveated'])) {
      if (key === 'assertCaveated') src.fail(['assertions', key], 'caveats are not supported');
      src.strings(['assertions', key]).forEach((text, i) => {
        if (/\swith\s*\{/.test(text) || text.includes('[')) src.fail(['assertions', key, i], 'caveat context is not supported');
        assertions.push({ kind: key === 'assertTrue' ? 'allowed' : 'denied', tuple: spicedbRelationship(text.trim()), line: src.lineOf(['assertions', key, i]) });
      });
    }
  }
  if (src.has(['validation'])) {
    for (const key of src.keys(['validation'])) {
      const [namespace, rest] = splitOnce(key, ':');
      const [object, relation] = splitOnce(rest ?? '', '#');
      if (rest === undefined || relation === undefined) src.fail(['validation', key], 'must be ns:object#relation');
      const subjects = src.has(['validation', key]) && src.value(['validation', key]) !== null ? src.strings(['validation', key]).map((text, i) => expectedSubject(src, ['validation', key, i], text)) : [];
      assertions.push({ kind: 'list-subjects', namespace, object, relation, subjectSet: 'all', subjects, line: src.lineOf(['validation', key]) });
    }
  }
  return { name: 'SpiceDB validation file', line: 1, model, tuples, settings: {}, assertions };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** A relationship in SpiceDB's string form as a Keto tuple string: `#...` (no relation) dropped. */
const spicedbRelationship = (text: string): string => text.replace(/#\.\.\.$/, '');

/** The subject of one `[subject] is <…>` line of SpiceDB's `validation`, in Keto's string form. */
function expectedSubject(src: Source, path: Path, text: string): string {
  const match = /^\s*\[([^\]]*)\]/.exec(text);
  if (match === null) return src.fail(path, 'must start with [subject]');
  const subject = match[1]!.trim();
  if (subject.includes('[') || /\s-\s*\{/.test(text) || text.slice(match[0].length).trimStart().startsWith('[')) src.fail(path, 'caveats and wildcard exceptions are not supported');
  return spicedbRelationship(subject);
}
