/**
 * Generators of bad and odd mail for the fuzz properties: random bytes, byte
 * soup made of the pieces mail parsers trip on, and whole mboxes of generated
 * series (covers, patches, replies; [PATCH n/m] in its many spellings;
 * References with loops, dangling and repeated ids; duplicate Message-IDs;
 * MIME, charsets, CRLF, mboxrd escaping).
 */
import fc from 'fast-check';
import { patchBody } from '../../support/mail';

const enc = new TextEncoder();

/** Lines and pieces of lines mail parsers trip on. */
export const FRAGMENTS: readonly string[] = [
  'From mboxrd@z Thu Jan  1 00:00:00 1970\n',
  'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n',
  'From x\n',
  'From \n',
  '>From here\n',
  '>>From there\n',
  'From: A <a@x.org>\n',
  'Subject: [PATCH v2 1/3] mm: x\n',
  'Subject: Re: [PATCH 0/3] mm: x\n',
  'Subject: =?utf-8?q?caf=C3=A9?= =?iso-8859-1?b?6Q==?=\n',
  'Message-ID: <a@x>\n',
  'Message-ID: <b@x>\n',
  'Message-ID:\n',
  'In-Reply-To: <a@x>\n',
  'References: <a@x> <b@x> <a@x>\n',
  'References:\n <a@x>\n\t<c@x>\n',
  'Date: Mon, 1 Jan 2024 00:00:00 +0000\n',
  'Date: Sat, 31 Feb 99999 25:61:61 +9999\n',
  'Content-Type: text/plain; charset=iso-8859-1\n',
  'Content-Type: text/plain; charset="x-unknown"\n',
  'Content-Type: multipart/mixed; boundary="b"\n',
  'Content-Type: multipart/alternative; boundary=b\n',
  'Content-Type: message/rfc822\n',
  'Content-Type: text/x-patch; name="0001.patch"\n',
  'Content-Disposition: attachment; filename="x.diff"\n',
  'Content-Transfer-Encoding: base64\n',
  'Content-Transfer-Encoding: quoted-printable\n',
  'Content-Transfer-Encoding: x-uuencode\n',
  '--b\n',
  '--b--\n',
  'bWFpbCBib2R5\n',
  '=E9=\n',
  '=\n',
  '=XY\n',
  ' folded continuation\n',
  '\n',
  '\r\n',
  '\r',
  '\n\n',
  '---\n',
  '-- \n',
  'diff --git a/x.c b/x.c\n',
  '--- a/x.c\n',
  '+++ b/x.c\n',
  '@@ -1,2 +1,2 @@\n',
  '@@ -1 +1 @@\n',
  '-old\n',
  '+new\n',
  ' context\n',
  'GIT binary patch\n',
  'Reviewed-by: R <r@x.org>\n',
  'Acked-by: "Last, First" <lf@x.org>\n',
  'Signed-off-by: me\n',
  'Fixes: 123456789abc ("x")\n',
  '> Reviewed-by: Q <q@x.org>\n',
  'base-commit: 0123456789abcdef\n',
  'change-id: 20240101-x-1a2b\n',
  '[PATCH 99999999999/1]',
  '[PATCH -1/3]',
  '[PATCH 1 of 2]',
  '<mailto:',
  '<',
  '>',
  '@',
  '\u0000',
  '\u00e9',
  '\u2028',
];

/** Bytes that are not UTF-8, or start a sequence that never ends. */
const BAD_BYTES = [[0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80]];

/** Byte soup: fragments, raw bad bytes and random bytes in any order. */
export const soup: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...FRAGMENTS).map((s) => enc.encode(s)) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES).map((b) => Uint8Array.from(b)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
    ),
    { maxLength: 60 },
  )
  .map(concat);

export const randomBytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 4096 });

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A small pool of Message-IDs, so that references hit, miss, loop and repeat. */
export const MSGIDS = ['a@x', 'b@x', 'c@x', 'd@x', 'e@x', 'f@x', 'g@x', 'h@x'] as const;

const oddId = fc.constantFrom('dangling@x', 'gone@y', '', ' ', 'a@x b@x', '__proto__', 'constructor', 'x>y', '<<a@x>>');
export const idRef: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...MSGIDS) },
  { weight: 1, arbitrary: oddId },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const bigNumber = fc.constantFrom<number | string>(-1, 9, 10, 9999, 10000, 99999999999, '99999999999999999999999', 2 ** 53 + 1, '9'.repeat(400));
const counterNumber = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: bigNumber });

