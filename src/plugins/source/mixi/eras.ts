/**
 * mixi's markup, as data (formats.md §3.1–3.2). Each era is one object: when mixi changes a page,
 * a new era is added here and no scraping code changes. The scraper tries every era that knows a
 * page, keeps the ones whose required fields all match, and picks the one that matched the most
 * of its optional fields (the eras share many selectors; comments and photos tell them apart).
 *
 * Selectors are written for the tree cheerio builds, which inserts `<tbody>` into every table:
 * a `table > tr` selector that Web::Scraper matched on the raw markup matches nothing here, so
 * table rows are reached with descendant selectors (`table tr`).
 */

/** Where one value is read from, relative to a row (or the whole page for page-level fields). */
export interface FieldPick {
  /** CSS selector inside the scope; `''` reads the scope itself. The first match is used. */
  selector: string;
  /** Read this attribute instead of the text (`href`, `src`, `onclick`). */
  attr?: string;
  /** Read the inner HTML instead of the text (diary bodies, comment bodies). */
  html?: boolean;
  /** Keep only the first capture group of this pattern (or the whole match if it has none). */
  pattern?: RegExp;
  /** After `attr`: read this query parameter of the URL found there (`post_time`). */
  param?: string;
}

/** An owner's diary list (`list_diary.pl`) and the friends' list (`new_friend_diary.pl`). */
export interface DiaryListMarkup {
  row: string;
  link: FieldPick;
  title: FieldPick;
  date: FieldPick;
  summary?: FieldPick;
  /** Thumbnails shown in the row (every match). */
  thumbnails?: FieldPick;
  commentCount?: FieldPick;
  /** The friend's nickname, when the row shows it (friends' list). */
  author?: FieldPick;
}

/** One diary (`view_diary.pl`). */
export interface DiaryPageMarkup {
  title: FieldPick;
  /** Text at the end of the title element that is not part of the title (the audience label). */
  titleSuffix?: FieldPick;
  date: FieldPick;
  body: FieldPick;
  /** Page title of the form `[mixi] NAMEの日記`: the owner's nickname. */
  ownerName?: FieldPick;
  photos?: { cell: string; thumbnail: FieldPick; popup?: FieldPick };
  comments?: { row: string; author: FieldPick; authorLink?: FieldPick; date: FieldPick; body: FieldPick };
  /** Links that carry this diary's `id` and `owner_id` (a saved page has no URL of its own). */
  selfLinks?: FieldPick[];
}

/** mixi echo (2008) and its successor mixi voice (2009–). */
export interface VoiceListMarkup {
  row: string;
  memberId: FieldPick;
  /** `yyyymmddhhmmss`, JST. */
  postTime: FieldPick;
  name: FieldPick;
  body: FieldPick;
  replyTo?: FieldPick;
  /** The row's permalink, relative to the base URL; `{member}` and `{time}` are filled in. */
  permalink: string;
}

export interface MarkupEra {
  name: string;
  /** What a reader of this table needs to know about the era's pages. */
  notes: string;
  diaryList?: DiaryListMarkup;
  friendDiaryList?: DiaryListMarkup;
  diaryPage?: DiaryPageMarkup;
  voiceList?: VoiceListMarkup;
}

