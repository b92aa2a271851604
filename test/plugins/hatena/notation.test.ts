import { describe, expect, it } from 'vitest';
import { renderHatenaInline, renderHatenaNotation, splitDiaryDay } from '../../../src/plugins/source/hatena/notation.js';

const render = (source: string): string => renderHatenaNotation(source, { anchorPrefix: 'd' }).html;

describe('renderHatenaNotation: each construct', () => {
  const cases: Array<[string, string, string]> = [
    ['a text line is a paragraph', 'こんにちは', '<p>こんにちは</p>'],
    ['each line its own paragraph, as Hatena Diary did', '一行目\n二行目', '<p>一行目</p>\n<p>二行目</p>'],
    ['a second blank line in a row is a visible break', 'a\n\n\nb', '<p>a</p>\n<br />\n<p>b</p>'],
    ['** and *** are sub-headings', '**小見出し\n***小小見出し', '<h4>小見出し</h4>\n<h5>小小見出し</h5>'],
    ['- is an unordered list', '- 傘\n- 長靴', '<ul><li>傘</li><li>長靴</li></ul>'],
    ['+ is an ordered list', '+ 一\n+ 二', '<ol><li>一</li><li>二</li></ol>'],
    ['marks count the depth; a deeper + nests an ordered list', '- a\n-+ b\n-+ c\n- d', '<ul><li>a<ol><li>b</li><li>c</li></ol></li><li>d</li></ul>'],
    ['three levels, then back to the top', '-a\n--b\n---c\n-d', '<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>'],
    ['a list that starts deep still nests in an item', '--x', '<ul><li><ul><li>x</li></ul></li></ul>'],
    [':term:description is a definition list', ':はてな:会社の名前\n:日記:毎日書くもの', '<dl><dt>はてな</dt><dd>会社の名前</dd><dt>日記</dt><dd>毎日書くもの</dd></dl>'],
    ['|*h| cells are headers', '|*名前|*値|\n|a|1|', '<table><tr><th>名前</th><th>値</th></tr><tr><td>a</td><td>1</td></tr></table>'],
    ['>> … << is a quote', '>>\n引用\n<<', '<blockquote><p>引用</p></blockquote>'],
    [
      'quotes nest, and >URL:title=…> adds the cite',
      '>>\n外\n>http://example.org/q:title=出典>\n内\n<<\n<<',
      '<blockquote><p>外</p>\n<blockquote cite="http://example.org/q"><p>内</p>\n<cite><a href="http://example.org/q">出典</a></cite></blockquote></blockquote>',
    ],
    [
      '>URL> without a title shows the URL as the cite',
      '>https://example.org/a>\nx\n<<',
      '<blockquote cite="https://example.org/a"><p>x</p>\n<cite><a href="https://example.org/a">https://example.org/a</a></cite></blockquote>',
    ],
    ['>||…||< is verbatim and escaped', '>||\n<b>&amp; [[x]]\n||<', '<pre class="code">&lt;b&gt;&amp;amp; [[x]]</pre>'],
    ['>|lang| adds the language class', '>|perl|\nmy $x = "<a>";\n||<', '<pre class="code lang-perl">my $x = &quot;&lt;a&gt;&quot;;</pre>'],
    ['>|…|< keeps notation and markup', '>|\n<b>太字</b> id:taro\n|<', '<pre><b>太字</b> <a href="https://profile.hatena.ne.jp/taro/">id:taro</a></pre>'],
    ['>< … >< passes HTML through without paragraphs', '><div class="x">\n生の HTML\n</div><', '<div class="x">\n生の HTML\n</div>'],
    ['a quote does not end at a << inside super-pre', '>>\n>||\n<<\n||<\n<<', '<blockquote><pre class="code">&lt;&lt;</pre></blockquote>'],
    ['<!-- … --> hides private text, across lines', '見える<!-- 秘密\nまだ秘密 -->続き\n<!-- 全部秘密 -->', '<p>見える</p>\n<p>続き</p>'],
    ['an unclosed <!-- hides the rest, rather than publishing it', 'a\n<!-- 秘密\nb', '<p>a</p>'],
    ['<!-- inside super-pre is code', '>||\n<!-- x -->\n||<', '<pre class="code">&lt;!-- x --&gt;</pre>'],
    ['==== folds are not shown', 'a\n====\nb', '<p>a</p>\n<p>b</p>'],
  ];
  it.each(cases)('%s', (_name, source, html) => {
    expect(render(source)).toBe(html);
  });
});

