/**
 * Rules (DESIGN.md §4): a recipe's `rule` (one condition or a list) and `rule_op`, compiled once
 * when the recipe loads. Conditions are data; `expression` is parsed by our own small parser;
 * regexes run on re2js (linear time). Nothing from a recipe is ever evaluated as code.
 *
 * Forms a rule may take (see the README, "Rules, merging and expanding"):
 *   { title: { contains: foo } }                        field condition (several keys: all of them)
 *   { all: [...] } { any: [...] } { none: [...] } { not: {...} }
 *   { fresh: 2d } { has: link } { deduped: true } { recent: 20 } { expression: "…" }
 *   { module: Fresh | Deduped | EntryTag | FeedAttr | FeedType | RecentN | Always | Expression, … }
 *   [ rule, rule, … ] with rule_op AND | OR | XOR | NAND | NOT | NOR     (Plagger's list form)
 */
import type { CompiledRule, Context, RuleEnv } from './context.js';
import type { Entry, Feed } from './model.js';
import { ALWAYS, combineNodes, compileNode, parseOperator, type RuleNode } from './rules/conditions.js';
import { RuleError } from './rules/error.js';

export { RuleError, describePath } from './rules/error.js';
export { OPERATORS, combine, type RuleOperator } from './rules/conditions.js';
export { FIELDS } from './rules/fields.js';

function finish(node: RuleNode, always: boolean): CompiledRule {
  return {
    always,
    description: node.description,
    test: (entry: Entry, feed: Feed, env: RuleEnv) => node.test(entry, feed, env),
  };
}

/**
 * `spec` is the plugin's `rule` as the recipe gave it (undefined → a rule that is always true);
 * `ruleOp` its `rule_op`, which combines a list (default AND; every rule of the list is
 * evaluated, as in Plagger). Throws RuleError with the path of the bad value.
 */
export function compileRule(spec: unknown, ruleOp?: unknown): CompiledRule {
  const op = parseOperator(ruleOp, [], 'rule_op');
  if (spec === undefined || spec === null) return finish(ALWAYS, true);
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new RuleError('rule is an empty list', []);
    const children = spec.map((child, i) => compileNode(child, [i]));
    return finish(combineNodes(op, children), false);
  }
  const node = compileNode(spec, []);
  // A single rule with NAND/NOT/NOR still means "not this", as a one-element list would in Plagger.
  return finish(op === 'AND' || op === 'OR' || op === 'XOR' ? node : combineNodes(op, [node]), node === ALWAYS && op === 'AND');
}

/** Run a compiled rule over a feed's entries, keeping the ones it matches, in order. */
export async function selectEntries(rule: CompiledRule, feed: Feed, env: RuleEnv): Promise<Entry[]> {
  if (rule.always) return feed.entries;
  const kept: Entry[] = [];
  for (const entry of feed.entries) if (await rule.test(entry, feed, env)) kept.push(entry);
  return kept;
}

/** What a plugin's rule needs from the run's context. */
export function ruleEnvOf(context: Pick<Context, 'clock' | 'store' | 'global'>): RuleEnv {
  return { now: context.clock.now(), store: context.store, timezone: context.global.timezone };
}
