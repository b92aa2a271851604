/**
 * Compiles the condition form of a rule (DESIGN.md §4) into a tree of tests. Each node knows at
 * compile time whether it needs the store (`deduped`), so a rule without one tests synchronously.
 */
import type { RuleEnv } from '../context.js';
import type { Entry, Feed, When } from '../model.js';
import { contentDigest, SEEN_KEY_KINDS, SeenStore, seenKey, type SeenKeyKind } from '../seen.js';
import { RuleError } from './error.js';
import { compileExpression } from './expression.js';
import { FIELDS, lookupField, nearestNames, type FieldSpec } from './fields.js';
import { compileDate, compileRegex, looksLikeRegex, parseDuration, type Matcher } from './values.js';

export type Path = Array<string | number>;

export interface RuleNode {
  description: string;
  /** True when the test returns a promise (it reads the store). */
  async: boolean;
  test(entry: Entry, feed: Feed, env: RuleEnv): boolean | Promise<boolean>;
}

export const OPERATORS = ['AND', 'OR', 'XOR', 'NAND', 'NOT', 'NOR'] as const;
export type RuleOperator = (typeof OPERATORS)[number];

export function parseOperator(spec: unknown, path: Path, key: 'rule' | 'rule_op' = 'rule'): RuleOperator {
  if (spec === undefined || spec === null) return 'AND';
  const op = typeof spec === 'string' ? spec.trim().toUpperCase() : undefined;
  if (op && (OPERATORS as readonly string[]).includes(op)) return op as RuleOperator;
  throw new RuleError(`unknown operator ${JSON.stringify(spec)} (use ${OPERATORS.join(', ')})`, path, key);
}

/** Plagger::Operator: fold with AND, OR or XOR; NAND (alias NOT) and NOR negate the fold. */
export function combine(op: RuleOperator, values: boolean[]): boolean {
  let result: boolean;
  if (op === 'OR' || op === 'NOR') result = values.some(Boolean);
  else if (op === 'XOR') result = values.reduce((a, b) => a !== b, false);
  else result = values.every(Boolean);
  return op === 'NAND' || op === 'NOT' || op === 'NOR' ? !result : result;
}

export const ALWAYS: RuleNode = { description: 'always', async: false, test: () => true };

function sync(description: string, test: (entry: Entry, feed: Feed, env: RuleEnv) => boolean): RuleNode {
  return { description, async: false, test };
}

/** Every child is evaluated (Plagger evaluated every rule of a list: `deduped` records as it checks). */
export function combineNodes(op: RuleOperator, children: RuleNode[]): RuleNode {
  const description =
    children.length === 1 && (op === 'AND' || op === 'OR' || op === 'XOR')
      ? children[0]!.description
      : `${op === 'NAND' || op === 'NOT' || op === 'NOR' ? 'NOT ' : ''}(${children.map((c) => c.description).join(` ${op === 'NAND' || op === 'NOT' ? 'AND' : op === 'NOR' ? 'OR' : op} `)})`;
  if (children.some((child) => child.async)) {
    return {
      description,
      async: true,
      test: async (entry, feed, env) => {
        const values: boolean[] = [];
        for (const child of children) values.push(await child.test(entry, feed, env));
        return combine(op, values);
      },
    };
  }
  return sync(description, (entry, feed, env) => combine(op, children.map((child) => child.test(entry, feed, env) as boolean)));
}

/** `all` / `any` stop at the first deciding child. */
function shortCircuit(kind: 'all' | 'any', children: RuleNode[]): RuleNode {
  const stopAt = kind === 'any';
  const description = children.length === 1 ? children[0]!.description : `(${children.map((c) => c.description).join(kind === 'all' ? ' AND ' : ' OR ')})`;
  if (children.some((child) => child.async)) {
    return {
      description,
      async: true,
      test: async (entry, feed, env) => {
        for (const child of children) if ((await child.test(entry, feed, env)) === stopAt) return stopAt;
        return !stopAt;
      },
    };
  }
  return sync(description, (entry, feed, env) => {
    for (const child of children) if (child.test(entry, feed, env) === stopAt) return stopAt;
    return !stopAt;
  });
}

