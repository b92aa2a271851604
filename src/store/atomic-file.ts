/** Files that readers never see half-written: written or copied beside the target, then renamed over it. */
import { constants } from 'node:fs';
import { copyFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

function besidePath(path: string): string {
  return `${path}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

async function replaceWith(path: string, fill: (temporary: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = besidePath(path);
  try {
    await fill(temporary);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export function writeAtomically(path: string, body: string | Uint8Array): Promise<void> {
  return replaceWith(path, (temporary) => writeFile(temporary, body));
}

/**
 * A copy made by the kernel (a reflink where the file system has them): the bytes never enter
 * the process. Not a hard link, so editing one file can never change the other.
 */
export function copyAtomically(from: string, path: string): Promise<void> {
  return replaceWith(path, (temporary) => copyFile(from, temporary, constants.COPYFILE_FICLONE));
}
