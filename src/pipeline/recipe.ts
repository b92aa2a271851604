/**
 * Recipes: Plagger-shaped YAML (`global`, `plugins`, `include`), validated in full before anything
 * runs. Every mistake is reported as `file:line:column: path: message`, so a person can go
 * straight to it.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { z } from 'zod';
import type { CompiledRule } from './context.js';
import type { PluginDefinition } from './plugin.js';
import { compileRule, RuleError } from './rules.js';
import { loadRegistry } from '../plugins/registry.js';
import type { Registry } from '../plugins/registry.js';
import { isValidZone } from '../text/zones.js';

export interface RecipeGlobal {
  timezone: string;
  stateDir: string;
  outputDir: string;
  /** A Redis URL for the queue (and, with `store: redis`, the state). */
  redis?: string;
  store: 'sqlite' | 'redis';
  userAgent?: string;
  timeoutMs: number;
  /** Longest a whole source may take (an archive import is long; a hung plugin must not be). */
  sourceTimeoutMs: number;
  logLevel: string;
}

export interface RecipePlugin {
  /** The module name as written in the recipe (it may be a Plagger alias). */
  module: string;
  plugin: PluginDefinition;
  config: unknown;
  rule: CompiledRule;
  /** `recipes/x.yaml:12:5`, for messages. */
  origin: string;
  /** Position among the recipe's enabled plugins, which scopes its queue jobs. */
  index: number;
}

export interface Recipe {
  name: string;
  path: string;
  dir: string;
  global: RecipeGlobal;
  schedule?: string | { every: string };
  plugins: RecipePlugin[];
  /** Values that came from the environment: never printed or logged. */
  secrets: string[];
  /** The plugins the recipe was checked against; the run resolves subscriptions with them too. */
  registry: Registry;
}

