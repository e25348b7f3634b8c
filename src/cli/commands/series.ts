/** `execmem-lens series PATH... [--json]`: the series found in mail. */
import { accountFor } from '../../core/series/accounting';
import { seriesJson } from '../../core/series/json';
import type { SeriesIndex } from '../../core/series/model';
import { readGrouped, takeIndexOption } from '../readMail';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens series PATH... [--json] [--index DIR]

Reads mail and prints the patch series in it: every version, its patches,
missing numbers, replies and trailers. PATH is an mbox file, a public-inbox
repository (a bare git epoch or a folder of epochs) or a folder of
.patch/.eml/.mbox files; several are merged.

Every message read is accounted for in exactly one bucket:
  messages = covers + patches + replies + other mail + duplicates + unreadable
(a duplicate is a Message-ID read again; the copy that counts is the first).

  --json       print JSON (messages, series, replies, others, duplicates,
               errors) instead of a summary
  --index DIR  use (and bring up to date) the index of each source kept in
               DIR (see execmem-lens index): only new mail is read`;

/** Mail text without terminal control characters (escape sequences in a subject must not reach the terminal). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '�');
}

function summary(index: SeriesIndex): string {
  const lines: string[] = [];
  for (const fam of index.families) {
    lines.push(`${fam.title}`);
    for (const v of fam.versions) {
      const tag = `${v.rfc ? 'RFC ' : ''}${v.resend ? 'RESEND ' : ''}v${v.version}${v.versionInferred ? '?' : ''}`;
      const count = `${v.patches.length}/${v.total}${v.extras.length ? `+${v.extras.length}` : ''}`;
      const notes = [
        v.cover ? 'cover' : 'no cover',
        v.missing.length ? `missing ${v.missing.join(',')}` : '',
        v.superseded ? 'superseded' : '',
        v.resendOf ? 'resent' : '',
        ...v.findings,
        ...v.extras.map((p) => `extra ${p.index}: ${p.findings.join('; ')}`),
        v.threaded ? '' : 'not threaded',
        `${v.replyCount} replies`,
      ].filter(Boolean);
      const reviewed = v.patches.reduce((n, p) => n + p.trailers.filter((t) => t.from === 'followup' && /^(Reviewed|Acked)-by$/.test(t.name)).length, 0);
      if (reviewed) notes.push(`${reviewed} Reviewed/Acked`);
      lines.push(`  ${tag.padEnd(12)} ${count.padEnd(6)} ${(v.date ?? '?').slice(0, 10)}  ${v.author.name || v.author.address}  (${notes.join(', ')})`);
    }
  }
  const a = accountFor(index);
  lines.push('');
  lines.push(`${a.messages} messages: ${a.covers} covers, ${a.patches} patches, ${a.replies} replies, ${a.others} other mail, ${a.duplicates} duplicates, ${a.errors} unreadable`);
  lines.push(`${index.series.length} series versions in ${index.families.length} families`);
  for (const e of index.errors.slice(0, 20)) lines.push(`  unreadable: ${e.origin}: ${e.message}`);
  if (index.errors.length > 20) lines.push(`  … and ${index.errors.length - 20} more (see --json)`);
  const differing = index.duplicates.filter((d) => !d.identical);
  for (const d of differing.slice(0, 20)) lines.push(`  duplicate, content differs: <${d.msgid}> ${d.origin} (first read: ${d.firstOrigin})`);
  if (differing.length > 20) lines.push(`  … and ${differing.length - 20} more duplicates whose content differs`);
  if (a.unaccounted !== 0 || a.doubleCounted.length > 0) lines.push(`  BUG: ${a.unaccounted} message(s) unaccounted for, ${a.doubleCounted.length} counted twice`);
  return `${printable(lines.join('\n'))}\n`;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const opt = takeIndexOption(argv);
  if (opt.error) {
    io.stderr(`execmem-lens series: ${opt.error}\n${USAGE}\n`);
    return 2;
  }
  const args = opt.args;
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json');
  if (unknown.length) {
    io.stderr(`execmem-lens series: unknown option '${unknown[0]}'\n${USAGE}\n`);
    return 2;
  }
  const paths = args.filter((a) => !a.startsWith('-'));
  if (paths.length === 0) {
    io.stderr(`execmem-lens series: no PATH given\n${USAGE}\n`);
    return 2;
  }
  const index = await readGrouped('series', paths, io, opt.indexDir);
  if (index === 1) return 1;
  io.stdout(json ? `${JSON.stringify(seriesJson(index), null, 2)}\n` : summary(index));
  return 0;
}

export const seriesCommand: Subcommand = { usage: USAGE, run };
