/**
 * Where the article is on sites whose markup we know: data, not code (Miniflux's scraper rules,
 * Plagger's EntryFullText assets). A recipe adds its own with the plugin's `sites` option; the
 * first rule whose domain matches wins, and pages no rule covers go to the generic extractor.
 */
export interface SiteRule {
  /** Host or parent domain (`hatenablog.com` also covers `taro.hatenablog.com`). */
  domain: string;
  /** Optional path prefix, for sites that host several layouts. */
  path?: string;
  /** CSS selector of the article body; the first match is taken. */
  selector: string;
  /** Elements inside the body to drop (share buttons, ads, related links). */
  remove?: string[];
}

const HATENA_REMOVE = [
  '.hatena-star-container',
  '.hatena-star-star-container',
  '.social-buttons',
  '.entry-footer',
  '.customized-footer',
  '.table-of-contents',
  '.sectionfooter',
  '.share-button',
];

export const SITE_RULES: readonly SiteRule[] = [
  { domain: 'hatenablog.com', selector: '.entry-content', remove: HATENA_REMOVE },
  { domain: 'hatenablog.jp', selector: '.entry-content', remove: HATENA_REMOVE },
  { domain: 'hatenadiary.jp', selector: '.entry-content', remove: HATENA_REMOVE },
  { domain: 'hatenadiary.com', selector: '.entry-content', remove: HATENA_REMOVE },
  { domain: 'hatenadiary.org', selector: '.entry-content', remove: HATENA_REMOVE },
  { domain: 'd.hatena.ne.jp', selector: '.day .body, .section', remove: [...HATENA_REMOVE, '.sectionfooter', '.comment', '.refererlist'] },
  { domain: 'ameblo.jp', selector: '[data-uranus-component="entryBody"], #entryBody, .articleText', remove: ['.reblogBtn', '.skinArticleFooter'] },
  { domain: 'note.com', selector: '.note-common-styles__textnote-body, [data-name="body"]', remove: ['.o-noteLikeV3', '.m-shareButtons'] },
  { domain: 'qiita.com', selector: '#personal-public-article-body, .it-MdContent', remove: ['.it-Footer'] },
  { domain: 'zenn.dev', selector: '.znc', remove: [] },
  { domain: 'blog.livedoor.jp', selector: '.article-body-inner, .article-body', remove: ['.article-body-more', '.blogroll'] },
  { domain: 'blog.fc2.com', selector: '.entry_body, .entry-body', remove: ['.fc2_footer', '.relate_dl'] },
  { domain: 'blogspot.com', selector: '.post-body', remove: ['.post-share-buttons'] },
  { domain: 'medium.com', selector: 'article section, article', remove: ['[data-testid="headerSocialShareButton"]'] },
  { domain: 'tumblr.com', selector: '.post-content, article .body-text, article', remove: ['.notes', '.post-notes'] },
];

export function ruleFor(url: URL, rules: readonly SiteRule[]): SiteRule | undefined {
  const host = url.hostname.toLowerCase();
  return rules.find(
    (rule) => (host === rule.domain || host.endsWith(`.${rule.domain}`)) && (!rule.path || url.pathname.startsWith(rule.path)),
  );
}
