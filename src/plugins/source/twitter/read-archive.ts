/**
 * Finds the tweets in an export — the data archive (2019 on: `data/manifest.js`, `tweet.js` or
 * `tweets.js` + `tweets-partN.js`, a media folder) or the Grailbird archive (2012–2018: monthly
 * `data/js/tweets/YYYY_MM.js`) — and streams them as TweetRecords. A problem in one file or one
 * tweet is reported with its place and the reading goes on with the next.
 */
import type { ArchiveFiles } from './archive.js';
import { openArchiveFiles } from './archive.js';
import { ExportFileError, readAssignedArray } from './js-array.js';
import type { ArchiveTweetContext } from './archive-tweet.js';
import { MalformedTweetError, fromArchiveTweet, unwrapArchiveElement } from './archive-tweet.js';
import type { TweetRecord } from './tweet.js';

export interface ArchiveAccount {
  screenName?: string;
  userId?: string;
  displayName?: string;
}

export interface TweetFile {
  /** Member name inside the archive (root folder included). */
  name: string;
  /** How the file names its array (`YTD.tweets.part0`, `Grailbird.data.tweets_2008_05`). */
  globalName?: string;
}

export type ArchiveLayout = 'data-archive' | 'grailbird';

/** One problem, placed: `data/tweets.js:120:5: …`, `data/tweets.js item 3: …`. */
export type ProblemHandler = (message: string) => void;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * A small export file (`manifest.js`, `account.js`, `user_details.js`): JSON after the `=` of an
 * assignment, with an optional trailing `;`.
 */
export function parseAssignedJson(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  const equals = body.indexOf('=');
  const start = body.search(/\S/);
  const json = body[start] === '{' || body[start] === '[' ? body : equals >= 0 ? body.slice(equals + 1) : undefined;
  if (json === undefined) throw new ExportFileError(file, 'expected `name = { … }`, found no `=`', { line: 1, column: 1 });
  try {
    return JSON.parse(json.trim().replace(/;\s*$/, ''));
  } catch (error) {
    throw new ExportFileError(file, `not valid JSON after \`=\` (${(error as Error).message})`);
  }
}

/** Marker files, relative to an archive's root, and the layout each one means. */
const ROOT_MARKERS: Array<[string, ArchiveLayout]> = [
  ['data/manifest.js', 'data-archive'],
  ['data/tweets.js', 'data-archive'],
  ['data/tweet.js', 'data-archive'],
  ['data/account.js', 'data-archive'],
  ['data/js/tweet_index.js', 'grailbird'],
  ['data/js/user_details.js', 'grailbird'],
];

const TWEET_PART = /^data\/(tweets?)(?:-part(\d+))?\.js$/;
const GRAILBIRD_MONTH = /^data\/js\/tweets\/(\d{4})_(\d{2})\.js$/;

export class TwitterArchiveReader {
  readonly account: ArchiveAccount = {};
  tweetFiles: TweetFile[] = [];
  mediaDirectory?: string;
  private mediaByTweet?: Map<string, Array<{ name: string; localPath: string }>>;

  private constructor(
    readonly files: ArchiveFiles,
    /** Folder inside the zip that holds `data/` (`''`, or `twitter-2024-06-10-abc/`). */
    readonly root: string,
    readonly layout: ArchiveLayout,
    private readonly onProblem: ProblemHandler,
  ) {}

  static async open(path: string, onProblem: ProblemHandler): Promise<TwitterArchiveReader> {
    const files = await openArchiveFiles(path);
    if (files.damage) onProblem(files.damage);
    try {
      const found = findRoot(files.names());
      if (!found) {
        throw new ExportFileError(
          files.path,
          'this is not a Twitter/X archive: no data/manifest.js, data/tweets.js, data/tweet.js or data/js/tweet_index.js in it',
        );
      }
      const reader = new TwitterArchiveReader(files, found.root, found.layout, onProblem);
      if (found.layout === 'data-archive') await reader.readDataArchiveIndex();
      else await reader.readGrailbirdIndex();
      return reader;
    } catch (error) {
      await files.close();
      throw error;
    }
  }

