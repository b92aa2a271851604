/**
 * Packs examples/twitter/sample-archive/ (a small X data export written by hand: manifest,
 * account, tweets.js + tweets-part1.js, two media files) into sample-archive.zip the way X
 * packs an export: `data/…` at the top, text deflated, media stored. Same input, same zip.
 *
 *   npx tsx examples/twitter/build-sample-archive.ts
 */
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

const folder = join(import.meta.dirname, 'sample-archive');
const output = join(import.meta.dirname, 'sample-archive.zip');
const mtime = new Date(Date.UTC(2024, 5, 10, 1, 2, 3));

const zip = new yazl.ZipFile();
const names = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((dirent) => dirent.isFile())
  .map((dirent) => relative(folder, join(dirent.parentPath, dirent.name)).split(sep).join('/'))
  .sort();
for (const name of names) {
  zip.addBuffer(readFileSync(join(folder, name)), name, { mtime, compress: !/\.(jpg|png|mp4)$/.test(name) });
}
zip.end();
await pipeline(zip.outputStream, createWriteStream(output));
console.log(`${output}: ${names.length} files`);