const COUNT = /(\d+)/;
const POPUP_PATH = /'([^']*show_diary_picture\.pl[^']*)'/;

export const MARKUP_ERAS: readonly MarkupEra[] = [
  {
    name: '2007',
    notes:
      'The id/class markup of the October 2007 renewal, served as EUC-JP (WWW::Mixi::Scraper 0.07–0.2x). ' +
      'Friends\' list dates carry no year; echo rows keep id, time, name and text in four divs.',
    diaryList: {
      row: 'div.listDiaryBlock, div.listDiaryBlockLast',
      link: { selector: 'div.listDiaryTitle dl dt a', attr: 'href' },
      title: { selector: 'div.listDiaryTitle dl dt a' },
      date: { selector: 'div.listDiaryTitle dl dd' },
      summary: { selector: 'p' },
      thumbnails: { selector: 'div.diaryPhoto a img', attr: 'src' },
      commentCount: { selector: 'div.diaryEditMenu li a[href$="#comment"], div.diaryEditMenu li a[href$="#write"]', pattern: COUNT },
    },
    friendDiaryList: {
      row: 'ul.entryList01 > li',
      link: { selector: 'dl dd a', attr: 'href' },
      title: { selector: 'dl dd a' },
      date: { selector: 'dl dt' },
      author: { selector: 'dl dd', pattern: /\(([^()]*)\)\s*$/ },
    },
    diaryPage: {
      title: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dt' },
      titleSuffix: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dt span' },
      date: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dd' },
      body: { selector: 'div#diary_body', html: true },
      ownerName: { selector: 'title', pattern: /\[mixi\]\s*(.+?)の日記/ },
      photos: {
        cell: 'div.diaryPhoto td',
        thumbnail: { selector: 'a img', attr: 'src' },
        popup: { selector: 'a', attr: 'onclick', pattern: POPUP_PATH },
      },
      comments: {
        row: 'div.diaryCommentbox dl.commentList01',
        author: { selector: 'dt span.commentTitleName a' },
        authorLink: { selector: 'dt span.commentTitleName a', attr: 'href' },
        date: { selector: 'dt span.commentTitleDate' },
        body: { selector: 'dd', html: true },
      },
      selfLinks: [
        { selector: 'form[action*="add_comment.pl"]', attr: 'action' },
        { selector: 'div.diaryEditMenu a[href*="view_diary.pl"]', attr: 'href' },
      ],
    },
    voiceList: {
      row: 'div.archiveList tr td.comment',
      memberId: { selector: 'div:nth-of-type(1)' },
      postTime: { selector: 'div:nth-of-type(2)' },
      name: { selector: 'div:nth-of-type(3)' },
      body: { selector: 'div:nth-of-type(4)', html: true },
      replyTo: { selector: 'div:nth-of-type(4)', pattern: />>\s*(\S+)/ },
      permalink: 'view_echo.pl?id={member}&post_time={time}',
    },
  },
  {
    name: '2010',
    notes:
      'The markup after the February 2010 change, served as UTF-8: comments moved to ' +
      'div.commentListArea > ul > li > dl.comment with span.date, and the diary page links to its ' +
      'neighbours through neighbor_diary.pl (both verified against WWW::Mixi::Scraper). The list, ' +
      'voice and friends\' pages of this era are reconstructed (~): when a real saved page ' +
      'disagrees, edit these selectors.',
    diaryList: {
      row: 'div.diaryListArea li.diaryListItem',
      link: { selector: 'div.heading h3 a', attr: 'href' },
      title: { selector: 'div.heading h3 a' },
      date: { selector: 'div.heading span.date' },
      summary: { selector: 'div.summary p' },
      thumbnails: { selector: 'div.diaryPhoto a img', attr: 'src' },
      commentCount: { selector: 'ul.diaryMenu li.comment a', pattern: COUNT },
    },
    diaryPage: {
      title: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dt' },
      titleSuffix: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dt span' },
      date: { selector: 'div.viewDiaryBox div.listDiaryTitle dl dd' },
      body: { selector: 'div#diary_body', html: true },
      ownerName: { selector: 'title', pattern: /\[mixi\]\s*(.+?)の日記/ },
      photos: {
        cell: 'div.diaryPhoto td',
        thumbnail: { selector: 'a img', attr: 'src' },
        popup: { selector: 'a', attr: 'onclick', pattern: POPUP_PATH },
      },
      comments: {
        row: 'div.commentListArea > ul > li',
        author: { selector: 'dl.comment dt a' },
        authorLink: { selector: 'dl.comment dt a', attr: 'href' },
        date: { selector: 'dl.comment dt span.date' },
        body: { selector: 'dl.comment dd', html: true },
      },
      selfLinks: [
        { selector: 'div.diaryPaging01 div.diaryPagingLeft a', attr: 'href' },
        { selector: 'div.diaryPaging01 div.diaryPagingRight a', attr: 'href' },
      ],
    },
    voiceList: {
      row: 'ul.voiceList > li.voiceItem',
      memberId: { selector: 'p.time a', attr: 'href', param: 'owner_id' },
      postTime: { selector: 'p.time a', attr: 'href', param: 'post_time' },
      name: { selector: 'p.name a' },
      body: { selector: 'p.text', html: true },
      replyTo: { selector: 'p.text', pattern: />>\s*(\S+)/ },
      permalink: 'view_voice.pl?owner_id={member}&post_time={time}',
    },
  },
];

/** The pages Source::Mixi reads, relative to the base URL. `{owner}` is the member id. */
export const MIXI_PAGES = {
  login: 'login.pl',
  diaryList: 'list_diary.pl',
  friendDiaryList: 'new_friend_diary.pl',
  echoList: 'list_echo.pl',
  voiceList: 'list_voice.pl',
} as const;

/** A page holding this form is mixi's login page: the session is missing or expired. */
export const LOGIN_FORM_SELECTOR = 'form[action*="login.pl"]';
/** A redirect whose target matches this went to the login page. */
export const LOGIN_LOCATION = /\/login\.pl(?:[?#]|$)/;
