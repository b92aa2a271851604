/**
 * Builds export zips from the hand-written fixture folders with yazl, the way X packs them
 * (`data/…` at the top, deflated), plus variations for the bad-input tests: a file replaced, a
 * file left out, everything under a top folder, or the zip cut short.
 */
import { createWriteStream, readdirSync, readFileSync, truncateSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export interface ZipFolderOptions {
  /** A folder every member is put under (`twitter-2024-06-10/`), as when a user re-zips. */
  root?: string;
  /** Members whose bytes are replaced (or added), by name relative to the folder. */
  replace?: Record<string, string | Buffer>;
  omit?: string[];
  /** Keep only this many bytes of the finished zip, as a cut-off download would. */
  truncateTo?: number;
  /** Write text members as streams: sizes then follow the data (a data descriptor), as many zippers do. */
  streamed?: boolean;
}

/** Fixed, so that the same folder always gives the same zip. */
const MTIME = new Date(Date.UTC(2024, 5, 10, 1, 2, 3));

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => relative(folder, join(dirent.parentPath, dirent.name)).split(sep).join('/'))
    .sort();
}

export async function zipFolder(folder: string, outFile: string, options: ZipFolderOptions = {}): Promise<number> {
  const zip = new yazl.ZipFile();
  const names = new Set(filesUnder(folder).filter((name) => !options.omit?.includes(name)));
  for (const name of Object.keys(options.replace ?? {})) names.add(name);
  for (const name of [...names].sort()) {
    const replacement = options.replace?.[name];
    const bytes = replacement === undefined ? readFileSync(join(folder, name)) : Buffer.from(replacement);
    const memberOptions = { mtime: MTIME, compress: !/\.(jpg|png|mp4)$/.test(name) };
    if (options.streamed && memberOptions.compress) zip.addReadStream(Readable.from([bytes]), `${options.root ?? ''}${name}`, memberOptions);
    else zip.addBuffer(bytes, `${options.root ?? ''}${name}`, memberOptions);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outFile));
  if (options.truncateTo !== undefined) truncateSync(outFile, options.truncateTo);
  return statSync(outFile).size;
}