function negate(child: RuleNode): RuleNode {
  if (child.async) {
    return { description: `NOT ${child.description}`, async: true, test: async (e, f, env) => !(await child.test(e, f, env)) };
  }
  return sync(`NOT ${child.description}`, (e, f, env) => !child.test(e, f, env));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function requireString(value: unknown, path: Path, what: string): string {
  if (typeof value !== 'string' || value === '') throw new RuleError(`${what} must be a non-empty string`, path);
  return value;
}

function fold(text: string): string {
  return text.toLowerCase();
}

// ─── Field conditions ───────────────────────────────────────────────────────────────────────

const TEXT_OPERATORS = ['contains', 'equals', 'in', 'regex', 'starts_with', 'ends_with', 'exists'];
const DATE_OPERATORS = ['before', 'after', 'fresh', 'older', 'exists'];

type ValueTest = (value: string) => boolean;

function stringsOf(value: unknown, path: Path, operator: string): string[] {
  const list = asList(value);
  if (list.length === 0) throw new RuleError(`${operator} needs at least one value`, path);
  return list.map((item, i) => {
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return requireString(item, Array.isArray(value) ? [...path, i] : path, `${operator} value`);
  });
}

function textOperator(operator: string, argument: unknown, path: Path, isList: boolean): { test: ValueTest; text: string } {
  switch (operator) {
    case 'contains': {
      const needles = stringsOf(argument, path, operator).map(fold);
      // A list "contains" an element; a text contains a substring.
      if (isList) return { test: (v) => needles.includes(fold(v)), text: `has ${needles.map((n) => `'${n}'`).join(' or ')}` };
      return { test: (v) => needles.some((needle) => fold(v).includes(needle)), text: `contains ${needles.map((n) => `'${n}'`).join(' or ')}` };
    }
    case 'equals':
    case 'in': {
      const wanted = new Set(stringsOf(argument, path, operator).map(fold));
      return { test: (v) => wanted.has(fold(v)), text: `${operator} ${[...wanted].map((n) => `'${n}'`).join(', ')}` };
    }
    case 'starts_with':
    case 'ends_with': {
      const affixes = stringsOf(argument, path, operator).map(fold);
      const test =
        operator === 'starts_with'
          ? (v: string) => affixes.some((a) => fold(v).startsWith(a))
          : (v: string) => affixes.some((a) => fold(v).endsWith(a));
      return { test, text: `${operator.replace('_', ' ')} ${affixes.map((n) => `'${n}'`).join(' or ')}` };
    }
    case 'regex': {
      const matchers: Matcher[] = Array.isArray(argument)
        ? argument.map((item, i) => compileRegex(item, [...path, i]))
        : [compileRegex(argument, path)];
      return { test: (v) => matchers.some((m) => m.test(v)), text: `=~ ${matchers.map((m) => m.source).join(' or ')}` };
    }
    default:
      throw new RuleError(`unknown operator '${operator}' (use ${TEXT_OPERATORS.join(', ')})`, path);
  }
}

function isPresent(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
}

function existsNode(name: string, field: FieldSpec, want: unknown, path: Path): RuleNode {
  if (typeof want !== 'boolean') throw new RuleError('exists takes true or false', path);
  return sync(`${name} ${want ? 'exists' : 'is missing'}`, (e, f) => isPresent(field.read(e, f)) === want);
}

function dateOperator(name: string, field: FieldSpec, operator: string, argument: unknown, path: Path): RuleNode {
  const read = (e: Entry, f: Feed) => field.read(e, f) as When | undefined;
  switch (operator) {
    case 'before':
    case 'after': {
      const limit = compileDate(argument, path);
      const after = operator === 'after';
      return sync(`${name} ${operator} ${limit.text}`, (e, f, env) => {
        const when = read(e, f);
        if (!when) return false;
        const at = limit.at(env.timezone);
        return after ? when.epochMs > at : when.epochMs < at;
      });
    }
    case 'fresh':
    case 'older': {
      const ms = parseDuration(argument, path);
      const fresh = operator === 'fresh';
      // Undated items count as fresh, as in Plagger.
      return sync(`${name} ${fresh ? 'within' : 'older than'} ${String(argument)}`, (e, f, env) => {
        const when = read(e, f);
        if (!when) return fresh;
        return fresh ? when.epochMs >= env.now - ms : when.epochMs < env.now - ms;
      });
    }
    case 'exists':
      return existsNode(name, field, argument, path);
    default:
      throw new RuleError(`unknown operator '${operator}' for a date field (use ${DATE_OPERATORS.join(', ')})`, path);
  }
}

function fieldNode(key: string, spec: unknown, path: Path): RuleNode {
  const found = lookupField(key);
  if (!found) throw new RuleError(unknownKeyMessage(key), path);
  const { name, spec: field } = found;

  let operators: Record<string, unknown>;
  if (isRecord(spec)) operators = spec;
  else if (field.kind === 'date') {
    throw new RuleError(`a date field takes { before, after, fresh, older }, e.g. ${key}: { fresh: 2d }`, path);
  } else if (typeof spec === 'string' && looksLikeRegex(spec)) operators = { regex: spec };
  else if (spec === null || spec === undefined) throw new RuleError(`${key} needs a value or an operator`, path);
  else operators = { [field.kind === 'list' ? 'equals' : 'contains']: spec };
  const shorthand = !isRecord(spec);

  const entries = Object.entries(operators);
  if (entries.length === 0) throw new RuleError(`${key} needs an operator`, path);
  const nodes = entries.map(([operator, argument]) => {
    const at = shorthand ? path : [...path, operator];
    if (field.kind === 'date') return dateOperator(name, field, operator, argument, at);
    if (operator === 'exists') return existsNode(name, field, argument, at);
    const { test, text } = textOperator(operator, argument, at, field.kind === 'list');
    if (field.kind === 'list') {
      return sync(`${name} ${text}`, (e, f) => (field.read(e, f) as string[]).some(test));
    }
    return sync(`${name} ${text}`, (e, f) => {
      const value = field.read(e, f) as string | undefined;
      return value !== undefined && test(value);
    });
  });
  return nodes.length === 1 ? nodes[0]! : shortCircuit('all', nodes);
}

// ─── Plagger's rule modules ─────────────────────────────────────────────────────────────────

const MODULE_KEYS: Record<string, string[]> = {
  Always: [],
  Fresh: ['duration', 'field'],
  Deduped: ['compare_body', 'path', 'namespace', 'by', 'window'],
  EntryTag: ['tag', 'op'],
  FeedAttr: ['attrs', 'op'],
  FeedType: ['type'],
  RecentN: ['count'],
  Expression: ['expression'],
};

function checkKeys(spec: Record<string, unknown>, allowed: string[], path: Path, what: string): void {
  for (const key of Object.keys(spec)) {
    if (key === 'module' || allowed.includes(key)) continue;
    const hint = nearestNames(key, allowed);
    throw new RuleError(
      `${what} has no option '${key}'${hint.length ? ` (did you mean ${hint.join(', ')}?)` : allowed.length ? ` (options: ${allowed.join(', ')})` : ''}`,
      [...path, key],
    );
  }
}

/** Plagger's Text::Tags: space-separated, double quotes keep a tag with spaces together. */
function parseTagList(spec: unknown, path: Path): string[] {
  if (Array.isArray(spec)) return spec.map((tag, i) => requireString(tag, [...path, i], 'tag'));
  const text = requireString(spec, path, 'tag');
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).filter(Boolean);
}

