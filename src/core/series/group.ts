/**
 * From messages to series, in named steps as b4 and patchwork do it:
 *   classify   each message is a cover letter (n/m counter 0), a patch (a
 *              diff in it, or an n/m counter), or neither; a "Re:" is never
 *              a patch (patchwork's rule), whatever it carries
 *   threads    parent of each message (In-Reply-To, else the nearest known
 *              References entry), tolerant of parents that never arrived;
 *              reference loops are cut, and every later step reads the
 *              parent links through memos, so a 10,000-deep thread costs
 *              linear time
 *   sendings   patches gathered under their cover, or under the first patch
 *              they thread to; a patch whose number its sending already has
 *              starts another sending (patchwork's rule: a second [PATCH 1/2]
 *              under the first [PATCH 2/2] is a new revision, not a copy to
 *              hide); fragments of one sending that went out as separate
 *              threads are joined again
 *   versions   one SeriesVersion per sending: patches by number, missing
 *              numbers, and numbers outside 1..total kept as extras with a
 *              finding
 *   families   versions linked by change-id, by threading (v2 sent in reply
 *              to v1) and by title and author
 *   repeats    within a family, a later sending of the same version by the
 *              same author is: a copy when its patches are the same (the less
 *              complete copy is superseded; an equally good one is a resend),
 *              else the next version, marked inferred (b4's "assuming new
 *              revision")
 *   follow-ups the rest of the mail: a message answering a series message
 *              (through any number of replies) is a reply of that patch or
 *              cover, with the trailers it gives; everything else is "other"
 *
 * Every message ends in exactly one bucket; series/accounting.ts counts them.
 *
 * Where this differs from patchwork's parser and b4, and why:
 *   - patchwork drops a second mail with a Message-ID it has; here it is kept
 *     and listed as a duplicate (a reader must see that it exists, and
 *     whether it differs from the first).
 *   - patchwork keeps an [PATCH n/m] without a diff out of its patches; here
 *     it stays the patch of its number with the finding "carries no diff", so
 *     the series does not show a hole where the sender put a patch.
 *   - b4 assumes a new revision whenever a number comes twice in a thread;
 *     here only for the same author's sending of the same series (same total
 *     or title), because a reviewer's "[PATCH] fix" in the thread is their own
 *     patch, not the author's v2. An identical second copy is not a revision:
 *     it is superseded by the more complete copy, or marked a resend.
 *   - neither joins a sending that went out as several threads; here the
 *     fragments are joined (the corpus's broken v5), then superseded by a
 *     whole resend.
 */
import type { Mailbox } from '../mail/message';
import { MAX_SERIES_TOTAL, normalizeTitle, parseSubject, type SubjectInfo } from '../mail/subject';
import { followupTrailers, patchTrailers, senderMismatch, seriesMarkers, type Trailer } from '../mail/trailers';
import { type DiffStat, diffStart, diffStat, parseDiffFiles, type PatchFile } from '../patch/patch';
import { diffOf, isSpace, JS_HASHES, type MessageFacts } from './facts';
import type {
  DuplicateMessage,
  GivenTrailer,
  PatchEntry,
  ReadError,
  SeriesFamily,
  SeriesIndex,
  SeriesVersion,
  SourcedMessage,
} from './model';

/** Fragments of one sending are joined when they went out within this long of each other. */
const FRAGMENT_WINDOW_MS = 2 * 60 * 60 * 1000;
/**
 * How many series messages of other versions a patch looks past on its way
 * up to the sending it belongs to. Real threads need a few; the bound keeps a
 * hostile thread from costing quadratic time.
 */
const MAX_SHAPE_HOPS = 64;

type Kind = 'cover' | 'patch' | 'none';

interface Node {
  msg: SourcedMessage;
  subject: SubjectInfo;
  kind: Kind;
  /** Position in the input, for stable order between messages of the same time. */
  order: number;
  parent: Node | null;
  /** Nearest ancestor that is a cover or a patch (memo, filled in thread order). */
  seriesUp: Node | null;
  /** The node a patch's sending is gathered under (memo). */
  anchor: Node | null;
  /** Where the diff in the body starts, -1 for none (memo: classifying finds it, the patch entry reuses it). */
  diffAt: number | undefined;
}

interface Sending {
  anchor: Node;
  nodes: Node[];
  author: string;
  version: number;
  total: number;
  resend: boolean;
  first: number;
  last: number;
  synthetic: boolean;
  /** Split off another sending of the same thread because its numbers were taken there. */
  repeatOf: Sending | null;
}

function diffAtOf(node: Node): number {
  return (node.diffAt ??= diffStart(node.msg.body));
}

/** A diff in the body or attached (from the message's facts when it has them: its body is not at hand). */
function carriesDiff(node: Node): boolean {
  const facts = node.msg.facts;
  if (facts) return facts.hasDiff;
  return node.msg.attachedPatches.length > 0 || diffAtOf(node) >= 0;
}

function classify(node: Node): Kind {
  const s = node.subject;
  if (s.isReply) return 'none';
  if (s.isPatch && s.index === 0 && (s.total ?? 0) > 0) return 'cover';
  if (carriesDiff(node)) return 'patch';
  if (s.isPatch && s.index !== undefined) return 'patch';
  return 'none';
}

function byTime(a: Node, b: Node): number {
  return a.msg.time - b.msg.time || a.order - b.order;
}

