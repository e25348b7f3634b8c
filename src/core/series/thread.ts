/**
 * Threads for reading: messages nested as they answer each other (the tree
 * view), a whole thread in reading order (the thread document), and the runs
 * of quoted lines in it (folded when the thread is shown).
 *
 * Threading is the grouping's own (SeriesIndex.parentOf), so what is shown is
 * what was counted. Threads are walked with explicit stacks: a 10,000-deep
 * thread costs no recursion.
 */
import type { SourcedMessage } from './model';

export interface ThreadNode {
  msg: SourcedMessage;
  /** The answers to this message, oldest first. */
  children: ThreadNode[];
}

function byDate(a: ThreadNode, b: ThreadNode): number {
  return a.msg.time - b.msg.time;
}

/** Every node of a forest, parents before children. */
function* walk(roots: readonly ThreadNode[]): Generator<ThreadNode> {
  const stack = [...roots].reverse();
  for (let n = stack.pop(); n; n = stack.pop()) {
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
}

/**
 * The messages nested by what they answer: a message whose parent is among
 * them goes under it, the others start threads. Siblings are in date order
 * (the input order between messages of the same time).
 */
export function nestMessages(messages: Iterable<SourcedMessage>, parentOf: ReadonlyMap<string, string>): ThreadNode[] {
  const nodes = new Map<string, ThreadNode>();
  for (const msg of messages) if (!nodes.has(msg.msgid)) nodes.set(msg.msgid, { msg, children: [] });
  const up = new Map<ThreadNode, ThreadNode>();
  const roots: ThreadNode[] = [];
  for (const node of nodes.values()) {
    const p = parentOf.get(node.msg.msgid);
    const parent = p === undefined || p === node.msg.msgid ? undefined : nodes.get(p);
    if (parent) {
      parent.children.push(node);
      up.set(node, parent);
    } else {
      roots.push(node);
    }
  }
  // parentOf has no loops, but a loop here would hide its messages: its first message starts a thread.
  const reached = new Set(walk(roots));
  for (const node of nodes.values()) {
    if (reached.has(node)) continue;
    const parent = up.get(node)!;
    parent.children.splice(parent.children.indexOf(node), 1);
    roots.push(node);
    for (const n of walk([node])) reached.add(n);
  }
  for (const node of nodes.values()) node.children.sort(byDate);
  return roots.sort(byDate);
}

/** Messages in a forest. */
export function countMessages(roots: readonly ThreadNode[]): number {
  let n = 0;
  for (const _ of walk(roots)) n++;
  return n;
}

export interface MailThread {
  root: ThreadNode;
  /** Messages in the thread, the root included. */
  count: number;
  /** Time of its newest message; 0 when none has a date. */
  last: number;
}

/** The messages as threads, the most recently active first. */
export function threadsOf(messages: Iterable<SourcedMessage>, parentOf: ReadonlyMap<string, string>): MailThread[] {
  return nestMessages(messages, parentOf)
    .map((root) => {
      let count = 0;
      let last = 0;
      for (const n of walk([root])) {
        count++;
        last = Math.max(last, n.msg.time);
      }
      return { root, count, last };
    })
    .sort((a, b) => b.last - a.last);
}

export interface ThreadGroup {
  /** "2023", "2023-06", or "undated". */
  key: string;
  threads: MailThread[];
  messages: number;
  /** Set when the group is itself too large and is split by month. */
  groups: ThreadGroup[] | null;
}

function groupBy(threads: readonly MailThread[], keyOf: (t: MailThread) => string): ThreadGroup[] {
  const groups = new Map<string, ThreadGroup>();
  for (const t of threads) {
    const key = keyOf(t);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, threads: [], messages: 0, groups: null }));
    g.threads.push(t);
    g.messages += t.count;
  }
  return [...groups.values()];
}

/**
 * Threads grouped so that no list is longer than `max`: by the year of their
 * newest message, a year with more than `max` by month. Null when `max` or
 * fewer threads are listed as they are. Keeps the threads' order (newest first).
 */
