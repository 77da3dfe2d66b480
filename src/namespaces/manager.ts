import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { invalidArgument, unavailable } from '../errors.js';
import { compileOpl } from '../opl/compile.js';
import { placeDiagnostics } from '../opl/report.js';
import { decodeOplBytes } from '../opl/source.js';
import { namespacesForm } from './config-form.js';
import { LEGACY_FILE_EXTENSIONS, parseLegacyNamespaceFile } from './legacy.js';
import { fetchText, type Location } from './location.js';
import type { Namespace } from '../model.js';
import { createSnapshot, type NamespaceSnapshot } from './snapshot.js';
import { strictModeOf } from './strict-mode.js';
import { watchPath } from './watch.js';

/** pino-compatible: `(obj, msg)`. */
export interface NamespaceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface NamespaceFlags {
  /** `feature_flags.strict_mode`. */
  readonly strictMode?: boolean;
  /** `feature_flags.typescript_precedence`. */
  readonly typescriptPrecedence?: boolean;
}

export interface NamespaceManagerOptions {
  readonly logger: NamespaceLogger;
  readonly flags?: NamespaceFlags;
  /** Base of relative locations (plain paths and `file://./…`). Default: the working directory. */
  readonly baseDir?: string;
  /** Timeout of an http(s) fetch. Default 10 s. */
  readonly fetchTimeoutMs?: number;
  /** Quiet time after a file change before reloading. Default 100 ms. */
  readonly debounceMs?: number;
}

/** A model that cannot be used (already logged): why, in words safe to show a client (no path, no URL). */
interface Rejected {
  readonly rejected: string;
}

/** A form of the `namespaces` config value, ready to (re)read. */
interface ModelSource {
  readonly description: string;
  readonly watched?: { readonly path: string; readonly isDirectory: boolean };
  /** The model now, or why it cannot be used; `inForce` says whether a previous model stays in force meanwhile. */
  read(inForce: boolean): Promise<readonly Namespace[] | Rejected>;
}

const isRejected = (model: readonly Namespace[] | Rejected): model is Rejected => 'rejected' in model;

/** What a request that needs the model is told while none is in force. */
export const NO_MODEL_MESSAGE = 'no namespace model is in force: the configured model has errors';

/**
 * The live model from the `namespaces` config value in any of Keto's three forms: a legacy
 * list, a legacy location of namespace files, or `{location}` of an OPL file (a path,
 * `file://`, `http(s)://` or `base64://`). Local files are watched and reloaded after a
 * debounce; an edit that does not compile is logged and the previous model stays in force
 * (also when a file disappears). http(s) models are read when (re)configured.
 *
 * A model with errors at start leaves no model in force (unlike Keto, which serves an empty
 * one): `problem` says so, for readiness, and `inForce()` refuses with unavailable until a
 * valid model is loaded by a reload or a new configuration value.
 */
export class NamespaceManager {
  private snapshot: NamespaceSnapshot = createSnapshot([], false);
  /** Why no model is in force (set only while none is), in words safe to show a client. */
  private unusable: string | undefined;
  private source: ModelSource | undefined;
  private configValue: string | undefined;
  /** The `namespaces` config value in force. */
  private namespacesValue: unknown;
  private flags: NamespaceFlags;
  private stopWatching: () => void = () => undefined;
  /** Counts installs of a config value: only the newest one in flight is applied. */
  private installs = 0;
  /**
   * Counts reads of the watched file: only the newest one is applied. Apart from installs, so
   * that a file event arriving with a config change (one ConfigMap update changes both) does
   * not cancel the install of the new value.
   */
  private reloads = 0;
  private closed = false;

  private constructor(private readonly options: NamespaceManagerOptions) {
    this.flags = options.flags ?? {};
  }

  /**
   * Loads the model. Throws invalid_argument for a malformed value or an OPL location that
   * cannot be read (or unavailable when it cannot be fetched); an OPL model with errors is
   * logged and leaves no model in force (see `problem`) until it is fixed.
   */
  static async create(namespaces: unknown, options: NamespaceManagerOptions): Promise<NamespaceManager> {
    const manager = new NamespaceManager(options);
    await manager.install(namespaces, options.flags ?? {}, true);
    return manager;
  }

  /** The model in force (empty while none is); the same object until the model changes. */
  current(): NamespaceSnapshot {
    return this.snapshot;
  }

  /** Why no model is in force; undefined once one is. */
  get problem(): string | undefined {
    return this.unusable;
  }

  /** The model in force, for a request; unavailable while none is (the configured model has errors). */
  inForce(): NamespaceSnapshot {
    if (this.unusable !== undefined) throw unavailable(NO_MODEL_MESSAGE);
    return this.snapshot;
  }

  /**
   * Switches to a new `namespaces` config value and flags (config reload). Unchanged values
   * are a no-op; when the new value cannot be loaded the previous model stays and the
   * problem is logged.
   */
  async reconfigure(namespaces: unknown, flags: NamespaceFlags = this.flags): Promise<void> {
    const unchanged = JSON.stringify(namespaces ?? null) === this.configValue;
    if (unchanged && flags.strictMode === this.flags.strictMode && flags.typescriptPrecedence === this.flags.typescriptPrecedence) return;
    try {
      await this.install(namespaces, flags, false);
    } catch (err) {
      this.options.logger.error({ err }, 'the new namespaces configuration could not be loaded; keeping the previous model');
    }
  }

  close(): void {
    this.closed = true;
    this.installs++;
    this.stopWatching();
  }