/** Nodes with parent links, reference loops cut, in an order where every parent comes before its children. */
function buildThreads(messages: Iterable<SourcedMessage>): { nodes: Map<string, Node>; ordered: Node[] } {
  const nodes = new Map<string, Node>();
  let order = 0;
  for (const msg of messages) {
    const node: Node = { msg, subject: parseSubject(msg.subject), kind: 'none', order: order++, parent: null, seriesUp: null, anchor: null, diffAt: undefined };
    node.kind = classify(node);
    nodes.set(msg.msgid, node);
  }
  for (const node of nodes.values()) {
    const { msgid, inReplyTo, references } = node.msg;
    // A message naming itself (some mailers put their own id in In-Reply-To) says nothing of its parent.
    let parent = inReplyTo && inReplyTo !== msgid ? nodes.get(inReplyTo) : undefined;
    for (let i = references.length - 1; !parent && i >= 0; i--) if (references[i] !== msgid) parent = nodes.get(references[i]!);
    if (parent) node.parent = parent;
  }
  cutLoops(nodes);
  // Depth by walking up to the first node whose depth is known, then down the path again: linear.
  const depth = new Map<Node, number>();
  let maxDepth = 0;
  for (const start of nodes.values()) {
    const path: Node[] = [];
    let n: Node | null = start;
    while (n && !depth.has(n)) {
      path.push(n);
      n = n.parent;
    }
    let d = n ? depth.get(n)! : -1;
    for (let i = path.length - 1; i >= 0; i--) depth.set(path[i]!, ++d);
    maxDepth = Math.max(maxDepth, d);
  }
  // Counting sort by depth: parents first.
  const buckets: Node[][] = Array.from({ length: maxDepth + 1 }, () => []);
  for (const node of nodes.values()) buckets[depth.get(node)!]!.push(node);
  const ordered = buckets.flat();
  for (const node of ordered) {
    const p = node.parent;
    node.seriesUp = p ? (p.kind !== 'none' ? p : p.seriesUp) : null;
  }
  return { nodes, ordered };
}

/** Cuts each parent loop (A answers B, B answers A) at its earliest message, which then starts the thread. */
function cutLoops(nodes: Map<string, Node>): void {
  const state = new Map<Node, 1 | 2>();
  for (const start of nodes.values()) {
    if (state.has(start)) continue;
    const path: Node[] = [];
    let n: Node | null = start;
    while (n && !state.has(n)) {
      state.set(n, 1);
      path.push(n);
      n = n.parent;
    }
    if (n && state.get(n) === 1) {
      const loop = path.slice(path.indexOf(n));
      loop.sort(byTime)[0]!.parent = null;
    }
    for (const p of path) state.set(p, 2);
  }
}

/** Same version and total; a patch numbered "3/n" fits any total of its version. */
function sameShape(a: SubjectInfo, b: SubjectInfo): boolean {
  return a.version === b.version && (a.totalUnknown || b.totalUnknown || (a.total ?? 1) === (b.total ?? 1));
}

/**
 * The cover a patch threads to, else the top-most patch of the same version it
 * threads to through lower numbers, else itself. A patch under one whose
 * number is not lower (a second [PATCH 1/2] under [PATCH 2/2]) starts a new
 * sending. Filled in thread order, so the parent's anchor is known.
 */
function anchorOf(node: Node): Node {
  if (node.kind === 'cover') return node;
  let up = node.seriesUp;
  for (let hops = 0; up && !sameShape(up.subject, node.subject) && hops < MAX_SHAPE_HOPS; hops++) up = up.seriesUp;
  if (!up || !sameShape(up.subject, node.subject)) return node;
  if (up.kind === 'cover') return up;
  if ((up.subject.index ?? 1) >= (node.subject.index ?? 1)) return node;
  return up.anchor ?? up;
}

function sendingKey(s: Sending): string {
  return `${s.author}\u0000${s.version}\u0000${s.total}\u0000${s.resend ? 1 : 0}`;
}

function indexOf(n: Node): number {
  return n.subject.index ?? 1;
}

function newSending(anchor: Node, nodes: Node[], repeatOf: Sending | null): Sending {
  let first = Infinity;
  let last = -Infinity;
  for (const n of nodes) {
    first = Math.min(first, n.msg.time);
    last = Math.max(last, n.msg.time);
  }
  return {
    anchor,
    nodes,
    author: anchor.msg.from.address || anchor.msg.from.name,
    version: anchor.subject.version,
    total: anchor.subject.total ?? 1,
    resend: anchor.subject.resend,
    first,
    last,
    synthetic: nodes.every((n) => n.msg.syntheticId),
    repeatOf,
  };
}

function gatherSendings(ordered: Node[]): Sending[] {
  const byAnchor = new Map<Node, Node[]>();
  for (const node of ordered) {
    if (node.kind === 'none') continue;
    node.anchor = anchorOf(node);
    const list = byAnchor.get(node.anchor);
    if (list) list.push(node);
    else byAnchor.set(node.anchor, [node]);
  }
  const sendings: Sending[] = [];
  for (const [anchor, list] of byAnchor) {
    // A number seen twice under one anchor: the later copy goes to the next part that lacks it.
    // Parts fill in order, so the k-th copy of a number goes to part k.
    list.sort(byTime);
    const parts: Node[][] = [];
    const copies = new Map<number, number>();
    for (const n of list) {
      const i = n.kind === 'cover' ? 0 : indexOf(n);
      const k = copies.get(i) ?? 0;
      copies.set(i, k + 1);
      (parts[k] ??= []).push(n);
    }
    const head = newSending(anchor, parts[0]!, null);
    sendings.push(head);
    for (const p of parts.slice(1)) sendings.push(newSending(p[0]!, p, head));
  }
  return joinFragments(sendings);
}

/** Open sendings a new fragment is tried against, the most recent first; real broken sendings have a few fragments. */
const MAX_FRAGMENT_PARTNERS = 32;

/** Numbers that can belong to a fragment: within what the subjects announced, for a series of more than one patch. */
function fragmentable(s: Sending): boolean {
  if (s.total < 2 || s.total > MAX_SERIES_TOTAL) return false;
  return s.nodes.every((n) => n.kind === 'cover' || (indexOf(n) >= 1 && indexOf(n) <= s.total));
}

