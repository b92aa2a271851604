/**
 * A recipe rule that cannot be compiled. `path` leads from the rule spec to the offending value
 * (`[1, 'title', 'regex']`), which the recipe loader turns into `recipe.yaml:12:9`.
 */
export class RuleError extends Error {
  override name = 'RuleError';
  constructor(
    message: string,
    readonly path: Array<string | number>,
    /** Which recipe key the path is relative to: the plugin's `rule` or its `rule_op`. */
    readonly key: 'rule' | 'rule_op' = 'rule',
  ) {
    super(message);
  }
}

export function describePath(path: Array<string | number>): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('') || '(rule)';
}
