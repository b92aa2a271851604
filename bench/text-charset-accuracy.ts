/**
 * How often decode() gives back the right text when declarations lie, are missing or conflict:
 * `npx tsx bench/text-charset-accuracy.ts`. Cases are generated: texts from the test material
 * (titles, sentences, paragraphs, whole feeds; half-width katakana; NEC/IBM characters), encoded
 * with iconv-lite in every encoding a Japanese feed comes in, served under each declaration
 * scenario. A case counts as right only if the decoded text equals the original exactly.
 */
import iconv from 'iconv-lite';
import { decode } from '../src/text/charset.js';
import { composeCorpus } from '../test/text/corpus/generate.js';
import { HALFWIDTH_LINES, JAPANESE_SENTENCES, JAPANESE_TITLES } from '../test/text/corpus/material.js';
import { encodeText } from '../test/text/encoders.js';

type Encoding = 'shift_jis' | 'euc-jp' | 'iso-2022-jp' | 'utf-8' | 'utf-16le' | 'utf-16be';
const ENCODINGS: Encoding[] = ['shift_jis', 'euc-jp', 'iso-2022-jp', 'utf-8', 'utf-16le', 'utf-16be'];
const LABEL: Record<Encoding, string> = {
  shift_jis: 'Shift_JIS',
  'euc-jp': 'EUC-JP',
  'iso-2022-jp': 'ISO-2022-JP',
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16',
  'utf-16be': 'UTF-16',
};
const OTHER_JAPANESE: Record<Encoding, string> = {
  shift_jis: 'EUC-JP',
  'euc-jp': 'Shift_JIS',
  'iso-2022-jp': 'Shift_JIS',
  'utf-8': 'Shift_JIS',
  'utf-16le': 'UTF-8',
  'utf-16be': 'UTF-8',
};

interface Scenario {
  name: string;
  /** Declarations that lie, are missing or conflict (the figure the issue targets). */
  hostile: boolean;
  contentType(encoding: Encoding): string;
  /** The XML declaration written into the document, if any. */
  declaration(encoding: Encoding): string | undefined;
  bom?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'HTTP charset right', hostile: false, contentType: (e) => `application/xml; charset=${LABEL[e]}`, declaration: () => undefined },
  { name: 'XML declaration right, no HTTP charset', hostile: false, contentType: () => 'text/xml', declaration: (e) => LABEL[e] },
  { name: 'BOM (UTF only)', hostile: false, contentType: () => 'application/xml', declaration: () => undefined, bom: true },
  { name: 'nothing declared', hostile: true, contentType: () => 'application/octet-stream', declaration: () => undefined },
  { name: 'HTTP ISO-8859-1 lie', hostile: true, contentType: () => 'text/xml; charset=ISO-8859-1', declaration: () => undefined },
  { name: 'HTTP UTF-8 lie', hostile: true, contentType: () => 'text/xml; charset=UTF-8', declaration: () => undefined },
  { name: 'HTTP names the other encoding', hostile: true, contentType: (e) => `text/xml; charset=${OTHER_JAPANESE[e]}`, declaration: () => undefined },
  { name: 'XML declaration lie, no HTTP charset', hostile: true, contentType: () => 'text/xml', declaration: (e) => OTHER_JAPANESE[e] },
  { name: 'HTTP lie, XML declaration right', hostile: true, contentType: () => 'text/xml; charset=ISO-8859-1', declaration: (e) => LABEL[e] },
  { name: 'HTTP right, XML declaration lie', hostile: true, contentType: (e) => `text/xml; charset=${LABEL[e]}`, declaration: (e) => OTHER_JAPANESE[e] },
];