/**
 * A sending that went out broken (the cover alone, then patches as separate
 * threads) shows up as fragments with the same author, version and total,
 * disjoint patch numbers and close send times. Join them. Files without
 * Message-IDs (a format-patch folder) carry commit dates, not send dates, so
 * there the source folder stands in for the time window. A one-patch series
 * has nothing to be a fragment of, and numbers outside 1..total join nothing.
 */
function joinFragments(sendings: Sending[]): Sending[] {
  sendings.sort((a, b) => a.first - b.first || a.anchor.order - b.anchor.order);
  const open = new Map<string, Sending[]>();
  const out: Sending[] = [];
  for (const s of sendings) {
    if (s.repeatOf || !fragmentable(s)) {
      out.push(s);
      continue;
    }
    const key = sendingKey(s);
    const candidates = open.get(key) ?? [];
    // Only the most recent are tried, so the older ones can go (amortised: half at a time).
    if (candidates.length > 2 * MAX_FRAGMENT_PARTNERS) candidates.splice(0, candidates.length - MAX_FRAGMENT_PARTNERS);
    const mine = new Set(s.nodes.map(indexOf));
    let target: Sending | undefined;
    for (let i = candidates.length - 1; i >= Math.max(0, candidates.length - MAX_FRAGMENT_PARTNERS) && !target; i--) {
      const c = candidates[i]!;
      if (c.anchor.kind === 'cover' && s.anchor.kind === 'cover') continue;
      if (c.nodes.some((n) => mine.has(indexOf(n)))) continue;
      if (c.synthetic && s.synthetic ? c.anchor.msg.sourceId === s.anchor.msg.sourceId : s.first - c.last <= FRAGMENT_WINDOW_MS) target = c;
    }
    if (target) {
      for (const n of s.nodes) target.nodes.push(n);
      if (s.anchor.kind === 'cover') target.anchor = s.anchor;
      target.first = Math.min(target.first, s.first);
      target.last = Math.max(target.last, s.last);
      continue;
    }
    candidates.push(s);
    open.set(key, candidates);
    out.push(s);
  }
  return out;
}

/**
 * A patch whose files and diffstat are parsed on first read and kept: a list
 * archive's patches are grouped without parsing every diff (the CLI's JSON
 * and summary never read them).
 */
class Patch implements PatchEntry {
  trailers: GivenTrailer[];
  replies: SourcedMessage[] = [];
  private parsed: PatchFile[] | undefined;
  private counted: DiffStat | undefined;
  constructor(
    readonly index: number,
    readonly message: SourcedMessage,
    readonly subject: SubjectInfo,
    readonly commitMessage: string,
    readonly diff: string,
    own: GivenTrailer[],
    readonly findings: string[],
  ) {
    this.trailers = own;
  }
  get files(): PatchFile[] {
    return (this.parsed ??= parseDiffFiles(this.diff, { lazyHunks: true }));
  }
  get stat(): DiffStat {
    return (this.counted ??= diffStat(this.files));
  }
}

/**
 * A patch of an indexed message: files and diffstat from its facts; the
 * commit message and the diff from its body, read again when first asked for.
 */
class IndexedPatch implements PatchEntry {
  trailers: GivenTrailer[];
  replies: SourcedMessage[] = [];
  private parts: { message: string; diff: string } | undefined;
  private parsed: PatchFile[] | undefined;
  private hunks: PatchFile[] | undefined;
  private counted: DiffStat | undefined;
  constructor(
    readonly index: number,
    readonly message: SourcedMessage,
    private readonly facts: MessageFacts,
    own: GivenTrailer[],
    readonly findings: string[],
  ) {
    this.trailers = own;
  }
  /** Its subject read again when asked (what grouping read: see Node.subject): kept, a list archive's took 3.6 MB. */
  get subject(): SubjectInfo {
    return parseSubject(this.message.subject);
  }
  private get text(): { message: string; diff: string } {
    return (this.parts ??= diffOf(this.message));
  }
  get commitMessage(): string {
    return this.text.message;
  }
  get diff(): string {
    return this.text.diff;
  }
  get files(): PatchFile[] {
    if (this.parsed) return this.parsed;
    // The hunks of a file are the diff's, parsed when first read (so the body is read then, not before).
    this.parsed = this.facts.files.map((f, i) => {
      const file = { ...f } as PatchFile;
      // A body that cannot be read again has no diff: the file then has no hunks to show, rather than an error.
      Object.defineProperty(file, 'structured', {
        enumerable: false,
        get: () => (this.hunks ??= parseDiffFiles(this.diff))[i]?.structured ?? { oldFileName: f.oldPath ?? '', newFileName: f.newPath ?? '', oldHeader: '', newHeader: '', hunks: [] },
      });
      return file;
    });
    return this.parsed;
  }
  get stat(): DiffStat {
    return (this.counted ??= diffStat(this.facts.files as PatchFile[]));
  }
}

/**
 * A patch of an indexed message made again from what it held (a model image
 * keeps patches as plain data: see node/index/image.ts): the same entry
 * groupSeries made, its diff read again when first asked for.
 */
export function indexedPatch(p: { index: number; message: SourcedMessage; trailers: GivenTrailer[]; findings: string[]; replies: SourcedMessage[] }): PatchEntry {
  const facts = p.message.facts;
  if (!facts) throw new Error(`patch <${p.message.msgid}> has no indexed facts`);
  const made = new IndexedPatch(p.index, p.message, facts, p.trailers, p.findings);
  made.replies = p.replies;
  return made;
}

/** Whether a patch entry is one of an indexed message (and can be kept as plain data and made again). */
export function isIndexedPatch(p: PatchEntry): boolean {
  return p instanceof IndexedPatch;
}

