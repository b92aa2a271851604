/**
 * Encoders the tests need that iconv-lite lacks. ISO-2022-JP is EUC-JP with the high bit cleared
 * inside escape sequences (RFC 1468), so it is built from iconv-lite's EUC-JP bytes.
 */
import iconv from 'iconv-lite';

const ESC_JIS_X0208 = [0x1b, 0x24, 0x42]; // ESC $ B
const ESC_ASCII = [0x1b, 0x28, 0x42]; // ESC ( B
const ESC_HALFWIDTH_KATAKANA = [0x1b, 0x28, 0x49]; // ESC ( I

export function encodeIso2022Jp(text: string): Buffer {
  const euc = iconv.encode(text, 'euc-jp');
  const out: number[] = [];
  let mode: 'ascii' | 'jis' | 'kana' = 'ascii';
  const switchTo = (next: typeof mode, escape: number[]) => {
    if (mode !== next) out.push(...escape);
    mode = next;
  };
  for (let i = 0; i < euc.length; i++) {
    const b = euc[i]!;
    if (b < 0x80) {
      switchTo('ascii', ESC_ASCII);
      out.push(b);
    } else if (b === 0x8e) {
      switchTo('kana', ESC_HALFWIDTH_KATAKANA);
      out.push(euc[++i]! - 0x80);
    } else if (b === 0x8f) {
      throw new Error(`encodeIso2022Jp: ${JSON.stringify(text)} needs JIS X 0212, which ISO-2022-JP cannot carry`);
    } else {
      switchTo('jis', ESC_JIS_X0208);
      out.push(b - 0x80, euc[++i]! - 0x80);
    }
  }
  switchTo('ascii', ESC_ASCII);
  return Buffer.from(out);
}

/** Bytes in `encoding`, with ISO-2022-JP added to what iconv-lite knows. */
export function encodeText(text: string, encoding: string): Buffer {
  return encoding === 'iso-2022-jp' ? encodeIso2022Jp(text) : iconv.encode(text, encoding);
}
