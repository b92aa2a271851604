import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ArrayElement } from '../../src/plugins/source/twitter/js-array.js';
import { readAssignedArray } from '../../src/plugins/source/twitter/js-array.js';

/** The file as a stream of chunks of `size` bytes (1: every byte its own chunk). */
function streamOf(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: true });
}

async function read(bytes: Buffer, size: number): Promise<{ values: unknown[]; problems: string[] }> {
  const values: unknown[] = [];
  const problems: string[] = [];
  try {
    const batches = readAssignedArray(streamOf(bytes, size), {
      file: 'tweets.js',
      onSkipped: (error) => problems.push(error.message),
      reopen: async () => streamOf(bytes, 7),
    });
    for await (const batch of batches) values.push(...batch.map((element: ArrayElement) => element.value));
  } catch (error) {
    problems.push((error as Error).message);
  }
  return { values, problems };
}

// Strings that hold brackets, escaped quotes and backslashes, and characters of 2 to 4 bytes.
const ELEMENTS = [
  { text: '今日は {雨} [でした] "quoted" \\', emoji: '🎉', nested: [1, { a: '}' }] },
  { text: 'ends in a backslash \\', e: 'é' },
  { list: [[], {}], empty: '' },
];
const FILE = `\uFEFFwindow.YTD.tweets.part0 = [\n${ELEMENTS.map((element) => JSON.stringify(element)).join(',\n')} ];\n`;

describe('readAssignedArray', () => {
  it('cuts the same elements whatever the chunks, even one byte each', async () => {
    for (const size of [1, 2, 3, 5, 64, 1 << 20]) {
      expect(await read(Buffer.from(FILE), size)).toEqual({ values: ELEMENTS, problems: [] });
    }
  });

  it('places a syntax error by line and column in characters, a broken UTF-8 byte counting as one', async () => {
    const broken = Buffer.from(FILE.replace('"emoji":', '"emoji"'));
    // Bytes that are no UTF-8 in front of the error, on the same line.
    broken[broken.indexOf('今')] = 0xff;
    const lines = broken.toString('utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('"emoji"')) + 1;
    const column = lines[line - 1]!.indexOf('"🎉"') + 1;
    for (const size of [1, 1 << 20]) {
      const { values, problems } = await read(broken, size);
      expect(values).toEqual(ELEMENTS.slice(1));
      expect(problems).toEqual([`tweets.js:${line}:${column}: item 1 skipped, JSON syntax error: expected ':'`]);
    }
  });

  it('reads objects nested at the elements\' own indentation, and places an error after them', async () => {
    // The separator learnt from the first two elements (`\n},\n{`) also stands inside the third.
    const nested = ['{"a": 1\n}', '{"b": 2\n}', '{"c": [\n{"d": 1\n},\n{"e": 2}\n]\n}', '{"f": 3\n}'];
    const file = `x = [\n${nested.join(',\n')}]`;
    const values = nested.map((text) => JSON.parse(text) as unknown);
    for (const size of [3, 1 << 20]) expect(await read(Buffer.from(file), size)).toEqual({ values, problems: [] });
    const broken = file.replace('"f": 3', '"f" 3');
    expect(await read(Buffer.from(broken), 1 << 20)).toEqual({
      values: values.slice(0, 3),
      problems: [`tweets.js:12:6: item 4 skipped, JSON syntax error: expected ':'`],
    });
  });

  it('says where text follows the array, and where a cut-off file ends', async () => {
    const trailing = await read(Buffer.from(`x = [ {"a": 1} ]; y`), 4);
    expect(trailing).toEqual({ values: [{ a: 1 }], problems: ['tweets.js:1:17: unexpected text after the array (1 items read before it)'] });
    const cut = await read(Buffer.from(`x = [ {"a": 1}, {"b": "日本;\n  `), 3);
    expect(cut).toEqual({
      values: [{ a: 1 }],
      problems: ['tweets.js:1:26: the file ends in the middle of an item: was it cut short? (1 items read before it)'],
    });
  });
});