function patchEntry(node: Node, findings: string[]): PatchEntry {
  const facts = node.msg.facts;
  if (facts) {
    if (facts.diffEmpty) findings.push('carries no diff');
    const own: GivenTrailer[] = facts.patchTrailers.map((t) => giveTrailer(t, 'patch', node.msg));
    return new IndexedPatch(indexOf(node), node.msg, facts, own, findings);
  }
  // Nearly every patch is inline: its diff stays the slice of the body it is (diffOf joins only attached ones).
  const { message, diff } = diffOf(node.msg, diffAtOf(node));
  if (!diff) findings.push('carries no diff');
  const own: GivenTrailer[] = patchTrailers(message).map((t) => giveTrailer(t, 'patch', node.msg));
  return new Patch(indexOf(node), node.msg, node.subject, message, diff, own, findings);
}

const versionStats = new WeakMap<SeriesVersion, DiffStat>();

function buildVersion(s: Sending): SeriesVersion {
  const cover = s.nodes.find((n) => n.kind === 'cover') ?? null;
  const byIndex = new Map<number, Node>();
  const extras: PatchEntry[] = [];
  const findings: string[] = [];
  const believable = s.total >= 1 && s.total <= MAX_SERIES_TOTAL;
  for (const n of s.nodes.sort(byTime)) {
    if (n === cover) continue;
    const index = indexOf(n);
    const f = n.subject.counterFinding;
    if (index < 1 || index > s.total || !believable || byIndex.has(index)) {
      extras.push(patchEntry(n, [f ?? `numbered ${index}/${s.total}`]));
      continue;
    }
    byIndex.set(index, n);
  }
  const patches = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => patchEntry(n, n.subject.counterFinding ? [n.subject.counterFinding] : []));
  extras.sort((a, b) => a.index - b.index || a.message.time - b.message.time);
  const missing: number[] = [];
  if (believable) {
    for (let i = 1; i <= s.total; i++) if (!byIndex.has(i)) missing.push(i);
  } else {
    findings.push(`the subjects say ${s.total} patches; missing numbers are not listed`);
  }
  if (s.anchor.subject.counterFinding && !findings.includes(s.anchor.subject.counterFinding)) findings.push(s.anchor.subject.counterFinding);
  const lowest = patches[0]?.message ?? extras[0]?.message;
  const head = cover?.msg ?? lowest ?? s.anchor.msg;
  const headSubject = cover?.subject ?? (patches[0] ?? extras[0])?.subject ?? s.anchor.subject;
  const anchors = s.nodes.filter((n) => n !== cover).map((n) => n.anchor);
  const threaded = cover ? anchors.every((a) => a === cover) : new Set(anchors).size <= 1;
  const markerMsg = cover?.msg ?? (patches.length === 1 ? patches[0]!.message : null);
  const markers = markerMsg === null ? { baseCommit: null, changeId: null } : markerMsg.facts ?? seriesMarkers(markerMsg.body);
  let first = 0;
  for (const n of s.nodes) if (n.msg.time > 0 && (first === 0 || n.msg.time < first)) first = n.msg.time;
  const time = cover?.msg.time || first;
  // A plain literal (a getter in it would make it a dictionary, 1.7 KB a version): see versionStat.
  return {
    id: head.msgid,
    title: headSubject.title,
    version: s.version,
    versionInferred: false,
    total: s.total,
    rfc: headSubject.rfc,
    resend: s.resend,
    labels: headSubject.labels,
    author: head.from,
    date: time ? new Date(time).toISOString() : null,
    time,
    cover: cover?.msg ?? null,
    coverReplies: [],
    coverTrailers: [],
    patches,
    extras,
    missing,
    complete: missing.length === 0 && believable,
    threaded,
    superseded: false,
    supersededBy: null,
    resendOf: null,
    findings,
    baseCommit: markers.baseCommit,
    changeId: markers.changeId,
    family: '',
    replyCount: 0,
  };
}

/** A version's diffstat: its patches' summed, on first read, like each patch's own. */
export function versionStat(v: SeriesVersion): DiffStat {
  let stat = versionStats.get(v);
  if (!stat) versionStats.set(v, (stat = diffStat([...v.patches, ...v.extras].flatMap((p) => p.files))));
  return stat;
}

/**
 * Whether two diffs are the same once every run of white space is taken as
 * one space: a.replace(/\s+/g, ' ') === b.replace(/\s+/g, ' '), without
 * making those copies. They were kept, one per compared patch, as long as the
 * series index: tens of MB over a list archive, all of it for the GC to copy.
 */
function sameFolded(a: string, b: string): boolean {
  if (a === b) return true;
  let i = 0;
  let j = 0;
  for (;;) {
    const sa = i < a.length && isSpace(a.charCodeAt(i));
    const sb = j < b.length && isSpace(b.charCodeAt(j));
    if (sa !== sb) return false;
    if (sa) {
      while (i < a.length && isSpace(a.charCodeAt(i))) i++;
      while (j < b.length && isSpace(b.charCodeAt(j))) j++;
      continue;
    }
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
    i++;
    j++;
  }
}

/**
 * Each patch's diff hashed with white space folded as sameFolded folds it,
 * once per patch; an indexed patch brings its hash in its facts.
 */
const diffKeys = new WeakMap<PatchEntry, string>();
function diffKeyOf(p: PatchEntry): string {
  const known = p.message.facts?.diffKey;
  if (known !== undefined) return known;
  let k = diffKeys.get(p);
  if (k === undefined) diffKeys.set(p, (k = JS_HASHES.folded(p.diff)));
  return k;
}

