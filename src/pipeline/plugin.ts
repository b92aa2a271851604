/**
 * A plugin is a value (DESIGN.md §3): a name, Plagger aliases, a zod config schema and the hooks
 * of its phase. The registry, `kakehashi plugins` and the README tables are generated from it.
 */
import type { z } from 'zod';
import type { JobHandler, HandlerOptions, PluginContext } from './context.js';
import type { Entry, Feed, Subscription } from './model.js';

export type Phase = 'subscription' | 'source' | 'filter' | 'smartfeed' | 'publish';

/** Plagger's phase names, in run order; shown by `kakehashi check`. */
export const PHASES: ReadonlyArray<{ phase: Phase; plagger: string }> = [
  { phase: 'subscription', plagger: 'subscription.load' },
  { phase: 'source', plagger: 'customfeed.handle / aggregator' },
  { phase: 'filter', plagger: 'update.entry.fixup / update.feed.fixup' },
  { phase: 'smartfeed', plagger: 'smartfeed.*' },
  { phase: 'publish', plagger: 'publish.*' },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = z.ZodType<any, any>;

interface PluginBase<S extends AnySchema> {
  name: string;
  /** Other names that load this plugin, e.g. Plagger's `CustomFeed::Hatena`. */
  aliases?: string[];
  /** One line for `kakehashi plugins` and the README. */
  description: string;
  config: S;
  /**
   * True when the plugin applies `ctx.rule` itself (Filter::Rule keeps or drops by it). Otherwise
   * the pipeline gates: a filter or smartfeed sees only matching entries (the rest pass through
   * untouched), a publisher publishes only matching entries.
   */
  appliesRuleItself?: boolean;
  /** Delivery jobs this plugin's publish step puts on the queue, handled by workers. */
  jobs?: Record<
    string,
    {
      handler: (ctx: PluginContext<z.output<S>>) => JobHandler;
      options?: HandlerOptions;
      /** Options from the instance's config (a recipe's `rate_limit`, `concurrency`), over `options`. */
      optionsFor?: (config: z.output<S>) => HandlerOptions;
    }
  >;
}

export interface SubscriptionPlugin<S extends AnySchema> extends PluginBase<S> {
  phase: 'subscription';
  load(ctx: PluginContext<z.output<S>>): Promise<Subscription[]>;
}

export interface SourcePlugin<S extends AnySchema> extends PluginBase<S> {
  phase: 'source';
  /**
   * The subscriptions a recipe entry of this plugin stands for. Default: one, with the config as
   * given (a `Source::TwitterArchive` entry with a `path`).
   */
  subscriptions?(config: z.output<S>): Array<Pick<Subscription, 'url' | 'title' | 'tags'> & { config?: z.output<S> }>;
  /**
   * Whether this plugin should fetch a URL listed by a subscription plugin (Plagger's
   * customfeed.handle); the generic feed source takes what nobody claims.
   */
  claims?(url: string): boolean;
  /** A subscription URL turned into this plugin's config, when it claims the URL. */
  configFromUrl?(url: string): Record<string, unknown>;
  fetch(subscription: Subscription, ctx: PluginContext<z.output<S>>): Promise<Feed | Feed[]>;
}

export interface FilterPlugin<S extends AnySchema> extends PluginBase<S> {
  phase: 'filter';
  /** Per entry. Return the entry (changed or not), or null to drop it. */
  entry?(entry: Entry, feed: Feed, ctx: PluginContext<z.output<S>>): Promise<Entry | null> | Entry | null;
  /** Per feed, after its entries. Only the entries that pass the rule are handed in. */
  feed?(feed: Feed, ctx: PluginContext<z.output<S>>): Promise<Feed> | Feed;
}

export interface SmartfeedPlugin<S extends AnySchema> extends PluginBase<S> {
  phase: 'smartfeed';
  /** Across feeds: returns the new set of feeds (merged, deduped, digested, expanded). */
  feeds(feeds: Feed[], ctx: PluginContext<z.output<S>>): Promise<Feed[]> | Feed[];
}

export interface PublishPlugin<S extends AnySchema> extends PluginBase<S> {
  phase: 'publish';
  /** Renders or prepares, then puts delivery jobs on `ctx.queue`. */
  publish(feeds: Feed[], ctx: PluginContext<z.output<S>>): Promise<PublishResult | void>;
}

export interface PublishResult {
  /** Files written, URLs posted to, names of stored feeds: printed in the run summary. */
  outputs: string[];
  entries: number;
}

export type PluginDefinition<S extends AnySchema = AnySchema> =
  | SubscriptionPlugin<S>
  | SourcePlugin<S>
  | FilterPlugin<S>
  | SmartfeedPlugin<S>
  | PublishPlugin<S>;

/** Identity at run time; at compile time it ties each hook's `ctx.config` to the schema. */
export function definePlugin<S extends AnySchema>(plugin: SubscriptionPlugin<S>): SubscriptionPlugin<S>;
export function definePlugin<S extends AnySchema>(plugin: SourcePlugin<S>): SourcePlugin<S>;
export function definePlugin<S extends AnySchema>(plugin: FilterPlugin<S>): FilterPlugin<S>;
export function definePlugin<S extends AnySchema>(plugin: SmartfeedPlugin<S>): SmartfeedPlugin<S>;
export function definePlugin<S extends AnySchema>(plugin: PublishPlugin<S>): PublishPlugin<S>;
export function definePlugin(plugin: PluginDefinition): PluginDefinition {
  return plugin;
}

/** The queue options of one of a plugin's jobs, for one instance's config (what the queue registers). */
export function jobOptions(
  job: { options?: HandlerOptions; optionsFor?: (config: never) => HandlerOptions },
  config: unknown,
): HandlerOptions | undefined {
  return job.optionsFor ? { ...job.options, ...job.optionsFor(config as never) } : job.options;
}