  private async install(namespaces: unknown, flags: NamespaceFlags, initial: boolean): Promise<void> {
    const source = this.sourceFor(namespaces, flags);
    const generation = ++this.installs;
    const inForce = !initial && this.unusable === undefined;
    const model = await source.read(inForce);
    if (generation !== this.installs) return;
    // A model in force stays when the new value cannot be used; with none, the new source is watched.
    if (isRejected(model) && inForce) return;
    this.stopWatching();
    this.source = source;
    this.flags = flags;
    this.configValue = JSON.stringify(namespaces ?? null);
    this.namespacesValue = namespaces;
    this.snapshot = createSnapshot(isRejected(model) ? [] : model, this.strictMode());
    this.unusable = isRejected(model) ? model.rejected : undefined;
    this.stopWatching = this.watch(source);
  }

  private strictMode(): boolean {
    return strictModeOf(this.flags.strictMode, this.namespacesValue);
  }

  private watch(source: ModelSource): () => void {
    if (source.watched === undefined) return () => undefined;
    const { path, isDirectory } = source.watched;
    return watchPath(
      path,
      isDirectory,
      this.options.debounceMs ?? 100,
      () => void this.reload(source),
      (err) => this.options.logger.error({ err, path }, 'could not watch the namespaces for changes'),
    );
  }

  private async reload(source: ModelSource): Promise<void> {
    const generation = ++this.reloads;
    const inForce = this.unusable === undefined;
    let model: readonly Namespace[] | Rejected;
    try {
      model = await source.read(inForce);
    } catch (err) {
      const outcome = inForce ? 'keeping the previous model' : 'no model is in force until it is fixed';
      this.options.logger.error({ err, location: source.description }, `could not reload the namespaces; ${outcome}`);
      return;
    }
    if (generation !== this.reloads || this.closed || source !== this.source) return;
    if (isRejected(model)) {
      if (!inForce) this.unusable = model.rejected;
      return;
    }
    this.snapshot = createSnapshot(model, this.strictMode());
    this.unusable = undefined;
    this.options.logger.info({ location: source.description, namespaces: model.length }, 'namespaces reloaded');
  }

  private sourceFor(value: unknown, flags: NamespaceFlags): ModelSource {
    const form = namespacesForm(value, this.options.baseDir ?? process.cwd());
    switch (form.kind) {
      case 'list':
        return { description: 'namespaces (inline list)', read: async () => form.namespaces };
      case 'legacy':
        return this.legacySource(form.path, form.configured);
      case 'opl':
        return this.oplSource(form.location, form.configured, flags);
    }
  }

  private oplSource(location: Location, description: string, flags: NamespaceFlags): ModelSource {
    const { logger } = this.options;
    const timeout = this.options.fetchTimeoutMs ?? 10_000;
    const readText = async (): Promise<string> => {
      switch (location.kind) {
        case 'inline':
          return location.text;
        case 'http':
          return fetchText(location.url, timeout);
        case 'file':
          try {
            return decodeOplBytes(await readFile(location.path));
          } catch (err) {
            throw invalidArgument(`could not read the OPL file ${location.path}: ${(err as Error).message}`);
          }
      }
    };
    return {
      description,
      ...(location.kind === 'file' ? { watched: { path: location.path, isDirectory: false } } : {}),
      read: async (inForce) => {
        const text = await readText();
        const result = compileOpl(text, { typescriptPrecedence: flags.typescriptPrecedence === true });
        const place = (ds: typeof result.errors) =>
          placeDiagnostics(text, ds).map((d) => ({ line: d.line, column: d.column, message: d.message }));
        for (const warning of place(result.warnings)) logger.warn({ location: description, ...warning }, `OPL: ${warning.message}`);
        if (result.errors.length === 0) return result.namespaces;
        const outcome = inForce ? 'keeping the previous model' : 'no model is in force until it is fixed';
        logger.error(
          { location: description, errors: place(result.errors) },
          `the OPL model at ${description} has ${result.errors.length} error(s); ${outcome}`,
        );
        return { rejected: `the namespace model has ${result.errors.length} error(s); no model is in force until it is fixed` };
      },
    };
  }

  private legacySource(path: string, description: string): ModelSource {
    const { logger } = this.options;
    const lastGood = new Map<string, Namespace>();
    let isDirectory = false;
    const readOne = async (file: string): Promise<void> => {
      try {
        lastGood.set(file, parseLegacyNamespaceFile(file, await readFile(file, 'utf8')));
      } catch (err) {
        logger.error({ err, file }, 'could not read a namespace file; keeping its previous version');
      }
    };
    return {
      description,
      read: async () => {
        let info;
        try {
          info = await stat(path);
        } catch (err) {
          logger.warn({ err, location: description }, `no namespace files at ${path}`);
          lastGood.clear();
          return [];
        }
        isDirectory = info.isDirectory();
        const files = isDirectory
          ? (await readdir(path)).map((name) => join(path, name)).sort()
          : [path];
        for (const known of [...lastGood.keys()]) if (!files.includes(known)) lastGood.delete(known);
        for (const file of files) {
          if (LEGACY_FILE_EXTENSIONS.has(extname(file).toLowerCase())) await readOne(file);
          else logger.warn({ file }, 'ignoring a namespace file whose format is not known from its extension (.yaml, .yml, .json, .toml); an OPL file is configured as namespaces: {location: …}');
        }
        return [...lastGood.values()];
      },
      get watched() {
        return { path, isDirectory };
      },
    };
  }
}