export function groupThreads(threads: readonly MailThread[], max = 100): ThreadGroup[] | null {
  if (threads.length <= max) return null;
  const iso = (t: MailThread) => (t.last > 0 ? new Date(t.last).toISOString() : '');
  const years = groupBy(threads, (t) => iso(t).slice(0, 4) || 'undated');
  for (const y of years) {
    if (y.key !== 'undated' && y.threads.length > max) y.groups = groupBy(y.threads, (t) => iso(t).slice(0, 7));
  }
  return years;
}

/** The first message of the thread `msgid` is in. */
export function threadRootOf(msgid: string, parentOf: ReadonlyMap<string, string>): string {
  const seen = new Set([msgid]);
  let id = msgid;
  for (let p = parentOf.get(id); p !== undefined && !seen.has(p); p = parentOf.get(id)) {
    seen.add(p);
    id = p;
  }
  return id;
}

/** The answers to each message, oldest first. */
export function answersOf(parentOf: ReadonlyMap<string, string>, byId: ReadonlyMap<string, SourcedMessage>): Map<string, SourcedMessage[]> {
  const answers = new Map<string, SourcedMessage[]>();
  for (const [id, parent] of parentOf) {
    const msg = byId.get(id);
    if (!msg || !byId.has(parent)) continue;
    const list = answers.get(parent);
    if (list) list.push(msg);
    else answers.set(parent, [msg]);
  }
  for (const list of answers.values()) list.sort((a, b) => a.time - b.time);
  return answers;
}

export interface ThreadEntry {
  msg: SourcedMessage;
  depth: number;
  /** Position in the entries of the message it answers; -1 for the root. */
  parent: number;
}

/** The thread from its root, in reading order: each answer right after the message it answers, oldest first (depth first, by date). */
export function readingOrder(root: SourcedMessage, answers: ReadonlyMap<string, readonly SourcedMessage[]>): ThreadEntry[] {
  const out: ThreadEntry[] = [];
  const seen = new Set<string>();
  const stack: { msg: SourcedMessage; depth: number; parent: number }[] = [{ msg: root, depth: 0, parent: -1 }];
  for (let e = stack.pop(); e; e = stack.pop()) {
    if (seen.has(e.msg.msgid)) continue;
    seen.add(e.msg.msgid);
    const at = out.push(e) - 1;
    const kids = answers.get(e.msg.msgid) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ msg: kids[i]!, depth: e.depth + 1, parent: at });
  }
  return out;
}

/** Lines as an editor splits them (a lone CR, or a Unicode line separator, starts a line too). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n|\u2028|\u2029/);
}

export interface LineRun {
  start: number;
  end: number;
}

const QUOTED = /^>/;

/**
 * Runs of quoted lines ("> …", at the start of the line as mail clients
 * write them) in lines[from, to): blank lines between quoted lines belong to
 * the run. 0-based, end inclusive.
 */
export function quoteRuns(lines: readonly string[], from = 0, to = lines.length): LineRun[] {
  const runs: LineRun[] = [];
  let run: LineRun | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (QUOTED.test(line)) {
      if (run) run.end = i;
      else run = { start: i, end: i };
    } else if (run && line.trim() !== '') {
      runs.push(run);
      run = null;
    }
  }
  if (run) runs.push(run);
  return runs;
}

export interface FoldRange extends LineRun {
  kind: 'quote' | 'message' | 'contents';
}

/**
 * Folds that hide quoted runs: each from the line before the run ("… wrote:",
 * or the blank line above it), which stays in view, to the run's last line,
 * so that folded, no quoted line shows. `first` is the earliest line a fold
 * may start on.
 */
export function quoteFolds(lines: readonly string[], from = 0, to = lines.length, first = 0): FoldRange[] {
  const folds: FoldRange[] = [];
  for (const r of quoteRuns(lines, from, to)) {
    const start = Math.max(first, r.start - 1);
    if (start < r.end) folds.push({ start, end: r.end, kind: 'quote' });
  }
  return folds;
}