export interface RecipeProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(readonly problems: RecipeProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(problem: RecipeProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

export interface LoadRecipeOptions {
  env?: NodeJS.ProcessEnv;
  registry?: Registry;
}

interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

type PathPart = string | number;

const globalSchema = z
  .object({
    timezone: z.string().default('Asia/Tokyo'),
    state_dir: z.string().default('.kakehashi'),
    output_dir: z.string().default('out'),
    redis: z.string().optional(),
    queue: z.object({ redis: z.string().optional() }).strict().optional(),
    store: z.enum(['sqlite', 'redis']).default('sqlite'),
    user_agent: z.string().optional(),
    timeout: z.number().positive().default(30),
    source_timeout: z.number().positive().default(1800),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn') }).optional(),
  })
  .strict();

const pluginEntrySchema = z
  .object({
    module: z.string().min(1),
    config: z.unknown().optional(),
    rule: z.unknown().optional(),
    rule_op: z.unknown().optional(),
    disable: z.union([z.boolean(), z.literal(0), z.literal(1)], { error: 'expected true, false, 1 or 0' }).optional(),
  })
  .strict();

const scheduleSchema = z.union([z.string().min(1), z.object({ every: z.string().regex(/^\d+\s*[smhd]$/, 'expected a duration such as 15m, 1h or 1d') }).strict()]);

const topSchema = z
  .object({
    global: z.unknown().optional(),
    plugins: z.array(z.unknown()).optional(),
    include: z.union([z.string(), z.array(z.string())]).optional(),
    schedule: z.unknown().optional(),
  })
  .strict();

export async function loadRecipe(path: string, options: LoadRecipeOptions = {}): Promise<Recipe> {
  const registry = options.registry ?? (await loadRegistry());
  const env = options.env ?? process.env;
  const problems: RecipeProblem[] = [];
  const secrets = new Set<string>();
  const file = path;

  const documents = new Map<string, SourceDocument>();
  const readDocument = (filePath: string, from?: { source: SourceDocument; path: PathPart[] }): SourceDocument | undefined => {
    const absolute = resolve(filePath);
    const cached = documents.get(absolute);
    if (cached) return cached;
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      if (from) problems.push(problemAt(from.source, from.path, `cannot read include ${filePath}: ${reason}`));
      else problems.push({ file: filePath, line: 1, column: 1, path: '', message: `cannot read recipe: ${reason}` });
      return undefined;
    }
    const lines = new LineCounter();
    const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source: SourceDocument = { file: filePath, doc, lines };
    documents.set(absolute, source);
    for (const error of doc.errors) {
      const position = lines.linePos(error.pos[0]);
      problems.push({ file: filePath, line: position.line, column: position.col, path: '', message: error.message.split('\n')[0]! });
    }
    return source;
  };

  const root = readDocument(file);
  if (!root || problems.length > 0) throw new RecipeError(problems);

  /** Where a `${VAR}` was unset: that plugin's config is not checked further (one problem, not three). */
  const missingEnv = new Map<SourceDocument, PathPart[][]>();
  const setMissing = (source: SourceDocument) => {
    const list: PathPart[][] = [];
    missingEnv.set(source, list);
    return list;
  };
  /** Plugin entries in run order, each with the document and path it came from. */
  const entries: Array<{ source: SourceDocument; path: PathPart[]; value: unknown }> = [];
  let globalValue: Record<string, unknown> = {};
  let globalSource: { source: SourceDocument; path: PathPart[] } = { source: root, path: ['global'] };
  let schedule: Recipe['schedule'];

  const visit = (source: SourceDocument, stack: string[]) => {
    const value = interpolate(source.doc.toJS(), [], source, env, secrets, problems, missingEnv.get(source) ?? setMissing(source)) ?? {};
    const top = topSchema.safeParse(value);
    if (!top.success) {
      for (const issue of top.error.issues) problems.push(issueProblem(source, [], issue));
      return;
    }
    const includes = top.data.include === undefined ? [] : [top.data.include].flat();
    includes.forEach((include, i) => {
      const includePath = resolve(dirname(source.file), include);
      const at = { source, path: Array.isArray(top.data.include) ? ['include', i] : ['include'] };
      if (stack.includes(includePath)) {
        problems.push(problemAt(source, at.path, `include cycle: ${[...stack, includePath].join(' → ')}`));
        return;
      }
      const included = readDocument(include.startsWith('/') ? include : includePath, at);
      if (included) visit(included, [...stack, includePath]);
    });
    if (top.data.global !== undefined) {
      globalValue = { ...globalValue, ...(top.data.global as Record<string, unknown>) };
      globalSource = { source, path: ['global'] };
    }
    if (top.data.schedule !== undefined) {
      const parsed = scheduleSchema.safeParse(top.data.schedule);
      if (parsed.success) schedule = parsed.data;
      else for (const issue of parsed.error.issues) problems.push(issueProblem(source, ['schedule'], issue));
    }
    (top.data.plugins ?? []).forEach((entry, i) => entries.push({ source, path: ['plugins', i], value: entry }));
  };
  visit(root, [resolve(file)]);

  const parsedGlobal = globalSchema.safeParse(globalValue);
  if (!parsedGlobal.success) {
    for (const issue of parsedGlobal.error.issues) {
      problems.push(issueProblem(globalSource.source, globalSource.path, issue));
    }
  } else if (!isValidZone(parsedGlobal.data.timezone)) {
    problems.push(problemAt(globalSource.source, ['global', 'timezone'], `unknown time zone ${JSON.stringify(parsedGlobal.data.timezone)}`));
  }

  const plugins: RecipePlugin[] = [];
  for (const { source, path: entryPath, value } of entries) {
    const entry = pluginEntrySchema.safeParse(value);
    if (!entry.success) {
      for (const issue of entry.error.issues) problems.push(issueProblem(source, entryPath, issue));
      continue;
    }
    if (entry.data.disable === true || entry.data.disable === 1) continue;
    const plugin = registry.resolve(entry.data.module);
    if (!plugin) {
      const suggestions = registry.suggest(entry.data.module);
      problems.push(
        problemAt(
          source,
          [...entryPath, 'module'],
          `unknown module ${JSON.stringify(entry.data.module)}${suggestions.length ? `; did you mean ${suggestions.join(' or ')}?` : ''} (kakehashi plugins lists them all)`,
        ),
      );
      continue;
    }
    const hasMissingEnv = (missingEnv.get(source) ?? []).some((missing) => entryPath.every((part, i) => missing[i] === part));
    if (hasMissingEnv) continue;
    const config = plugin.config.safeParse(entry.data.config ?? {});
    if (!config.success) {
      for (const issue of config.error.issues) {
        problems.push(issueProblem(source, [...entryPath, 'config'], issue));
      }
      continue;
    }
    let rule: CompiledRule;
    try {
      rule = compileRule(entry.data.rule, entry.data.rule_op);
    } catch (error) {
      if (error instanceof RuleError) {
        const rulePath = error.path.length > 0 && error.path[0] === 'rule_op' ? error.path : ['rule', ...error.path];
        problems.push(problemAt(source, [...entryPath, ...rulePath], error.message));
        continue;
      }
      throw error;
    }
    const position = positionOf(source, [...entryPath, 'module']);
    plugins.push({
      module: entry.data.module,
      plugin,
      config: config.data,
      rule,
      origin: `${source.file}:${position.line}:${position.column}`,
      index: plugins.length,
    });
  }

  if (problems.length > 0 || !parsedGlobal.success) throw new RecipeError(problems);
  const g = parsedGlobal.data;
  const dir = dirname(resolve(file));
  const recipe: Recipe = {
    name: basename(file, extname(file)),
    path: file,
    dir,
    global: {
      timezone: g.timezone,
      stateDir: resolve(dir, g.state_dir),
      outputDir: resolve(dir, g.output_dir),
      store: g.store,
      timeoutMs: g.timeout * 1000,
      sourceTimeoutMs: g.source_timeout * 1000,
      logLevel: g.log?.level ?? 'warn',
      ...(g.redis ?? g.queue?.redis ? { redis: g.redis ?? g.queue?.redis } : {}),
      ...(g.user_agent ? { userAgent: g.user_agent } : {}),
    },
    plugins,
    secrets: [...secrets],
    registry,
  };
  if (schedule !== undefined) recipe.schedule = schedule;
  return recipe;
}

/**
 * Values taken from variables (or into keys) named like credentials are secrets: kept out of logs,
 * the run summary and the status page. A base URL from the environment stays readable.
 */
const SECRET_NAME = /token|secret|pass(word|wd)?|key|auth|cookie|credential|session|bearer/i;
/** A cookies.txt path is where a secret lives, not the secret. */
const LOOKS_LIKE_PATH = /^(?:\/|\.{1,2}\/|~\/)|\.(?:txt|json|ya?ml|zip|sqlite)$/i;

function lastKey(path: PathPart[]): PathPart | undefined {
  return [...path].reverse().find((part) => typeof part === 'string');
}

/** `${NAME}` and `${NAME:-default}` in string values; `$${` escapes a literal `${`. */
function interpolate(
  value: unknown,
  path: PathPart[],
  source: SourceDocument,
  env: NodeJS.ProcessEnv,
  secrets: Set<string>,
  problems: RecipeProblem[],
  missingAt: PathPart[][],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, fallback?: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found !== undefined && found !== '') {
        if (found.length >= 4 && !LOOKS_LIKE_PATH.test(found) && (SECRET_NAME.test(name) || SECRET_NAME.test(String(lastKey(path))))) {
          secrets.add(found);
        }
        return found;
      }
      if (fallback !== undefined) return fallback;
      problems.push(problemAt(source, path, `environment variable ${name} is not set`));
      missingAt.push(path);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, [...path, i], source, env, secrets, problems, missingAt));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, [...path, key], source, env, secrets, problems, missingAt)]),
    );
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_format' && issue.format === 'url') return 'expected a URL';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}${/received undefined/.test(issue.message) ? ' (missing)' : ''}`;
  return issue.message;
}