const corpusLines = composeCorpus(400, 77).filter((line) => /[\u3040-\u30ff\u4e00-\u9fff\uff61-\uff9f]/.test(line));
const paragraphs = Array.from({ length: 40 }, (_, i) => JAPANESE_SENTENCES.slice(i, i + 5).join(''));
const LENGTHS: Array<[string, string[]]> = [
  ['title (1–15 chars)', [...JAPANESE_TITLES, ...HALFWIDTH_LINES.slice(0, 8)]],
  ['sentence', [...JAPANESE_SENTENCES, ...corpusLines.slice(0, 60)]],
  ['paragraph', paragraphs],
  ['feed (10 items)', Array.from({ length: 12 }, (_, i) => corpusLines.slice(i * 10, i * 10 + 10).join('\n'))],
];

function xmlDocument(text: string, declaration: string | undefined): string {
  const items = text
    .split('\n')
    .map((line) => `<item><title>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</title></item>`)
    .join('\n');
  return `<?xml version="1.0"${declaration ? ` encoding="${declaration}"` : ''}?>\n<rss version="2.0"><channel>\n${items}\n</channel></rss>\n`;
}

function encodeExactly(text: string, encoding: Encoding): Buffer | undefined {
  try {
    const bytes = encodeText(text, encoding);
    const back = encoding === 'iso-2022-jp' ? new TextDecoder('iso-2022-jp').decode(bytes) : iconv.decode(bytes, encoding);
    return back === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

interface Tally {
  right: number;
  total: number;
}
const tally = () => ({ right: 0, total: 0 });
const byScenario = new Map<string, Tally>();
const byEncoding = new Map<string, Tally>();
const byLength = new Map<string, Tally>();
const hostile = tally();
const all = tally();
const wrongExamples: string[] = [];

for (const [lengthName, texts] of LENGTHS) {
  for (const text of texts) {
    for (const encoding of ENCODINGS) {
      for (const scenario of SCENARIOS) {
        const utf16 = encoding.startsWith('utf-16');
        if (scenario.bom && !encoding.startsWith('utf')) continue;
        const declaration = scenario.declaration(encoding);
        const document = xmlDocument(text, declaration);
        const body = encodeExactly(document, encoding);
        if (!body) continue;
        const bom = scenario.bom ? Buffer.from(encoding === 'utf-8' ? [0xef, 0xbb, 0xbf] : encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]) : Buffer.alloc(0);
        // An ISO-8859-1 or UTF-8 header over UTF-16 is not a lie anybody tells; skip the nonsense combinations.
        if (utf16 && /ISO-8859-1|UTF-8 lie/.test(scenario.name)) continue;
        const result = decode(Buffer.concat([bom, body]), { contentType: scenario.contentType(encoding), kind: 'xml' });
        const right = result.text === document;
        for (const t of [
          byScenario.get(scenario.name) ?? byScenario.set(scenario.name, tally()).get(scenario.name)!,
          byEncoding.get(encoding) ?? byEncoding.set(encoding, tally()).get(encoding)!,
          byLength.get(lengthName) ?? byLength.set(lengthName, tally()).get(lengthName)!,
          all,
          ...(scenario.hostile && !utf16 ? [hostile] : []),
        ]) {
          t.total++;
          if (right) t.right++;
        }
        if (!right && (wrongExamples.length < 12 || process.env.ALL_WRONG)) {
          wrongExamples.push(`${encoding} / ${scenario.name} / ${lengthName}: got ${result.encoding} (${result.decidedBy}) for ${JSON.stringify(text.slice(0, 30))}`);
        }
      }
    }
  }
}

const percent = (t: Tally) => `${((100 * t.right) / t.total).toFixed(1).padStart(5)}%  (${t.right}/${t.total})`;
console.log('decode() accuracy on generated cases (right = decoded text identical to the original)\n');
console.log(`Japanese feeds with lying, missing or conflicting declarations: ${percent(hostile)}`);
console.log(`all cases:                                                      ${percent(all)}\n`);
for (const [title, map] of [['by scenario', byScenario], ['by encoding', byEncoding], ['by length', byLength]] as const) {
  console.log(title);
  for (const [name, t] of map) console.log(`  ${name.padEnd(42)} ${percent(t)}`);
}
if (wrongExamples.length) console.log(`\nwrong, first ${wrongExamples.length}:\n  ${wrongExamples.join('\n  ')}`);
