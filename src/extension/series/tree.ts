/**
 * The Patch Series view: source → series family → version → cover letter and
 * patches → files and the replies, in the shape reviewers know from b4 and
 * patchwork. Under each source, besides its series: the other mail (by
 * thread), the duplicates and what could not be read, so that every message
 * read is somewhere to be seen; the source's description adds them up.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTINGS } from '../config';
import { classifyMailSource, type MailSourceKind } from '../../core/mail/sourceKind';
import { followupTrailers, senderMismatch, type Trailer } from '../../core/mail/trailers';
import { parseQuery, type Query } from '../../core/search/query';
import type { Draft } from '../../core/review/drafts';
import type { PatchFile } from '../../core/patch/patch';
import type { DuplicateMessage, GivenTrailer, PatchEntry, ReadError, SeriesFamily, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { groupThreads, nestMessages, threadsOf, type MailThread, type ThreadGroup, type ThreadNode } from '../../core/series/thread';
import { versionLabel, type FamilySummary } from '../../core/series/summary';
import type { SeriesStore, SourceState } from './store';
import { versionStat } from '../../core/series/group';

export type SeriesNode =
  | { kind: 'source'; state: SourceState }
  | { kind: 'reason'; state: SourceState }
  | { kind: 'family'; family: SeriesFamily }
  /** A family's line from the kept summary, before the model is read (the same id: expanding it waits for the model). */
  | { kind: 'familyStub'; stub: FamilySummary }
  | { kind: 'version'; version: SeriesVersion }
  | { kind: 'cover'; version: SeriesVersion }
  | { kind: 'patch'; version: SeriesVersion; patch: PatchEntry }
  | { kind: 'file'; version: SeriesVersion; patch: PatchEntry; file: PatchFile; index: number }
  /** A follow-up in a series' thread, with the answers to it. */
  | { kind: 'reply'; node: ThreadNode }
  | { kind: 'others'; state: SourceState }
  | { kind: 'otherGroup'; state: SourceState; group: ThreadGroup }
  | { kind: 'otherThread'; thread: MailThread }
  /** A message of an other-mail thread, below its root. */
  | { kind: 'other'; node: ThreadNode }
  | { kind: 'duplicates'; state: SourceState }
  | { kind: 'duplicate'; state: SourceState; dup: DuplicateMessage; index: number }
  | { kind: 'errors'; state: SourceState }
  | { kind: 'error'; state: SourceState; error: ReadError; index: number }
  /** A slice of a long list of duplicates or errors. */
  | { kind: 'page'; state: SourceState; of: 'duplicates' | 'errors'; from: number; to: number }
  /** The reviewer's draft comments on a version's messages, and each of them. */
  | { kind: 'myReview'; version: SeriesVersion }
  | { kind: 'draft'; version: SeriesVersion; draft: Draft };

/** What the reviewer's own review says, for the tree (see review/myReview.ts). */
export interface ReviewView {
  /** A message's state and drafts ("in review, 1 draft"), or nothing to say. */
  describe(msgid: string): string | undefined;
  /** A version's review in numbers ("2/13 reviewed"), once the reviewer has begun on it. */
  summary(version: SeriesVersion): string | undefined;
  /** The drafts on a message. */
  draftsOf(msgid: string): Draft[];
}

/** Longer lists of duplicates or errors are shown in slices of this many. */
const PAGE = 200;

const KIND_ICONS: Record<MailSourceKind, string> = {
  mbox: 'mail',
  'mbox-folder': 'folder-library',
  'patch-folder': 'diff',
  'public-inbox': 'repo',
  unknown: 'warning',
};

export { versionLabel };

