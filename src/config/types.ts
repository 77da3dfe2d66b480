/**
 * The typed shape of a loaded gatehouse configuration: Keto's configuration keys plus
 * gatehouse's own additions. A `Config` returned by `loadConfig` has every default
 * applied, so each field typed without `?` is always present.
 *
 * Durations are kept as written (`"5s"`, `"250ms"`, `"1m"`); turn them into
 * milliseconds with `durationMs` from `./duration.js`. Sizes are integers in bytes.
 */

export type LogLevel = 'panic' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type LogFormat = 'json' | 'json_pretty' | 'gelf' | 'text';

/** A PEM file given either by path or inline as base64. */
export interface TlsSource {
  path?: string;
  base64?: string;
}

/** TLS is off unless both key and cert are set. */
export interface TlsConfig {
  key?: TlsSource;
  cert?: TlsSource;
}

/** gatehouse: one accepted preshared key; exactly one field is set. */
export interface PresharedKeySource {
  /** A file holding the key. */
  path?: string;
  /** An environment variable holding the key. */
  env?: string;
  /** The key's SHA-256 digest, hex. */
  sha256?: string;
}

/** gatehouse: authentication on one listener; off unless a key or a client CA is set. */
export interface AuthConfig {
  preshared_keys: PresharedKeySource[];
  /** CA certificates a client certificate must chain to (mutual TLS). */
  client_ca?: TlsSource;
}

export type CorsMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'TRACE' | 'PATCH';

export interface CorsConfig {
  enabled: boolean;
  allowed_origins: string[];
  allowed_methods: CorsMethod[];
  allowed_headers: string[];
  exposed_headers: string[];
  allow_credentials: boolean;
  /** Seconds; 0 means no max age. */
  max_age: number;
  debug: boolean;
}

export interface ServeEndpointConfig {
  /** Network interface; "" listens on all interfaces. */
  host: string;
  port: number;
  /** A file:// URI written with "host:port" once the listener is bound. */
  write_listen_file?: string;
  cors: CorsConfig;
  tls: TlsConfig;
  auth: AuthConfig;
  /** gatehouse: the deadline of each request; "0s" means none. Duration. */
  request_timeout: string;
}

/** gatehouse: the browser playground's listener (no CORS: the page calls its own origin). */
export interface PlaygroundConfig extends Omit<ServeEndpointConfig, 'cors'> {
  enabled: boolean;
}

export type EndpointName = 'read' | 'write' | 'metrics' | 'opl';

export interface ServeConfig {
  read: ServeEndpointConfig;
  write: ServeEndpointConfig;
  metrics: ServeEndpointConfig;
  opl: ServeEndpointConfig;
  playground: PlaygroundConfig;
  /** gatehouse: how long in-flight requests may run after SIGTERM/SIGINT. Duration. */
  shutdown_grace_period: string;
}

/** One entry of the legacy namespace list (`namespaces: [{id, name}]`). */
export interface LegacyNamespace {
  name: string;
  id?: number;
  config?: Record<string, unknown>;
}

/** `namespaces: {location: "file://./namespaces.ts"}`: an OPL file. */
export interface OplNamespacesConfig {
  location: string;
  experimental_strict_mode?: boolean;
}

/**
 * The three forms Keto accepts: a legacy list, a legacy URI (a directory or file of
 * namespace files), or an OPL location. Relative `file://` locations written in a
 * config file are made absolute against that file's directory by `loadConfig`.
 */
export type NamespacesConfig = LegacyNamespace[] | string | OplNamespacesConfig;

export interface LimitConfig {
  max_read_depth: number;
  max_read_width: number;
  max_batch_check_size: number;
  batch_check_max_parallelization: number;
  max_expand_size: number;
  /** gatehouse: largest accepted REST body / gRPC message, in bytes. */
  max_request_body_size: number;
}

export interface LogConfig {
  level: LogLevel;
  format: LogFormat;
  leak_sensitive_values: boolean;
  redaction_text?: string;
  additional_redacted_headers?: string[];
}

export interface TracingSampling {
  server_url?: string;
  trace_id_ratio?: number;
  sampling_ratio?: number;
}

export interface TracingConfig {
  provider?: 'jaeger' | 'otel' | 'zipkin';
  service_name?: string;
  deployment_environment?: string;
  providers?: {
    jaeger?: { local_agent_address?: string; sampling?: TracingSampling };
    zipkin?: { server_url?: string; sampling?: TracingSampling };
    otlp?: { server_url?: string; insecure?: boolean; sampling?: TracingSampling; authorization_header?: string };
  };
}

export interface ClientsConfig {
  http: { disallow_private_ip_ranges: boolean };
}

export interface SecretsConfig {
  /** First entry signs page tokens, all entries verify (tokens are signed, not encrypted). */
  pagination?: string[];
}

export interface FeatureFlagsConfig {
  expand_rewrites: boolean;
  strict_mode: boolean;
  /** gatehouse: evaluate `&&` before `||` in OPL as TypeScript does, instead of Keto's left-to-right folding. */
  typescript_precedence: boolean;
}

/** gatehouse: connection pool and retry settings for SQL backends. */
export interface DatabaseConfig {
  max_conns: number;
  /** Duration a request waits for a free connection before failing as unavailable. */
  acquire_timeout: string;
  /** How often a transaction that failed with a transient error is retried. */
  max_retries: number;
  /** Duration a statement may run before it fails as unavailable; "0s" means no limit. */
  statement_timeout: string;
}

/** gatehouse: the in-memory tuple index. */
export interface IndexConfig {
  enabled: boolean;
  /** Bytes the index may use; past it the index is dropped and reads go to the database. */
  memory_budget: number;
  /** Duration by which an answer from the index may lag committed writes; "0s" means never stale. */
  max_staleness: string;
  /** Duration a read waits for the index to be confirmed current before it fails as unavailable. */
  freshness_timeout: string;
}

/** gatehouse: the changelog of committed writes. */
export interface ChangelogConfig {
  /** Duration changelog entries are kept before they are pruned; "0s" keeps them all. */
  retention: string;
}

export interface Config {
  $schema?: string;
  dsn: string;
  serve: ServeConfig;
  namespaces: NamespacesConfig;
  limit: LimitConfig;
  log: LogConfig;
  tracing?: TracingConfig;
  profiling?: 'cpu' | 'mem' | '';
  clients: ClientsConfig;
  secrets: SecretsConfig;
  feature_flags: FeatureFlagsConfig;
  version?: string;
  database: DatabaseConfig;
  index: IndexConfig;
  changelog: ChangelogConfig;
}

/** The logger configuration code writes to: pino's `(obj, msg)` call shape. */
export interface ConfigLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a reload changed, handed to listeners together with the config now in force. */
export interface ConfigChange {
  previous: Config;
  /** Dotted key paths whose new values are now in force. */
  applied: string[];
  /** Dotted key paths that changed on disk but only take effect after a restart. */
  restartRequired: string[];
}

export type ConfigListener = (config: Config, change: ConfigChange) => void;

/** A configuration that follows its files. */
export interface LiveConfig {
  current(): Config;
  /** Returns a function that removes the listener. */
  subscribe(listener: ConfigListener): () => void;
  /** Stops watching the files. */
  close(): void;
}

export interface ConfigSources {
  /** Config files (YAML or JSON), merged in order: a later file overrides an earlier one. */
  files?: readonly string[];
  /** Environment variables; they override the files. */
  env?: Readonly<Record<string, string | undefined>>;
}
