import { describe, expect, it } from 'vitest';
import { NearDuplicateIndex } from '../../src/plugins/smartfeed/merge/near-duplicates.js';

const TEXT = '梅雨入りした京都を一日歩いた。鴨川の水が増えていて、傘を持つ手が冷たかった。';

function allPairs(index: NearDuplicateIndex, threshold: number): string[] {
  return [...index.pairs(threshold, () => true)].map(([a, b]) => `${a}-${b}`);
}

describe('NearDuplicateIndex', () => {
  it('yields each pair once though copies share every band, and leaves a full bucket out', () => {
    const index = new NearDuplicateIndex();
    // 64 is the bucket limit: the copies after it are boilerplate, not candidates.
    for (let id = 0; id < 70; id++) index.add(id, TEXT, 10);
    const pairs = allPairs(index, 0.8);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toHaveLength((64 * 63) / 2);
    expect(pairs.some((pair) => pair.endsWith('-64'))).toBe(false);
  });

  it('folds case, width, punctuation and URLs before comparing', () => {
    const index = new NearDuplicateIndex();
    index.add(1, `Kyoto 日記 ${TEXT}`, 10);
    index.add(2, `ＫＹＯＴＯ 日記 ${TEXT.replace(/。/g, '！')} HTTPS://Example.com/a`, 10);
    index.add(3, `kyoto日記${TEXT.replace(/[、。]/g, '')} http://t.co/x`, 10);
    expect(allPairs(index, 1)).toEqual(['1-2', '1-3', '2-3']);
  });

  it('does not take unrelated texts for copies', () => {
    const index = new NearDuplicateIndex();
    index.add(1, TEXT, 10);
    index.add(2, '今日は朝から会議が続いて、昼食を食べる時間もなかった。夜は映画を見に行く。', 10);
    expect(allPairs(index, 0.3)).toEqual([]);
  });
});
