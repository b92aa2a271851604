import { SaxesParser } from 'saxes';

/** Throws with line and column when `xml` is not well-formed XML 1.0. */
export function assertWellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.write(xml).close();
  if (failure) throw failure;
}