/**
 * The same patch, white space aside. Two indexed patches whose keys were made
 * by the same hash are compared by them (their bodies are not at hand); keys
 * made by different hashes say nothing, and the diffs are read and compared.
 */
function samePatch(a: PatchEntry, b: PatchEntry): boolean {
  const ka = diffKeyOf(a);
  const kb = diffKeyOf(b);
  if (ka[0] !== kb[0]) return sameFolded(a.diff, b.diff);
  if (ka !== kb) return false;
  return (a.message.facts !== undefined && b.message.facts !== undefined) || sameFolded(a.diff, b.diff);
}

/** The patches both have are the same (white space aside), and there is at least one. */
function sameContent(a: SeriesVersion, b: SeriesVersion): boolean {
  const bIndex = new Map(b.patches.map((p) => [p.index, p]));
  let compared = 0;
  for (const p of a.patches) {
    const other = bIndex.get(p.index);
    if (other === undefined) continue;
    compared++;
    if (!samePatch(other, p)) return false;
  }
  return compared > 0 || (a.patches.length === 0 && b.patches.length === 0);
}

function rank(v: SeriesVersion): number {
  return (v.complete ? 4 : 0) + (v.threaded ? 2 : 0) + (v.cover ? 1 : 0);
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = this.parent.get(y)!;
      this.parent.set(y, root);
      y = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function linkFamilies(versions: SeriesVersion[], nodes: Map<string, Node>, versionOfMsg: Map<string, SeriesVersion>, repeats: Map<SeriesVersion, SeriesVersion>): SeriesVersion[][] {
  const uf = new UnionFind();
  const byChange = new Map<string, string>();
  const byTitle = new Map<string, string>();
  for (const v of versions) {
    uf.find(v.id);
    if (v.changeId) {
      const other = byChange.get(v.changeId);
      if (other) uf.union(other, v.id);
      else byChange.set(v.changeId, v.id);
    }
    const tkey = `${v.author.address}\u0000${normalizeTitle(v.title)}`;
    const same = byTitle.get(tkey);
    if (same) uf.union(same, v.id);
    else byTitle.set(tkey, v.id);
    const repeated = repeats.get(v);
    if (repeated) uf.union(repeated.id, v.id);
    // Threaded to an earlier version: the head message replies into another series.
    let p = nodes.get(v.id)?.seriesUp ?? null;
    for (let hops = 0; p && hops < MAX_SHAPE_HOPS; hops++, p = p.seriesUp) {
      const other = versionOfMsg.get(p.msg.msgid);
      if (other && other !== v) {
        uf.union(other.id, v.id);
        break;
      }
    }
  }
  const groups = new Map<string, SeriesVersion[]>();
  for (const v of versions) {
    const root = uf.find(v.id);
    const list = groups.get(root);
    if (list) list.push(v);
    else groups.set(root, [v]);
  }
  return [...groups.values()];
}

/**
 * Within a family, a later sending of the same version by the same author of
 * the same series (same total, or same title, or split off the same thread):
 * a copy when the patches they share are the same — the less complete copy is
 * superseded, an equally complete later one is a resend — else the next
 * version, inferred.
 */
function resolveRepeats(family: SeriesVersion[], repeats: Map<SeriesVersion, SeriesVersion>): void {
  const groups = new Map<string, SeriesVersion[]>();
  let highest = 0;
  for (const v of family) {
    highest = Math.max(highest, v.version);
    const key = `${v.author.address || v.author.name}\u0000${v.version}\u0000${v.resend ? 1 : 0}`;
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.time - b.time);
    // What was kept, indexed so that each sending is compared only with those that could be its
    // twin (they share a patch), never with every one before it.
    const order = new Map<SeriesVersion, number>();
    let kept = 0;
    const byTotal = new Map<number, number>();
    const byTitle = new Map<string, number>();
    // Keyed by number, then by the hash of the folded diff. A hash shared by different diffs
    // only adds candidates, and a candidate is taken only when sameContent says so.
    const byPatch = new Map<number, Map<string, SeriesVersion[]>>();
    /** Versions with no patches (a cover alone). */
    const noPatches: SeriesVersion[] = [];
    const listsOf = (v: SeriesVersion): SeriesVersion[][] => {
      if (!v.patches.length) return [noPatches];
      return v.patches.map((p) => {
        let byDiff = byPatch.get(p.index);
        if (!byDiff) byPatch.set(p.index, (byDiff = new Map()));
        const h = diffKeyOf(p);
        let at = byDiff.get(h);
        if (!at) byDiff.set(h, (at = []));
        return at;
      });
    };
    const bump = <K>(m: Map<K, number>, k: K, d: number) => m.set(k, (m.get(k) ?? 0) + d);
    const index = (v: SeriesVersion, d: 1 | -1): void => {
      bump(byTotal, v.total, d);
      bump(byTitle, normalizeTitle(v.title), d);
      for (const at of listsOf(v)) {
        if (d > 0) at.push(v);
        else at.splice(at.indexOf(v), 1);
      }
      if (d > 0) order.set(v, kept++);
      else order.delete(v);
    };
    for (const v of list) {
      const title = normalizeTitle(v.title);
      const repeated = repeats.get(v);
      const related = (k: SeriesVersion) => k.total === v.total || normalizeTitle(k.title) === title || repeated === k;
      if (!(byTotal.get(v.total) || byTitle.get(title) || (repeated && order.has(repeated)))) {
        index(v, 1);
        continue;
      }
      const candidates = [...new Set(listsOf(v).flat())].sort((a, b) => order.get(a)! - order.get(b)!);
      const twin = candidates.find((k) => related(k) && sameContent(k, v));
      if (!twin) {
        v.version = ++highest;
        v.versionInferred = true;
        index(v, 1);
        continue;
      }
      if (rank(v) === rank(twin)) {
        v.resend = true;
        v.resendOf = twin.id;
        continue;
      }
      const [winner, loser] = rank(v) > rank(twin) ? [v, twin] : [twin, v];
      loser.superseded = true;
      loser.supersededBy = winner.id;
      if (winner !== twin) {
        index(twin, -1);
        index(winner, 1);
      }
    }
  }
}

