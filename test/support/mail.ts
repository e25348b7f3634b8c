/** Small mail written by the team for tests: one message or an mboxrd of several. */
export interface MailSpec {
  id?: string;
  subject: string;
  from?: string;
  date?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: string[];
  body?: string;
}

let clock = Date.UTC(2024, 3, 22, 8, 0, 0);

/** Dates one minute apart, in the order messages are written. */
export function nextDate(): string {
  clock += 60_000;
  return new Date(clock).toUTCString().replace('GMT', '+0000');
}

export function message(m: MailSpec): string {
  const lines = [
    `From: ${m.from ?? 'Mike Rapoport <rppt@kernel.org>'}`,
    `Subject: ${m.subject}`,
    `Date: ${m.date ?? nextDate()}`,
  ];
  if (m.id) lines.push(`Message-ID: <${m.id}>`);
  if (m.inReplyTo) lines.push(`In-Reply-To: <${m.inReplyTo}>`);
  if (m.references?.length) lines.push(`References: ${m.references.map((r) => `<${r}>`).join(' ')}`);
  lines.push(...(m.headers ?? []));
  return `${lines.join('\n')}\n\n${m.body ?? 'body\n'}`;
}

export function mbox(...messages: MailSpec[]): Uint8Array {
  const text = messages
    .map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${message(m).replace(/^(>*From )/gm, '>$1')}\n`)
    .join('');
  return new TextEncoder().encode(text);
}

/** A patch body: commit message, trailers, "---", diffstat line and a one-hunk diff of `file`. */
export function patchBody(file: string, opts: { trailers?: string[]; change?: string; message?: string } = {}): string {
  const change = opts.change ?? 'new';
  return [
    opts.message ?? `Change ${file}.`,
    '',
    ...(opts.trailers ?? ['Signed-off-by: Mike Rapoport (IBM) <rppt@kernel.org>']),
    '---',
    ` ${file} | 2 +-`,
    ' 1 file changed, 1 insertion(+), 1 deletion(-)',
    '',
    `diff --git a/${file} b/${file}`,
    'index 1111111..2222222 100644',
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -1,3 +1,3 @@',
    ' context one',
    '-old line',
    `+${change} line`,
    ' context two',
    '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

export interface SeriesSpec {
  prefix: string;
  title: string;
  total: number;
  /** Message-ID stem; patch n gets `${stem}-${n}@example.org`. */
  stem: string;
  cover?: boolean;
  /** How patches thread: to the cover (shallow), each to the previous (deep), or not at all. */
  threading?: 'shallow' | 'deep' | 'none';
  /** Patch numbers to leave out. */
  skip?: number[];
  from?: string;
  change?: string;
  coverInReplyTo?: string;
  coverBody?: string;
}

export function seriesMail(s: SeriesSpec): MailSpec[] {
  const width = String(s.total).length;
  const num = (n: number) => String(n).padStart(width, '0');
  const id = (n: number) => `${s.stem}-${n}@example.org`;
  const out: MailSpec[] = [];
  const cover = s.cover ?? true;
  if (cover) {
    out.push({
      id: id(0),
      subject: `[${s.prefix} ${num(0)}/${s.total}] ${s.title}`,
      from: s.from,
      inReplyTo: s.coverInReplyTo,
      references: s.coverInReplyTo ? [s.coverInReplyTo] : undefined,
      body: s.coverBody ?? `Cover letter of ${s.title}.\n`,
    });
  }
  for (let n = 1; n <= s.total; n++) {
    if (s.skip?.includes(n)) continue;
    const threading = s.threading ?? 'shallow';
    let parent: string | undefined;
    if (threading === 'shallow') parent = cover ? id(0) : n > 1 ? id(1) : undefined;
    if (threading === 'deep') parent = n > 1 ? id(n - 1) : cover ? id(0) : undefined;
    out.push({
      id: id(n),
      subject: `[${s.prefix} ${num(n)}/${s.total}] part ${n} of ${s.title}`,
      from: s.from,
      inReplyTo: parent,
      references: parent ? [parent] : undefined,
      body: patchBody(`arch/x86/kernel/file${n}.c`, { change: s.change }),
    });
  }
  return out;
}

import { splitMbox } from '../../src/core/mail/mbox';
import { parseMessage } from '../../src/core/mail/message';
import { groupSeries } from '../../src/core/series/group';
import type { SeriesIndex, SourcedMessage } from '../../src/core/series/model';

/** Decodes test mail the way a source reader does and groups it. */
export async function indexOf(specs: MailSpec[], sourceId = 'test.mbox'): Promise<SeriesIndex> {
  const messages: SourcedMessage[] = [];
  const seen = new Set<string>();
  const entries = splitMbox(mbox(...specs));
  for (let i = 0; i < entries.length; i++) {
    const r = await parseMessage(entries[i]!.bytes, `${sourceId}#${i + 1}`);
    if (!r.ok) throw new Error(r.error);
    if (seen.has(r.value.msgid)) continue;
    seen.add(r.value.msgid);
    messages.push({ ...r.value, origin: `${sourceId}, message ${i + 1}`, sourceId });
  }
  return groupSeries(messages);
}