/** Subjects as kernel mail writes them, and as broken mail does. */
export const subject: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .record({
        reply: fc.constantFrom('', '', '', 'Re: ', 'RE: ', 'Re: Re: ', 'Aw: ', 'Fwd: ', 'R: ', 'Re[2]: '),
        tag: fc.constantFrom('PATCH', 'PATCH', 'PATCH', 'RFC PATCH', 'PATCH RESEND', 'PATCHv2', 'Patch', 'PATCH net-next', 'RFC', ''),
        version: fc.constantFrom('', '', '', ' v2', ' v3', ' V1.1', ' v0', ' v99999999999999', ' v1000'),
        counter: fc.option(fc.tuple(counterNumber, fc.oneof({ weight: 8, arbitrary: counterNumber }, { weight: 1, arbitrary: fc.constantFrom('n', 'N', 'x', '9'.repeat(400)) }), fc.constantFrom('/', ' / ', ' of ')), { nil: undefined }),
        after: fc.constantFrom('', '', ' fix', ' v2'),
        brackets: fc.constantFrom('one', 'one', 'split', 'bare'),
        title: fc.constantFrom('mm: execmem', 'x86: rox cache', 'mm: execmem.', 'MM: EXECMEM', 'arm64: module', '', '  spaced   title  '),
      })
      .map(({ reply, tag, version, counter, after, brackets, title }) => {
        const n = counter ? ` ${counter[0]}${counter[2]}${counter[1]}` : '';
        if (brackets === 'split') return `${reply}[RFC][${tag}${version}${n}${after}] ${title}`;
        if (brackets === 'bare') return `${reply}${tag}${version}${n}: ${title}`;
        return `${reply}[${tag}${version}${n}${after}] ${title}`;
      }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('=?utf-8?q?=5BPATCH_1/2=5D_caf=C3=A9?=', '=?utf-8?b?W1BBVENIIDAvMl0gbW0=?=', '=?bogus?x?y?=', '=?utf-8?q?', '') },
);

const author = fc.constantFrom(
  'Mike Rapoport <rppt@kernel.org>',
  'Mike Rapoport <rppt@kernel.org>',
  'Song Liu <song@kernel.org>',
  'rppt@kernel.org',
  '"Last, First" <lf@x.org>',
  '=?utf-8?q?J=C3=B6rg?= <j@x.org>',
  'undisclosed-recipients:;',
  '',
  '<>',
);

const date = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2023, 0, 3) }).map((t) => new Date(t).toUTCString()) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()) },
  { weight: 1, arbitrary: fc.constantFrom('not a date', '', 'Sat, 31 Feb 99999 25:61:61 +9999', 'Thu, 01 Jan 1970 00:00:00 +0000', '0') },
);

const file = fc.constantFrom('mm/execmem.c', 'arch/x86/kernel/module.c', 'kernel/kprobes.c');

/** Bodies: patches (whole, cut short, with odd trailers), cover letters, replies with trailers, junk. */
export const body: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(file, fc.constantFrom('new', 'other')).map(([f, change]) => patchBody(f, { change })) },
  { weight: 1, arbitrary: fc.tuple(file, fc.nat()).map(([f, cut]) => { const b = patchBody(f); return b.slice(0, cut % b.length); }) },
  { weight: 2, arbitrary: fc.constantFrom('Cover letter.\n\nbase-commit: 0123456789abcdef\nchange-id: 20240101-x-1a2b\n', 'Cover letter.\n') },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.constantFrom('> quoted\n', '> Reviewed-by: Q <q@x.org>\n', 'Reviewed-by: R <r@x.org>\n', 'Acked-by: R\n', 'Tested-by: <t@x.org>\n', 'Reviewed-by: Long Name\n<long@x.org>\n', '[for the x86 bits]\n', 'Link: https://lore.kernel.org/x\n', 'Cc: stable@vger.kernel.org\n', '-- \n', 'Signed-off-by: R <r@x.org>\n', '+Signed-off-by: Q <q@x.org>\n', 'text\n'), { maxLength: 8 })
      .map((lines) => lines.join('')),
  },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 20 }).map((f) => f.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

/** How the body is put in the message: as is, transfer-encoded, in a charset, or in a multipart. */
const mime = fc.constantFrom('plain', 'plain', 'plain', 'latin1', 'unknown-charset', 'base64', 'qp', 'multipart-attached', 'multipart-html', 'multipart-broken', 'nested');

export interface GenMessage {
  id: string | undefined;
  subject: string;
  from: string;
  date: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  body: string;
  mime: string;
  extraHeaders: string[];
}

export const genMessage: fc.Arbitrary<GenMessage> = fc.record({
  id: fc.option(idRef, { nil: undefined, freq: 8 }),
  subject,
  from: author,
  date: fc.option(date, { nil: undefined, freq: 10 }),
  inReplyTo: fc.option(idRef, { nil: undefined }),
  references: fc.array(idRef, { maxLength: 6 }),
  body,
  mime,
  extraHeaders: fc.array(fc.constantFrom('X-Mailer: git-send-email 2.43.0', 'MIME-Version: 1.0', 'Subject: a second subject', 'Message-ID: <second@x>', ' continuation of nothing', 'Bad Header Line', 'Content-Type: text/plain; charset=utf-8'), { maxLength: 2 }),
});

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
}

