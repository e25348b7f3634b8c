/**
 * From messages to series, in named steps as b4 and patchwork do it:
 *   threads   parent of each message (In-Reply-To, else the nearest known
 *             References entry), tolerant of parents that never arrived
 *   sendings  patches gathered under their cover, or under the first patch
 *             they thread to; fragments of one sending that went out as
 *             separate threads are joined again
 *   versions  one SeriesVersion per sending: patches by index, missing
 *             numbers, duplicates, extras; a series sent twice keeps the
 *             complete, correctly threaded copy and marks the other superseded
 *   families  versions linked by change-id, by threading (v2 sent in reply to
 *             v1) and by title and author
 *   follow-ups replies attached to the patch (or cover) they answer, with
 *             the trailers they give
 */
import type { Mailbox } from '../mail/message';
import { normalizeTitle, parseSubject, type SubjectInfo } from '../mail/subject';
import { followupTrailers, patchTrailers, seriesMarkers } from '../mail/trailers';
import { diffStat, hasDiff, parseDiffFiles, splitPatchBody } from '../patch/patch';
import type {
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

interface Node {
  msg: SourcedMessage;
  subject: SubjectInfo;
  parent: Node | null;
  /** A patch or cover of a series (not a reply). */
  isPatch: boolean;
  isCover: boolean;
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
}

function isPatchNode(msg: SourcedMessage, s: SubjectInfo): boolean {
  if (!s.isPatch || s.isReply) return false;
  return s.index !== undefined || msg.attachedPatches.length > 0 || hasDiff(msg.body);
}

function buildNodes(messages: Iterable<SourcedMessage>): Map<string, Node> {
  const nodes = new Map<string, Node>();
  for (const msg of messages) {
    const subject = parseSubject(msg.subject);
    const isPatch = isPatchNode(msg, subject);
    nodes.set(msg.msgid, { msg, subject, parent: null, isPatch, isCover: isPatch && subject.index === 0 && (subject.total ?? 0) > 0 });
  }
  for (const node of nodes.values()) {
    const { inReplyTo, references } = node.msg;
    let parent = inReplyTo ? nodes.get(inReplyTo) : undefined;
    for (let i = references.length - 1; !parent && i >= 0; i--) parent = nodes.get(references[i]!);
    if (parent && parent !== node && !createsCycle(node, parent)) node.parent = parent;
  }
  return nodes;
}

function createsCycle(node: Node, parent: Node): boolean {
  for (let p: Node | null = parent; p; p = p.parent) if (p === node) return true;
  return false;
}

function sameSeriesShape(a: SubjectInfo, b: SubjectInfo): boolean {
  return a.version === b.version && (a.total ?? 1) === (b.total ?? 1);
}

/** The cover a patch threads to, else the top-most patch of the same version it threads to, else itself. */
function anchorOf(node: Node): Node {
  if (node.isCover) return node;
  let top = node;
  for (let p = node.parent; p; p = p.parent) {
    if (!p.isPatch || !sameSeriesShape(p.subject, node.subject)) continue;
    if (p.isCover) return p;
    top = p;
  }
  return top;
}

function sendingKey(s: Sending): string {
  return `${s.author}\u0000${s.version}\u0000${s.total}\u0000${s.resend ? 1 : 0}`;
}

function indexesOf(s: Sending): Set<number> {
  return new Set(s.nodes.map((n) => n.subject.index ?? 1));
}

function gatherSendings(nodes: Map<string, Node>): Sending[] {
  const byAnchor = new Map<Node, Node[]>();
  for (const node of nodes.values()) {
    if (!node.isPatch) continue;
    const anchor = anchorOf(node);
    const list = byAnchor.get(anchor) ?? [];
    list.push(node);
    byAnchor.set(anchor, list);
  }
  const sendings: Sending[] = [];
  for (const [anchor, list] of byAnchor) {
    const times = list.map((n) => n.msg.time);
    sendings.push({
      anchor,
      nodes: list,
      author: anchor.msg.from.address || anchor.msg.from.name,
      version: anchor.subject.version,
      total: anchor.subject.total ?? 1,
      resend: anchor.subject.resend,
      first: Math.min(...times),
      last: Math.max(...times),
      synthetic: list.every((n) => n.msg.syntheticId),
    });
  }
  return joinFragments(sendings);
}

/**
 * A sending that went out broken (the cover alone, then patches as separate
 * threads) shows up as fragments with the same author, version and total,
 * disjoint patch numbers and close send times. Join them. Files without
 * Message-IDs (a format-patch folder) carry commit dates, not send dates, so
 * there the source folder stands in for the time window.
 */
function joinFragments(sendings: Sending[]): Sending[] {
  sendings.sort((a, b) => a.first - b.first);
  const open = new Map<string, Sending[]>();
  const out: Sending[] = [];
  for (const s of sendings) {
    const key = sendingKey(s);
    const candidates = open.get(key) ?? [];
    const mine = indexesOf(s);
    const target = candidates.find((c) => {
      if (c.anchor.isCover && s.anchor.isCover) return false;
      const theirs = indexesOf(c);
      for (const i of mine) if (theirs.has(i)) return false;
      if (c.synthetic && s.synthetic) return c.anchor.msg.sourceId === s.anchor.msg.sourceId;
      return s.first - c.last <= FRAGMENT_WINDOW_MS;
    });
    if (target) {
      target.nodes.push(...s.nodes);
      if (s.anchor.isCover) target.anchor = s.anchor;
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

function patchEntry(node: Node): PatchEntry {
  const body = node.msg.body;
  const parts = splitPatchBody(body);
  const diff = [parts.diff, ...node.msg.attachedPatches.map((p) => splitPatchBody(p).diff)].filter(Boolean).join('\n');
  const files = parseDiffFiles(diff, { lazyHunks: true });
  const own: GivenTrailer[] = patchTrailers(parts.message).map((t) => ({ ...t, from: 'patch', by: node.msg.from, msgid: node.msg.msgid }));
  return {
    index: node.subject.index ?? 1,
    message: node.msg,
    subject: node.subject,
    commitMessage: parts.message,
    diff,
    files,
    stat: diffStat(files),
    trailers: own,
    replies: [],
  };
}

/** Prefer the copy that threads to the cover, then the earlier one. */
function betterCopy(a: Node, b: Node, cover: Node | null): Node {
  const aThreaded = cover !== null && anchorOf(a) === cover;
  const bThreaded = cover !== null && anchorOf(b) === cover;
  if (aThreaded !== bThreaded) return aThreaded ? a : b;
  return a.msg.time <= b.msg.time ? a : b;
}

function buildVersion(s: Sending): SeriesVersion {
  const cover = s.nodes.find((n) => n.isCover) ?? null;
  const byIndex = new Map<number, Node>();
  const duplicates: SourcedMessage[] = [];
  const extras: PatchEntry[] = [];
  for (const n of s.nodes.sort((a, b) => a.msg.time - b.msg.time)) {
    if (n === cover) continue;
    const index = n.subject.index ?? 1;
    if (n.isCover || index > s.total || index < 1) {
      if (n.isCover) duplicates.push(n.msg);
      else extras.push(patchEntry(n));
      continue;
    }
    const seen = byIndex.get(index);
    if (!seen) {
      byIndex.set(index, n);
      continue;
    }
    const keep = betterCopy(seen, n, cover);
    byIndex.set(index, keep);
    duplicates.push((keep === seen ? n : seen).msg);
  }
  const patches = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => patchEntry(n));
  const missing: number[] = [];
  for (let i = 1; i <= s.total; i++) if (!byIndex.has(i)) missing.push(i);
  const head = cover ?? byIndex.get(Math.min(...byIndex.keys())) ?? s.anchor;
  const nodeById = new Map(s.nodes.map((n) => [n.msg.msgid, n]));
  const anchors = patches.map((p) => anchorOf(nodeById.get(p.message.msgid)!));
  const threaded = cover ? anchors.every((a) => a === cover) : new Set(anchors).size <= 1;
  const markers = seriesMarkers(cover?.msg.body ?? (patches.length === 1 ? patches[0]!.message.body : ''));
  const title = head.subject.title;
  const times = s.nodes.map((n) => n.msg.time).filter((t) => t > 0);
  const time = cover?.msg.time || (times.length ? Math.min(...times) : 0);
  return {
    id: head.msg.msgid,
    title,
    version: s.version,
    versionInferred: false,
    total: s.total,
    rfc: head.subject.rfc,
    resend: s.resend,
    labels: head.subject.labels,
    author: head.msg.from,
    date: time ? new Date(time).toISOString() : null,
    time,
    cover: cover?.msg ?? null,
    coverReplies: [],
    coverTrailers: [],
    patches,
    duplicates,
    extras,
    missing,
    complete: missing.length === 0,
    threaded,
    superseded: false,
    supersededBy: null,
    baseCommit: markers.baseCommit,
    changeId: markers.changeId,
    family: '',
    replyCount: 0,
    stat: diffStat(patches.flatMap((p) => p.files)),
  };
}

function sameContent(a: SeriesVersion, b: SeriesVersion): boolean {
  const bIndex = new Map(b.patches.map((p) => [p.index, p.diff.replace(/\s+/g, ' ')]));
  let compared = 0;
  for (const p of a.patches) {
    const other = bIndex.get(p.index);
    if (other === undefined) continue;
    compared++;
    if (other !== p.diff.replace(/\s+/g, ' ')) return false;
  }
  return compared > 0 || (a.patches.length === 0 && b.patches.length === 0);
}

function rank(v: SeriesVersion): number {
  return (v.complete ? 4 : 0) + (v.threaded ? 2 : 0) + (v.cover ? 1 : 0);
}

/**
 * The same version of a series can arrive more than once: sent twice, or
 * sent broken and then again whole. Copies with the same content keep the
 * best one (complete, then threaded, then with a cover; the later on a tie).
 * A copy with other content is a revision that was not relabelled, so it gets
 * the next version number, marked as inferred.
 */
function resolveRepeats(versions: SeriesVersion[]): void {
  const groups = new Map<string, SeriesVersion[]>();
  for (const v of versions) {
    const key = `${v.author.address}\u0000${normalizeTitle(v.title)}\u0000${v.version}\u0000${v.total}\u0000${v.resend ? 1 : 0}`;
    const list = groups.get(key) ?? [];
    list.push(v);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.time - b.time);
    const kept: SeriesVersion[] = [];
    for (const v of list) {
      const twin = kept.find((k) => sameContent(k, v));
      if (!twin) {
        if (kept.length > 0) {
          v.version = kept[kept.length - 1]!.version + 1;
          v.versionInferred = true;
        }
        kept.push(v);
        continue;
      }
      const [winner, loser] = rank(v) >= rank(twin) ? [v, twin] : [twin, v];
      loser.superseded = true;
      loser.supersededBy = winner.id;
      if (winner !== twin) kept[kept.indexOf(twin)] = winner;
    }
  }
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function linkFamilies(versions: SeriesVersion[], nodes: Map<string, Node>, versionOfMsg: Map<string, SeriesVersion>): SeriesFamily[] {
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
    // Threaded to an earlier version: the head message replies into another series.
    for (let p = nodes.get(v.id)?.parent ?? null; p; p = p.parent) {
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
    const list = groups.get(root) ?? [];
    list.push(v);
    groups.set(root, list);
  }
  const families: SeriesFamily[] = [];
  const usedIds = new Set<string>();
  for (const list of groups.values()) {
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

function attachFollowups(nodes: Map<string, Node>, versionOfMsg: Map<string, SeriesVersion>, versions: SeriesVersion[]): number {
  const patchOf = new Map<string, PatchEntry>();
  const bySubject = new Map<string, { v: SeriesVersion; p: PatchEntry | null }>();
  for (const v of versions) {
    if (v.cover) bySubject.set(`${normalizeTitle(v.title)}\u0000${v.version}\u00000`, { v, p: null });
    // A reply to a copy that was kept out belongs to the patch kept for that number.
    for (const d of v.duplicates) {
      const index = parseSubject(d.subject).index;
      const kept = v.patches.find((p) => p.index === index);
      if (kept) patchOf.set(d.msgid, kept);
    }
    for (const p of [...v.patches, ...v.extras]) {
      patchOf.set(p.message.msgid, p);
      if (!v.superseded) bySubject.set(`${normalizeTitle(p.subject.title)}\u0000${v.version}\u0000${p.index}`, { v, p });
    }
  }
  let followups = 0;
  const sorted = [...nodes.values()].filter((n) => !n.isPatch).sort((a, b) => a.msg.time - b.msg.time);
  for (const node of sorted) {
    followups++;
    let target: { v: SeriesVersion; p: PatchEntry | null } | undefined;
    for (let p = node.parent; p && !target; p = p.parent) {
      const v = versionOfMsg.get(p.msg.msgid);
      if (!v) continue;
      target = { v, p: patchOf.get(p.msg.msgid) ?? null };
    }
    if (!target && node.subject.isReply && node.subject.isPatch) {
      // The parent never reached this archive: match the subject it answers.
      target = bySubject.get(`${normalizeTitle(node.subject.title)}\u0000${node.subject.version}\u0000${node.subject.index ?? (node.subject.total ? 0 : 1)}`);
    }
    if (!target) continue;
    const given: GivenTrailer[] = followupTrailers(node.msg.body).map((t) => ({ ...t, from: 'followup', by: node.msg.from, msgid: node.msg.msgid }));
    target.v.replyCount++;
    if (target.p) {
      target.p.replies.push(node.msg);
      target.p.trailers.push(...given);
    } else {
      target.v.coverReplies.push(node.msg);
      target.v.coverTrailers.push(...given);
    }
  }
  // A trailer given on the cover applies to every patch of the series.
  for (const v of versions) {
    if (v.coverTrailers.length === 0) continue;
    for (const p of v.patches) p.trailers.push(...v.coverTrailers);
  }
  return followups;
}

export function groupSeries(messages: Iterable<SourcedMessage>, errors: ReadError[] = []): SeriesIndex {
  const nodes = buildNodes(messages);
  const versions = gatherSendings(nodes).map(buildVersion);
  resolveRepeats(versions);
  const versionOfMsg = new Map<string, SeriesVersion>();
  for (const v of versions) {
    if (v.cover) versionOfMsg.set(v.cover.msgid, v);
    for (const p of [...v.patches, ...v.extras]) versionOfMsg.set(p.message.msgid, v);
    for (const d of v.duplicates) versionOfMsg.set(d.msgid, v);
  }
  const families = linkFamilies(versions, nodes, versionOfMsg);
  const followupCount = attachFollowups(nodes, versionOfMsg, versions);
  versions.sort((a, b) => a.time - b.time || a.version - b.version);
  const byId = new Map<string, SourcedMessage>();
  for (const [id, n] of nodes) byId.set(id, n.msg);
  return { messageCount: nodes.size, series: versions, families, followupCount, errors, byId };
}

export type { Mailbox };