/** Per-feed positions for RecentN, computed once per entries array. */
const positions = new WeakMap<Entry[], Map<Entry, number>>();

function positionInFeed(entry: Entry, feed: Feed): number {
  let map = positions.get(feed.entries);
  if (!map || map.size !== feed.entries.length) {
    map = new Map(feed.entries.map((e, i) => [e, i]));
    positions.set(feed.entries, map);
  }
  return map.get(entry) ?? feed.entries.length;
}

export interface DedupedOptions {
  namespace: string;
  by: SeenKeyKind[];
  compareBody: boolean;
  windowMs?: number;
}

function parseSeenKinds(spec: unknown, path: Path): SeenKeyKind[] {
  if (spec === undefined) return [...SEEN_KEY_KINDS];
  return asList(spec).map((kind, i) => {
    if (typeof kind === 'string' && (SEEN_KEY_KINDS as readonly string[]).includes(kind)) return kind as SeenKeyKind;
    throw new RuleError(`by: ${JSON.stringify(kind)} is not a key kind (use ${SEEN_KEY_KINDS.join(', ')})`, Array.isArray(spec) ? [...path, i] : path);
  });
}

function dedupedNode(options: DedupedOptions): RuleNode {
  const stores = new WeakMap<object, SeenStore>();
  return {
    description: `not seen before${options.compareBody ? ' (or changed)' : ''}`,
    async: true,
    test: async (entry, _feed, env) => {
      let seen = stores.get(env.store);
      if (!seen) stores.set(env.store, (seen = new SeenStore(env.store, options.namespace)));
      const sighting = await seen.sight(seenKey(entry, options.by), {
        now: env.now,
        ...(options.windowMs !== undefined ? { ttlMs: options.windowMs } : {}),
        ...(options.compareBody ? { digest: contentDigest(entry) } : {}),
      });
      return sighting !== 'seen';
    },
  };
}