function pad(n: number, total: number): string {
  return String(n).padStart(String(total).length, '0');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function trailerCounts(trailers: readonly GivenTrailer[]): string {
  const counts = new Map<string, number>();
  for (const t of trailers) {
    if (t.from !== 'followup') continue;
    const short = t.name.replace(/^(\w)\w*-(\w)\w*$/, '$1-$2').replace(/^(\w)\w*-(\w)\w*-(\w)\w*$/, '$1-$2-$3');
    counts.set(short, (counts.get(short) ?? 0) + 1);
  }
  return [...counts].map(([n, c]) => `${n} ×${c}`).join(' ');
}

function reviewCount(v: SeriesVersion): number {
  const seen = new Set<string>();
  for (const p of v.patches) for (const t of p.trailers) if (t.from === 'followup' && /^(Reviewed|Acked)-by$/.test(t.name)) seen.add(`${p.index}\u0000${t.value}`);
  return seen.size;
}

function plain(text: string): vscode.MarkdownString {
  return new vscode.MarkdownString().appendText(text);
}

function person(m: { name: string; address: string }): string {
  return m.name ? `${m.name} <${m.address}>` : m.address;
}

function who(m: SourcedMessage): string {
  return m.from.name || m.from.address || '(no sender)';
}

function when(m: SourcedMessage): string {
  return m.date ? m.date.slice(0, 16).replace('T', ' ') : 'date unknown';
}

/** A trailer line, flagged when it names someone other than who sent it (b4 warns about these). */
function trailerLine(t: Trailer, by: { name: string; address: string }, mismatch: boolean | undefined): string {
  const line = `  ${t.name}: ${t.value}${t.note ? ` ${t.note}` : ''}`;
  return mismatch ? `${line}  ⚠ names ${t.person ? person(t.person) : t.value}, sent by ${person(by)}` : line;
}

function givenLines(list: readonly GivenTrailer[]): string[] {
  return list.map((t) => trailerLine(t, t.by, t.mismatch));
}

/** Why the source failed, without the path it starts with (the source's line names it). */
function reasonOf(state: SourceState): string {
  const e = state.error ?? '';
  return e.startsWith(`${state.path}: `) ? e.slice(state.path.length + 2) : e;
}

/** "not found", or the reason, cut short. */
function shortReason(state: SourceState): string {
  const reason = reasonOf(state);
  if (/no such file|ENOENT/i.test(reason)) return 'not found';
  return reason.length > 100 ? `${reason.slice(0, 99)}…` : reason;
}

/** The parts of a tree item set here; `icon` is a codicon name. */
interface ItemProps {
  id: string;
  description?: string;
  tooltip?: vscode.MarkdownString | string;
  icon?: string;
  contextValue?: string;
  command?: vscode.Command;
  resourceUri?: vscode.Uri;
}

function treeItem(label: string, state: vscode.TreeItemCollapsibleState, props: ItemProps): vscode.TreeItem {
  const item = new vscode.TreeItem(label, state);
  item.id = props.id;
  item.description = props.description;
  item.tooltip = props.tooltip;
  if (props.icon) item.iconPath = new vscode.ThemeIcon(props.icon);
  item.contextValue = props.contextValue;
  item.command = props.command;
  item.resourceUri = props.resourceUri;
  return item;
}

/** The lists a message was read from, as lore shows them ("on linux-mm, also on: linux-arch"), when an index knows them. */
function listLines(m: SourcedMessage): string[] {
  if (!m.list) return [];
  return [`On ${m.list}${m.alsoOn?.length ? `, also on: ${m.alsoOn.join(', ')}` : ''}`];
}

export class SeriesTree implements vscode.TreeDataProvider<SeriesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SeriesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly parents = new WeakMap<object, SeriesNode>();
  /** Other mail as threads, per source's list (a new list at each load). */
  private readonly threads = new WeakMap<SourcedMessage[], MailThread[]>();
  private readonly given = new WeakMap<SourcedMessage, { t: Trailer; mismatch: boolean }[]>();

  /** The view this tree feeds, for the filter's message (set when the view is made). */
  view: vscode.TreeView<SeriesNode> | undefined;
  /** A lore query the view is filtered by, and the series versions with a message matching it. */
  private filter: { query: Query; text: string; versions: Set<string>; families: Set<string> } | undefined;

  constructor(private readonly store: SeriesStore) {
    this.subscription = store.onDidChange(() => {
      // Parsed again: a relative date (d:2.weeks.ago..) moves with the clock.
      if (this.filter) {
        const q = parseQuery(this.filter.text);
        if (q.ok) {
          void this.applyFilter(this.filter.text, q.value).then(() => this.changed.fire(undefined));
          return;
        }
      }
      this.changed.fire(undefined);
    });
  }

  /** What the reviewer's own review says (states, drafts), shown beside the messages and versions. */
  private review: ReviewView | undefined;

  /** Shows the reviewer's state and drafts of each patch and cover letter; `changed` fires when they change. */
  showReview(review: ReviewView, changed: vscode.Event<void>): vscode.Disposable {
    this.review = review;
    return changed(() => this.changed.fire(undefined));
  }

  private versionDrafts(v: SeriesVersion): Draft[] {
    if (!this.review) return [];
    return [v.cover?.msgid, ...[...v.patches, ...v.extras].map((p) => p.message.msgid)].flatMap((id) => (id ? this.review!.draftsOf(id) : []));
  }

  get filterText(): string | undefined {
    return this.filter?.text;
  }

  /** Shows only the series versions one of whose messages (cover, patch, reply) the query matches; undefined shows all. */
  async setFilter(text: string | undefined, query?: Query): Promise<void> {
    if (text === undefined || query === undefined) {
      this.filter = undefined;
      if (this.view) this.view.message = undefined;
      void vscode.commands.executeCommand('setContext', 'execmemLens.seriesFiltered', false);
    } else {
      await this.applyFilter(text, query);
      void vscode.commands.executeCommand('setContext', 'execmemLens.seriesFiltered', true);
    }
    this.changed.fire(undefined);
  }

  private async applyFilter(text: string, query: Query): Promise<void> {
    const versions = new Set<string>();
    await this.store.ensure();
    // The plan narrows the search before any body is read; a hit outside every series does not count.
    if (this.view) this.view.message = `Filtering by ${text}…`;
    // All hits count here, not only the first 2,000 a search lists: a filter over a big archive asks for them all.
    for (const h of (await this.store.search(query, { bodies: true, all: true })).hits) if (h.series) versions.add(h.series.id);
    const families = new Set<string>();
    for (const v of versions) {
      const f = this.store.familyIdOf(v);
      if (f !== undefined) families.add(f);
    }
    this.filter = { query, text, versions, families };
    const total = this.store.versionStubs().length;
    if (this.view) this.view.message = `Filtered by ${text}: ${versions.size} of ${plural(total, 'series version')}. Clear the filter from the view's title bar.`;
  }

  private shownStubs(sourceId: string): FamilySummary[] {
    const all = this.store.familyStubs(sourceId);
    const f = this.filter;
    return f ? all.filter((stub) => f.families.has(stub.id)) : all;
  }

  private shownFamilies(sourceId: string): SeriesFamily[] {
    const all = this.store.familiesOf(sourceId);
    const f = this.filter;
    return f ? all.filter((fam) => fam.versions.some((v) => f.versions.has(v.id))) : all;
  }

  async getChildren(node?: SeriesNode): Promise<SeriesNode[]> {
    if (!node) {
      // The summary is enough for the sources and their families: the model may follow.
      if (!this.store.current && !this.store.preview) await this.store.whenShowable();
      return this.store.sourceStates.map((state) => ({ kind: 'source', state }));
    }
    // A source lists its families' lines from the summary; anything deeper waits for the model.
    if (node.kind !== 'source' && !this.store.current) await this.store.ensure();
    if (node.kind === 'familyStub') {
      const family = this.store.family(node.stub.id);
      return family ? this.getChildren({ kind: 'family', family }) : [];
    }
    const children = this.children(node);
    for (const c of children) this.parents.set(c, node);
    return children;
  }

  private threadsOf(state: SourceState): MailThread[] {
    const others = this.store.othersOf(state.sourceId);
    let list = this.threads.get(others);
    if (!list) this.threads.set(others, (list = threadsOf(others, this.store.current?.parentOf ?? new Map())));
    return list;
  }

  private replies(messages: readonly SourcedMessage[]): SeriesNode[] {
    return nestMessages(messages, this.store.current?.parentOf ?? new Map()).map((node) => ({ kind: 'reply', node }));
  }

  /** A long list in slices of PAGE. */
  private paged(state: SourceState, of: 'duplicates' | 'errors', n: number, item: (i: number) => SeriesNode): SeriesNode[] {
    if (n <= PAGE) return Array.from({ length: n }, (_, i) => item(i));
    const pages: SeriesNode[] = [];
    for (let from = 0; from < n; from += PAGE) pages.push({ kind: 'page', state, of, from, to: Math.min(n, from + PAGE) });
    return pages;
  }

  private children(node: SeriesNode): SeriesNode[] {
    switch (node.kind) {
      case 'source': {
        const { state } = node;
        const id = state.sourceId;
        const errors = this.store.countOf(id, 'errors');
        if (state.error) return [{ kind: 'reason', state }, ...(errors > 1 ? [{ kind: 'errors', state } as const] : [])];
        // Read from a model image, a family is read when it is expanded: the summary's lines stand for it until then.
        const list: SeriesNode[] =
          this.store.current && !this.store.lazy
            ? this.shownFamilies(id).map((family) => ({ kind: 'family', family }))
            : this.shownStubs(id).map((stub) => ({ kind: 'familyStub', stub }));
        if (this.store.countOf(id, 'others')) list.push({ kind: 'others', state });
        if (this.store.countOf(id, 'duplicates')) list.push({ kind: 'duplicates', state });
        if (errors) list.push({ kind: 'errors', state });
        return list;
      }
      case 'family': {
        const f = this.filter;
        return [...node.family.versions]
          .reverse()
          .filter((v) => !f || f.versions.has(v.id))
          .map((version) => ({ kind: 'version', version }));
      }
      case 'version': {
        const list: SeriesNode[] = this.versionDrafts(node.version).length ? [{ kind: 'myReview', version: node.version }] : [];
        if (node.version.cover) list.push({ kind: 'cover', version: node.version });
        for (const patch of [...node.version.patches, ...node.version.extras]) list.push({ kind: 'patch', version: node.version, patch });
        return list;
      }
      case 'myReview':
        return this.versionDrafts(node.version).map((draft) => ({ kind: 'draft', version: node.version, draft }));
      case 'cover':
        return this.replies(node.version.coverReplies);
      case 'patch':
        return [
          ...node.patch.files.map((file, index): SeriesNode => ({ kind: 'file', version: node.version, patch: node.patch, file, index })),
          ...this.replies(node.patch.replies),
        ];
      case 'reply':
        return node.node.children.map((child) => ({ kind: 'reply', node: child }));
      case 'others': {
        const threads = this.threadsOf(node.state);
        const groups = groupThreads(threads);
        return groups ? groups.map((group) => ({ kind: 'otherGroup', state: node.state, group })) : threads.map((thread) => ({ kind: 'otherThread', thread }));
      }
      case 'otherGroup':
        return node.group.groups
          ? node.group.groups.map((group) => ({ kind: 'otherGroup', state: node.state, group }))
          : node.group.threads.map((thread) => ({ kind: 'otherThread', thread }));
      case 'otherThread':
        return node.thread.root.children.map((child) => ({ kind: 'other', node: child }));
      case 'other':
        return node.node.children.map((child) => ({ kind: 'other', node: child }));
      case 'duplicates': {
        const list = this.store.duplicatesOf(node.state.sourceId);
        return this.paged(node.state, 'duplicates', list.length, (index) => ({ kind: 'duplicate', state: node.state, dup: list[index]!, index }));
      }
      case 'errors': {
        const list = this.store.errorsOf(node.state.sourceId);
        return this.paged(node.state, 'errors', list.length, (index) => ({ kind: 'error', state: node.state, error: list[index]!, index }));
      }
      case 'page': {
        const { state, of, from, to } = node;
        const out: SeriesNode[] = [];
        for (let index = from; index < to; index++) {
          if (of === 'duplicates') out.push({ kind: 'duplicate', state, dup: this.store.duplicatesOf(state.sourceId)[index]!, index });
          else out.push({ kind: 'error', state, error: this.store.errorsOf(state.sourceId)[index]!, index });
        }
        return out;
      }
      default:
        return [];
    }
  }

  getParent(node: SeriesNode): SeriesNode | undefined {
    return this.parents.get(node);
  }

  getTreeItem(node: SeriesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'source':
        return this.sourceItem(node.state);
      case 'reason': {
        return treeItem(reasonOf(node.state), vscode.TreeItemCollapsibleState.None, {
          tooltip: plain(`${node.state.path}\n\n${node.state.error ?? ''}\n\nRemove the source (the × on its line), or fix the path in the setting ${SETTINGS.mailSources}.`),
          icon: 'info',
          contextValue: 'mailSourceError',
          id: `reason:${node.state.sourceId}`,
        });
      }
      case 'family':
        return this.familyItem({ id: node.family.id, title: node.family.title, versions: node.family.versions.map(versionLabel) }, 'seriesFamily');
      case 'familyStub':
        // Its commands (compare versions) need the model: they appear when it is read.
        return this.familyItem(node.stub, 'seriesFamilyPending');
      case 'version':
        return this.versionItem(node.version);
      case 'myReview': {
        const n = this.versionDrafts(node.version).length;
        return treeItem('My Review', vscode.TreeItemCollapsibleState.Expanded, {
          description: `${plural(n, 'draft comment')} · not sent`,
          tooltip: plain(`Your draft comments on ${versionLabel(node.version)}, kept until you compose the reply (a patch's context menu: Compose Reply…).`),
          icon: 'comment-draft',
          contextValue: 'myReview',
          id: `myreview:${node.version.id}`,
        });
      }
      case 'draft': {
        const d = node.draft;
        const v = node.version;
        const patch = [...v.patches, ...v.extras].find((p) => p.message.msgid === d.msgid);
        const where = d.path ? `${d.path}:${d.startLine !== undefined ? `${d.startLine}-` : ''}${d.line}${d.side === 'old' ? ' (old side)' : ''}` : 'the whole message';
        return treeItem(`${pad(patch ? patch.index : 0, v.total)}/${v.total} ${where}`, vscode.TreeItemCollapsibleState.None, {
          description: d.text.replace(/\s+/g, ' ').slice(0, 80),
          tooltip: plain(`${where}\n\n${d.text}`),
          icon: 'comment',
          command: d.path && patch ? { command: 'execmemLens.openFileDiff', title: 'Open Diff', arguments: [d.msgid, d.path] } : { command: 'execmemLens.openMessage', title: 'Open Message', arguments: [d.msgid] },
          contextValue: 'reviewDraft',
          id: `draft:${d.id}`,
        });
      }
      case 'cover':
        return this.coverItem(node.version);
      case 'patch':
        return this.patchItem(node.version, node.patch);
      case 'file': {
        const f = node.file;
        return treeItem(f.path, vscode.TreeItemCollapsibleState.None, {
          description: `+${f.additions} −${f.deletions}${f.status === 'modified' ? '' : ` · ${f.status}`}`,
          resourceUri: vscode.Uri.file(`/${f.path}`),
          tooltip: plain(`${f.path}\n${f.status}, ${f.additions} insertions, ${f.deletions} deletions\nClick to see the change in a diff editor.`),
          command: { command: 'execmemLens.openFileDiff', title: 'Open Diff', arguments: [node.patch.message.msgid, f.path] },
          contextValue: 'seriesFile',
          // The same path can come twice (a patch inline and attached): the position keeps ids unique.
          id: `file:${node.patch.message.msgid}:${node.index}:${f.path}`,
        });
      }
      case 'reply':
        return this.messageItem(node.node, 'reply');
      case 'other':
        return this.messageItem(node.node, 'other');
      case 'others': {
        const n = this.store.countOf(node.state.sourceId, 'others');
        const threads = this.store.current && !this.store.lazy ? this.threadsOf(node.state).length : this.store.countOf(node.state.sourceId, 'otherThreads');
        return treeItem(`Other mail (${n})`, vscode.TreeItemCollapsibleState.Collapsed, {
          description: plural(threads, 'thread'),
          tooltip: plain(`${plural(n, 'message')} in ${plural(threads, 'thread')} that are neither a patch series nor a reply to one (discussion, pull requests, reports), newest activity first.`),
          icon: 'inbox',
          contextValue: 'mailOthers',
          id: `others:${node.state.sourceId}`,
        });
      }
      case 'otherGroup': {
        const g = node.group;
        return treeItem(g.key === 'undated' ? 'date unknown' : g.key, vscode.TreeItemCollapsibleState.Collapsed, {
          description: `${plural(g.threads.length, 'thread')} · ${plural(g.messages, 'message')}`,
          tooltip: plain(`Threads whose newest message is from ${g.key === 'undated' ? 'an unknown date' : g.key}: ${g.threads.length}, with ${plural(g.messages, 'message')}.`),
          icon: 'calendar',
          id: `ogroup:${node.state.sourceId}:${g.key}`,
        });
      }
      case 'otherThread':
        return this.threadItem(node.thread);
      case 'duplicates': {
        const n = this.store.countOf(node.state.sourceId, 'duplicates');
        const same = this.store.countOf(node.state.sourceId, 'identical');
        return treeItem(`Duplicates (${n})`, vscode.TreeItemCollapsibleState.Collapsed, {
          description: `${same} identical · ${n - same} content differs`,
          tooltip: plain(`${plural(n, 'message')} read from this source whose Message-ID had been read already (here or from a source above). The copy read first is the one that counts; these copies are kept so that they can be read.`),
          icon: 'copy',
          contextValue: 'mailDuplicates',
          id: `dups:${node.state.sourceId}`,
        });
      }
      case 'duplicate':
        return this.duplicateItem(node.dup, node.state, node.index);
      case 'errors': {
        const n = this.store.countOf(node.state.sourceId, 'errors');
        return treeItem(`Unreadable (${n})`, vscode.TreeItemCollapsibleState.Collapsed, {
          tooltip: plain(`${plural(n, 'message')} (or files, or repositories) of this source that could not be read, each with its reason.`),
          icon: 'error',
          contextValue: 'mailErrors',
          id: `errors:${node.state.sourceId}`,
        });
      }
      case 'error': {
        const e = node.error;
        return treeItem(e.origin, vscode.TreeItemCollapsibleState.None, {
          description: e.message,
          tooltip: plain(`${e.origin}${e.msgid ? `\nMessage-ID: <${e.msgid}>` : ''}\nSource: ${node.state.path}\n\n${e.message}`),
          icon: 'error',
          contextValue: 'mailError',
          id: `error:${node.state.sourceId}:${node.index}`,
        });
      }
      case 'page': {
        return treeItem(`${node.from + 1}–${node.to}`, vscode.TreeItemCollapsibleState.Collapsed, {
          description: node.of,
          icon: 'list-flat',
          id: `page:${node.of}:${node.state.sourceId}:${node.from}`,
        });
      }
    }
  }

  private sourceItem(state: SourceState): vscode.TreeItem {
    const name = path.basename(state.path) || state.path;
    const c = state.counts;
    const id = state.sourceId;
    const families = this.store.countOf(id, 'families');
    const hasChildren = families > 0 || this.store.countOf(id, 'others') + this.store.countOf(id, 'duplicates') + this.store.countOf(id, 'errors') > 0;
    const item = new vscode.TreeItem(
      name,
      state.error || families ? vscode.TreeItemCollapsibleState.Expanded : hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    const sum = [
      `${plural(c.messages, 'message')} read:`,
      `  ${plural(c.covers, 'cover letter')} and ${plural(c.patches, 'patch', 'patches')} in series (${plural(families, 'series family', 'series families')} listed here)`,
      `  ${plural(c.replies, 'reply', 'replies')} to them`,
      `  ${plural(c.others, 'other message')}`,
      `  ${plural(c.duplicates, 'duplicate')} of messages read before`,
      `  ${plural(c.errors, 'message')} that could not be read`,
      ...(c.unaccounted ? [`  ${c.unaccounted} not accounted for: a bug in Execmem Lens, please report it`] : []),
    ];
    if (state.error) {
      item.description = shortReason(state);
      item.tooltip = plain(`${state.path}\n\n${state.error}${c.messages ? `\n\n${sum.join('\n')}` : ''}`);
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    } else {
      const kind = /\.(mbox|mboxrd|mbx)$/i.test(name) ? classifyMailSource({ kind: 'file', name }) : null;
      item.description = [
        kind?.summary ?? 'mail',
        plural(c.messages, 'message'),
        `${c.covers + c.patches} in series`,
        plural(c.replies, 'reply', 'replies'),
        `${c.others} other`,
        plural(c.duplicates, 'duplicate'),
        `${c.errors} unreadable`,
        ...(c.unaccounted ? [`${c.unaccounted} unaccounted`] : []),
      ].join(' · ');
      item.tooltip = plain(`${state.path}${kind ? ` (${kind.summary})` : ''}\n\n${sum.join('\n')}`);
      item.iconPath = new vscode.ThemeIcon(KIND_ICONS[kind?.kind ?? 'mbox-folder']);
    }
    item.resourceUri = undefined;
    item.contextValue = 'mailSource';
    item.id = `source:${state.sourceId}`;
    return item;
  }

  /** A family's line, from the model or from the summary alike (the same id, so an expanded family stays so). */
  private familyItem(f: FamilySummary, contextValue: string): vscode.TreeItem {
    const newest = f.versions[f.versions.length - 1]!;
    return treeItem(f.title, vscode.TreeItemCollapsibleState.Collapsed, {
      description: `${f.versions.length} version${f.versions.length === 1 ? '' : 's'} · latest ${newest}`,
      tooltip: plain(`${f.title}\n\nVersions: ${f.versions.join(', ')}\nFirst posted as: ${f.id}`),
      icon: 'versions',
      contextValue,
      id: `family:${f.id}`,
    });
  }

  private versionItem(v: SeriesVersion): vscode.TreeItem {
    const item = new vscode.TreeItem(`${versionLabel(v)}: ${v.title}`, vscode.TreeItemCollapsibleState.Collapsed);
    const reviews = reviewCount(v);
    const parts = [
      `${v.patches.length}/${v.total}`,
      v.author.name || v.author.address,
      (v.date ?? '').slice(0, 10),
      v.missing.length ? `missing ${v.missing.join(',')}` : '',
      reviews ? `R/A ${reviews}` : '',
      this.review?.summary(v),
      v.superseded ? 'superseded' : '',
    ];
    item.description = parts.filter(Boolean).join(' · ');
    const stat = versionStat(v);
    const lines = [
      `${versionLabel(v)}: ${v.title}`,
      `${v.author.name} <${v.author.address}>, ${v.date ?? 'date unknown'}`,
      `${v.patches.length} of ${v.total} patches${v.cover ? ' and a cover letter' : ', no cover letter'}; ${stat.files} files, +${stat.additions} −${stat.deletions}`,
    ];
    if (v.missing.length) lines.push(`Missing: ${v.missing.join(', ')}`);
    for (const p of v.extras) lines.push(`Extra patch ${p.index}: ${p.findings.join('; ') || 'outside 1..' + v.total}`);
    if (v.resendOf) lines.push(`A resend: the same patches were sent before (${v.resendOf}).`);
    for (const f of v.findings) lines.push(`Note: ${f}`);
    if (!v.threaded) lines.push('Not threaded as one sending.');
    if (v.superseded) lines.push(`Superseded: the same version was sent again (${v.supersededBy}).`);
    if (v.baseCommit) lines.push(`base-commit: ${v.baseCommit}`);
    if (v.changeId) lines.push(`change-id: ${v.changeId}`);
    lines.push(`Replies: ${v.replyCount}; Reviewed-by/Acked-by given: ${reviews}`);
    if (v.coverTrailers.length) lines.push('For the whole series (given on the cover letter):', ...givenLines(v.coverTrailers));
    item.tooltip = plain(lines.join('\n'));
    item.iconPath = new vscode.ThemeIcon(v.superseded ? 'circle-slash' : v.missing.length ? 'warning' : 'git-pull-request');
    item.contextValue = 'seriesVersion';
    item.id = `version:${v.id}`;
    return item;
  }

  private coverItem(v: SeriesVersion): vscode.TreeItem {
    const cover = v.cover!;
    const n = v.coverReplies.length;
    const item = new vscode.TreeItem(`${pad(0, v.total)}/${v.total} cover letter`, n ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = [this.review?.describe(cover.msgid), plural(n, 'reply', 'replies'), trailerCounts(v.coverTrailers)].filter(Boolean).join(' · ');
    const lines = [cover.subject, `${person(cover.from)}, ${cover.date ?? 'date unknown'}`, ...listLines(cover)];
    if (v.coverTrailers.length) lines.push('', 'Given on the cover letter (for the whole series):', ...givenLines(v.coverTrailers));
    if (v.findings.length) lines.push('', ...v.findings.map((f) => `Note: ${f}`));
    item.tooltip = plain(lines.join('\n'));
    item.iconPath = new vscode.ThemeIcon('mail');
    item.command = { command: 'execmemLens.openMessage', title: 'Open Cover Letter', arguments: [cover.msgid] };
    item.contextValue = 'seriesMessage';
    item.id = `cover:${v.id}`;
    return item;
  }

  private patchItem(v: SeriesVersion, p: PatchEntry): vscode.TreeItem {
    const hasChildren = p.files.length + p.replies.length > 0;
    const item = new vscode.TreeItem(`${pad(p.index, v.total)}/${v.total} ${p.subject.title}`, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = [
      this.review?.describe(p.message.msgid),
      ...p.findings,
      plural(p.replies.length, 'reply', 'replies'),
      trailerCounts(p.trailers),
      `+${p.stat.additions} −${p.stat.deletions}`,
    ].filter(Boolean).join(' · ');
    const lines = [p.message.subject, `${person(p.message.from)}, ${p.message.date ?? 'date unknown'}`, ...listLines(p.message)];
    const own = p.trailers.filter((t) => t.from === 'patch');
    const replied = p.trailers.filter((t) => t.from === 'followup' && t.via !== 'cover');
    const series = p.trailers.filter((t) => t.from === 'followup' && t.via === 'cover');
    if (own.length) lines.push('', 'Carried by the patch:', ...givenLines(own));
    if (replied.length) lines.push('', 'Given in replies to this patch:', ...givenLines(replied));
    if (series.length) lines.push('', 'For the whole series (given on the cover letter):', ...givenLines(series));
    if (p.findings.length) lines.push('', ...p.findings.map((f) => `Note: ${f}`));
    item.tooltip = plain(lines.join('\n'));
    item.iconPath = new vscode.ThemeIcon(p.index > v.total ? 'diff-added' : 'git-commit');
    item.command = { command: 'execmemLens.openMessage', title: 'Open Patch', arguments: [p.message.msgid] };
    item.contextValue = 'seriesMessage';
    item.id = `patch:${p.message.msgid}`;
    return item;
  }

  /** The trailers a message gives, as a follow-up gives them. */
  private trailersOf(m: SourcedMessage): { t: Trailer; mismatch: boolean }[] {
    let list = this.given.get(m);
    if (!list) this.given.set(m, (list = (m.facts?.followupTrailers ?? followupTrailers(m.body)).map((t) => ({ t, mismatch: senderMismatch(t, m.from.address) }))));
    return list;
  }

  /** A reply in a series' thread, or a message of other mail: who, when, what it gives. */
  private messageItem(node: ThreadNode, role: 'reply' | 'other'): vscode.TreeItem {
    const m = node.msg;
    const item = new vscode.TreeItem(who(m), node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const given = this.trailersOf(m);
    const names = [...new Set(given.map(({ t, mismatch }) => (mismatch ? `${t.name} (names ${t.person?.name || t.person?.address || t.value})` : t.name)))];
    item.description = [when(m), ...names].join(' · ');
    const lines = [m.subject, `From: ${person(m.from)}`, `Date: ${m.date ?? 'unknown'}`, ...listLines(m)];
    if (given.length) lines.push('', 'Gives:', ...given.map(({ t, mismatch }) => trailerLine(t, m.from, mismatch)));
    if (node.children.length) lines.push('', `${plural(node.children.length, 'direct answer')} below.`);
    item.tooltip = plain(lines.join('\n'));
    const reviews = given.some(({ t }) => /^(Reviewed|Acked|Tested)-by$/.test(t.name));
    item.iconPath = new vscode.ThemeIcon(given.some((g) => g.mismatch) ? 'warning' : reviews ? 'pass' : 'comment');
    item.command = { command: 'execmemLens.openMessage', title: 'Open Message', arguments: [m.msgid] };
    item.contextValue = role === 'reply' ? 'seriesReply' : 'mailMessage';
    item.id = `${role}:${m.msgid}`;
    return item;
  }

  private threadItem(thread: MailThread): vscode.TreeItem {
    const m = thread.root.msg;
    const item = new vscode.TreeItem(m.subject || '(no subject)', thread.root.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const last = thread.last ? new Date(thread.last).toISOString().slice(0, 10) : 'date unknown';
    item.description = `${plural(thread.count, 'message')} · ${last}`;
    item.tooltip = plain(`${m.subject}\nStarted by ${person(m.from)}, ${m.date ?? 'date unknown'}\n${plural(thread.count, 'message')}, the last on ${last}`);
    item.iconPath = new vscode.ThemeIcon(thread.count > 1 ? 'comment-discussion' : 'mail');
    item.command = { command: 'execmemLens.openMessage', title: 'Open Message', arguments: [m.msgid] };
    item.contextValue = 'mailThread';
    item.id = `othread:${m.msgid}`;
    return item;
  }

  private duplicateItem(d: DuplicateMessage, state: SourceState, index: number): vscode.TreeItem {
    const item = new vscode.TreeItem(d.subject || '(no subject)', vscode.TreeItemCollapsibleState.None);
    item.description = `${d.origin} · ${d.identical ? 'identical' : 'content differs'}`;
    item.tooltip = plain(
      [
        d.subject,
        `Message-ID: <${d.msgid}>`,
        '',
        `This copy: ${d.origin}`,
        `The copy that counts: ${d.firstOrigin}`,
        d.identical ? 'Same sender, date, subject and text as the copy that counts.' : 'Its sender, date, subject or text differ from the copy that counts.',
        '',
        'Click to read this copy.',
      ].join('\n'),
    );
    item.iconPath = new vscode.ThemeIcon(d.identical ? 'copy' : 'diff-modified');
    item.command = { command: 'execmemLens.openMessage', title: 'Open This Copy', arguments: [d.msgid, { sourceId: d.sourceId, origin: d.origin }] };
    item.contextValue = 'mailDuplicate';
    item.id = `dup:${state.sourceId}:${index}:${d.msgid}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
