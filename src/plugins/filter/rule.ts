import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { ruleEnvOf } from '../../pipeline/rules.js';

/**
 * Plagger's Filter::Rule: a rule normally only decides whether a plugin runs on an entry; this
 * plugin turns it into a filter that drops every entry the rule does not match.
 */
export default definePlugin({
  name: 'Filter::Rule',
  description: 'Keeps the entries its rule matches and drops the rest (deduped, fresh, tags, expression…).',
  phase: 'filter',
  config: z.object({}).strict().default({}),
  appliesRuleItself: true,
  async entry(entry, feed, ctx) {
    return (await ctx.rule.test(entry, feed, ruleEnvOf(ctx))) ? entry : null;
  },
});
