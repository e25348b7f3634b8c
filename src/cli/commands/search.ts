/** `execmem-lens search QUERY SOURCE... [--json]`: lore-style search over mail. */
import { oneLine } from '../../core/mail/display';
import { searchEntries } from '../../core/search/docs';
import { matches, parseQuery } from '../../core/search/query';
import { readGrouped } from '../readMail';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens search QUERY SOURCE... [--json]

Finds messages in mail with lore's query language:
  s:WORDS  subject        f:WHO   From (name or address)
  b:WORDS  body           m:ID    Message-ID
  d:DATE   a day or a range: d:2023-06-01..2023-07-01, d:2.weeks.ago..
  dfn:FILE a file a patch touches (a path or its last components)
  dfhh:FN  a function named in a patch's hunk headers
  "a phrase", word* for a prefix, AND, OR, NOT, ( ); neighbours are ANDed.
  (t: and c: are refused for now: the reader does not keep To/Cc.)
  A prefix it does not know is text: 'mm: execmem' searches those words.
SOURCE is an mbox, a public-inbox repository or a folder of patches, read
in full each time (there is no index yet). Hits are printed newest first.

  --json   {"total": N, "hits": [{msgid, subject, from, date, role, series}]}`;


async function run(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json');
  if (unknown.length) {
    io.stderr(`execmem-lens search: unknown option '${unknown[0]}'\n${USAGE}\n`);
    return 2;
  }
  const [query, ...paths] = args.filter((a) => a !== '--json');
  if (query === undefined || paths.length === 0) {
    io.stderr(`execmem-lens search: ${query === undefined ? 'no QUERY' : 'no SOURCE'} given\n${USAGE}\n`);
    return 2;
  }
  const parsed = parseQuery(query);
  if (!parsed.ok) {
    io.stderr(`execmem-lens search: ${parsed.error}\n`);
    return 2;
  }
  const index = await readGrouped('search', paths, io);
  if (index === 1) return 1;
  const hits = searchEntries(index)
    .filter((e) => matches(e.doc, parsed.value))
    .sort((a, b) => (b.doc.time ?? -Infinity) - (a.doc.time ?? -Infinity) || (a.doc.msgid < b.doc.msgid ? -1 : 1));
  if (json) {
    const out = {
      total: hits.length,
      hits: hits.map((h) => ({
        msgid: h.doc.msgid,
        subject: h.doc.subject,
        from: h.doc.from.name ? `${h.doc.from.name} <${h.doc.from.address}>` : h.doc.from.address,
        date: h.doc.time === null ? null : new Date(h.doc.time).toISOString(),
        role: h.role,
        series: h.series ? { title: h.series.title, version: h.series.version } : null,
      })),
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  // Each field from mail on one line of its own making: a newline in a subject must not forge a hit.
  const lines = hits.map((h) => `${h.doc.time === null ? '????-??-??' : new Date(h.doc.time).toISOString().slice(0, 10)}  ${h.role.padEnd(5)}  ${oneLine(h.doc.subject)}  (${oneLine(h.doc.from.name || h.doc.from.address)})`);
  lines.push(`${hits.length} hit${hits.length === 1 ? '' : 's'}`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

export const searchCommand: Subcommand = { summary: "find messages in mail with lore's query language", usage: USAGE, run };