function problemAt(source: SourceDocument, path: PathPart[], message: string, pointAtKey?: PathPart[]): RecipeProblem {
  const position = positionOf(source, pointAtKey ?? path, pointAtKey !== undefined);
  return { file: source.file, line: position.line, column: position.column, path: formatPath(path), message };
}

/** A zod issue under `prefix`; an unknown key is pointed at where the key itself is written. */
function issueProblem(source: SourceDocument, prefix: PathPart[], issue: z.core.$ZodIssue): RecipeProblem {
  const path = [...prefix, ...(issue.path as PathPart[])];
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  return problemAt(source, path, describeIssue(issue), unknownKey === undefined ? undefined : [...path, unknownKey]);
}

export function formatPath(path: PathPart[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}

/** The nearest node that exists on the path: a missing key points at its parent mapping. */
function positionOf(source: SourceDocument, path: PathPart[], atKey = false): { line: number; column: number } {
  let node: unknown = source.doc.contents;
  let best: Node | undefined = node as Node | undefined;
  for (const [i, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      best = (pair.key as Node | undefined) ?? best;
      if (atKey && i === path.length - 1) break;
      node = pair.value;
      if (node) best = node as Node;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (!node) break;
      best = node as Node;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0] ?? 0;
  const position = source.lines.linePos(offset);
  return { line: position.line, column: position.col };
}
