import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/pipeline/model.js';
import { retainWindow } from '../../src/plugins/publish/feed/retain.js';
import { parseDate } from '../../src/text/dates.js';

const source = { plugin: 'Source::Feed', feedId: 'f' };
const entry = (id: string, date: string, title = id) => makeEntry({ id, title, published: parseDate(date)!, source });
const now = Date.UTC(2008, 5, 1);

describe('the retained window of a published feed', () => {
  it('replaces an entry seen again by id, keeps the rest, newest first', () => {
    const retained = [entry('a', '2008-05-30T00:00:00Z', 'old title'), entry('b', '2008-05-29T00:00:00Z')];
    const window = retainWindow(retained, [entry('a', '2008-05-30T00:00:00Z', 'new title'), entry('c', '2008-05-31T00:00:00Z')], { keep: 10, now });
    expect(window.map((e) => [e.id, e.title])).toEqual([['c', 'c'], ['a', 'new title'], ['b', 'b']]);
  });

  it('keeps at most `keep` entries and none older than `keep_days`', () => {
    const incoming = [entry('d1', '2008-05-31T00:00:00Z'), entry('d2', '2008-05-25T00:00:00Z'), entry('d3', '2008-04-01T00:00:00Z')];
    expect(retainWindow([], incoming, { keep: 10, keepDays: 30, now }).map((e) => e.id)).toEqual(['d1', 'd2']);
    expect(retainWindow([], incoming, { keep: 1, now }).map((e) => e.id)).toEqual(['d1']);
  });

  it('lets an entry holding others as parts take their place where an earlier run published them alone', () => {
    const tweet = entry('tweet', '2008-05-31T00:20:00Z');
    const mirror = entry('mirror', '2008-05-31T00:25:00Z');
    const unrelated = entry('other', '2008-05-29T00:00:00Z');
    const post = entry('post', '2008-05-31T00:15:00Z');
    const merged = { ...post, parts: [post, { ...tweet, parts: [tweet, mirror] }] };
    const window = retainWindow([tweet, mirror, unrelated], [merged], { keep: 10, now });
    expect(window.map((e) => e.id)).toEqual(['post', 'other']);
  });

  it('never drops an entry of this run because another one of this run holds a copy of it', () => {
    const tweet = entry('tweet', '2008-05-31T00:20:00Z');
    const digest = { ...entry('digest', '2008-05-31T12:00:00Z'), parts: [tweet] };
    expect(retainWindow([], [digest, tweet], { keep: 10, now }).map((e) => e.id)).toEqual(['digest', 'tweet']);
  });
});