function nameFamilies(groups: SeriesVersion[][]): SeriesFamily[] {
  const families: SeriesFamily[] = [];
  const usedIds = new Set<string>();
  for (const list of groups) {
    list.sort((a, b) => a.version - b.version || a.time - b.time);
    const first = list[0]!;
    let id = first.title;
    if (usedIds.has(id)) id = `${first.title} (${first.author.address || first.author.name})`;
    for (let n = 2; usedIds.has(id); n++) id = `${first.title} (${first.author.address} ${n})`;
    usedIds.add(id);
    // The family is named after its newest version from the author who started it
    // (a patch someone else sent into the thread does not rename the series).
    const own = list.filter((v) => v.author.address === first.author.address);
    const newest = [...(own.length ? own : list)].sort((a, b) => b.time - a.time)[0]!;
    for (const v of list) v.family = id;
    families.push({ id, title: newest.title, versions: list });
  }
  families.sort((a, b) => (a.versions[0]?.time ?? 0) - (b.versions[0]?.time ?? 0));
  return families;
}

function given(msg: SourcedMessage): GivenTrailer[] {
  return (msg.facts?.followupTrailers ?? followupTrailers(msg.body)).map((t) => {
    const g = giveTrailer(t, 'followup', msg);
    if (senderMismatch(t, msg.from.address)) g.mismatch = true;
    return g;
  });
}

/** Trailers given in a reply to a cover letter: for the whole series. */
function givenOnCover(msg: SourcedMessage): GivenTrailer[] {
  return given(msg).map((g) => {
    g.via = 'cover';
    return g;
  });
}

/**
 * A trailer as given by `msg`. Built as one literal, not spread from the
 * trailer: a spread of an object that grew a property after it was made
 * gives each copy a hidden class of its own (15 MB over linux-arch's 60,000
 * trailers).
 */
function giveTrailer(t: Trailer, from: GivenTrailer['from'], msg: SourcedMessage): GivenTrailer {
  const g: GivenTrailer = t.person
    ? { name: t.name, value: t.value, person: t.person, from, by: msg.from, msgid: msg.msgid }
    : { name: t.name, value: t.value, from, by: msg.from, msgid: msg.msgid };
  if (t.note !== undefined) g.note = t.note;
  return g;
}

function trailerKey(t: GivenTrailer): string {
  return `${t.name}\u0000${t.person?.address ?? t.value.toLowerCase()}`;
}

/** Where a follow-up lands: a patch of a version, or (p null) its cover letter. */
interface Target {
  v: SeriesVersion;
  p: PatchEntry | null;
}

/** The versions' patches by Message-ID, and by what a reply's subject would name when the message it answers is missing. */
function targetsOf(versions: readonly SeriesVersion[]): { patchOf: Map<string, PatchEntry>; bySubject: () => Map<string, Target> } {
  const patchOf = new Map<string, PatchEntry>();
  for (const v of versions) for (const p of [...v.patches, ...v.extras]) patchOf.set(p.message.msgid, p);
  let bySubject: Map<string, Target> | undefined;
  return { patchOf, bySubject: () => (bySubject ??= subjectTargets(versions)) };
}

function subjectTargets(versions: readonly SeriesVersion[]): Map<string, Target> {
  const bySubject = new Map<string, Target>();
  for (const v of versions) {
    if (v.cover) bySubject.set(`${normalizeTitle(v.title)}\u0000${v.version}\u00000`, { v, p: null });
    if (v.superseded) continue;
    for (const p of [...v.patches, ...v.extras]) bySubject.set(`${normalizeTitle(p.subject.title)}\u0000${p.subject.version}\u0000${p.index}`, { v, p });
  }
  return bySubject;
}

/**
 * The series message a follow-up answers: the nearest series message above
 * it (`up`), or, when it starts a thread of its own as a reply to a patch,
 * the one its subject names.
 */
function targetOf(up: SourcedMessage | null, hasParent: boolean, subject: SubjectInfo, versionOfMsg: ReadonlyMap<string, SeriesVersion>, targets: ReturnType<typeof targetsOf>): Target | undefined {
  const v = up ? versionOfMsg.get(up.msgid) : undefined;
  if (up && v) return { v, p: targets.patchOf.get(up.msgid) ?? null };
  if (!hasParent && subject.isReply && subject.isPatch) {
    // The message it answers never reached this archive: match the subject it answers.
    return targets.bySubject().get(`${normalizeTitle(subject.title)}\u0000${subject.version}\u0000${subject.index ?? (subject.total ? 0 : 1)}`);
  }
  return undefined;
}

/** A follow-up added to what it answers (replies are added in time order). */
function attach(target: Target, msg: SourcedMessage): void {
  target.v.replyCount++;
  if (target.p) {
    target.p.replies.push(msg);
    target.p.trailers.push(...given(msg));
  } else {
    target.v.coverReplies.push(msg);
    target.v.coverTrailers.push(...givenOnCover(msg));
  }
}

/**
 * Chain of custody: the patch's own trailers, then those given in replies (to
 * it or, for the whole series, to the cover) in the order they were given; a
 * trailer given twice counts once. A cover letter speaks for the patches it
 * announced (1..total), not for extras sent past them. Each patch's trailers
 * are its own and its replies' as attached, not yet settled.
 */
