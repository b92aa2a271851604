/**
 * `kakehashi text …`: the text tools on the command line, for looking at one title, one date or
 * one downloaded file without writing a recipe.
 *
 *   kakehashi text repair < broken.txt          mojibake repaired, stdin to stdout
 *   kakehashi text date "Fri, 30 May 2008 21:34:56 JST" --zone Asia/Tokyo
 *   kakehashi text decode feed.xml --content-type "text/xml; charset=ISO-8859-1"
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { When } from '../pipeline/model.js';
import { decode } from '../text/charset.js';
import { DEFAULT_ZONE, formatDate, parseDate } from '../text/dates.js';
import { repairMojibakeDetailed } from '../text/mojibake.js';
import { isValidZone } from '../text/zones.js';

export interface TextCommandIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Buffer>;
}

const processIo: TextCommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};

const USAGE = { exitCode: 2, code: 'kakehashi.usage' };

export function textCommand(io: TextCommandIo = processIo): Command {
  const text = new Command('text').description('Text tools: repair mojibake, read a date, decode a file the way a fetch would');

  text
    .command('repair')
    .description('Read text on stdin (any charset), write it with mojibake repaired to stdout')
    .option('--html', 'the text is HTML: undo double escapes one level only')
    .option('-v, --verbose', 'say on stderr what was repaired')
    .action(async (options: { html?: boolean; verbose?: boolean }) => {
      const input = decode(await io.readStdin(), { kind: 'text' }).text;
      const result = repairMojibakeDetailed(input, { html: options.html ?? false });
      io.out(result.text);
      if (options.verbose) io.err(result.repairs.length ? `repaired: ${result.repairs.join(', ')}\n` : 'nothing to repair\n');
    });

  text
    .command('date')
    .description('Parse a date as every plugin does, and show the instant, the kind and the precision')
    .argument('<text>', 'the date as written, e.g. "Fri, 30 May 2008 21:34:56 JST" or "2008年5月30日 21:34"')
    .option('--zone <zone>', 'zone for naive times and for display', DEFAULT_ZONE)
    .action(function (this: Command, input: string, options: { zone: string }) {
      if (!isValidZone(options.zone)) this.error(`unknown time zone "${options.zone}" (use an IANA name such as Asia/Tokyo, or UTC)`, USAGE);
      const when = parseDate(input, { defaultZone: options.zone });
      if (!when) this.error(`not a date kakehashi can read: "${input}"`, USAGE);
      io.out(describeWhen(input, when, options.zone));
    });

  text
    .command('decode')
    .description('Decode a file as a fetch would (BOM, HTTP charset, declarations, Japanese detection); text to stdout, the decision to stderr')
    .argument('<file>', 'the bytes, as downloaded')
    .option('--content-type <value>', 'the Content-Type header it was served with')
    .addOption(new Option('--kind <kind>', 'which in-document declaration to honour').choices(['xml', 'html', 'text']))
    .action(async function (this: Command, file: string, options: { contentType?: string; kind?: 'xml' | 'html' | 'text' }) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        this.error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`, USAGE);
      }
      const result = decode(bytes, { contentType: options.contentType, kind: options.kind });
      io.out(result.text);
      io.err(`${file}: ${result.encoding}, decided by ${result.decidedBy}\n`);
      for (const override of result.overrides) io.err(`  ${override}\n`);
    });

  return text;
}

function describeWhen(input: string, when: When, zone: string): string {
  const offset = when.offsetMinutes;
  const kind =
    when.kind === 'zoned'
      ? `zoned (the input says ${offset === undefined ? 'UTC' : formatOffset(offset)})`
      : when.kind === 'assumed'
        ? `assumed (naive time, read in ${when.zone})`
        : `date (a ${when.precision}, read in ${when.zone})`;
  const lines = [
    ['input', input],
    ['UTC', formatDate(when, 'UTC', 'atom').replace(/\+00:00$/, 'Z')],
    [zone, `${formatDate(when, zone, 'atom')}  (${formatDate(when, zone, 'rss')})`],
    ['display', formatDate(when, zone, 'display')],
    ['kind', kind],
    ['precision', when.precision],
  ];
  if (when.inferred?.length) lines.push(['inferred', when.inferred.join(', ')]);
  const width = Math.max(...lines.map(([label]) => label!.length)) + 1;
  return lines.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}${value}\n`).join('');
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
