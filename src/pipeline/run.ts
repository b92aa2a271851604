/**
 * One run of a recipe (DESIGN.md §1): subscribe → fetch → filter → smartfeed → publish, with every
 * plugin call isolated, so one broken source or plugin is reported and the rest go on.
 */
import { isAbsolute, resolve } from 'node:path';
import pLimit from 'p-limit';
import { pino } from 'pino';
import type { CompiledRule, Context, Logger, PluginContext, Queue, Store } from './context.js';
import type { Entry, Feed, Subscription } from './model.js';
import { sortNewestFirst } from './model.js';
import type { PluginDefinition, SourcePlugin } from './plugin.js';
import { newReport } from './report.js';
import type { RunReport, SourceOutcome } from './report.js';
import { loadRecipe } from './recipe.js';
import type { Recipe, RecipePlugin } from './recipe.js';
import { createHttpClient } from '../http/client.js';
import { createQueue } from '../queue/index.js';
import { registerPluginJobs } from '../queue/register.js';
import { openStore } from '../store/index.js';
import { sanitizeOnRead } from '../plugins/filter/sanitize.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** The run's clock (tests pin it). */
  now?: () => number;
  stateDir?: string;
  outputDir?: string;
  /** Share an open store and queue (the server does); otherwise the run opens and closes its own. */
  store?: Store;
  queue?: Queue;
  redis?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Called as sources finish, for progress output. */
  onSource?: (outcome: SourceOutcome, done: number, total: number) => void;
  /** How many sources are fetched at once. */
  concurrency?: number;
}

const FALLBACK_SOURCE = 'Source::Feed';
const RUN_HISTORY = 50;

export async function runRecipe(recipeOrPath: Recipe | string, options: RunOptions = {}): Promise<RunReport> {
  const recipe = typeof recipeOrPath === 'string' ? await loadRecipe(recipeOrPath, { env: options.env }) : recipeOrPath;
  const clock = { now: options.now ?? Date.now };
  const global = {
    timezone: recipe.global.timezone,
    stateDir: options.stateDir ?? recipe.global.stateDir,
    outputDir: options.outputDir ?? recipe.global.outputDir,
    baseDir: recipe.dir,
  };
  const log = options.log ?? createLogger(recipe.global.logLevel, recipe.secrets);
  const redis = options.redis ?? recipe.global.redis;
  const store =
    options.store ??
    (await openStore({ stateDir: global.stateDir, ...(recipe.global.store === 'redis' && redis ? { redis } : {}) }));
  const queue = options.queue ?? (await createQueue({ log, ...(redis ? { redis } : {}) }));
  const report = newReport(recipe.name, clock.now());
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const context: Context = {
    global,
    http: createHttpClient({
      store,
      log,
      timeoutMs: recipe.global.timeoutMs,
      ...(recipe.global.userAgent ? { userAgent: recipe.global.userAgent } : {}),
    }),
    store,
    queue,
    log,
    clock,
    report,
    signal: controller.signal,
  };
  try {
    const contexts = recipe.plugins.map((instance) => pluginContext(context, recipe, instance));
    registerJobs(recipe, contexts);
    const subscriptions = await subscribe(recipe, contexts, context);
    await store.set('subscriptions', recipe.name, subscriptions.map(({ plugin, url, title, tags }) => ({ plugin, url, title, tags })));
    let feeds = await fetchAll(recipe, subscriptions, context, options);
    report.entriesIn = countEntries(feeds);
    feeds = await filterPhase(recipe, contexts, feeds, context);
    feeds = await smartfeedPhase(recipe, contexts, feeds, context);
    feeds = sanitizeLast(feeds);
    report.entriesOut = countEntries(feeds);
    await publishPhase(recipe, contexts, feeds, context);
    const deliveries = await queue.drain();
    report.deliveries.completed += deliveries.completed;
    report.deliveries.failed.push(...deliveries.failed.map(({ id, name, error }) => ({ id, name, error })));
  } finally {
    report.finishedAt = clock.now();
    redactReport(report, recipe.secrets);
    options.signal?.removeEventListener('abort', forwardAbort);
    try {
      const history = (await store.get<RunReport[]>('runs', recipe.name)) ?? [];
      await store.set('runs', recipe.name, [...history, report].slice(-RUN_HISTORY));
    } catch (error) {
      log.error({ err: error }, 'could not record the run');
    }
    if (!options.queue) await queue.close();
    if (!options.store) await store.close();
  }
  return report;
}

