/**
 * The files of an export, whether the user kept the zip or unzipped it. A zip is opened with
 * yauzl: only its central directory is read up front; each member is inflated as a stream when
 * asked for, so a 100 MB tweets.js never sits in memory whole.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Readable, TransformCallback } from 'node:stream';
import { Transform, pipeline } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';

export interface ArchiveFiles {
  /** The archive as given, made absolute. */
  readonly path: string;
  readonly kind: 'zip' | 'folder';
  /** Every file, `/`-separated, relative to the archive root. */
  names(): string[];
  has(name: string): boolean;
  size(name: string): number | undefined;
  /** Bytes of one member, as a stream (a zip member inflated on the fly). */
  openStream(name: string): Promise<Readable>;
  /** A small member as a string (manifest, account); refuses anything over `maxBytes`. */
  readText(name: string, maxBytes?: number): Promise<string>;
  /** Where a member can be found again later: a file path, or `zip:<archive>!<member>`. */
  localPath(name: string): string;
  close(): Promise<void>;
  /** Set when the archive is damaged and was read as far as it goes (a cut-off zip). */
  readonly damage?: string;
}

/** A problem with the archive itself or with one file in it; `file` is the member's name. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    message: string,
    readonly archive: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export async function openArchiveFiles(path: string): Promise<ArchiveFiles> {
  const absolute = resolve(path);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    throw new ArchiveError(`${absolute}: cannot open the archive (${(error as Error).message})`, absolute);
  }
  return stat.isDirectory() ? openFolder(absolute) : openZip(absolute, stat.size);
}

const SMALL_FILE_LIMIT = 16 * 1024 * 1024;
/**
 * Bytes per chunk of a member read whole (a folder's file, an inflated zip member). Node's 16 KB
 * default costs a round trip to zlib's thread per chunk: 10,000 of them for a 155 MB tweets.js.
 */
const STREAM_CHUNK = 256 * 1024;

async function streamToText(stream: Readable, label: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new Error(`${label} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function openFolder(root: string): Promise<ArchiveFiles> {
  const listing = (await fs.readdir(root, { recursive: true, withFileTypes: true }))
    .filter((dirent) => dirent.isFile())
    .map((dirent) => join(dirent.parentPath, dirent.name).slice(root.length + 1).split(sep).join('/'));
  const names = new Set(listing);
  const fileOf = (name: string): string => {
    if (!names.has(name)) throw new ArchiveError(`${root}: no file ${name}`, root, name);
    return join(root, ...name.split('/'));
  };
  return {
    path: root,
    kind: 'folder',
    names: () => listing,
    has: (name) => names.has(name),
    size: () => undefined,
    openStream: async (name) => createReadStream(fileOf(name), { highWaterMark: STREAM_CHUNK }),
    readText: async (name, maxBytes = SMALL_FILE_LIMIT) =>
      streamToText(createReadStream(fileOf(name)), `${root}/${name}`, maxBytes),
    localPath: (name) => fileOf(name),
    close: async () => {},
  };
}

async function openZip(path: string, fileSize: number): Promise<ArchiveFiles> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false });
  } catch (error) {
    const description = describeZipOpenError(path, fileSize, error as Error);
    const salvaged = /end of central directory record signature not found/i.test((error as Error).message)
      ? await salvageZip(path, fileSize, description)
      : undefined;
    if (salvaged) return salvaged;
    throw new ArchiveError(description, path);
  }
  const members = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) members.set(entry.fileName, entry);
    }
  } catch (error) {
    zip.close();
    throw new ArchiveError(
      `${path}: the zip's table of contents is damaged after ${members.size} of ${zip.entryCount} files (${(error as Error).message})`,
      path,
    );
  }
  const listing = [...members.keys()];
  const memberOf = (name: string): yauzl.Entry => {
    const entry = members.get(name);
    if (!entry) throw new ArchiveError(`${path}: no file ${name} in the zip`, path, name);
    return entry;
  };
  const openStream = async (name: string): Promise<Readable> => {
    try {
      const entry = memberOf(name);
      // yauzl inflates in 16 KB chunks and takes no option for it: it hands over the raw bytes,
      // and they are inflated and checked against the member's size here, as it would.
      if (entry.isEncrypted()) throw new Error('the file is encrypted');
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new Error(`unsupported compression method ${entry.compressionMethod}`);
      }
      const raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
      if (entry.compressionMethod === 0) return raw;
      const inflate = createInflateRaw({ chunkSize: STREAM_CHUNK });
      // pipeline hands an error of any part to the last stream, and a destroy of it to the others.
      return pipeline(raw, inflate, new ByteCountCheck(entry.uncompressedSize), () => {});
    } catch (error) {
      if (error instanceof ArchiveError) throw error;
      throw new ArchiveError(`${path}!${name}: cannot read this file in the zip (${(error as Error).message})`, path, name);
    }
  };
  return {
    path,
    kind: 'zip',
    names: () => listing,
    has: (name) => members.has(name),
    size: (name) => members.get(name)?.uncompressedSize,
    openStream,
    readText: async (name, maxBytes = SMALL_FILE_LIMIT) => streamToText(await openStream(name), `${path}!${name}`, maxBytes),
    localPath: (name) => `zip:${path}!${name}`,
    close: async () => zip.close(),
  };
}

