/**
 * The part of TOML a legacy namespace file uses: `key = value` lines with strings, integers
 * and booleans, `#` comments, and `[table]` headers (whose keys land in that table).
 * Anything else is reported with its line number.
 */
export function parseTomlTable(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let table = root;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    const header = /^\[\s*([A-Za-z0-9_-]+)\s*\]$/.exec(line);
    if (header !== null) {
      table = {};
      root[header[1]!] = table;
      return;
    }
    const pair = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.+)$/.exec(line);
    if (pair === null) throw new Error(`line ${index + 1}: expected key = value`);
    const key = pair[1]!.startsWith('"') ? pair[1]!.slice(1, -1) : pair[1]!;
    table[key] = tomlValue(pair[2]!, index + 1);
  });
  return root;
}

function tomlValue(text: string, line: number): unknown {
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text);
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  throw new Error(`line ${line}: unsupported value ${text}`);
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}
