/**
 * The plugin registry, built from the files in `src/plugins/<phase>/`: adding a plugin is adding
 * one file. Support code shared by plugins lives in subfolders, which are not scanned.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { PluginDefinition, Phase } from '../pipeline/plugin.js';

const PHASE_FOLDERS: Phase[] = ['subscription', 'source', 'filter', 'smartfeed', 'publish'];

export interface Registry {
  all: PluginDefinition[];
  /** By canonical name and by every alias. */
  byName: Map<string, PluginDefinition>;
  resolve(name: string): PluginDefinition | undefined;
  /** Known names closest to a misspelt one, best first. */
  suggest(name: string): string[];
}

let cached: Promise<Registry> | undefined;

export function loadRegistry(): Promise<Registry> {
  cached ??= buildRegistry();
  return cached;
}

function pluginFiles(): string[] {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const files: string[] = [];
  for (const phase of PHASE_FOLDERS) {
    for (const name of readdirSync(join(root, phase)).sort()) {
      if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') && !name.startsWith('_')) {
        files.push(join(root, phase, name));
      }
    }
  }
  return files;
}

async function buildRegistry(): Promise<Registry> {
  const all: PluginDefinition[] = [];
  for (const file of pluginFiles()) {
    const module = (await import(pathToFileURL(file).href)) as { default?: PluginDefinition };
    if (!module.default?.name || !module.default.phase) {
      throw new Error(`${file}: a plugin file must export default definePlugin({...})`);
    }
    all.push(module.default);
  }
  return registryOf(all);
}

export function registryOf(all: PluginDefinition[]): Registry {
  const byName = new Map<string, PluginDefinition>();
  for (const plugin of all) {
    for (const name of [plugin.name, ...(plugin.aliases ?? [])]) {
      const clash = byName.get(name.toLowerCase());
      if (clash && clash !== plugin) throw new Error(`plugin name ${name} is claimed by ${clash.name} and ${plugin.name}`);
      byName.set(name.toLowerCase(), plugin);
    }
  }
  const names = all.flatMap((p) => [p.name, ...(p.aliases ?? [])]);
  return {
    all,
    byName,
    resolve: (name) => byName.get(name.toLowerCase()),
    suggest: (name) => {
      const scored = names
        .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
        .filter(({ candidate, distance }) => distance <= Math.max(3, Math.floor(candidate.length / 3)));
      const best = Math.min(...scored.map((s) => s.distance));
      return scored.filter((s) => s.distance === best).slice(0, 3).map((s) => s.candidate);
    },
  };
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
