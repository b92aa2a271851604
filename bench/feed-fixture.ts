/** The large feed the feed-path benchmarks read: RSS 2.0, Japanese HTML, one item an hour back from 2008. */
const paragraph =
  '<p>今日は京都の鴨川沿いを歩いて、三条大橋から四条大橋まで夕焼けを眺めた。㈱はてなの前を通り、髙橋さんと「架け橋」の話をした。' +
  'RSS と Atom を一つにまとめる仕組みは、Plagger の頃から変わらず便利だ。<a href="https://taro.example.jp/">ブログ</a>も更新した。</p>';

export function generateFeed(items: number): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
    '<title>ベンチマーク</title><link>https://bench.example.jp/</link><description>5,000 件</description>',
  ];
  const start = Date.UTC(2008, 4, 30, 12, 0, 0);
  for (let i = 0; i < items; i++) {
    const date = new Date(start - i * 3_600_000).toUTCString().replace('GMT', '+0000');
    parts.push(
      `<item><title>日記 ${i}：鴨川の夕焼け</title><link>https://bench.example.jp/entry/${i}</link><guid>https://bench.example.jp/entry/${i}</guid>` +
        `<pubDate>${date}</pubDate><dc:creator>taro</dc:creator><category>日記</category><category>京都</category>` +
        `<description>鴨川沿いを歩いた記録 ${i}</description><content:encoded><![CDATA[${paragraph.repeat(4)}]]></content:encoded></item>`,
    );
  }
  parts.push('</channel></rss>');
  return parts.join('\n');
}
