/**
 * What a plugin may touch (DESIGN.md §3). A plugin reaches the world only through these
 * interfaces, which is what lets every plugin run against a local HTTP server and a real store.
 */
import type { Logger } from 'pino';
import type { Entry, Feed } from './model.js';
import type { RunReport } from './report.js';

export type { Logger } from 'pino';

// ─── HTTP ────────────────────────────────────────────────────────────────────────────────────

export type DecodeKind = 'xml' | 'html' | 'text';

/** Text decoded from bytes, with the encoding chosen and why. */
export interface DecodedText {
  text: string;
  encoding: string;
  /** Human-readable reason: `BOM`, `HTTP charset`, `XML declaration`, `detected (…)`. */
  decidedBy: string;
  /** Declarations that were overridden or ignored, for the log. */
  overrides: string[];
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Uint8Array;
  /** Send If-None-Match / If-Modified-Since from the state store, and record the answer. */
  conditional?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Extra cookie jar header to send (mixi). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
  /**
   * True when a conditional GET was answered 304; `body` is then the body stored with the
   * validators last time, so a source still yields its entries.
   */
  notModified: boolean;
  /** Redirect chain, first request URL first. */
  redirects: string[];
  /** Decode the body once (BOM, HTTP charset, declaration, detection). */
  text(kind?: DecodeKind): DecodedText;
  json<T = unknown>(): T;
}

export interface HttpClient {
  /** A request that throws HttpError for a status outside 200–299 (and 304 when conditional). */
  fetch(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  /** A request that returns whatever status came back (for publishers that handle 4xx/5xx). */
  request(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

// ─── State store ─────────────────────────────────────────────────────────────────────────────

export interface Store {
  /** Key-value state, namespaced by the plugin or subsystem (`http`, `seen`, `twitter`…). */
  get<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  /** Every key in a namespace with its value (for small namespaces: ledgers, run history). */
  entries<T = unknown>(namespace: string): Promise<Array<[string, T]>>;
  /** The entries an output feed retains across runs, newest first. */
  loadRetained(feed: string): Promise<Entry[]>;
  /**
   * The window's order, version and per-entry digests and times, without reading the entries:
   * enough for a publisher to tell that a run brought nothing new. `undefined` when the window
   * was never saved (or was saved before the store kept an index).
   */
  retainedIndex(feed: string): Promise<RetainedIndex | undefined>;
  /**
   * Replaces the window. An entry object handed back as `loadRetained` gave it counts as unchanged
   * (and costs nothing to keep), so change an entry by making a new object, never in place.
   * `digestOf` names what an entry was made from (the sanitizer's input): an entry whose digest
   * equals the one stored for its id counts as unchanged without being read. A save that changes
   * nothing writes nothing.
   *
   * Returns the window's version: the same string for as long as its entries, their content and
   * their order stay the same (so a publisher can tell that nothing needs rendering again).
   */
  saveRetained(feed: string, entries: Entry[], digestOf?: (entry: Entry) => string | undefined): Promise<string>;
  /**
   * Large bytes (a rendered feed) with a small JSON record about them (its validators), written
   * together; the record can be read without the bytes.
   */
  putBlob(namespace: string, key: string, record: unknown, body: Uint8Array): Promise<void>;
  getBlobRecord<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  getBlob<T = unknown>(namespace: string, key: string): Promise<{ record: T; body: Buffer } | undefined>;
  /**
   * Writes a blob's bytes to a file (atomically: readers never see half of it) and returns its
   * record, or undefined when there is no such blob. A store that keeps blobs as files copies
   * in the kernel, so megabytes never pass through JavaScript.
   */
  writeBlobTo<T = unknown>(namespace: string, key: string, path: string): Promise<T | undefined>;
  /** Reachable and writable (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One entry of a retained window as the store indexes it. */
export interface RetainedRef {
  id: string;
  /** What the stored entry was made from, as its saver named it; absent when it named nothing. */
  digest?: string;
  /** The entry's time (`entryTime`), for windowing without reading it. */
  time?: number;
}

export interface RetainedIndex {
  /** As `saveRetained` returned it. */
  version: string;
  /** In the window's order. */
  entries: RetainedRef[];
}

// ─── Queue ───────────────────────────────────────────────────────────────────────────────────

export interface JobOptions {
  /** Deterministic id: a job with an id already waiting, running or completed is not added again. */
  jobId?: string;
  attempts?: number;
}

export interface HandlerOptions {
  concurrency?: number;
  attempts?: number;
  /** First retry delay; doubles each attempt, with jitter. */
  backoffMs?: number;
  /** At most `max` jobs started per `durationMs`. */
  rateLimit?: { max: number; durationMs: number };
}

export interface JobInfo {
  id: string;
  name: string;
  attempt: number;
}

export type JobHandler<T = unknown> = (data: T, job: JobInfo) => Promise<unknown>;

/** A job that should not be retried (a 400 from a destination). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface JobFailure {
  id: string;
  name: string;
  error: string;
  attempts: number;
}

export interface Queue {
  readonly kind: 'memory' | 'bullmq';
  register<T>(name: string, handler: JobHandler<T>, options?: HandlerOptions): void;
  add<T>(name: string, data: T, options?: JobOptions): Promise<void>;
  /** Wait until every job added so far has completed or failed for good. */
  drain(): Promise<{ completed: number; failed: JobFailure[] }>;
  /** Jobs added since the last drain(): finished and still to go (for a progress bar). */
  progress?(): { completed: number; failed: number; pending: number };
  close(): Promise<void>;
}

// ─── The context handed to plugins ───────────────────────────────────────────────────────────

export interface Clock {
  now(): number;
}

export interface GlobalSettings {
  timezone: string;
  stateDir: string;
  outputDir: string;
  /** Directory of the recipe file: relative paths in plugin configs resolve against it. */
  baseDir: string;
}

export interface Context {
  global: GlobalSettings;
  http: HttpClient;
  store: Store;
  queue: Queue;
  log: Logger;
  clock: Clock;
  report: RunReport;
  /** Aborted when the run is cancelled (SIGINT, server shutdown). */
  signal: AbortSignal;
}

/** What rules need besides the entry: the clock for `fresh`, the store for `deduped`. */
export interface RuleEnv {
  now: number;
  store: Store;
  timezone: string;
}

/** A recipe's `rule` / `rule_op`, compiled (src/pipeline/rules.ts). */
export interface CompiledRule {
  readonly always: boolean;
  readonly description: string;
  test(entry: Entry, feed: Feed, env: RuleEnv): boolean | Promise<boolean>;
}

/** What a plugin hook receives: the run's context plus its own validated config. */
export interface PluginContext<C> extends Context {
  config: C;
  /** The plugin's rule. The pipeline gates with it, unless the plugin says it applies it itself. */
  rule: CompiledRule;
  /** Put one of this plugin's own `jobs` on the queue (names are scoped to the plugin instance). */
  enqueue<T>(job: string, data: T, options?: JobOptions): Promise<void>;
  /** The plugin's name as the recipe gave it, for messages. */
  pluginName: string;
  /** Resolve a path from the recipe against the recipe's directory. */
  resolvePath(path: string): string;
}