/** Fails a member whose inflated length differs from the size in the zip's table of contents. */
class ByteCountCheck extends Transform {
  private seen = 0;
  constructor(private readonly expected: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.expected) callback(new Error(`too many bytes in the stream: expected ${this.expected}, got at least ${this.seen}`));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen < this.expected) callback(new Error(`not enough bytes in the stream: expected ${this.expected}, got only ${this.seen}`));
    else callback();
  }
}

function describeZipOpenError(path: string, fileSize: number, error: Error): string {
  if (/end of central directory record signature not found/i.test(error.message)) {
    return (
      `${path}: not a complete zip file (${fileSize} bytes, no table of contents at the end): ` +
      `the download was probably cut short`
    );
  }
  return `${path}: cannot open the zip (${error.message})`;
}

interface LocalMember {
  dataStart: number;
  /** End of the member's data in the file (the file's end for the member that was cut). */
  dataEnd: number;
  method: number;
  size?: number;
  cut: boolean;
}

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;

/** How many bytes the deflated data starting at `start` takes; undefined when the file ends first. */
function deflatedLength(path: string, start: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    const input = createReadStream(path, { start });
    inflate.on('data', () => {});
    inflate.on('end', () => {
      input.destroy();
      resolve(inflate.bytesWritten);
    });
    inflate.on('error', () => {
      input.destroy();
      resolve(undefined);
    });
    input.on('error', () => inflate.destroy());
    input.pipe(inflate);
  });
}

/**
 * A zip whose end (with its table of contents) is missing, read from the front as `unzip` tools
 * that stream do: member by member from the local headers. Every member that arrived whole is
 * there; the one that was cut reads as far as its bytes go and then fails with the zip's error.
 */
