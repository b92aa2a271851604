/**
 * The archives Clio (zverok/clio) wrote when FriendFeed closed (formats.md §4.3): per feed,
 * `FEED/_json/data/feedinfo.js` and one v2 entry per `FEED/_json/data/entries/<8hex>.js`, plain
 * JSON despite the extension, beside an HTML viewer and images. Read from the zip (yauzl) or
 * from the unzipped folder. A zip cut short has no central directory; its entries are then read
 * from their local headers, as far as they are complete.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry as ZipEntry, ZipFile } from 'yauzl';

export interface ArchiveFile {
  /** `archive.zip:FEED/_json/data/entries/0a1b2c3d.js`, or the file's path: for messages. */
  where: string;
  /** The feed folder the file belongs to (`FEED`). */
  feed: string;
  kind: 'entry' | 'feedinfo';
  bytes: Buffer;
}

export interface ArchiveRead {
  files: ArchiveFile[];
  warnings: string[];
}

const JSON_PATH = /^(?:(.*)\/)?_json\/data\/(?:(entries)\/[^/]+|feedinfo)\.js$/;

function classify(path: string): { feed: string; kind: 'entry' | 'feedinfo' } | undefined {
  const match = JSON_PATH.exec(path);
  if (!match) return undefined;
  return { feed: match[1] ?? '', kind: match[2] ? 'entry' : 'feedinfo' };
}

export async function readClioArchive(path: string): Promise<ArchiveRead> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`friendfeed: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return info.isDirectory() ? readFolder(path) : readZip(path);
}

async function readFolder(root: string): Promise<ArchiveRead> {
  const files: ArchiveFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const item of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(folder, item.name);
      if (item.isDirectory()) {
        await walk(full);
        continue;
      }
      // Relative to the folder's parent, so that a folder given as FEED still names its feed.
      const kind = classify(relative(join(root, '..'), full).split(sep).join('/'));
      if (kind) files.push({ where: full, ...kind, bytes: await readFile(full) });
    }
  };
  await walk(root);
  return { files, warnings: [] };
}

async function readZip(path: string): Promise<ArchiveRead> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    return salvage(path, (error as Error).message);
  }
  const files: ArchiveFile[] = [];
  const warnings: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: ZipEntry) => {
      const kind = classify(entry.fileName);
      // Images and the HTML viewer are not read: an archive can be hundreds of megabytes of photos.
      if (!kind) {
        zip.readEntry();
        return;
      }
      readEntry(zip, entry)
        .then((bytes) => files.push({ where: `${path}:${entry.fileName}`, ...kind, bytes }))
        .catch((error: Error) => warnings.push(`friendfeed: ${path}:${entry.fileName}: ${error.message}; skipped`))
        .finally(() => zip.readEntry());
    });
    zip.readEntry();
  }).catch((error: Error) => {
    warnings.push(`friendfeed: ${path}: ${error.message}; stopped reading after ${files.length} file(s)`);
  });
  zip.close();
  return { files, warnings };
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

function readEntry(zip: ZipFile, entry: ZipEntry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * A zip without its central directory (a download cut short): walk the local file headers from
 * the start and keep every entry whose data is all there. Stored (0) and deflated (8) entries
 * only, which is what zip writers use.
 */
async function salvage(path: string, reason: string): Promise<ArchiveRead> {
  const buffer = await readFile(path);
  const files: ArchiveFile[] = [];
  let cutOff: string | undefined;
  let offset = buffer.indexOf(LOCAL_HEADER_SIGNATURE);
  while (offset !== -1 && offset + 30 <= buffer.length && buffer.readUInt32LE(offset) === LOCAL_HEADER) {
    const flags = buffer.readUInt16LE(offset + 6);
    const method = buffer.readUInt16LE(offset + 8);
    const compressedSize = buffer.readUInt32LE(offset + 18);
    const nameLength = buffer.readUInt16LE(offset + 26);
    const extraLength = buffer.readUInt16LE(offset + 28);
    const dataStart = offset + 30 + nameLength + extraLength;
    if (dataStart > buffer.length) {
      cutOff = '(a file header)';
      break;
    }
    const name = buffer.toString('utf8', offset + 30, offset + 30 + nameLength);
    const sizeKnown = (flags & 0x08) === 0;
    if (sizeKnown && dataStart + compressedSize > buffer.length) {
      cutOff = name;
      break;
    }
    const kind = classify(name);
    let next = sizeKnown ? dataStart + compressedSize : buffer.indexOf(LOCAL_HEADER_SIGNATURE, dataStart);
    if (kind) {
      try {
        const data = buffer.subarray(dataStart, sizeKnown ? dataStart + compressedSize : next === -1 ? buffer.length : next);
        const bytes = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
        if (bytes) files.push({ where: `${path}:${name}`, ...kind, bytes });
      } catch {
        cutOff = name;
        break;
      }
    }
    if (next === -1) break;
    next = buffer.indexOf(LOCAL_HEADER_SIGNATURE, next);
    offset = next;
  }
  if (files.length === 0) {
    throw new Error(`friendfeed: ${path} is not a readable zip archive (${reason}) and no complete entry could be salvaged`);
  }
  const warnings = [
    `friendfeed: ${path} is damaged or truncated (${reason}); read ${files.length} file(s) from their local headers` +
      `${cutOff ? `, the rest is lost from ${cutOff} on` : ''}`,
  ];
  return { files, warnings };
}
