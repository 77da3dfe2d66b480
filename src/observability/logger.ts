import { writeSync } from 'node:fs';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { maskSecretsIn } from '../config/dsn.js';
import type { LogConfig, LogLevel } from '../config/types.js';
import { formatTextLine } from './text-format.js';

export type { Logger };

/** Ory's level names onto pino's (pino has no "panic"). */
export function pinoLevel(level: LogLevel): Level {
  return level === 'panic' ? 'fatal' : level;
}

/** Keys that never reach a log line with their value, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'dsn',
  '*.dsn',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  'secrets',
  '*.secrets',
];

/** Strings of a serialised error (message, stack, driver fields, causes) with DSN-shaped text masked. */
function masked(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecretsIn(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => masked(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = masked(child, depth + 1);
  return out;
}

/**
 * JSON lines (or `text` for humans) on stdout, written synchronously so that no line is lost
 * when the process exits. No log files.
 */
export function createLogger(config: LogConfig, fd = 1): Logger {
  const destination: DestinationStream =
    config.format === 'text'
      ? { write: (line: string) => void writeSync(fd, formatTextLine(line)) }
      : pino.destination({ dest: fd, sync: true });
  return pino(
    {
      level: pinoLevel(config.level),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors may quote a connection string (a driver's message, a parser's snippet): mask it.
      serializers: config.leak_sensitive_values ? {} : { err: (err: Error) => masked(pino.stdSerializers.err(err)) },
      redact: config.leak_sensitive_values
        ? []
        : { paths: REDACTED_PATHS, censor: config.redaction_text ?? 'Value is sensitive and has been redacted. To see the value set config key "log.leak_sensitive_values = true" or environment variable "LOG_LEAK_SENSITIVE_VALUES=true".' },
    },
    destination,
  );
}