function quotedPrintable(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** One message as text: headers, then the body wrapped as `mime` says. */
export function messageText(m: GenMessage): string {
  const h: string[] = [];
  if (m.from) h.push(`From: ${m.from}`);
  h.push(`Subject: ${m.subject}`);
  if (m.date !== undefined) h.push(`Date: ${m.date}`);
  if (m.id !== undefined) h.push(`Message-ID: <${m.id}>`);
  if (m.inReplyTo !== undefined) h.push(`In-Reply-To: <${m.inReplyTo}>`);
  if (m.references.length) h.push(`References: ${m.references.map((r) => `<${r}>`).join('\n ')}`);
  h.push(...m.extraHeaders);
  let body = m.body;
  switch (m.mime) {
    case 'latin1':
      h.push('Content-Type: text/plain; charset=iso-8859-1');
      break;
    case 'unknown-charset':
      h.push('Content-Type: text/plain; charset="x-no-such-charset"');
      break;
    case 'base64':
      h.push('Content-Transfer-Encoding: base64');
      body = base64(body);
      break;
    case 'qp':
      h.push('Content-Transfer-Encoding: quoted-printable');
      body = quotedPrintable(body);
      break;
    case 'multipart-attached':
      h.push('MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="==b=="');
      body = `--==b==\nContent-Type: text/plain\n\nSee the attachment.\n--==b==\nContent-Type: text/x-patch; name="0001-x.patch"\nContent-Disposition: attachment; filename="0001-x.patch"\n\n${body}\n--==b==--\n`;
      break;
    case 'multipart-html':
      h.push('Content-Type: multipart/alternative; boundary=alt');
      body = `--alt\nContent-Type: text/html\n\n<p>${body}</p>\n--alt--\n`;
      break;
    case 'multipart-broken':
      h.push('Content-Type: multipart/mixed; boundary=never');
      body = `--other\nContent-Type: text/plain\n\n${body}`;
      break;
    case 'nested':
      h.push('Content-Type: multipart/mixed; boundary=o');
      body = `--o\nContent-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: message/rfc822\n\nSubject: inner\n\n${body}\n--i--\n--o--\n`;
      break;
  }
  return `${h.join('\n')}\n\n${body}`;
}

export interface GenMbox {
  messages: GenMessage[];
  separator: string;
  /** mboxrd-escape body lines starting "From " (else mboxo: a body "From " line may split a message). */
  escape: boolean;
  crlf: boolean;
  /** Text before the first "From " line. */
  preamble: string;
  /** Bytes cut off the end (a file copied while being written). */
  cut: number;
}

export const genMbox: fc.Arbitrary<GenMbox> = fc.record({
  messages: fc.array(genMessage, { maxLength: 12 }),
  separator: fc.constantFrom('From mboxrd@z Thu Jan  1 00:00:00 1970', 'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001', 'From a@b  Mon Jan 1 00:00:00 2024 '),
  escape: fc.boolean(),
  crlf: fc.boolean(),
  preamble: fc.constantFrom('', '', 'junk before the first message\n', '\n'),
  cut: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }) }),
});

export function mboxText(g: GenMbox): string {
  const body = g.messages
    .map((m) => {
      const text = messageText(m);
      return `${g.separator}\n${g.escape ? text.replace(/^(>*From )/gm, '>$1') : text}\n`;
    })
    .join('');
  let text = g.preamble + body;
  if (g.crlf) text = text.replace(/\r?\n/g, '\r\n');
  return g.cut > 0 ? text.slice(0, Math.max(0, text.length - g.cut)) : text;
}

export function mboxBytes(g: GenMbox): Uint8Array {
  return enc.encode(mboxText(g));
}