  /** `data/tweets.js` inside the archive, as a user would name it in a message. */
  private label(name: string): string {
    return this.files.kind === 'zip' ? `${this.files.path}!${name}` : `${this.files.path}/${name}`;
  }

  private async readSmall(relative: string): Promise<unknown> {
    const name = this.root + relative;
    return parseAssignedJson(await this.files.readText(name), this.label(name));
  }

  private async readDataArchiveIndex(): Promise<void> {
    let manifest: Json | undefined;
    if (this.files.has(`${this.root}data/manifest.js`)) {
      try {
        const parsed = await this.readSmall('data/manifest.js');
        if (isObject(parsed)) manifest = parsed;
      } catch (error) {
        this.onProblem(`${(error as Error).message}; looking for the tweet files by name instead`);
      }
    }
    const userInfo = isObject(manifest?.userInfo) ? manifest.userInfo : undefined;
    this.setAccount(stringOf(userInfo?.userName), stringOf(userInfo?.accountId), stringOf(userInfo?.displayName));

    const dataTypes = isObject(manifest?.dataTypes) ? manifest.dataTypes : undefined;
    const tweetType = isObject(dataTypes?.tweets) ? dataTypes.tweets : isObject(dataTypes?.tweet) ? dataTypes.tweet : undefined;
    const listed = Array.isArray(tweetType?.files) ? tweetType.files.filter(isObject) : [];
    for (const file of listed) {
      const fileName = stringOf(file.fileName);
      if (!fileName) continue;
      if (!this.files.has(this.root + fileName)) {
        this.onProblem(`${this.label(this.root + fileName)}: listed in data/manifest.js but missing from the archive`);
        continue;
      }
      const globalName = stringOf(file.globalName);
      this.tweetFiles.push(globalName ? { name: this.root + fileName, globalName } : { name: this.root + fileName });
    }
    if (!listed.length) this.tweetFiles = this.tweetFilesByName();
    const mediaDirectory = stringOf(tweetType?.mediaDirectory);
    this.mediaDirectory = mediaDirectory ?? ['data/tweets_media', 'data/tweet_media'].find((folder) => this.hasFolder(folder));

    if (!this.account.screenName && this.files.has(`${this.root}data/account.js`)) {
      try {
        const accounts = await this.readSmall('data/account.js');
        const first = Array.isArray(accounts) && isObject(accounts[0]) ? accounts[0] : undefined;
        const account = isObject(first?.account) ? first.account : first;
        this.setAccount(stringOf(account?.username), stringOf(account?.accountId), stringOf(account?.accountDisplayName));
      } catch (error) {
        this.onProblem(`${(error as Error).message}; the tweets' links will use x.com/i/status/ID`);
      }
    }
  }

  private tweetFilesByName(): TweetFile[] {
    return this.files
      .names()
      .filter((name) => name.startsWith(this.root))
      .map((name) => ({ name, match: TWEET_PART.exec(name.slice(this.root.length)) }))
      .filter((file) => file.match)
      .sort((a, b) => Number(a.match![2] ?? 0) - Number(b.match![2] ?? 0) || a.name.localeCompare(b.name))
      .map(({ name }) => ({ name }));
  }

  private async readGrailbirdIndex(): Promise<void> {
    if (this.files.has(`${this.root}data/js/user_details.js`)) {
      try {
        const details = await this.readSmall('data/js/user_details.js');
        if (isObject(details)) {
          this.setAccount(stringOf(details.screen_name), stringOf(details.id) ?? stringOf(details.id_str), stringOf(details.full_name));
        }
      } catch (error) {
        this.onProblem((error as Error).message);
      }
    }
    const months = this.files
      .names()
      .filter((name) => name.startsWith(this.root) && GRAILBIRD_MONTH.test(name.slice(this.root.length)))
      .sort();
    // Oldest month first, like the data archive's parts; tweet_index.js lists the same files.
    this.tweetFiles = months.map((name) => ({ name }));
  }

  private setAccount(screenName?: string, userId?: string, displayName?: string): void {
    if (screenName && !this.account.screenName) this.account.screenName = screenName;
    if (userId && !this.account.userId) this.account.userId = userId;
    if (displayName && !this.account.displayName) this.account.displayName = displayName;
  }

