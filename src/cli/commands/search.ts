/** `execmem-lens search QUERY SOURCE... [--json]`: lore-style search over mail. */
import { oneLine } from '../../core/mail/display';
import { searchEntries } from '../../core/search/docs';
import { SearchPlan } from '../../core/search/plan';
import { parseQuery } from '../../core/search/query';
import { readBodies } from '../../node/index/bodies';
import { readGrouped, takeIndexOption } from '../readMail';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens search QUERY SOURCE... [--json] [--index DIR]

Finds messages in mail with lore's query language:
  s:WORDS  subject        f:WHO   From (name or address)
  t:WHO    To             c:WHO   Cc (with --index, addresses only)
  b:WORDS  body           m:ID    Message-ID
  d:DATE   a day or a range: d:2023-06-01..2023-07-01, d:2.weeks.ago..
  dfn:FILE a file a patch touches (a path or its last components)
  dfhh:FN  a function named in a patch's hunk headers
  "a phrase", word* for a prefix, AND, OR, NOT, ( ); neighbours are ANDed.
  A prefix it does not know is text: 'mm: execmem' searches those words.
SOURCE is an mbox, a public-inbox repository or a folder of patches. Hits
are printed newest first.

  --index DIR  use (and bring up to date) the index of each source kept in
               DIR (see execmem-lens index); without it, mail is read in full
  --json       {"total": N, "hits": [{msgid, subject, from, date, role, series}]}`;


async function run(argv: string[], io: CliIo): Promise<number> {
  const opt = takeIndexOption(argv);
  if (opt.error) {
    io.stderr(`execmem-lens search: ${opt.error}\n${USAGE}\n`);
    return 2;
  }
  const args = opt.args;
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
  const index = await readGrouped('search', paths, io, opt.indexDir);
  if (index === 1) return 1;
  const entries = searchEntries(index);
  const byId = new Map(entries.map((e) => [e.doc.msgid, e.message]));
  // Posting lists narrow the search; bodies are read again from the mail only for the messages the other fields could not decide.
  const { hits: found } = await new SearchPlan(entries).run(parsed.value, (docs) => readBodies(docs.map((d) => byId.get(d.msgid)!)));
  const hits = found.sort((a, b) => (b.doc.time ?? -Infinity) - (a.doc.time ?? -Infinity) || (a.doc.msgid < b.doc.msgid ? -1 : 1));
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

export const searchCommand: Subcommand = { usage: USAGE, run };
