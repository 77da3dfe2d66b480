// Compiles the configuration schema (src/config/schema.json) into a standalone validator module,
// dist/src/config/config-validator.js, so the server does not compile the schema at every start.
// Format checks stay in src/config/formats.ts: the module calls them through its `formats` import.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Ajv, _ } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(repo, 'src', 'config', 'schema.json'), 'utf8'));
const outFile = join(repo, 'dist', 'src', 'config', 'config-validator.js');

/** Every `format` the schema names; the generated code looks each up in configFormats. */
function formatNames(node, into = new Set()) {
  if (Array.isArray(node)) for (const item of node) formatNames(item, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') into.add(value);
      else formatNames(value, into);
    }
  }
  return into;
}

const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  logger: false,
  formats: Object.fromEntries([...formatNames(schema)].map((name) => [name, () => true])),
  code: { source: true, esm: true, lines: false, formats: _`formats` },
});

const code = standaloneCode(ajv, ajv.compile(schema));
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  "import { createRequire } from 'node:module';\n" +
    "import { configFormats as formats } from './formats.js';\n" +
    'const require = createRequire(import.meta.url);\n' +
    code,
);
