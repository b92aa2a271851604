/**
 * `kakehashi` — run | check | plugins | inspect (and the commands other modules add).
 * Exit codes: 0 ok, 1 finished but some sources or deliveries failed, 2 bad recipe or usage.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { formatReport, reportHasErrors } from './pipeline/report.js';
import { loadRecipe, RecipeError } from './pipeline/recipe.js';
import { createLogger, runRecipe } from './pipeline/run.js';
import type { RunOptions } from './pipeline/run.js';
import type { RunReport } from './pipeline/report.js';
import { createQueue } from './queue/index.js';
import { runWithProgress } from './cli/progress.js';
import { PHASES } from './pipeline/plugin.js';
import type { PluginDefinition } from './pipeline/plugin.js';
import { loadRegistry } from './plugins/registry.js';
import { feedToEntries, parseFeedDocument } from './feed/parse.js';
import { decode } from './text/charset.js';
import { formatDate } from './text/dates.js';
import type { When } from './pipeline/model.js';
import { createHttpClient } from './http/client.js';
import { openSqliteStore } from './store/sqlite.js';
import { VERSION } from './version.js';
import { extraCommands } from './cli/commands.js';

export const EXIT_OK = 0;
export const EXIT_SOURCES_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Thrown inside actions to end with a given exit code after a message. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

export function buildProgram(io: CliIo = defaultIo): Command {
  const program = new Command('kakehashi')
    .description('架け橋 — a personal feed aggregator and bridge: YAML recipes in, lifestream feeds and notes out.')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  program
    .command('run')
    .description('Run a recipe once: fetch every source, filter, merge and publish (the unit of a one-off import).')
    .argument('<recipe>', 'recipe YAML file')
    .option('--state-dir <dir>', 'state directory (default: global.state_dir of the recipe)')
    .option('--output-dir <dir>', 'output directory (default: global.output_dir of the recipe)')
    .addOption(new Option('--redis <url>', 'put delivery jobs on BullMQ in this Redis').env('REDIS_URL'))
    .option('--no-workers', 'with --redis: only put the jobs on the queue; `kakehashi worker` processes deliver them')
    .option('--prefix <prefix>', 'with --redis: the key prefix the workers use too', 'kakehashi')
    .option('-q, --quiet', 'print only failures')
    .action(async (recipePath: string, options: { stateDir?: string; outputDir?: string; redis?: string; workers: boolean; prefix: string; quiet?: boolean }) => {
      const recipe = await loadRecipe(recipePath);
      if (!recipe.plugins.some((p) => p.plugin.phase === 'source' || p.plugin.phase === 'subscription')) {
        io.err(`${recipe.path}: warning: the recipe reads no source (add a Subscription::* or Source::* plugin)`);
      }
      const redis = options.redis ?? recipe.global.redis;
      const log = createLogger(recipe.global.logLevel, recipe.secrets);
      const queue = await createQueue({ log, runWorkers: options.workers, prefix: options.prefix, ...(redis ? { redis } : {}) });
      const runOptions: RunOptions = {
        log,
        queue,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        ...(options.outputDir ? { outputDir: options.outputDir } : {}),
        ...(redis ? { redis } : {}),
        ...(process.stderr.isTTY && !options.quiet
          ? { onSource: (outcome, done, total) => io.err(`[${done}/${total}] ${outcome.ok ? 'ok' : 'FAILED'} ${outcome.plugin} ${outcome.target}`) }
          : {}),
      };
      let report: RunReport;
      try {
        // One-off imports post thousands of notes: show done/total, rate and ETA while they drain.
        report = options.quiet ? await runRecipe(recipe, runOptions) : await runWithProgress(recipe, runOptions);
      } finally {
        await queue.close();
      }
      const failed = reportHasErrors(report);
      if (!options.quiet || failed) io.out(formatReport(report));
      if (failed) throw new CliExit(EXIT_SOURCES_FAILED);
    });

  program
    .command('check')
    .description('Validate a recipe and print its plan: phases, plugins in order, rules. Runs nothing.')
    .argument('<recipe>', 'recipe YAML file')
    .action(async (recipePath: string) => {
      const recipe = await loadRecipe(recipePath);
      io.out(`${recipe.path}: ok`);
      io.out(`  timezone ${recipe.global.timezone}; state ${recipe.global.stateDir}; output ${recipe.global.outputDir}`);
      if (recipe.schedule) io.out(`  schedule ${typeof recipe.schedule === 'string' ? recipe.schedule : `every ${recipe.schedule.every}`}`);
      for (const { phase, plagger } of PHASES) {
        const inPhase = recipe.plugins.filter((p) => p.plugin.phase === phase);
        if (inPhase.length === 0) continue;
        io.out(`${phase} (${plagger}):`);
        for (const p of inPhase) {
          const alias = p.module === p.plugin.name ? '' : ` (as ${p.module})`;
          io.out(`  ${p.plugin.name}${alias}  ${p.origin}`);
          if (!p.rule.always) io.out(`      rule: ${p.rule.description}`);
        }
      }
    });

  program
    .command('plugins')
    .description('List every plugin, or show one plugin with its config schema.')
    .argument('[name]', 'plugin name or alias')
    .option('--json', 'print the config schema as JSON Schema')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      const registry = await loadRegistry();
      if (!name) {
        for (const { phase } of PHASES) {
          io.out(`${phase}:`);
          for (const plugin of registry.all.filter((p) => p.phase === phase)) {
            const aliases = plugin.aliases?.length ? ` (also ${plugin.aliases.join(', ')})` : '';
            io.out(`  ${plugin.name}${aliases}\n      ${plugin.description}`);
          }
        }
        return;
      }
      const plugin = registry.resolve(name);
      if (!plugin) {
        const suggestions = registry.suggest(name);
        throw new CliExit(EXIT_USAGE, `unknown plugin ${name}${suggestions.length ? `; did you mean ${suggestions.join(' or ')}?` : ''}`);
      }
      if (options.json) io.out(JSON.stringify(configJsonSchema(plugin), null, 2));
      else io.out(describePlugin(plugin));
    });

  program
    .command('inspect')
    .description('Decode and parse one feed: print the encoding chosen and why, then the normalised entries as JSON.')
    .argument('<file-or-url>', 'a feed file or an http(s) URL')
    .option('--content-type <type>', 'the Content-Type header to assume (for a file) or to override (for a URL)')
    .option('--timezone <zone>', 'zone for dates written without one', 'Asia/Tokyo')
    .action(async (target: string, options: { contentType?: string; timezone: string }) => {
      const isUrl = /^https?:\/\//i.test(target);
      let bytes: Buffer;
      let contentType = options.contentType;
      if (isUrl) {
        const store = openSqliteStore(':memory:');
        try {
          const response = await createHttpClient({ store, log: createLogger('silent') }).fetch(target);
          bytes = response.body;
          contentType ??= response.headers.get('content-type') ?? undefined;
          io.out(`# ${response.url} HTTP ${response.status}${contentType ? `; Content-Type: ${contentType}` : ''}`);
        } finally {
          await store.close();
        }
      } else {
        bytes = await readFile(target).catch((error: NodeJS.ErrnoException) => {
          throw new CliExit(EXIT_USAGE, `${target}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
        });
      }
      const decoded = decode(bytes, { kind: 'xml', ...(contentType ? { contentType } : {}) });
      io.out(`# encoding: ${decoded.encoding} (decided by ${decoded.decidedBy})`);
      for (const override of decoded.overrides) io.out(`# override: ${override}`);
      const parsed = await parseFeedDocument(decoded.text, {
        ...(isUrl ? { url: target } : { url: pathToFileURL(target).href }),
        defaultZone: options.timezone,
      });
      io.out(`# format: ${parsed.format}; ${parsed.items.length} entries; title: ${parsed.title}`);
      for (const warning of parsed.warnings) io.out(`# warning: ${warning}`);
      const entries = feedToEntries(parsed, { plugin: 'inspect', feedId: target, feedTitle: parsed.title }, `feed:${target}`);
      // Dates as a person reads them, in the zone asked for, beside the instant.
      const readable = (when: When | undefined) => when && { ...when, text: formatDate(when, options.timezone, 'atom') };
      io.out(JSON.stringify(entries.map((e) => ({ ...e, published: readable(e.published), updated: readable(e.updated) })), null, 2));
    });

  // Commands built in their own modules do not inherit these settings from addCommand().
  const inherit = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });
    command.commands.forEach(inherit);
  };
  for (const command of extraCommands()) {
    inherit(command);
    program.addCommand(command);
  }
  return program;
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CliExit) {
      if (error.message) io.err(error.message);
      return error.code;
    }
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (error instanceof RecipeError) {
      io.err(error.message);
      io.err('the recipe is not valid; nothing was run');
      return EXIT_USAGE;
    }
    io.err(`kakehashi: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_SOURCES_FAILED;
  }
}

function configJsonSchema(plugin: PluginDefinition): unknown {
  return z.toJSONSchema(plugin.config, { io: 'input', unrepresentable: 'any' });
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  format?: string;
  description?: string;
}

export function describePlugin(plugin: PluginDefinition): string {
  const lines = [`${plugin.name} (${plugin.phase})`, `  ${plugin.description}`];
  if (plugin.aliases?.length) lines.push(`  also loads as: ${plugin.aliases.join(', ')}`);
  const schema = configJsonSchema(plugin) as JsonSchemaNode;
  const properties = Object.entries(schema.properties ?? {});
  lines.push(properties.length ? '  config:' : '  config: none');
  for (const [key, node] of properties) {
    const required = schema.required?.includes(key) && node.default === undefined ? ' (required)' : '';
    const fallback = node.default !== undefined ? ` = ${JSON.stringify(node.default)}` : '';
    lines.push(`    ${key}: ${typeName(node)}${required}${fallback}${node.description ? `  — ${node.description}` : ''}`);
  }
  return lines.join('\n');
}

function typeName(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.anyOf) return node.anyOf.map(typeName).join(' | ');
  if (node.type === 'array') return `${node.items ? typeName(node.items) : 'any'}[]`;
  if (node.format === 'uri') return 'URL';
  return Array.isArray(node.type) ? node.type.join(' | ') : node.type ?? 'any';
}

// `tsx src/cli.ts …` in development; the installed bin calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
