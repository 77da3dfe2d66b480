import type { ErrorObject } from 'ajv';
import { validate as validateSchema } from './config-validator.js';
import { ALLOWED_DSN_FORMS, dsnKind, maskSecretsIn } from './dsn.js';
import { KEYS_BY_ENV } from './keys.js';
import { isTree, type Tree } from './merge.js';
import { shownValue } from './redact.js';
import { closestKey } from './suggest.js';

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  uri: 'must be a URI such as file://./namespaces.ts',
  duration: 'must be a duration such as 250ms, 5s or 1m30s',
};

export type Validation = { ok: true; config: Tree } | { ok: false; messages: string[] };

/** Applies the schema's defaults to a copy of `tree` and checks it; each message names a key. */
export function validateConfig(tree: Tree): Validation {
  const config = structuredClone(tree);
  const messages = new Set<string>();
  if (!validateSchema(config)) {
    for (const error of validateSchema.errors ?? []) {
      const message = describe(error, config);
      if (message !== undefined) messages.add(message);
    }
  }
  const dsn = config['dsn'];
  if (typeof dsn === 'string' && dsnKind(dsn) === undefined) {
    messages.add(`dsn: must be ${ALLOWED_DSN_FORMS}, got ${show(['dsn'], dsn)}`);
  }
  const provider = (config['tracing'] as Tree | undefined)?.['provider'];
  if (typeof provider === 'string' && provider in UNSUPPORTED_TRACING) {
    messages.add(`tracing.provider: "${provider}" is not supported: ${UNSUPPORTED_TRACING[provider]}`);
  }
  return messages.size === 0 ? { ok: true, config } : { ok: false, messages: [...messages] };
}

/** Keto's tracing providers that gatehouse does not export to, with what to configure instead. */
const UNSUPPORTED_TRACING: Readonly<Record<string, string>> = {
  jaeger:
    'gatehouse exports traces over OTLP/HTTP only, which Jaeger receives itself (since v1.35): set tracing.provider to "otel" and tracing.providers.otlp.server_url to its OTLP/HTTP address (host:4318)',
  zipkin:
    'gatehouse exports traces over OTLP/HTTP only: set tracing.provider to "otel" and tracing.providers.otlp.server_url to an OpenTelemetry Collector that exports to Zipkin',
};

function describe(error: ErrorObject, root: Tree): string | undefined {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const value = valueAt(root, path);
  const got = () => `, got ${show(path, value)}`;
  if (path[0] === 'namespaces' && path.length === 1 && error.keyword === 'type') return undefined;
  if (error.schemaPath.includes('/anyOf/')) return undefined;
  switch (error.keyword) {
    case 'oneOf':
      // A value of a listed form failed inside that form; those errors say why.
      if (typeof value === 'string' || Array.isArray(value) || isTree(value)) return undefined;
      return `${display(path)}: must be a URI, a list of namespaces or a mapping with a location${got()}`;
    case 'anyOf':
      return `${display(path)}: must be an address as host:port${got()}`;
    case 'required': {
      const missing = [...path, (error.params as { missingProperty: string }).missingProperty];
      const env = KEYS_BY_ENV.get(missing.join('_').toUpperCase());
      const hint = env === undefined ? '' : `; set it in a config file or with the environment variable ${env.env}`;
      return `${display(missing)}: is required${hint}`;
    }
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closestKey(path, key, allowed);
      const tail =
        suggestion !== undefined
          ? `did you mean ${display(suggestion)}?`
          : `allowed keys are ${allowed.filter((k) => k !== '$schema').join(', ')}`;
      return `${display([...path, key])}: unknown key, ${tail}`;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return `${display(path)}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${got()}`;
    }
    case 'pattern':
      if (display(path) === 'version') return `version: must be a version such as v0.14.0${got()}`;
      return `${display(path)}: ${error.message ?? 'is invalid'}${got()}`;
    case 'format': {
      const format = (error.params as { format: string }).format;
      return `${display(path)}: ${FORMAT_HINTS[format] ?? `must match format "${format}"`}${got()}`;
    }
    default:
      return `${display(path)}: ${error.message ?? 'is invalid'}${got()}`;
  }
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) || isTree(node)) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

/** "namespaces[0].name", "serve.read.port". */
function display(path: readonly string[]): string {
  return path.reduce((out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

const MAX_SHOWN = 80;

/** The value as a message shows it: secrets hidden, DSN-shaped text masked before it is cut. */
function show(path: readonly string[], value: unknown): string {
  const text = maskSecretsIn(JSON.stringify(shownValue(path, value)) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
