/**
 * Where a publisher's renders go: into the state store as one blob per format (what the server
 * serves), and onto disk by a queue job that names the stored render.
 */
import { stat } from 'node:fs/promises';
import { writeAtomically } from '../../../store/atomic-file.js';
import type { PluginContext, Store } from '../../../pipeline/context.js';
import { sha256Hex } from '../../../pipeline/ids.js';
import { VERSION } from '../../../version.js';

/** What the server serves: rendered when a run publishes, never per request. */
export interface RenderedFeed {
  body: string;
  contentType: string;
  /** Strong validator from the content. */
  etag: string;
  /** When the content last changed (epoch ms). */
  lastModified: number;
  entries: number;
}

/** Stored beside a render's bytes (`store.getBlob('render', 'NAME.FORMAT')`), readable alone. */
export interface RenderRecord extends Omit<RenderedFeed, 'body'> {
  /** What the render was made from (window version, feed settings, format); equal inputs, equal bytes. */
  inputs?: string;
}

/** A file to write: a stored render (by key), or a small body carried in the job. */
export type WriteJob = { path: string; render: string } | { path: string; body: string };

export interface RenderRequest {
  /** Identifies everything the render depends on; when the stored render has the same, it is reused. */
  inputs: string;
  contentType: string;
  entries: number;
  now: number;
  /** Only called when the stored render cannot be reused. */
  render: () => string | Promise<string>;
}

/**
 * The render the server serves, with its validators, as one blob: bytes and record are written
 * together. A render made from the same inputs is not made again (a lifestream's run that brought
 * nothing new costs no rendering); content that comes out the same keeps its Last-Modified and is
 * not stored again. Returns the content digest.
 */
export async function storeRender(ctx: Pick<PluginContext<unknown>, 'store'>, key: string, request: RenderRequest): Promise<string> {
  const previous = await ctx.store.getBlobRecord<RenderRecord>('render', key);
  if (previous?.inputs === request.inputs && previous.entries === request.entries) return previous.etag.replace(/"/g, '');
  const bytes = Buffer.from(await request.render(), 'utf8');
  const digest = sha256Hex(bytes).slice(0, 32);
  const etag = `"${digest}"`;
  const lastModified = previous?.etag === etag ? previous.lastModified : request.now;
  const record: RenderRecord = { contentType: request.contentType, etag, lastModified, entries: request.entries, inputs: request.inputs };
  await ctx.store.putBlob('render', key, record, bytes);
  return digest;
}

/** The inputs key of a render: a digest of what it depends on, our version included (renderers change). */
export function renderInputs(...parts: unknown[]): string {
  return sha256Hex(JSON.stringify([VERSION, ...parts])).slice(0, 32);
}


/** What was last written to an output path, to tell that the file there is still that render. */
interface WrittenFile {
  etag: string;
  size: number;
  mtimeMs: number;
}

/**
 * A stored render is written to its path unless the file there is the one this store last wrote
 * for the same render (same ETag, and the file's size and mtime untouched since): a run that
 * changed nothing rewrites no megabytes.
 */
export async function writeOutput(store: Store, job: WriteJob): Promise<void> {
  if ('body' in job) return writeAtomically(job.path, job.body);
  const record = await store.getBlobRecord<RenderRecord>('render', job.render);
  if (record && (await stillWritten(store, job.path, record.etag))) return;
  const written = await store.writeBlobTo<RenderRecord>('render', job.render, job.path);
  if (!written) {
    throw new Error(
      `${job.path}: render "${job.render}" is not in this worker's state store; a worker on another machine needs the shared Redis store (global.store: redis)`,
    );
  }
  const file = await stat(job.path);
  await store.set('written', job.path, { etag: written.etag, size: file.size, mtimeMs: file.mtimeMs } satisfies WrittenFile);
}

async function stillWritten(store: Store, path: string, etag: string): Promise<boolean> {
  const written = await store.get<WrittenFile>('written', path);
  if (written?.etag !== etag) return false;
  const file = await stat(path).catch(() => undefined);
  return file !== undefined && file.size === written.size && file.mtimeMs === written.mtimeMs;
}