describe('renderHatenaInline: links and embeds', () => {
  const cases: Array<[string, string, string]> = [
    ['[URL:title=text] links the text', '[http://example.com/a?b=1&c=2:title=リンク]', '<a href="http://example.com/a?b=1&amp;c=2">リンク</a>'],
    ['[URL:title] without text shows the URL', '[https://example.com/x:title]', '<a href="https://example.com/x">https://example.com/x</a>'],
    ['[URL] with a port is one URL', '[http://example.com:8080/a]', '<a href="http://example.com:8080/a">http://example.com:8080/a</a>'],
    ['[URL:image:w300] is an image', '[http://example.com/p.png:image:w300]', '<img src="http://example.com/p.png" alt="http://example.com/p.png" width="300" />'],
    ['a bare URL is linked', 'see http://example.com/x. ok', 'see <a href="http://example.com/x.">http://example.com/x.</a> ok'],
    [
      '[f:id:USER:STAMPj:image] is the fotolife image',
      '[f:id:taro:20080530123456j:image]',
      '<a href="https://f.hatena.ne.jp/taro/20080530123456" class="hatena-fotolife"><img src="https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20080530/20080530123456.jpg" alt="f:id:taro:20080530123456j:image" /></a>',
    ],
    [
      'bare f:id with p (PNG) and a size',
      'f:id:hanako:20100101000000p:image:h120',
      '<a href="https://f.hatena.ne.jp/hanako/20100101000000" class="hatena-fotolife"><img src="https://cdn-ak.f.st-hatena.com/images/fotolife/h/hanako/20100101/20100101000000.png" alt="f:id:hanako:20100101000000p:image" height="120" /></a>',
    ],
    ['f:id:USER without a photo links the album', 'f:id:taro', '<a href="https://f.hatena.ne.jp/taro/">f:id:taro</a>'],
    ['id:user links the profile', 'id:hanako さん', '<a href="https://profile.hatena.ne.jp/hanako/">id:hanako</a> さん'],
    ['[id:user] too', '[id:hanako]', '<a href="https://profile.hatena.ne.jp/hanako/">id:hanako</a>'],
    ['a mail address is not an id', 'mailid:foo', 'mailid:foo'],
    ['[[keyword]] links the keyword in UTF-8', '[[はてな]]', '<a class="keyword" href="https://d.hatena.ne.jp/keyword/%E3%81%AF%E3%81%A6%E3%81%AA">はてな</a>'],
    ['[]…[] stops notation', '[]id:taro http://x.example/[]', 'id:taro http://x.example/'],
    ['asin: links the book', '[asin:4774123455:detail]', '<a href="https://www.amazon.co.jp/dp/4774123455">asin:4774123455:detail</a>'],
    ['[tex:…] is kept as text', '[tex:x^2 < y]', '<span class="tex">x^2 &lt; y</span>'],
    ['raw HTML passes; stray < and & are escaped', '<b>太字</b> a < b & c &amp; d', '<b>太字</b> a &lt; b &amp; c &amp; d'],
    ['nothing is linked inside an <a>', '<a href="http://x.example/">http://y.example/ id:taro</a>', '<a href="http://x.example/">http://y.example/ id:taro</a>'],
    [')((…))( is a literal ((…))', ')((not a note))(', '((not a note))'],
  ];
  it.each(cases)('%s', (_name, source, html) => {
    expect(renderHatenaInline(source)).toBe(html);
  });
});