function settleTrailers(versions: Iterable<SeriesVersion>): void {
  for (const v of versions) {
    const coverTime = new Map(v.coverReplies.map((m) => [m.msgid, m.time]));
    for (const [patches, fromCover] of [[v.patches, v.coverTrailers], [v.extras, []]] as const) {
      for (const p of patches) {
        if (p.replies.length === 0 && fromCover.length === 0) continue; // nothing was given to it
        const own = p.trailers.filter((t) => t.from === 'patch');
        const later = [...p.trailers.filter((t) => t.from === 'followup'), ...fromCover];
        const time = new Map(p.replies.map((m) => [m.msgid, m.time]));
        const when = (t: GivenTrailer) => time.get(t.msgid) ?? coverTime.get(t.msgid) ?? 0;
        later.sort((a, b) => when(a) - when(b));
        const seen = new Set(own.map(trailerKey));
        const kept = [...own];
        for (const t of later) {
          const key = trailerKey(t);
          if (seen.has(key)) continue;
          seen.add(key);
          kept.push(t);
        }
        p.trailers = kept;
      }
    }
  }
}

/**
 * A trailer given on a superseded copy of a patch counts for the same patch
 * of the copy that superseded it (the patches are the same; b4 likewise
 * collects trailers across copies). `versions` in the order they were built.
 */
function carryToWinners(versions: readonly SeriesVersion[], byId: ReadonlyMap<string, SeriesVersion>): void {
  for (const v of versions) {
    const winner = v.supersededBy ? byId.get(v.supersededBy) : undefined;
    if (!winner) continue;
    for (const p of v.patches) {
      const q = winner.patches.find((x) => x.index === p.index);
      if (!q || !samePatch(q, p)) continue;
      const seen = new Set(q.trailers.map(trailerKey));
      for (const t of p.trailers) {
        if (t.from !== 'followup' || seen.has(trailerKey(t))) continue;
        seen.add(trailerKey(t));
        q.trailers.push(t);
      }
    }
  }
}

/** Replies to the series messages they answer; the rest is "other". */
function attachFollowups(ordered: Node[], versionOfMsg: Map<string, SeriesVersion>, versions: SeriesVersion[], targets = targetsOf(versions)): { replies: number; others: SourcedMessage[] } {
  let replies = 0;
  const others: SourcedMessage[] = [];
  const rest = ordered.filter((n) => n.kind === 'none').sort(byTime);
  for (const node of rest) {
    const target = targetOf(node.seriesUp?.msg ?? null, node.parent !== null, node.subject, versionOfMsg, targets);
    if (!target) {
      others.push(node.msg);
      continue;
    }
    replies++;
    attach(target, node.msg);
  }
  settleTrailers(versions);
  carryToWinners(versions, new Map(versions.map((v) => [v.id, v])));
  return { replies, others };
}

export interface GroupInput {
  /** Messages that could not be read, each with its reason. */
  errors?: ReadError[];
  /** Messages whose Message-ID had been read already. */
  duplicates?: DuplicateMessage[];
}

export function groupSeries(messages: Iterable<SourcedMessage>, input: GroupInput | ReadError[] = {}): SeriesIndex {
  const { errors = [], duplicates = [] } = Array.isArray(input) ? { errors: input } : input;
  const { nodes, ordered } = buildThreads(messages);
  const sendings = gatherSendings(ordered);
  const built = new Map(sendings.map((s) => [s, buildVersion(s)]));
  const versions = [...built.values()];
  /** A sending split off another of the same thread, and that one. */
  const repeats = new Map<SeriesVersion, SeriesVersion>();
  for (const [s, v] of built) if (s.repeatOf) repeats.set(v, built.get(s.repeatOf)!);
  const versionOfMsg = new Map<string, SeriesVersion>();
  for (const v of versions) {
    if (v.cover) versionOfMsg.set(v.cover.msgid, v);
    for (const p of [...v.patches, ...v.extras]) versionOfMsg.set(p.message.msgid, v);
  }
  const groups = linkFamilies(versions, nodes, versionOfMsg, repeats);
  for (const g of groups) resolveRepeats(g, repeats);
  const families = nameFamilies(groups);
  const targets = targetsOf(versions);
  const { replies, others } = attachFollowups(ordered, versionOfMsg, versions, targets);
  versions.sort((a, b) => a.time - b.time || a.version - b.version);
  const byId = new Map<string, SourcedMessage>();
  const parentOf = new Map<string, string>();
  for (const [id, n] of nodes) {
    byId.set(id, n.msg);
    if (n.parent) parentOf.set(id, n.parent.msg.msgid);
  }
  // What extendSeries needs to put new replies in, kept with the index (a few MB for a list archive).
  const missing = new Set<string>();
  for (const n of ordered) {
    const { inReplyTo, references } = n.msg;
    if (inReplyTo !== null && !nodes.has(inReplyTo)) missing.add(inReplyTo);
    for (const r of references) if (!nodes.has(r)) missing.add(r);
  }
  const index: SeriesIndex = {
    messageCount: nodes.size + duplicates.length + errors.length,
    series: versions,
    families,
    replyCount: replies,
    others,
    duplicates,
    errors,
    byId,
    parentOf,
  };
  // The subjects' map is made again when an extension needs it (rarely), not kept: 7 MB for a list archive.
  lookups.set(index, { versions, versionOfMsg, targets: { patchOf: targets.patchOf, bySubject: () => subjectTargets(versions) }, missing });
  return index;
}

/**
 * What groupSeries knew of an index that extendSeries needs again: the
 * versions in the order they were built (the order trailers are carried
 * in), each series message's version, the targets of replies, and the
 * Message-IDs that mail of the index names but that it does not hold.
 */
const lookups = new WeakMap<SeriesIndex, { versions: SeriesVersion[]; versionOfMsg: Map<string, SeriesVersion>; targets: ReturnType<typeof targetsOf>; missing: Set<string> }>();

