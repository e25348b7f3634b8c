import { parsePerson } from '../../core/mail/trailers';
import { composeReply, type DraftComment, isTrailerKind, originalOf, TRAILER_KINDS, type TrailerKind } from '../../core/review/reply';
import type { SeriesIndex } from '../../core/series/model';
import { gitIdentity } from '../../node/review/identity';
import { newMessageId, replyMail } from '../../node/review/mail';
import { readGrouped, takeIndexOption } from '../readMail';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens reply MSGID SOURCE... [--comment FILE:LINE:TEXT]... [--trailer KIND] [--from "Name <addr>"] [--index DIR]

Prints the reply a reviewer would send to the message MSGID (a patch or a
cover letter) read from the mail sources, as the bytes of a mail (RFC 5322):
To its author, Cc everyone it went to but you, one "Re:", threaded under
it; the original quoted only where you comment (the file's header, the
hunk's header and a few lines before the line), each comment under its
line, and the trailer at the end. Give it to a mail client or to
git send-email.

  --comment FILE:LINE:TEXT  a comment on line LINE of the new side of FILE (a
                            file of the patch); FILE:START-END:TEXT for lines
                            START to END; FILE:-LINE:TEXT for a line of the
                            old side (a removed line); :TEXT for the message
                            as a whole. Repeat for more comments.
  --trailer KIND            ${TRAILER_KINDS.join(', ')} (with your identity)
  --from "Name <addr>"      who you are; default git config sendemail.from,
                            else user.name and user.email
  --index DIR               read the sources through their index in DIR`;

/** "mm/a.c:42:text", "mm/a.c:10-12:text", "mm/a.c:-13:text", ":text". */
export function parseCommentArg(arg: string): DraftComment | string {
  if (arg.startsWith(':')) return { path: '', side: 'new', line: 0, text: arg.slice(1) };
  const m = /^(.+?):(-)?(\d+)(?:-(\d+))?:([\s\S]*)$/.exec(arg);
  if (!m) return `--comment '${arg}': not FILE:LINE:TEXT`;
  const [, path, old, a, b, text] = m;
  const line = Number(b ?? a);
  const start = b !== undefined ? Number(a) : undefined;
  if (line < 1 || (start !== undefined && start > line)) return `--comment '${arg}': no such line`;
  if (!text!.trim()) return `--comment '${arg}': the comment says nothing`;
  return { path: path!, side: old ? 'old' : 'new', line, ...(start !== undefined ? { startLine: start } : {}), text: text! };
}

/** Where MSGID is in the model: the patch (its files), the cover, or other mail. */
function placeOf(index: SeriesIndex, msgid: string): { cover: boolean } {
  for (const v of index.series) if (v.cover?.msgid === msgid) return { cover: true };
  return { cover: false };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const fail = (message: string, code = 2) => {
    io.stderr(`execmem-lens reply: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
    return code;
  };
  const opt = takeIndexOption(argv);
  if (opt.error) return fail(opt.error);
  const rest: string[] = [];
  const comments: { arg: string; comment: DraftComment }[] = [];
  let trailer: TrailerKind | undefined;
  let fromArg: string | undefined;
  for (let i = 0; i < opt.args.length; i++) {
    const a = opt.args[i]!;
    const value = () => {
      const v = opt.args[++i];
      if (v === undefined) throw new Error(`'${a}' needs a value`);
      return v;
    };
    try {
      if (a === '--comment') {
        const v = value();
        const c = parseCommentArg(v);
        if (typeof c === 'string') return fail(c);
        comments.push({ arg: v, comment: c });
      } else if (a === '--trailer') {
        const v = value();
        if (!isTrailerKind(v)) return fail(`--trailer '${v}': one of ${TRAILER_KINDS.join(', ')}`);
        trailer = v;
      } else if (a === '--from') fromArg = value();
      else if (a.startsWith('--')) return fail(`unknown option '${a}'`);
      else rest.push(a);
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  const [rawId, ...sources] = rest;
  if (!rawId) return fail('no MSGID given');
  if (sources.length === 0) return fail('no SOURCE given');
  const msgid = rawId.replace(/^<|>$/g, '');
  let me;
  if (fromArg !== undefined) {
    const p = parsePerson(fromArg);
    if (!p) return fail(`--from '${fromArg}': not "Name <address>"`);
    me = p;
  } else {
    const id = await gitIdentity();
    if (!id.ok) return fail(`no sender: ${id.error}`);
    me = id.value;
  }
  const index = await readGrouped('reply', sources, io, opt.indexDir);
  if (index === 1) return 1;
  const original = index.byId.get(msgid);
  if (!original) return fail(`no message <${msgid}> in ${sources.join(', ')}`, 1);
  if (original.syntheticId) return fail(`<${msgid}> has no Message-ID of its own (it was read from a file): a reply to it would not thread`, 1);
  const now = new Date();
  const composed = composeReply(
    originalOf(original),
    { me, comments: comments.map((c) => c.comment), ...(trailer ? { trailer } : {}), cover: placeOf(index, msgid).cover, messageId: newMessageId(me, now), date: now },
  );
  if (!composed.ok) {
    // Name the argument the error is about.
    const which = comments.find((c) => c.comment.path && composed.error.startsWith(`${c.comment.path}:`));
    return fail(which ? `--comment '${which.arg}': ${composed.error}` : composed.error, 1);
  }
  try {
    io.stdout(replyMail(composed.value).toString('utf8'));
  } catch (e) {
    return fail((e as Error).message, 1);
  }
  return 0;
}

export const replyCommand: Subcommand = { usage: USAGE, run };