describe('footnotes', () => {
  it('numbers ((notes)) in order and lists them after the entry', () => {
    const { html } = renderHatenaNotation('傘((コンビニ))と長靴((<b>ゴム</b>))', { anchorPrefix: '20080530-p1' });
    expect(html).toBe(
      '<p>傘<span class="footnote"><a href="#f-20080530-p1-1" title="コンビニ" id="fn-20080530-p1-1">*1</a></span>' +
        'と長靴<span class="footnote"><a href="#f-20080530-p1-2" title="ゴム" id="fn-20080530-p1-2">*2</a></span></p>\n' +
        '<div class="footnote"><p class="footnote"><a href="#fn-20080530-p1-1" id="f-20080530-p1-1">*1</a>: コンビニ</p>' +
        '<p class="footnote"><a href="#fn-20080530-p1-2" id="f-20080530-p1-2">*2</a>: <b>ゴム</b></p></div>',
    );
  });

  it('a note may hold a link', () => {
    const { html } = renderHatenaNotation('本文((出典は[http://example.org/:title=ここ]))');
    expect(html).toContain('title="出典はここ"');
    expect(html).toContain('<p class="footnote"><a href="#fn-1" id="f-1">*1</a>: 出典は<a href="http://example.org/">ここ</a></p>');
  });
});

describe('unclosed blocks', () => {
  it('an unclosed super-pre runs to the end and says where it opened', () => {
    const result = renderHatenaNotation('前\n>||\ncode\n*ptr');
    expect(result.html).toBe('<p>前</p>\n<pre class="code">code\n*ptr</pre>');
    expect(result.warnings).toEqual([{ line: 2, message: '>|| is never closed by ||<; the rest is shown as code' }]);
  });

  it('an unclosed quote still shows its text', () => {
    const result = renderHatenaNotation('>>\n引用');
    expect(result.html).toBe('<blockquote><p>引用</p></blockquote>');
    expect(result.warnings[0]).toMatchObject({ line: 1 });
  });
});

describe('splitDiaryDay', () => {
  it('splits on *EPOCH*, *pN*, *name* and plain * headings, with categories', () => {
    const day = splitDiaryDay('\n*1212150896*[日記][雨]梅雨入り\n雨。\n\n*p2*二つ目\nb\n*summer*[技術]名前付き\nc\n*無印\nd\n');
    expect(day.sections.map((s) => [s.anchor, s.titleSource, s.categories, s.body, s.line])).toEqual([
      [{ kind: 'timestamp', epochSeconds: 1212150896, value: '1212150896' }, '梅雨入り', ['日記', '雨'], '雨。', 2],
      [{ kind: 'position', value: 'p2' }, '二つ目', [], 'b', 5],
      [{ kind: 'name', value: 'summer' }, '名前付き', ['技術'], 'c', 7],
      [{ kind: 'position', value: 'p4' }, '無印', [], 'd', 9],
    ]);
    expect(day.warnings).toEqual([]);
  });

  it('never splits inside >||…||< or >|…|<: a line *ptr there is code', () => {
    const day = splitDiaryDay('*1212150896*C\n>|c|\n*ptr = 1;\n||<\n>|\n*/5 * * * * cron\n|<\n後\n*1212156000*次');
    expect(day.sections).toHaveLength(2);
    expect(day.sections[0]!.body).toBe('>|c|\n*ptr = 1;\n||<\n>|\n*/5 * * * * cron\n|<\n後');
    expect(day.sections[1]!.titleSource).toBe('次');
  });

  it('** and *** are sub-headings inside an entry, not new entries', () => {
    const day = splitDiaryDay('*1212150896*見出し\n**小見出し\n***更に小さく\n本文');
    expect(day.sections).toHaveLength(1);
    expect(renderHatenaNotation(day.sections[0]!.body).html).toBe('<h4>小見出し</h4>\n<h5>更に小さく</h5>\n<p>本文</p>');
  });

  it('text before any heading is an untitled section of the day', () => {
    const day = splitDiaryDay('今日は休み。\n');
    expect(day.sections).toEqual([
      { anchor: undefined, titleSource: '', categories: [], body: '今日は休み。', line: 1, bodyLine: 1, headed: false },
    ]);
  });

  it('an unclosed super-pre swallows the later headings, with a warning at its line', () => {
    const day = splitDiaryDay('*1212150896*a\n>||\n*1212156000*b');
    expect(day.sections).toHaveLength(1);
    expect(day.warnings).toEqual([{ line: 2, message: '>|| is never closed by ||<; every later line of the day is taken as part of it' }]);
  });
});