export interface ThreadDocument {
  text: string;
  /** 0-based line of each message's first line (its separator). */
  lineOf: Map<string, number>;
  /** Sorted by start line, nested properly: contents, each message, the quotes in it. */
  folds: FoldRange[];
}

function who(m: SourcedMessage): string {
  return m.from.name || m.from.address || '(no sender)';
}

function shortDate(m: SourcedMessage): string {
  return m.date ? m.date.slice(0, 16).replace('T', ' ') : 'date unknown    ';
}

function bareSubject(s: string): string {
  return s.replace(/^\s*((re|aw|fwd?)\s*:\s*)+/i, '').trim();
}

/** Depths beyond this are written as a number instead of indentation. */
const MAX_INDENT = 12;

/**
 * The thread as one text: a heading, a table of contents (one line per
 * message, indented by depth), then each message with a separator and its
 * From, Date, Subject, Message-ID (and In-Reply-To) headers. Text only: the
 * mail is never interpreted.
 */
export function renderThread(entries: readonly ThreadEntry[]): ThreadDocument {
  const lines: string[] = [];
  const folds: FoldRange[] = [];
  const lineOf = new Map<string, number>();
  const n = entries.length;
  const width = String(n).length;
  const num = (i: number) => `${String(i + 1).padStart(width)}/${n}`;
  const root = entries[0]?.msg;
  const dated = entries.filter((e) => e.msg.date).map((e) => e.msg.date!.slice(0, 10)).sort();
  lines.push(`Thread: ${root ? root.subject : '(empty)'}`);
  lines.push(
    `${n} message${n === 1 ? '' : 's'}${dated.length ? `, ${dated[0]} to ${dated[dated.length - 1]}` : ''}, in reading order: each answer follows the message it answers, oldest first.`,
  );
  lines.push('Quoted text is folded: the fold marker left of a line opens it.');
  lines.push('');
  const contents = lines.push('Contents') - 1;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const parent = e.parent >= 0 ? entries[e.parent]!.msg : null;
    const indent = e.depth <= MAX_INDENT ? '  '.repeat(e.depth) : `${'  '.repeat(MAX_INDENT)}(${e.depth}) `;
    const subject = !parent || bareSubject(parent.subject) !== bareSubject(e.msg.subject) ? `: ${e.msg.subject}` : '';
    lines.push(`${String(i + 1).padStart(width + 2)}  ${shortDate(e.msg)}  ${indent}${who(e.msg)}${subject}`);
  }
  if (n > 0) folds.push({ start: contents, end: lines.length - 1, kind: 'contents' });
  for (let i = 0; i < n; i++) {
    const { msg, parent } = entries[i]!;
    lines.push('');
    const start = lines.push(`──── ${num(i)} · ${who(msg)} · ${shortDate(msg)} ${'─'.repeat(40)}`) - 1;
    lineOf.set(msg.msgid, start);
    lines.push(`From: ${msg.from.name ? `${msg.from.name} <${msg.from.address}>` : msg.from.address}`);
    lines.push(`Date: ${msg.date ?? '(unknown)'}`);
    lines.push(`Subject: ${msg.subject}`);
    lines.push(`Message-ID: <${msg.msgid}>${msg.syntheticId ? ' (none in the mail; named after its file)' : ''}`);
    if (parent >= 0) lines.push(`In-Reply-To: <${entries[parent]!.msg.msgid}> (${num(parent).trim()})`);
    else if (msg.inReplyTo) lines.push(`In-Reply-To: <${msg.inReplyTo}> (not among the loaded mail)`);
    lines.push('');
    const body = lines.length;
    const text = msg.body + msg.attachedPatches.map((p, k) => `\n--- attached patch ${k + 1} ---\n${p}`).join('');
    lines.push(...splitLines(text.replace(/\n+$/, '')));
    folds.push({ start, end: lines.length - 1, kind: 'message' });
    folds.push(...quoteFolds(lines, body, lines.length, body - 1));
  }
  return { text: `${lines.join('\n')}\n`, lineOf, folds };
}
