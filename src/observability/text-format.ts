/**
 * `log.format: text`: one JSON log line turned into
 * `2026-01-01T00:00:00.000Z INFO  message key=value key="quoted value"`.
 */
export function formatTextLine(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const { time, level, msg, ...fields } = record;
  const parts = [String(time ?? ''), String(level ?? '').toUpperCase().padEnd(5)];
  if (msg !== undefined) parts.push(String(msg));
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${formatValue(value)}`);
  return `${parts.join(' ')}\n`;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}