const URL_PASSWORD = /(\/\/[^/:@\s]+):[^@/\s]+@/g;

/** Tokens in a URL must not reach the summary, the status page or the stored history. */
function redactReport(report: RunReport, secrets: string[]): void {
  const redact = (text: string) =>
    secrets.reduce((out, secret) => out.split(secret).join('[secret]'), text).replace(URL_PASSWORD, '$1:[secret]@');
  for (const source of report.sources) {
    source.target = redact(source.target);
    if (source.error) source.error = redact(source.error);
    source.warnings = source.warnings.map(redact);
  }
  for (const failure of report.failures) failure.error = redact(failure.error);
  for (const failure of report.deliveries.failed) failure.error = redact(failure.error);
}

export function createLogger(level: string, secrets: string[] = [], destination: pino.DestinationStream = pino.destination(2)): Logger {
  const redact = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[secret]'), text);
  const redactValue = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (value instanceof Error) return JSON.parse(redact(JSON.stringify(pino.stdSerializers.err(value))));
    if (value && typeof value === 'object') {
      const withErrors = Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, item instanceof Error ? pino.stdSerializers.err(item) : item]),
      );
      return JSON.parse(redact(JSON.stringify(withErrors)));
    }
    return value;
  };
  return pino(
    {
      level,
      base: undefined,
      hooks: {
        logMethod(args, method) {
          if (secrets.length === 0) return method.apply(this, args);
          return method.apply(this, args.map(redactValue) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** The context one plugin instance of a recipe gets, in a run or in a worker. */
export function pluginContext<C>(base: Context, recipe: Recipe, instance: RecipePlugin): PluginContext<C> {
  const scope = jobScope(recipe, instance);
  return {
    ...base,
    log: base.log.child({ plugin: instance.plugin.name }),
    config: instance.config as C,
    rule: instance.rule,
    pluginName: instance.module,
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(recipe.dir, path)),
    enqueue: (job, data, options) => base.queue.add(`${scope}:${job}`, data, options),
  };
}

/** Queue names are scoped to the recipe and the plugin's place in it, so workers find the handler. */
export function jobScope(recipe: Recipe, instance: RecipePlugin): string {
  return `${recipe.name}/${instance.index}/${instance.plugin.name}`;
}

export function registerJobs(recipe: Recipe, contexts: Array<PluginContext<unknown>>): void {
  recipe.plugins.forEach((instance, i) => registerPluginJobs(contexts[i]!.queue, jobScope(recipe, instance), instance.plugin, contexts[i]!));
}

// ─── Subscription ────────────────────────────────────────────────────────────────────────────

async function subscribe(recipe: Recipe, contexts: Array<PluginContext<unknown>>, context: Context): Promise<Subscription[]> {
  const registry = recipe.registry;
  const subscriptions: Subscription[] = [];
  const sourceInstances = recipe.plugins.filter((p) => p.plugin.phase === 'source');
  for (const [i, instance] of recipe.plugins.entries()) {
    const plugin = instance.plugin;
    if (plugin.phase === 'source') {
      type Declared = Pick<Subscription, 'url' | 'title' | 'tags'> & { config?: unknown };
      const declared: Array<Partial<Declared>> = plugin.subscriptions ? plugin.subscriptions(instance.config as never) : [{}];
      for (const sub of declared) {
        const config = (sub.config ?? instance.config) as Record<string, unknown>;
        const url = sub.url ?? (typeof config.url === 'string' ? config.url : undefined);
        subscriptions.push({
          plugin: plugin.name,
          tags: sub.tags ?? [],
          config,
          origin: instance.origin,
          ...(url ? { url } : {}),
          ...(sub.title ? { title: sub.title } : {}),
        });
      }
    } else if (plugin.phase === 'subscription') {
      try {
        const loaded = await plugin.load(contexts[i] as never);
        for (const sub of loaded) subscriptions.push(routeSubscription(sub, sourceInstances, registry.all, instance.origin));
      } catch (error) {
        context.report.failures.push({ plugin: plugin.name, phase: 'subscription', error: messageOf(error) });
        context.log.error({ err: error }, `${plugin.name} failed`);
      }
    }
  }
  return subscriptions;
}

/**
 * A URL from a subscription list goes to the source plugin that claims it (Plagger's
 * customfeed.handle), preferring plugins the recipe configured, else to the generic feed source.
 */
function routeSubscription(
  sub: Subscription,
  inRecipe: RecipePlugin[],
  all: PluginDefinition[],
  origin: string,
): Subscription {
  if (sub.plugin && sub.plugin !== FALLBACK_SOURCE) return { origin, ...sub };
  const url = sub.url ?? '';
  const configured = inRecipe.find((p) => (p.plugin as SourcePlugin<never>).claims?.(url));
  const registered = all.find((p): p is SourcePlugin<never> => p.phase === 'source' && Boolean(p.claims?.(url)));
  const chosen = ((configured?.plugin as SourcePlugin<never> | undefined) ?? registered) as PluginDefinition | undefined;
  if (!chosen || chosen.phase !== 'source') return { origin, ...sub, plugin: FALLBACK_SOURCE, config: { url, ...sub.config } };
  const fromUrl = chosen.configFromUrl?.(url) ?? { url };
  const parsed = chosen.config.safeParse({ ...(configured?.config as object | undefined), ...fromUrl, ...sub.config });
  return {
    origin,
    ...sub,
    plugin: chosen.name,
    config: parsed.success ? (parsed.data as Record<string, unknown>) : { ...fromUrl, ...sub.config },
  };
}

// ─── Fetch ───────────────────────────────────────────────────────────────────────────────────

async function fetchAll(recipe: Recipe, subscriptions: Subscription[], context: Context, options: RunOptions): Promise<Feed[]> {
  const registry = recipe.registry;
  const limit = pLimit(options.concurrency ?? 8);
  let done = 0;
  const results = await Promise.all(
    subscriptions.map((sub) =>
      limit(async () => {
        const outcome = await fetchOne(recipe, sub, registry.resolve(sub.plugin), context);
        options.onSource?.(outcome.outcome, ++done, subscriptions.length);
        return outcome;
      }),
    ),
  );
  // The report lists sources in recipe order, whichever finished first.
  context.report.sources.push(...results.map((r) => r.outcome));
  return results.flatMap((r) => r.feeds);
}

async function fetchOne(
  recipe: Recipe,
  sub: Subscription,
  plugin: PluginDefinition | undefined,
  context: Context,
): Promise<{ feeds: Feed[]; outcome: SourceOutcome }> {
  const target = sub.url ?? describeTarget(sub.config);
  const started = Date.now();
  const outcome: SourceOutcome = { plugin: sub.plugin, target, entries: 0, ok: true, durationMs: 0, warnings: [] };
  if (!plugin || plugin.phase !== 'source') {
    return { feeds: [], outcome: { ...outcome, ok: false, error: `no source plugin ${sub.plugin}` } };
  }
  const validated = plugin.config.safeParse(sub.config);
  if (!validated.success) {
    const reason = validated.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    return { feeds: [], outcome: { ...outcome, ok: false, error: `invalid subscription (${sub.origin ?? ''}): ${reason}` } };
  }
  const instance = recipe.plugins.find((p) => p.plugin === plugin);
  const deadline = AbortSignal.timeout(recipe.global.sourceTimeoutMs);
  const ctx: PluginContext<unknown> = {
    ...context,
    signal: AbortSignal.any([context.signal, deadline]),
    log: context.log.child({ plugin: plugin.name, target }),
    config: validated.data,
    rule: instance?.rule ?? ALWAYS,
    pluginName: plugin.name,
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(recipe.dir, path)),
    enqueue: () => Promise.reject(new Error('source plugins do not enqueue jobs')),
  };
  try {
    const result = await Promise.race([
      plugin.fetch({ ...sub, config: validated.data as Record<string, unknown> }, ctx as never),
      new Promise<never>((_, reject) =>
        deadline.addEventListener('abort', () => reject(new Error(`gave up after ${recipe.global.sourceTimeoutMs / 1000} s (global.source_timeout)`)), { once: true }),
      ),
    ]);
    const feeds = (Array.isArray(result) ? result : [result]).map((feed) => ({ ...feed, tags: [...new Set([...feed.tags, ...sub.tags])] }));
    for (const feed of feeds) {
      if (sub.title && !feed.title) feed.title = sub.title;
      const warnings = feed.meta.warnings;
      if (Array.isArray(warnings)) outcome.warnings.push(...warnings.map(String));
      if (feed.meta.notModified === true) outcome.notModified = true;
    }
    outcome.entries = countEntries(feeds);
    outcome.durationMs = Date.now() - started;
    return { feeds, outcome };
  } catch (error) {
    // The run report prints it; the log keeps the stack for whoever turns the level up.
    context.log.info({ err: error, target }, `${plugin.name} failed`);
    return { feeds: [], outcome: { ...outcome, ok: false, error: messageOf(error), durationMs: Date.now() - started } };
  }
}

function describeTarget(config: Record<string, unknown>): string {
  for (const key of ['url', 'path', 'file', 'user', 'id', 'username']) {
    if (typeof config[key] === 'string') return config[key] as string;
  }
  return '(no target)';
}

// ─── Filter and smartfeed ────────────────────────────────────────────────────────────────────

const ALWAYS: CompiledRule = { always: true, description: 'always', test: () => true };

async function filterPhase(recipe: Recipe, contexts: Array<PluginContext<unknown>>, feeds: Feed[], context: Context): Promise<Feed[]> {
  const env = ruleEnv(context, recipe);
  for (const [i, instance] of recipe.plugins.entries()) {
    const plugin = instance.plugin;
    if (plugin.phase !== 'filter') continue;
    const ctx = contexts[i]!;
    const gate = !plugin.appliesRuleItself && !instance.rule.always;
    let failures = 0;
    let firstError: unknown;
    const next: Feed[] = [];
    for (const feed of feeds) {
      const kept: Entry[] = [];
      const matched: Entry[] = [];
      for (const entry of feed.entries) {
        if (gate && !(await instance.rule.test(entry, feed, env))) {
          kept.push(entry);
          continue;
        }
        matched.push(entry);
        if (!plugin.entry) {
          kept.push(entry);
          continue;
        }
        try {
          const result = await plugin.entry(entry, feed, ctx as never);
          if (result) kept.push(result);
        } catch (error) {
          failures++;
          firstError ??= error;
          kept.push(entry);
        }
      }
      let updated: Feed = { ...feed, entries: kept };
      if (plugin.feed) {
        try {
          const matchedIds = new Set(matched.map((e) => e.id));
          const passing = kept.filter((e) => !gate || matchedIds.has(e.id));
          const rest = kept.filter((e) => gate && !matchedIds.has(e.id));
          const result = await plugin.feed({ ...feed, entries: passing }, ctx as never);
          updated = { ...result, entries: [...result.entries, ...rest] };
        } catch (error) {
          failures++;
          firstError ??= error;
        }
      }
      next.push(updated);
    }
    if (failures > 0) recordFailure(context, plugin.name, 'filter', firstError, failures);
    feeds = next;
  }
  return feeds;
}

async function smartfeedPhase(recipe: Recipe, contexts: Array<PluginContext<unknown>>, feeds: Feed[], context: Context): Promise<Feed[]> {
  const env = ruleEnv(context, recipe);
  for (const [i, instance] of recipe.plugins.entries()) {
    const plugin = instance.plugin;
    if (plugin.phase !== 'smartfeed') continue;
    const gate = !plugin.appliesRuleItself && !instance.rule.always;
    const { matching, rest } = gate ? await splitByRule(feeds, instance.rule, env) : { matching: feeds, rest: [] };
    try {
      const result = await plugin.feeds(matching, contexts[i] as never);
      feeds = mergeBack(result, rest);
    } catch (error) {
      recordFailure(context, plugin.name, 'smartfeed', error, 1);
    }
  }
  return feeds;
}

async function splitByRule(feeds: Feed[], rule: CompiledRule, env: ReturnType<typeof ruleEnv>) {
  const matching: Feed[] = [];
  const rest: Feed[] = [];
  for (const feed of feeds) {
    const yes: Entry[] = [];
    const no: Entry[] = [];
    for (const entry of feed.entries) ((await rule.test(entry, feed, env)) ? yes : no).push(entry);
    matching.push({ ...feed, entries: yes });
    if (no.length > 0) rest.push({ ...feed, entries: no });
  }
  return { matching, rest };
}

/** Entries a rule kept away from a plugin go back to their feed, or to a copy of it. */
function mergeBack(result: Feed[], rest: Feed[]): Feed[] {
  const byId = new Map(result.map((feed) => [feed.id, feed]));
  const merged = [...result];
  for (const feed of rest) {
    const target = byId.get(feed.id);
    if (target) target.entries = [...target.entries, ...feed.entries];
    else merged.push(feed);
  }
  return merged;
}

/**
 * Whatever a recipe did, nothing reaches a publisher unsanitized: the allowlist runs last, on
 * every entry, with relative links resolved against the entry's or the feed's page. It runs when
 * a publisher first reads an entry's HTML, so an entry a publisher already has (same digest of
 * what it was made from, see `sanitizedFrom`) costs a hash, not a parse.
 */
function sanitizeLast(feeds: Feed[]): Feed[] {
  return feeds.map((feed) => {
    const baseUrl = feed.link ?? (feed.url && /^https?:/.test(feed.url) ? feed.url : undefined);
    const options = baseUrl ? { baseUrl } : {};
    return { ...feed, entries: feed.entries.map((entry) => sanitizeOnRead(withSafeLinks(entry), options)) };
  });
}

const PUBLISHABLE_URL = /^(?:https?:|mailto:)/i;

/** An entry's own link, its enclosures and its via links may only be web (or mail) addresses. */
function withSafeLinks(entry: Entry): Entry {
  const unsafe =
    (entry.link !== undefined && !PUBLISHABLE_URL.test(entry.link)) ||
    entry.enclosures.some((e) => !PUBLISHABLE_URL.test(e.url) && !e.localPath) ||
    entry.via.some((v) => v.link !== undefined && !PUBLISHABLE_URL.test(v.link));
  if (!unsafe) return entry;
  const safe: Entry = {
    ...entry,
    enclosures: entry.enclosures.filter((e) => PUBLISHABLE_URL.test(e.url) || e.localPath),
    via: entry.via.map((v) => (v.link !== undefined && !PUBLISHABLE_URL.test(v.link) ? { entryId: v.entryId, source: v.source } : v)),
  };
  if (entry.link !== undefined && !PUBLISHABLE_URL.test(entry.link)) delete safe.link;
  return safe;
}

// ─── Publish ─────────────────────────────────────────────────────────────────────────────────

async function publishPhase(recipe: Recipe, contexts: Array<PluginContext<unknown>>, feeds: Feed[], context: Context): Promise<void> {
  const env = ruleEnv(context, recipe);
  for (const [i, instance] of recipe.plugins.entries()) {
    const plugin = instance.plugin;
    if (plugin.phase !== 'publish') continue;
    const gate = !plugin.appliesRuleItself && !instance.rule.always;
    const input = gate ? (await splitByRule(feeds, instance.rule, env)).matching : feeds;
    const sorted = input.map((feed) => ({ ...feed, entries: sortNewestFirst(feed.entries) }));
    try {
      const result = await plugin.publish(sorted, contexts[i] as never);
      if (result) context.report.outputs.push(...result.outputs);
    } catch (error) {
      recordFailure(context, plugin.name, 'publish', error, 1);
    }
  }
}

function ruleEnv(context: Context, recipe: Recipe) {
  return { now: context.clock.now(), store: context.store, timezone: recipe.global.timezone };
}

function recordFailure(context: Context, plugin: string, phase: string, error: unknown, count: number): void {
  const message = messageOf(error);
  context.report.failures.push({ plugin, phase, error: count > 1 ? `${message} (and ${count - 1} more)` : message });
  context.log.error({ err: error, plugin, phase }, `${plugin} failed`);
}

function countEntries(feeds: Feed[]): number {
  return feeds.reduce((sum, feed) => sum + feed.entries.length, 0);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