async function salvageZip(path: string, fileSize: number, description: string): Promise<ArchiveFiles | undefined> {
  const members = new Map<string, LocalMember>();
  const handle = await fs.open(path, 'r');
  try {
    const header = Buffer.alloc(30);
    for (let offset = 0; offset + 30 <= fileSize; ) {
      await handle.read(header, 0, 30, offset);
      if (header.readUInt32LE(0) !== LOCAL_HEADER) break;
      const flags = header.readUInt16LE(6);
      const method = header.readUInt16LE(8);
      const compressedSize = header.readUInt32LE(18);
      const size = header.readUInt32LE(22);
      const nameLength = header.readUInt16LE(26);
      const extraLength = header.readUInt16LE(28);
      const nameBytes = Buffer.alloc(nameLength);
      await handle.read(nameBytes, 0, nameLength, offset + 30);
      const name = nameBytes.toString('utf8');
      const dataStart = offset + 30 + nameLength + extraLength;
      if (dataStart > fileSize || (method !== 0 && method !== 8)) break;
      const sizesFollow = (flags & 0x08) !== 0 && compressedSize === 0;
      let length: number | undefined = compressedSize;
      if (sizesFollow) length = method === 8 ? await deflatedLength(path, dataStart) : undefined;
      const cut = length === undefined || dataStart + length > fileSize;
      const member: LocalMember = { dataStart, dataEnd: cut ? fileSize : dataStart + length!, method, cut };
      if (!sizesFollow && method === 0) member.size = size;
      if (!name.endsWith('/')) members.set(name, member);
      if (cut) break;
      offset = member.dataEnd;
      if (flags & 0x08) {
        const signature = Buffer.alloc(4);
        await handle.read(signature, 0, 4, offset);
        offset += signature.readUInt32LE(0) === DATA_DESCRIPTOR ? 16 : 12;
      }
    }
  } finally {
    await handle.close();
  }
  if (members.size === 0) return undefined;
  const cutMember = [...members].find(([, member]) => member.cut)?.[0];
  const listing = [...members.keys()];
  const memberOf = (name: string): LocalMember => {
    const member = members.get(name);
    if (!member) throw new ArchiveError(`${path}: no file ${name} in what arrived of the zip`, path, name);
    return member;
  };
  const openStream = async (name: string): Promise<Readable> => {
    const member = memberOf(name);
    const raw = createReadStream(path, { start: member.dataStart, end: Math.max(member.dataStart, member.dataEnd - 1) });
    if (member.dataEnd === member.dataStart) raw.destroy();
    if (member.method === 0) return raw;
    return pipeline(raw, createInflateRaw({ chunkSize: STREAM_CHUNK }), () => {});
  };
  return {
    path,
    kind: 'zip',
    names: () => listing,
    has: (name) => members.has(name),
    size: (name) => members.get(name)?.size,
    openStream,
    readText: async (name, maxBytes = SMALL_FILE_LIMIT) => streamToText(await openStream(name), `${path}!${name}`, maxBytes),
    localPath: (name) => `zip:${path}!${name}`,
    close: async () => {},
    damage:
      `${description}; read from its start instead: ${members.size} files arrived` +
      (cutMember ? `, the last one (${cutMember}) cut off after ${fileSize - members.get(cutMember)!.dataStart} of its bytes` : ''),
  };
}

/** Zips opened by openLocalFile, kept open while media are read one after another. */
const openZips = new Map<string, { files: Promise<ArchiveFiles>; readers: number; idle?: NodeJS.Timeout }>();
const IDLE_CLOSE_MS = 30_000;

/**
 * A `zip:<archive>!<member>` or plain path (an Enclosure's `localPath`) as a byte stream. A zip's
 * table of contents is read once and the zip kept open until it has been idle for 30 s, so that
 * uploading the media of a whole archive does not reread it per file.
 */
export async function openLocalFile(localPath: string): Promise<Readable> {
  const zipped = /^zip:(.+?\.zip)!(.+)$/i.exec(localPath);
  if (!zipped) return createReadStream(localPath);
  const [, zipPath, member] = zipped as unknown as [string, string, string];
  let open = openZips.get(zipPath);
  if (!open) {
    const files = fs.stat(zipPath).then((stat) => openZip(zipPath, stat.size));
    open = { files, readers: 0 };
    openZips.set(zipPath, open);
    files.catch(() => openZips.delete(zipPath));
  }
  const entry = open;
  clearTimeout(entry.idle);
  entry.readers++;
  const release = (): void => {
    entry.readers--;
    if (entry.readers > 0) return;
    entry.idle = setTimeout(() => {
      openZips.delete(zipPath);
      void entry.files.then((files) => files.close());
    }, IDLE_CLOSE_MS);
    entry.idle.unref();
  };
  try {
    const stream = await (await entry.files).openStream(member);
    stream.once('close', release);
    return stream;
  } catch (error) {
    release();
    throw error;
  }
}
