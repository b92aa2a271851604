/**
 * Source::TwitterArchive at archive scale: a generated 100,000-tweet data archive (155 MB of
 * tweets.js + tweets-part1.js, every number a string, replies, retweets, media, emoji, `&amp;`)
 * imported through the plugin into a real SQLite store (saveRetained). Prints tweets/s and the
 * peak RSS of the importing process. Target: ≥ 20,000 tweets/s, ≤ 300 MB.
 *
 *   npx tsx bench/twitter-archive.ts [tweets=100000]
 *
 * The archive is generated once into bench/.data/ (git-ignored); the import itself is
 * bench/twitter-archive-measure.ts, compiled and run in a fresh process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import yazl from 'yazl';
import * as esbuild from 'esbuild';

const DATA = join(import.meta.dirname, '.data');
const TWITTER_EPOCH = 1288834974657n;

function snowflake(epochMs: number, sequence: number): string {
  return ((BigInt(epochMs) - TWITTER_EPOCH) << 22n | BigInt(sequence & 0x3fffff)).toString();
}

const TWEET_DATE = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  weekday: 'short',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  year: 'numeric',
  hour12: false,
});

function twitterDate(epochMs: number): string {
  const parts = Object.fromEntries(TWEET_DATE.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]));
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.weekday} ${parts.month} ${parts.day} ${hour}:${parts.minute}:${parts.second} +0000 ${parts.year}`;
}

const SENTENCES = [
  '今日は雨でした &amp; 傘を忘れずに。',
  '新しいブログ記事を書きました！読んでね',
  '東京は晴れ、気温は25度くらい。散歩日和です',
  'コーヒーを淹れて、少し仕事をしてから出かけます',
  'Reading a long thread about feeds &amp; bridges tonight',
];

/** One archive tweet as X writes it (pretty-printed, numbers as strings), ~1.5 KB. */
function tweetJson(index: number): string {
  const epochMs = Date.UTC(2024, 5, 1) - index * 600_000;
  const id = snowflake(epochMs, index);
  const kind = index % 10;
  const sentence = SENTENCES[index % SENTENCES.length]!;
  const mentions: unknown[] = [];
  const urls: unknown[] = [];
  let text = `${sentence} #日記 🎉https://t.co/Ab${String(index).padStart(8, '0')}`;
  urls.push({
    url: `https://t.co/Ab${String(index).padStart(8, '0')}`,
    expanded_url: `https://taro.hatenablog.com/entry/2024/06/01/${String(index).padStart(6, '0')}`,
    display_url: 'taro.hatenablog.com/entry/2024/06…',
    indices: ['30', '53'],
  });
  const tweet: Record<string, unknown> = {
    edit_info: { initial: { editTweetIds: [id], editableUntil: '2024-06-01T13:34:56.000Z', editsRemaining: '5', isEditEligible: false } },
    retweeted: false,
    source: '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
  };
  if (kind === 1) {
    text = `@hanako ${text}`;
    mentions.push({ name: '花子', screen_name: 'hanako', indices: ['0', '7'], id_str: '22222', id: '22222' });
    Object.assign(tweet, {
      in_reply_to_status_id_str: snowflake(epochMs - 60_000, index + 1),
      in_reply_to_user_id_str: '22222',
      in_reply_to_screen_name: 'hanako',
    });
  } else if (kind === 2) {
    text = `RT @hanako: ${text}`;
    mentions.push({ name: '花子', screen_name: 'hanako', indices: ['3', '10'], id_str: '22222', id: '22222' });
  }
  tweet.entities = {
    hashtags: [{ text: '日記', indices: ['20', '23'] }],
    symbols: [],
    user_mentions: mentions,
    urls,
  };
  if (kind === 3) {
    const media = {
      expanded_url: `https://x.com/taro/status/${id}/photo/1`,
      indices: ['60', '83'],
      url: `https://t.co/Me${String(index).padStart(8, '0')}`,
      media_url: `http://pbs.twimg.com/media/G${index.toString(36).padStart(10, 'x')}.jpg`,
      id_str: id,
      id,
      media_url_https: `https://pbs.twimg.com/media/G${index.toString(36).padStart(10, 'x')}.jpg`,
      sizes: { large: { w: '2048', h: '1536', resize: 'fit' } },
      type: 'photo',
      display_url: `pic.x.com/Me${String(index).padStart(8, '0')}`,
    };
    text += ` https://t.co/Me${String(index).padStart(8, '0')}`;
    (tweet.entities as Record<string, unknown>).media = [media];
    tweet.extended_entities = { media: [media] };
  }
  Object.assign(tweet, {
    display_text_range: ['0', String(text.length)],
    favorite_count: String(index % 17),
    id_str: id,
    truncated: false,
    retweet_count: String(index % 5),
    id,
    created_at: twitterDate(epochMs),
    favorited: false,
    full_text: text,
    lang: 'ja',
  });
  return JSON.stringify({ tweet }, null, 2).replace(/": /g, '" : ');
}

function tweetsFile(globalName: string, from: number, to: number): Readable {
  return Readable.from(
    (function* () {
      yield `window.${globalName} = [ `;
      for (let index = from; index < to; index++) yield (index > from ? ', ' : '') + tweetJson(index);
      yield ' ]';
    })(),
  );
}

async function generate(zipPath: string, count: number): Promise<void> {
  const firstPart = Math.ceil(count * 0.6);
  const zip = new yazl.ZipFile();
  const manifest = {
    userInfo: { accountId: '11111', userName: 'taro', displayName: '太郎' },
    dataTypes: {
      tweets: {
        mediaDirectory: 'data/tweets_media',
        files: [
          { fileName: 'data/tweets.js', globalName: 'YTD.tweets.part0', count: String(firstPart) },
          { fileName: 'data/tweets-part1.js', globalName: 'YTD.tweets.part1', count: String(count - firstPart) },
        ],
      },
    },
  };
  zip.addBuffer(Buffer.from(`window.__THAR_CONFIG = ${JSON.stringify(manifest, null, 2)}`), 'data/manifest.js');
  zip.addReadStream(tweetsFile('YTD.tweets.part0', 0, firstPart), 'data/tweets.js');
  zip.addReadStream(tweetsFile('YTD.tweets.part1', firstPart, count), 'data/tweets-part1.js');
  for (let index = 3; index < Math.min(count, 3000); index += 10) {
    const epochMs = Date.UTC(2024, 5, 1) - index * 600_000;
    zip.addBuffer(Buffer.from('not really a jpeg'), `data/tweets_media/${snowflake(epochMs, index)}-G${index.toString(36).padStart(10, 'x')}.jpg`, {
      compress: false,
    });
  }
  zip.end();
  const partial = `${zipPath}.partial`;
  await pipeline(zip.outputStream, createWriteStream(partial));
  renameSync(partial, zipPath);
}

const count = Number(process.argv[2] ?? 100_000);
mkdirSync(DATA, { recursive: true });
const zipPath = join(DATA, `twitter-archive-${count}.zip`);
if (!existsSync(zipPath)) {
  const started = performance.now();
  await generate(zipPath, count);
  console.log(`generated ${zipPath} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const { statSync } = await import('node:fs');
console.log(`archive:             ${(statSync(zipPath).size / 1e6).toFixed(1)} MB zipped`);
// The import is measured as it runs in production: compiled JavaScript on plain node (tsx's
// loader alone would add some 35 MB), in a fresh process (generating the zip is not counted).
const measureScript = join(DATA, 'twitter-archive-measure.mjs');
await esbuild.build({
  entryPoints: [join(import.meta.dirname, 'twitter-archive-measure.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: measureScript,
  logLevel: 'warning',
});
const child = spawnSync(process.execPath, [measureScript, zipPath, String(count)], { stdio: 'inherit', cwd: join(import.meta.dirname, '..') });
process.exitCode = child.status ?? 1;
