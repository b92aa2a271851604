/**
 * How kakehashi names its queues in Redis, and how it shows a Redis URL: what the CLI and the
 * server need without loading BullMQ.
 */

/** The Redis set listing every queue kakehashi created under a prefix. */
export function queueIndexKey(prefix: string): string {
  return `${prefix}:kakehashi-queues`;
}

export function queueNameFor(handlerName: string): string {
  return encodeURIComponent(handlerName);
}

export function handlerNameOf(queueName: string): string {
  return decodeURIComponent(queueName);
}

/** A Redis URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