function moduleNode(spec: Record<string, unknown>, path: Path): RuleNode {
  const written = spec.module;
  if (typeof written !== 'string') throw new RuleError('module must be a rule module name', [...path, 'module']);
  const name = Object.keys(MODULE_KEYS).find((known) => known.toLowerCase() === written.toLowerCase());
  if (!name) {
    const hint = nearestNames(written, Object.keys(MODULE_KEYS));
    throw new RuleError(
      `unknown rule module '${written}'${hint.length ? ` (did you mean ${hint.join(', ')}?)` : ''}; known: ${Object.keys(MODULE_KEYS).join(', ')}`,
      [...path, 'module'],
    );
  }
  checkKeys(spec, MODULE_KEYS[name]!, path, `rule module ${name}`);
  switch (name) {
    case 'Always':
      return ALWAYS;
    case 'Fresh': {
      const duration = spec.duration ?? 120;
      const field = spec.field === undefined ? 'date' : requireString(spec.field, [...path, 'field'], 'field');
      const found = lookupField(field);
      if (found?.spec.kind !== 'date') throw new RuleError(`Fresh needs a date field, not '${field}'`, [...path, 'field']);
      return dateOperator(found.name, found.spec, 'fresh', duration, [...path, spec.duration === undefined ? 'module' : 'duration']);
    }
    case 'Deduped':
      return dedupedNode({
        namespace: `seen:${typeof spec.namespace === 'string' ? spec.namespace : typeof spec.path === 'string' ? spec.path : 'rule'}`,
        by: parseSeenKinds(spec.by, [...path, 'by']),
        compareBody: Boolean(spec.compare_body),
        ...(spec.window !== undefined ? { windowMs: parseDuration(spec.window, [...path, 'window']) } : {}),
      });
    case 'EntryTag': {
      const tags = parseTagList(spec.tag, [...path, 'tag']).map(fold);
      const op = parseOperator(spec.op, [...path, 'op']);
      return sync(`tagged ${tags.map((t) => `'${t}'`).join(` ${op} `)}`, (entry) => {
        const have = new Set(entry.tags.map(fold));
        return combine(op, tags.map((tag) => have.has(tag)));
      });
    }
    case 'FeedAttr': {
      const attrs = asList(spec.attrs);
      if (spec.attrs === undefined || attrs.length === 0) throw new RuleError('FeedAttr needs attrs: [{ name, value }]', [...path, 'attrs']);
      const op = parseOperator(spec.op ?? 'OR', [...path, 'op']);
      const tests = attrs.map((attr, i) => {
        const at = Array.isArray(spec.attrs) ? [...path, 'attrs', i] : [...path, 'attrs'];
        if (!isRecord(attr)) throw new RuleError('each attr is { name, value, op }', at);
        checkKeys(attr, ['name', 'value', 'op'], at, 'FeedAttr attr');
        const attrName = requireString(attr.name, [...at, 'name'], 'name');
        const field = lookupField(`feed.${attrName}`);
        if (!field) throw new RuleError(`feed has no attribute '${attrName}'`, [...at, 'name']);
        if (attr.value === undefined) throw new RuleError(`FeedAttr '${attrName}' needs a value`, [...at, 'value']);
        const valueOp = parseOperator(attr.op ?? 'OR', [...at, 'op']);
        const wants = asList(attr.value).map((want, j) => {
          const where = Array.isArray(attr.value) ? [...at, 'value', j] : [...at, 'value'];
          const text = requireString(String(want), where, 'value');
          if (looksLikeRegex(text)) {
            const matcher = compileRegex(text, where);
            return (v: string) => matcher.test(v);
          }
          return (v: string) => v === text;
        });
        return (entry: Entry, feed: Feed) => {
          const raw = field.spec.read(entry, feed);
          const value = Array.isArray(raw) ? raw.join(' ') : typeof raw === 'string' ? raw : '';
          return combine(valueOp, wants.map((want) => want(value)));
        };
      });
      return sync(`feed attributes (${op})`, (e, f) => combine(op, tests.map((t) => t(e, f))));
    }
    case 'FeedType': {
      const types = asList(spec.type).map((t, i) => fold(requireString(t, Array.isArray(spec.type) ? [...path, 'type', i] : [...path, 'type'], 'type')));
      return sync(`feed type ${types.join(' or ')}`, (_e, feed) => types.includes(fold(feed.type)));
    }
    case 'RecentN': {
      const count = spec.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        throw new RuleError('RecentN needs count: a positive whole number', [...path, 'count']);
      }
      return sync(`first ${count} of its feed`, (entry, feed) => positionInFeed(entry, feed) < count);
    }
    case 'Expression': {
      const expression = compileExpression(spec.expression, [...path, 'expression']);
      return sync(`expression ${expression.source}`, expression.test);
    }
  }
  throw new RuleError(`rule module ${name} is not handled`, path);
}

