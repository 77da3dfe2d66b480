import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isTree, type Tree } from './merge.js';
import { yamlLibrary } from './yaml.js';

/** A config file's keys, or the reason it could not be read. */
export type FileResult = { ok: true; tree: Tree } | { ok: false; message: string };

/** Reads a YAML or JSON config file (chosen by extension; anything else is read as YAML, which includes JSON). */
export function readConfigFile(file: string): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return { ok: false, message: `${file}: cannot read the config file (${code})` };
  }
  let parsed: unknown;
  try {
    parsed = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : yamlLibrary().parse(text);
  } catch (error) {
    return { ok: false, message: `${file}: ${syntaxMessage(error)}` };
  }
  if (parsed === null || parsed === undefined) return { ok: true, tree: {} };
  if (!isTree(parsed)) {
    return { ok: false, message: `${file}: must hold a mapping of configuration keys, got ${describeType(parsed)}` };
  }
  return { ok: true, tree: parsed };
}

function syntaxMessage(error: unknown): string {
  if (error instanceof yamlLibrary().YAMLParseError) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
    const firstLine = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return `invalid YAML at line ${line}, column ${column}: ${firstLine}`;
  }
  return `invalid JSON: ${jsonProblem((error as Error).message)}`;
}

/**
 * JSON.parse's message without the piece of the file it may quote (`Unexpected token 'u',
 * "{"dsn":u:pw…"... is not valid JSON`): that piece can hold a password.
 */
function jsonProblem(message: string): string {
  const unexpected = /^Unexpected token '(.)', .* is not valid JSON$/s.exec(message);
  if (unexpected !== null) {
    const token = unexpected[1]!;
    return `unexpected ${'{}[],:"'.includes(token) ? `"${token}"` : 'character'}`;
  }
  if (/^Unexpected end of JSON input|^Unterminated string/.test(message)) return message.split('\n')[0]!;
  return message.replace(/, ".*" is not valid JSON$/s, ' is not valid JSON');
}

function describeType(value: unknown): string {
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
