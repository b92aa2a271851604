/**
 * The words of a social post: a blog post as its title and link, a tweet or note as its text and
 * link, cut to the destination's limit at a word with the link kept whole.
 */
import { z } from 'zod';
import type { Composed, Measure } from './text.js';
import { composeWithLink } from './text.js';
import type { Note } from './note.js';

export const postTextSettings = {
  /** `auto`: a post with a title of its own is posted as title + link, the rest (tweets) as text + link. */
  text: z.enum(['auto', 'body', 'title']).default('auto'),
  /** Put before every post, e.g. `ブログ更新: `. */
  prefix: z.string().default(''),
};

export interface PostTextSettings {
  text: 'auto' | 'body' | 'title';
  prefix: string;
}

export function postText(
  note: Note,
  settings: PostTextSettings,
  limit: number,
  measure: Measure,
  linkText?: string,
): Composed {
  const useTitle = settings.text === 'title' || (settings.text === 'auto' && note.ownTitle);
  const body = `${settings.prefix}${useTitle ? note.title : note.text}`;
  return composeWithLink({ body, ...(note.link ? { link: note.link } : {}), ...(linkText ? { linkText } : {}), limit, measure });
}
