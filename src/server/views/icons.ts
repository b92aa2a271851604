/**
 * A small built-in set of service marks, drawn here as simple SVG so the page needs no remote
 * images and no JavaScript. They are decorative (the service name is always written next to
 * them), so they are hidden from assistive technology.
 */

export interface ServiceLook {
  label: string;
  color: string;
  svg: string;
}

const frame = (color: string, inner: string) =>
  `<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">` +
  `<rect width="24" height="24" rx="5" fill="${color}"/>${inner}</svg>`;

const letters = (text: string, size = 13) =>
  `<text x="12" y="16.5" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-weight="700" font-size="${size}" fill="#fff">${text}</text>`;

const LOOKS: Record<string, ServiceLook> = {
  feed: {
    label: 'フィード',
    color: '#e8772e',
    svg: frame(
      '#e8772e',
      '<circle cx="7" cy="17" r="2" fill="#fff"/>' +
        '<path d="M5 11a8 8 0 0 1 8 8h-2.5A5.5 5.5 0 0 0 5 13.5z" fill="#fff"/>' +
        '<path d="M5 5.5A13.5 13.5 0 0 1 18.5 19H16A11 11 0 0 0 5 8z" fill="#fff"/>',
    ),
  },
  hatena: { label: 'はてな', color: '#00a4de', svg: frame('#00a4de', letters('B!', 12)) },
  twitter: {
    label: 'Twitter',
    color: '#1d9bf0',
    svg: frame(
      '#1d9bf0',
      '<path d="M19 8.2c-.5.2-1 .4-1.6.4.6-.3 1-.9 1.2-1.5-.5.3-1.1.6-1.8.7a2.8 2.8 0 0 0-4.8 2.5 ' +
        '8 8 0 0 1-5.8-2.9 2.8 2.8 0 0 0 .9 3.7c-.5 0-.9-.1-1.3-.3 0 1.4 1 2.5 2.2 2.8-.4.1-.8.1-1.3 0 ' +
        '.4 1.1 1.4 1.9 2.6 2A5.6 5.6 0 0 1 5 16.7 8 8 0 0 0 17.3 10v-.4c.6-.4 1.1-.9 1.5-1.4z" fill="#fff"/>',
    ),
  },
  mixi: { label: 'mixi', color: '#d1ad5a', svg: frame('#d1ad5a', letters('m', 15)) },
  friendfeed: { label: 'FriendFeed', color: '#3b7cd3', svg: frame('#3b7cd3', letters('ff', 12)) },
};

/** `.entry[data-service=…]` colours: attributes, not inline styles, which the page's policy forbids. */
export function serviceColorRules(): string {
  return Object.entries(LOOKS)
    .map(([key, look]) => `.entry[data-service="${key}"] { --service: ${look.color}; }`)
    .join('\n');
}

/** The look of a service key (`EntrySource.service`); unknown services look like a plain feed. */
export function serviceLook(service: string | undefined): ServiceLook & { key: string } {
  const key = service && LOOKS[service] ? service : 'feed';
  return { key, ...(LOOKS[key] as ServiceLook) };
}
