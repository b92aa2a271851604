/** Stable entry ids: the same item gets the same id on every run, whatever else changed. */
import { createHash } from 'node:crypto';

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Lowercase scheme and host, drop the fragment; the full normalisation lives in the merge rules. */
export function canonicalLink(link: string): string {
  try {
    const url = new URL(link.trim());
    url.hash = '';
    return url.href;
  } catch {
    return link.trim();
  }
}

/**
 * `namespace` names the source (`feed:<url>`, `twitter`, `hatena-blog`); then the guid, else the
 * link, else a hash of title and content.
 */
export function entryId(
  namespace: string,
  parts: { guid?: string; link?: string; content?: string; title?: string },
): string {
  const guid = parts.guid?.trim();
  if (guid) return `${namespace}#${guid}`;
  if (parts.link?.trim()) return `${namespace}#${canonicalLink(parts.link)}`;
  const digest = sha256Hex(`${parts.title ?? ''}\u0000${parts.content ?? ''}`).slice(0, 24);
  return `${namespace}#sha256:${digest}`;
}
