import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A scratch directory with files written into it; removed by `cleanup`. */
export function scratch(files: Record<string, string | Buffer> = {}): { dir: string; path(name: string): string; write(name: string, body: string | Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-'));
  const write = (name: string, body: string | Buffer) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    return path;
  };
  for (const [name, body] of Object.entries(files)) write(name, body);
  return { dir, path: (name) => join(dir, name), write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