// ─── The condition object ───────────────────────────────────────────────────────────────────

const KEYWORDS = ['all', 'any', 'none', 'not', 'fresh', 'older', 'has', 'missing', 'deduped', 'recent', 'expression', 'always', 'module'];

function unknownKeyMessage(key: string): string {
  const hint = nearestNames(key, [...KEYWORDS, ...Object.keys(FIELDS)]);
  return `unknown rule key '${key}'${hint.length ? ` (did you mean ${hint.join(', ')}?)` : ''}; fields: ${Object.keys(FIELDS).join(', ')}`;
}

function fieldsPresent(spec: unknown, path: Path, present: boolean): RuleNode {
  const names = asList(spec).map((name, i) => {
    const at = Array.isArray(spec) ? [...path, i] : path;
    const field = lookupField(requireString(name, at, 'field name'));
    if (!field) throw new RuleError(unknownKeyMessage(String(name)), at);
    return field;
  });
  return sync(`${present ? 'has' : 'lacks'} ${names.map((n) => n.name).join(', ')}`, (e, f) =>
    names.every(({ spec: field }) => isPresent(field.read(e, f)) === present),
  );
}

function keywordNode(key: string, value: unknown, path: Path): RuleNode {
  switch (key) {
    case 'all':
    case 'any':
    case 'none': {
      if (!Array.isArray(value) || value.length === 0) throw new RuleError(`${key} takes a non-empty list of rules`, path);
      const children = value.map((child, i) => compileNode(child, [...path, i]));
      if (key === 'none') return negate(shortCircuit('any', children));
      return shortCircuit(key, children);
    }
    case 'not':
      return negate(compileNode(value, path));
    case 'fresh':
    case 'older':
      return dateOperator('date', FIELDS.date!, key, value, path);
    case 'has':
    case 'missing':
      return fieldsPresent(value, path, key === 'has');
    case 'deduped': {
      if (value === true) return dedupedNode({ namespace: 'seen:rule', by: [...SEEN_KEY_KINDS], compareBody: false });
      if (!isRecord(value)) throw new RuleError('deduped takes true or { by, window, compare_body, namespace }', path);
      return moduleNode({ ...value, module: 'Deduped' }, path);
    }
    case 'recent': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new RuleError('recent takes a positive whole number', path);
      }
      return sync(`first ${value} of its feed`, (entry, feed) => positionInFeed(entry, feed) < value);
    }
    case 'expression': {
      const expression = compileExpression(value, path);
      return sync(`expression ${expression.source}`, expression.test);
    }
    case 'always':
      if (typeof value !== 'boolean') throw new RuleError('always takes true or false', path);
      return value ? ALWAYS : negate(ALWAYS);
    default:
      return fieldNode(key, value, path);
  }
}

export function compileNode(spec: unknown, path: Path): RuleNode {
  if (typeof spec === 'string') {
    // A bare string is an expression: `rule: entry.title =~ /foo/`.
    return moduleNode({ module: 'Expression', expression: spec }, path);
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new RuleError('an empty list of rules', path);
    return shortCircuit('all', spec.map((child, i) => compileNode(child, [...path, i])));
  }
  if (!isRecord(spec)) throw new RuleError(`a rule is a mapping like { title: { contains: foo } }, not ${JSON.stringify(spec)}`, path);
  if (spec.module !== undefined) return moduleNode(spec, path);
  const keys = Object.keys(spec);
  if (keys.length === 0) throw new RuleError('an empty rule', path);
  const nodes = keys.map((key) => keywordNode(key, spec[key], [...path, key]));
  return nodes.length === 1 ? nodes[0]! : shortCircuit('all', nodes);
}