/** Where `t` goes in `list` (sorted by time, the later of equal times last): after every item of its time. */
function insertByTime<T extends { time: number }>(list: T[], t: T): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.time <= t.time) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, t);
}

/**
 * `index` (made by groupSeries) with the messages `added` after all it holds,
 * exactly as groupSeries would group them all, when the new mail only
 * answers what is there (a list's new mail mostly does):
 * - every added message is a reply or other mail, no cover letter or patch;
 * - none is a Message-ID already read, and none is named as a parent by mail
 *   already read (that mail would be threaded anew);
 * - none answers another added one in a loop.
 * Then only the replies are attached and the trailers of the versions they
 * reach settled again (with every version linked to those by superseding),
 * a few milliseconds where grouping a list archive again takes most of a
 * second. Otherwise null, and nothing is changed: group everything again.
 * The index is changed in place and returned.
 */
export function extendSeries(index: SeriesIndex, added: readonly SourcedMessage[], more: GroupInput = {}): SeriesIndex | null {
  const known = lookups.get(index);
  if (!known) return null;
  const { versions, versionOfMsg, targets, missing } = known;
  const fresh = new Map<string, Node>();
  let order = 0;
  for (const msg of added) {
    if (index.byId.has(msg.msgid) || fresh.has(msg.msgid)) return null;
    const node: Node = { msg, subject: parseSubject(msg.subject), kind: 'none', order: order++, parent: null, seriesUp: null, anchor: null, diffAt: undefined };
    if (classify(node) !== 'none') return null;
    fresh.set(msg.msgid, node);
  }
  if (fresh.size === 0 && !more.errors?.length && !more.duplicates?.length) return index;
  for (const id of fresh.keys()) if (missing.has(id)) return null;
  // Parents as buildThreads finds them; a parent read before is that message (a node of its own is not needed).
  const oldParent = new Map<Node, SourcedMessage>();
  for (const node of fresh.values()) {
    const { msgid, inReplyTo, references } = node.msg;
    const named = [inReplyTo, ...[...references].reverse()].filter((x): x is string => x !== null && x !== msgid);
    for (const id of named) {
      const f = fresh.get(id);
      if (f) {
        node.parent = f;
        break;
      }
      const m = index.byId.get(id);
      if (m) {
        oldParent.set(node, m);
        break;
      }
    }
  }
  // A loop among the added messages: buildThreads would cut it by time; leave that to it.
  for (const start of fresh.values()) {
    let n: Node | null = start.parent;
    for (let steps = 0; n; n = n.parent) if (n === start || ++steps > fresh.size) return null;
  }
  /** The nearest series message above a message read before (every cover and patch is in a version). */
  const seriesAbove = (m: SourcedMessage | undefined): SourcedMessage | null => {
    for (let hops = 0; m && hops <= index.byId.size; hops++) {
      if (versionOfMsg.has(m.msgid)) return m;
      const up = index.parentOf.get(m.msgid);
      m = up === undefined ? undefined : index.byId.get(up);
    }
    return null;
  };
  const placed: { node: Node; target: Target | undefined }[] = [];
  for (const node of [...fresh.values()].sort(byTime)) {
    // Its series message is that of the first message read before above it (the added ones between are replies).
    let top: Node = node;
    while (top.parent) top = top.parent;
    placed.push({ node, target: targetOf(seriesAbove(oldParent.get(top)), node.parent !== null || oldParent.has(node), node.subject, versionOfMsg, targets) });
  }
  // Nothing was changed before this point.
  const reached = new Set<SeriesVersion>();
  for (const { node, target } of placed) {
    if (!target) {
      insertByTime(index.others, node.msg);
      continue;
    }
    index.replyCount++;
    target.v.replyCount++;
    insertByTime(target.p ? target.p.replies : target.v.coverReplies, node.msg);
    reached.add(target.v);
  }
  // Trailers of what the replies reached, and of every version linked to those by superseding, settled again from scratch.
  const byId = new Map(versions.map((v) => [v.id, v]));
  const losers = new Map<SeriesVersion, SeriesVersion[]>();
  for (const v of versions) {
    const w = v.supersededBy ? byId.get(v.supersededBy) : undefined;
    if (w) losers.set(w, [...(losers.get(w) ?? []), v]);
  }
  const linked = new Set<SeriesVersion>();
  const todo = [...reached];
  while (todo.length) {
    const v = todo.pop()!;
    if (linked.has(v)) continue;
    linked.add(v);
    const w = v.supersededBy ? byId.get(v.supersededBy) : undefined;
    if (w) todo.push(w);
    todo.push(...(losers.get(v) ?? []));
  }
  const again = versions.filter((v) => linked.has(v));
  for (const v of again) {
    v.coverTrailers = v.coverReplies.flatMap(givenOnCover);
    for (const p of [...v.patches, ...v.extras]) p.trailers = [...p.trailers.filter((t) => t.from === 'patch'), ...p.replies.flatMap(given)];
  }
  settleTrailers(again);
  carryToWinners(again, byId);
  for (const node of fresh.values()) {
    index.byId.set(node.msg.msgid, node.msg);
    const parent = node.parent?.msg ?? oldParent.get(node);
    if (parent) index.parentOf.set(node.msg.msgid, parent.msgid);
  }
  for (const node of fresh.values()) {
    const { inReplyTo, references } = node.msg;
    if (inReplyTo !== null && !index.byId.has(inReplyTo)) missing.add(inReplyTo);
    for (const r of references) if (!index.byId.has(r)) missing.add(r);
  }
  index.duplicates.push(...(more.duplicates ?? []));
  index.errors.push(...(more.errors ?? []));
  index.messageCount += fresh.size + (more.duplicates?.length ?? 0) + (more.errors?.length ?? 0);
  return index;
}

export type { Mailbox };
