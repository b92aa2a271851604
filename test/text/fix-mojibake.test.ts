import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import fixMojibake from '../../src/plugins/filter/fix-mojibake.js';
import { loadRegistry } from '../../src/plugins/registry.js';
import { entryOf, feedOf } from '../rules/make.js';
import { makeTestContext } from '../helpers/context.js';
import type { Entry } from '../../src/pipeline/model.js';

const utf8ReadAsShiftJis = (text: string) => new TextDecoder('shift_jis').decode(Buffer.from(text));
const shiftJisReadAsWindows1252 = (text: string) => iconv.decode(iconv.encode(text, 'cp932'), 'windows-1252');

async function run(entry: Entry, config: Record<string, unknown> = {}): Promise<Entry | null> {
  const { ctx, close } = await makeTestContext(fixMojibake.config.parse(config));
  try {
    return await fixMojibake.entry!(entry, feedOf('f', [entry]), ctx);
  } finally {
    await close();
  }
}

describe('Filter::FixMojibake', () => {
  const broken = entryOf({
    id: 'e1',
    title: utf8ReadAsShiftJis('天丼が美味しい'),
    summary: `<p>${shiftJisReadAsWindows1252('東京は雨です')}</p>`,
    content: '<p>&amp;lt;b&amp;gt; と書くと &amp;#12354; になる</p>',
    author: utf8ReadAsShiftJis('東京タワー'),
  });

  it('repairs the title by default and says what it undid', async () => {
    const fixed = (await run(broken))!;
    expect(fixed.title).toBe('天丼が美味しい');
    expect(fixed.summary).toBe(broken.summary);
    expect(fixed.author).toBe(broken.author);
    expect(fixed.meta.fixMojibake).toEqual({ repaired: { title: ['UTF-8 read as Shift_JIS'] } });
  });

  it('repairs summary, content and author when asked, HTML one escape level at a time', async () => {
    const fixed = (await run(broken, { summary: true, content: true, author: true }))!;
    expect(fixed.summary).toBe('<p>東京は雨です</p>');
    expect(fixed.content).toBe('<p>&lt;b&gt; と書くと &#12354; になる</p>');
    expect(fixed.author).toBe('東京タワー');
    expect(fixed.meta.fixMojibake).toEqual({
      repaired: {
        title: ['UTF-8 read as Shift_JIS'],
        summary: ['Shift_JIS read as windows-1252'],
        content: ['double-escaped entities'],
        author: ['UTF-8 read as Shift_JIS'],
      },
    });
  });

  it('returns a clean entry as it was, without meta', async () => {
    const clean = entryOf({ id: 'e2', title: 'ﾃｨｰｼｬﾂ ｾｰﾙ中！ Café “quoted” 〜～', meta: { other: 1 } });
    expect(await run(clean, { summary: true, content: true, author: true })).toBe(clean);
  });

  it('rejects unknown options, naming them', () => {
    expect(() => fixMojibake.config.parse({ titel: true })).toThrow(/titel/);
  });

  it('is in the registry under its name and aliases', async () => {
    const registry = await loadRegistry();
    expect(registry.resolve('Filter::FixMojibake')).toBe(registry.resolve('Filter::Mojibake'));
    expect(registry.resolve('Filter::FixMojibake')?.name).toBe('Filter::FixMojibake');
  });
});