  private hasFolder(folder: string): boolean {
    const prefix = `${this.root}${folder}/`;
    return this.files.names().some((name) => name.startsWith(prefix));
  }

  /** Media files by tweet id (`<tweetId>-<name>`), listed once from the archive's directory. */
  private mediaIndex(): Map<string, Array<{ name: string; localPath: string }>> {
    if (this.mediaByTweet) return this.mediaByTweet;
    const index = new Map<string, Array<{ name: string; localPath: string }>>();
    if (this.mediaDirectory) {
      const prefix = `${this.root}${this.mediaDirectory.replace(/\/$/, '')}/`;
      for (const name of this.files.names()) {
        if (!name.startsWith(prefix)) continue;
        const base = name.slice(prefix.length);
        const dash = base.indexOf('-');
        if (dash <= 0 || base.includes('/')) continue;
        const tweetId = base.slice(0, dash);
        let files = index.get(tweetId);
        if (!files) index.set(tweetId, (files = []));
        files.push({ name: base, localPath: this.files.localPath(name) });
      }
    }
    this.mediaByTweet = index;
    return index;
  }

  /**
   * Every tweet of every tweet file, file by file, in batches (the tweets of one chunk of a file:
   * one await per batch instead of one per tweet). Problems (a file that is not an export, a
   * syntax error, a malformed tweet) go to the problem handler with their place; the tweets
   * around them are still returned.
   */
  async *tweets(): AsyncGenerator<TweetRecord[]> {
    const context: ArchiveTweetContext = { account: this.account, mediaFiles: (id) => this.mediaIndex().get(id) };
    for (const file of this.tweetFiles) {
      const label = this.label(file.name);
      const expected =
        this.layout === 'grailbird'
          ? { expectedName: /^Grailbird\.data\.tweets_\d{4}_\d{2}$/, expectedLabel: 'Grailbird.data.tweets_YYYY_MM' }
          : { expectedName: /^window\.YTD\.tweets?\.part\d+$/, expectedLabel: `window.${file.globalName ?? 'YTD.tweets.partN'}` };
      try {
        const elements = readAssignedArray(await this.files.openStream(file.name), {
          file: label,
          ...expected,
          onWarning: this.onProblem,
          onSkipped: (error) => this.onProblem(error.message),
          reopen: () => this.files.openStream(file.name),
          // fromArchiveTweet decodes each string it keeps.
          latin1: true,
        });
        for await (const batch of elements) {
          const records: TweetRecord[] = [];
          for (const element of batch) {
            const tweet = unwrapArchiveElement(element.value);
            try {
              records.push(
                fromArchiveTweet(
                  tweet ?? element.value,
                  context,
                  (message) => this.onProblem(`${label} item ${element.index + 1}: ${message}`),
                  element.latin1,
                ),
              );
            } catch (error) {
              if (!(error instanceof MalformedTweetError)) throw error;
              this.onProblem(`${label} item ${element.index + 1}: skipped, ${error.message}`);
            }
          }
          if (records.length) yield records;
        }
      } catch (error) {
        if (error instanceof ExportFileError || (error as Error).name === 'ArchiveError') {
          this.onProblem((error as Error).message);
          continue;
        }
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    await this.files.close();
  }
}

function findRoot(names: string[]): { root: string; layout: ArchiveLayout } | undefined {
  let best: { root: string; layout: ArchiveLayout } | undefined;
  for (const name of names) {
    for (const [marker, layout] of ROOT_MARKERS) {
      if (!name.endsWith(marker)) continue;
      const root = name.slice(0, name.length - marker.length);
      if (root && !root.endsWith('/')) continue;
      if (root.split('/').length > 3) continue;
      if (!best || root.length < best.root.length || (root === best.root && layout === 'data-archive')) best = { root, layout };
    }
  }
  if (!best) {
    const month = names.find((name) => /(?:^|\/)data\/js\/tweets\/\d{4}_\d{2}\.js$/.test(name));
    if (month) best = { root: month.slice(0, month.indexOf('data/js/tweets/')), layout: 'grailbird' };
  }
  return best;
}
