/**
 * The reviewer's own review, in the editor: draft comments on the lines of a
 * patch's diff (VS Code's Comments API, a controller of its own beside the
 * read-only mail replies), kept per workspace so they survive a reload;
 * Compose Reply makes them into the mail (core/review/reply.ts) in an
 * editable document; Save to Outbox appends that mail to an mbox in the
 * workspace, Copy as Text puts it on the clipboard. The review state of each
 * patch (core/review/state.ts) moves with the drafts and the replies, and can
 * be set by hand.
 *
 * Comments go on the documents of the diff editor this extension opens
 * (execmem-side:): the rebuilt sides of a patch's hunks, or the new side
 * applied to the workspace copy. A comment is kept by the line of the
 * patch's side it is on, not the line of the document, so it is placed again
 * whichever way the diff is shown.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { decodeMessage, mailboxesOf, type Mailbox } from '../../core/mail/message';
import { parsePerson } from '../../core/mail/trailers';
import type { PatchFile } from '../../core/patch/patch';
import { appliedLines, hunkSides } from '../../core/patch/sides';
import { addDraft, deleteDraft, type Draft, type DraftBook, draftsOf, editDraft, emptyDrafts, parseDrafts } from '../../core/review/drafts';
import { composeReply, originalOf, TRAILER_KINDS, type TrailerKind } from '../../core/review/reply';
import { effectiveState, emptyBook, parseBook, type ReviewBook, type ReviewEvent, type ReviewRecord, type ReviewState, STATE_LABELS, stateFromMail, transition, versionSummary } from '../../core/review/state';
import type { SeriesVersion } from '../../core/series/model';
import { gitIdentity } from '../../node/review/identity';
import { newMessageId, replyMail } from '../../node/review/mail';
import { appendToMbox } from '../../node/review/outbox';
import { mailboxArg, sendWithGit } from '../../node/review/send';
import { CONFIG_SECTION, SETTING_NAMES } from '../config';
import { findPatch, parseSideUri, SIDE_SCHEME } from '../series/documents';
import type { SeriesStore } from '../series/store';

const DRAFTS_KEY = 'execmemLens.review.drafts';
const STATES_KEY = 'execmemLens.review.states';
export const CONTROLLER_ID = 'execmemLens.myReview';

/** A draft shown in a comment thread. */
export class DraftNote implements vscode.Comment {
  mode = vscode.CommentMode.Preview;
  readonly author: vscode.CommentAuthorInformation = { name: 'You (draft)' };
  readonly contextValue = 'execmemDraft';
  /** The text being edited, put back on Cancel. */
  saved: string;
  body: string | vscode.MarkdownString;

  constructor(
    readonly draftId: string,
    text: string,
    readonly thread: vscode.CommentThread,
  ) {
    this.saved = text;
    // Shown as typed: a comment is plain text, never markdown to render.
    this.body = new vscode.MarkdownString().appendText(text);
  }

  setText(text: string): void {
    this.saved = text;
    this.body = new vscode.MarkdownString().appendText(text);
  }
}

/** A composed reply open in an editor, and what it answers. */
interface Composed {
  msgid: string;
  trailer?: TrailerKind;
  comments: number;
  /** The drafts made into it, as they were then: only those are done with once it is sent (a draft added or edited since stays). */
  drafts: { id: string; updated: string }[];
}

export class MyReview implements vscode.Disposable {
  readonly controller = vscode.comments.createCommentController(CONTROLLER_ID, 'My review (drafts)');
  private drafts: DraftBook;
  private states: ReviewBook;
  /** The threads shown, by the document they are on. */
  private readonly shown = new Map<string, vscode.CommentThread[]>();
  private readonly composed = new Map<string, Composed>();
  /** Composed replies being sent (one send at a time each). */
  private readonly busy = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Drafts or states changed (the tree shows both). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly memento: vscode.Memento,
    private readonly store: SeriesStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.drafts = this.load(DRAFTS_KEY, parseDrafts, emptyDrafts);
    this.states = this.load(STATES_KEY, parseBook, emptyBook);
    this.controller.options = { prompt: 'Comment on this line (kept as a draft until you compose the reply)', placeHolder: 'Your comment, as it will read in the mail' };
    this.controller.commentingRangeProvider = { provideCommentingRanges: (doc) => this.commentingRanges(doc) };
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.showDrafts(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.hideDrafts(d.uri);
        this.composed.delete(d.uri.toString());
      }),
      vscode.window.onDidChangeActiveTextEditor(() => void vscode.commands.executeCommand('setContext', 'execmemLens.composedReply', this.composedActive())),
      // Documents restored before the mail was read get their drafts once it is.
      store.onDidChange(() => {
        for (const d of vscode.workspace.textDocuments) this.showDrafts(d);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.showDrafts(d);
    // Who the reviewer is, for what the mail says of their review (their trailers): git's identity, looked up once.
    void gitIdentity(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath).then((id) => {
      if (!id.ok) return;
      this.me = id.value;
      this.changed.fire();
    });
  }

  /** The reviewer as git names them, once known. */
  private me: Mailbox | undefined;

  /** A stored book read back; one that cannot be read is kept aside (never lost) and an empty one used. */
  private load<T>(key: string, parse: (x: unknown) => { ok: true; value: T } | { ok: false; error: string }, empty: () => T): T {
    const raw = this.memento.get<unknown>(key);
    if (raw === undefined) return empty();
    const r = parse(raw);
    if (r.ok) return r.value;
    const aside = `${key}.unreadable-${Date.now()}`;
    void this.memento.update(aside, raw);
    this.log.warn(`${key}: the stored value could not be read (${r.error}); it is kept as ${aside} and an empty one is used`);
    return empty();
  }

  private async save(): Promise<void> {
    await this.memento.update(DRAFTS_KEY, this.drafts);
    await this.memento.update(STATES_KEY, this.states);
    this.changed.fire();
  }

  // ---------------------------------------------------------------- lines

  /** The file of the patch a side document shows, and for each of its lines the line of the patch's side (0: none). */
  private linesOf(doc: vscode.TextDocument): { msgid: string; file: PatchFile; side: 'old' | 'new'; path: string; map: number[] } | undefined {
    if (doc.uri.scheme !== SIDE_SCHEME) return undefined;
    const { side, filePath, msgid, mode } = parseSideUri(doc.uri);
    const file = findPatch(this.store, msgid)?.patch.files.find((f) => (side === 'old' ? (f.oldPath ?? f.path) : f.path) === filePath);
    if (!file) return undefined;
    const sides = hunkSides(file.structured);
    const text = doc.getText();
    const map = mode === 'applied' && side === 'new' && text !== sides.new.text ? appliedLines(text, file.structured) : (side === 'old' ? sides.old : sides.new).fileLines;
    return { msgid, file, side, path: file.path, map };
  }

  private commentingRanges(doc: vscode.TextDocument): vscode.Range[] {
    const l = this.linesOf(doc);
    if (!l) return [];
    const ranges: vscode.Range[] = [];
    let start = -1;
    for (let i = 0; i <= l.map.length; i++) {
      const on = i < l.map.length && l.map[i]! > 0;
      if (on && start < 0) start = i;
      if (!on && start >= 0) {
        ranges.push(new vscode.Range(start, 0, i - 1, 0));
        start = -1;
      }
    }
    return ranges;
  }

  // ---------------------------------------------------------------- drafts on documents

  private showDrafts(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (this.shown.has(key)) return;
    const l = this.linesOf(doc);
    if (!l) return;
    const threads: vscode.CommentThread[] = [];
    for (const d of draftsOf(this.drafts, l.msgid)) {
      if (d.path !== l.path || d.side !== l.side) continue;
      const line = l.map.indexOf(d.line);
      if (line < 0) continue;
      const start = d.startLine !== undefined ? l.map.indexOf(d.startLine) : -1;
      const thread = this.controller.createCommentThread(doc.uri, new vscode.Range(start >= 0 && start <= line ? start : line, 0, line, 0), []);
      thread.comments = [new DraftNote(d.id, d.text, thread)];
      this.decorate(thread);
      threads.push(thread);
    }
    this.shown.set(key, threads);
  }

  private hideDrafts(uri: vscode.Uri): void {
    const key = uri.toString();
    for (const t of this.shown.get(key) ?? []) t.dispose();
    this.shown.delete(key);
  }

  private decorate(thread: vscode.CommentThread): void {
    thread.label = 'Draft · not sent';
    thread.contextValue = 'execmemDraftThread';
    thread.canReply = true;
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
  }

  /** A comment typed into a thread of this controller: kept as a draft on the patch's line. */
  async addComment(reply: vscode.CommentReply): Promise<void> {
    const text = reply.text.trim();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === reply.thread.uri.toString()) ?? (await vscode.workspace.openTextDocument(reply.thread.uri));
    const l = this.linesOf(doc);
    const range = reply.thread.range;
    const line = l && range ? l.map[range.end.line] ?? 0 : 0;
    if (!l || !text || line === 0) {
      if (!text) return;
      void vscode.window.showWarningMessage('Execmem Lens: comment on a line the patch shows (a line of one of its hunks).');
      if (reply.thread.comments.length === 0) reply.thread.dispose();
      return;
    }
    const startLine = range && range.start.line < range.end.line ? l.map[range.start.line] ?? 0 : 0;
    const at = new Date().toISOString();
    const added = addDraft(this.drafts, l.msgid, { path: l.path, side: l.side, line, ...(startLine > 0 && startLine < line ? { startLine } : {}), text }, at);
    this.drafts = added.book;
    this.move(l.msgid, { kind: 'comment' }, at);
    reply.thread.comments = [...reply.thread.comments, new DraftNote(added.draft.id, text, reply.thread)];
    this.decorate(reply.thread);
    const key = reply.thread.uri.toString();
    const list = this.shown.get(key) ?? [];
    if (!list.includes(reply.thread)) list.push(reply.thread);
    this.shown.set(key, list);
    await this.save();
  }

  editComment(note: DraftNote): void {
    // The edit box shows the text as it was typed (the shown body is escaped for display).
    note.body = note.saved;
    note.mode = vscode.CommentMode.Editing;
    note.thread.comments = [...note.thread.comments];
  }

  async saveComment(note: DraftNote): Promise<void> {
    const text = (typeof note.body === 'string' ? note.body : note.body.value).trim();
    if (!text) return this.deleteComment(note);
    this.drafts = editDraft(this.drafts, note.draftId, text, new Date().toISOString());
    note.setText(text);
    note.mode = vscode.CommentMode.Preview;
    note.thread.comments = [...note.thread.comments];
    await this.save();
  }

  cancelEdit(note: DraftNote): void {
    note.setText(note.saved);
    note.mode = vscode.CommentMode.Preview;
    note.thread.comments = [...note.thread.comments];
  }

  async deleteComment(note: DraftNote): Promise<void> {
    this.drafts = deleteDraft(this.drafts, note.draftId);
    note.thread.comments = note.thread.comments.filter((c) => c !== note);
    if (note.thread.comments.length === 0) {
      const key = note.thread.uri.toString();
      this.shown.set(key, (this.shown.get(key) ?? []).filter((t) => t !== note.thread));
      note.thread.dispose();
    }
    await this.save();
  }

  /** The drafts on a message (for "My Review" and Compose Reply). */
  draftsOf(msgid: string): Draft[] {
    return draftsOf(this.drafts, msgid);
  }

  /** Every message with drafts, and how many. */
  draftCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const d of this.drafts.drafts) out.set(d.msgid, (out.get(d.msgid) ?? 0) + 1);
    return out;
  }

  // ---------------------------------------------------------------- state

  private move(msgid: string, event: ReviewEvent, at: string): void {
    // From the state shown (a trailer of mine in the mail counts): a comment does not reopen a review it ended.
    const next = transition(this.stateOf(msgid, this.me), event, at);
    if (next) this.states = { ...this.states, patches: { ...this.states.patches, [msgid]: next } };
  }

  /** The state of a patch: what was kept, or what the mail says of `me` when that is later. */
  stateOf(msgid: string, me?: Mailbox): ReviewRecord | undefined {
    const kept = this.states.patches[msgid];
    const found = me ? findPatch(this.store, msgid) : undefined;
    const mail = found && me ? stateFromMail(found.patch, me, (id) => this.store.message(id)?.time ?? 0) : null;
    return effectiveState(kept, mail);
  }

  async setState(msgid: string, state: ReviewState): Promise<void> {
    this.move(msgid, { kind: 'set', state }, new Date().toISOString());
    await this.save();
  }

  /** The state shown for a message (what was kept, or what the mail says of me). */
  currentState(msgid: string): ReviewState {
    return this.stateOf(msgid, this.me)?.state ?? 'new';
  }

  /** The states kept, as JSON (for the Export command). */
  exportStates(): string {
    return `${JSON.stringify(this.states, null, 2)}\n`;
  }

  // ---------------------------------------------------------------- compose and keep

  /** Who the reviewer is: git's identity in the workspace, else asked. */
  async identity(): Promise<Mailbox | undefined> {
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const id = await gitIdentity(cwd);
    if (id.ok) return id.value;
    const typed = await vscode.window.showInputBox({
      title: 'Compose Reply: who you are',
      prompt: `${id.error}. Your name and address for From:`,
      placeHolder: 'Name <you@example.org>',
      validateInput: (v) => (parsePerson(v) ? undefined : 'Name <address>'),
    });
    return typed ? (parsePerson(typed) ?? undefined) : undefined;
  }

  /** Composes the reply to `msgid` from its drafts and a trailer, and opens it to be edited. */
  async compose(msgid: string): Promise<void> {
    const msg = this.store.message(msgid);
    if (!msg) {
      void vscode.window.showWarningMessage(`Execmem Lens: message <${msgid}> is not among the loaded mail.`);
      return;
    }
    if (msg.syntheticId) {
      void vscode.window.showErrorMessage('Execmem Lens: this message has no Message-ID (it was read from a file), so a reply to it would not thread under it on the list.');
      return;
    }
    const place = this.store.placeOf(msgid);
    const cover = !!place && !place.patch;
    const drafts = this.draftsOf(msgid);
    const pick = await vscode.window.showQuickPick(
      [{ label: 'No trailer', trailer: undefined as TrailerKind | undefined }, ...TRAILER_KINDS.map((k) => ({ label: k, trailer: k as TrailerKind | undefined, description: cover ? 'for the series' : undefined }))],
      { title: `Compose Reply to ${msg.subject} (${drafts.length} draft comment${drafts.length === 1 ? '' : 's'})`, placeHolder: 'A trailer to give, with your identity' },
    );
    if (!pick) return;
    const me = await this.identity();
    if (!me) return;
    const now = new Date();
    const r = composeReply(
      originalOf(msg),
      { me, comments: drafts, ...(pick.trailer ? { trailer: pick.trailer } : {}), cover, messageId: newMessageId(me, now), date: now },
    );
    if (!r.ok) {
      void vscode.window.showErrorMessage(`Execmem Lens: ${r.error}`);
      return;
    }
    let text: string;
    try {
      text = replyMail(r.value).toString('utf8').replace(/\r\n/g, '\n');
    } catch (e) {
      void vscode.window.showErrorMessage(`Execmem Lens: ${(e as Error).message}`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    this.composed.set(doc.uri.toString(), { msgid, ...(pick.trailer ? { trailer: pick.trailer } : {}), comments: drafts.length, drafts: drafts.map((d) => ({ id: d.id, updated: d.updated })) });
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('setContext', 'execmemLens.composedReply', true);
  }

  /** The mail in `doc` (as edited), checked: it must still be a reply with its headers; CRLF line endings. */
  private mailOf(doc: vscode.TextDocument): { bytes: Buffer; composed: Composed; from: Mailbox; to: Mailbox[]; cc: Mailbox[]; subject: string; messageId: string } | string {
    const composed = this.composed.get(doc.uri.toString());
    // Only a reply composed in this window: what it answers and which drafts it holds are known (after a reload, compose it again).
    if (!composed) return 'this is not a reply composed in this window (Compose Reply… again)';
    if (this.busy.has(doc.uri.toString())) return 'it is being sent';
    const text = doc.getText().replace(/\r\n?/g, '\n');
    const bytes = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
    const m = decodeMessage(bytes, 'composed');
    if (!('ok' in m) || !m.ok) return 'this is not a mail any more (its headers cannot be read)';
    const mail = m.value;
    if (!mail.from.address) return 'the mail has no From: address';
    if (mailboxesOf(mail.to).length === 0) return 'the mail has no To: address';
    if (!mail.inReplyTo) return 'the mail has no In-Reply-To: (it would not thread under the patch)';
    return { bytes, composed, from: mail.from, to: mailboxesOf(mail.to), cc: mailboxesOf(mail.cc), subject: mail.subject, messageId: mail.msgid };
  }

  private outboxFile(): string | undefined {
    const setting = vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>(SETTING_NAMES.replyOutbox, '.execmem-lens/outbox.mbox');
    if (path.isAbsolute(setting)) return setting;
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? path.join(folder.uri.fsPath, setting) : undefined;
  }

  /** Appends the composed reply in the active editor to the outbox; its drafts are then done with. */
  async saveToOutbox(doc = vscode.window.activeTextEditor?.document): Promise<string | undefined> {
    if (!doc) return undefined;
    const mail = this.mailOf(doc);
    if (typeof mail === 'string') {
      void vscode.window.showErrorMessage(`Execmem Lens: not saved: ${mail}.`);
      return undefined;
    }
    const file = this.outboxFile();
    if (!file) {
      void vscode.window.showErrorMessage('Execmem Lens: not saved: open a folder for the outbox, or set execmemLens.replyOutbox to an absolute path.');
      return undefined;
    }
    try {
      appendToMbox(file, mail.bytes, mail.from.address, new Date());
    } catch (e) {
      void vscode.window.showErrorMessage(`Execmem Lens: ${(e as Error).message}`);
      return undefined;
    }
    await this.sent(mail.composed, doc, mail.messageId);
    // Kept in the outbox now: the editor goes without asking to save the untitled copy.
    if (vscode.window.activeTextEditor?.document === doc) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    void vscode.window.showInformationMessage(`Execmem Lens: the reply was saved to ${vscode.workspace.asRelativePath(file)}.`);
    return file;
  }

  /**
   * Sends the composed reply in the active editor with the reviewer's own
   * `git send-email`, after they confirm who it goes to; a failed send keeps
   * the draft and the editor, and shows git's error.
   */
  async sendWithGit(doc = vscode.window.activeTextEditor?.document): Promise<boolean> {
    if (!doc) return false;
    const mail = this.mailOf(doc);
    if (typeof mail === 'string') {
      void vscode.window.showErrorMessage(`Execmem Lens: not sent: ${mail}.`);
      return false;
    }
    // Shown as one line each: a name from mail never adds a line of its own.
    const flat = (t: string) => t.replace(/[\u0000-\u001f\u007f]+/g, ' ');
    const who = (m: Mailbox) => flat(m.name ? `${m.name} <${m.address}>` : m.address);
    const detail = [`From: ${who(mail.from)}`, `To: ${mail.to.map(who).join(', ')}`, `Cc: ${mail.cc.map(who).join(', ') || '(none)'}`, `Subject: ${flat(mail.subject)}`].join('\n');
    const answer = await vscode.window.showWarningMessage('Send this reply with git send-email?', { modal: true, detail }, 'Send');
    if (answer !== 'Send') return false;
    const key = doc.uri.toString();
    if (this.busy.has(key)) return false;
    this.busy.add(key);
    let r: Awaited<ReturnType<typeof sendWithGit>>;
    try {
      // Each mailbox one argument, its name quoted (a name with a comma, "Edgecombe, Rick P", would be split in two).
      r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Sending the reply with git send-email…' }, () =>
        sendWithGit(mail.bytes, { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, from: mailboxArg(mail.from), to: mail.to.map(mailboxArg), cc: mail.cc.map(mailboxArg) }),
      );
    } finally {
      this.busy.delete(key);
    }
    if (!r.ok) {
      this.log.error(`git send-email: ${r.error}`);
      void vscode.window.showErrorMessage(`Execmem Lens: not sent (the reply and its drafts are kept). ${r.error}`);
      return false;
    }
    this.log.info(`git send-email: ${r.output}`);
    await this.sent(mail.composed, doc, mail.messageId);
    if (vscode.window.activeTextEditor?.document === doc) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    void vscode.window.showInformationMessage(`Execmem Lens: the reply was sent to ${mail.to.map((m) => m.address).join(', ')}.`);
    return true;
  }

  async copyAsText(doc = vscode.window.activeTextEditor?.document): Promise<void> {
    if (!doc) return;
    await vscode.env.clipboard.writeText(doc.getText());
    void vscode.window.showInformationMessage('Execmem Lens: the reply was copied as text.');
  }

  /** A reply kept or sent: its drafts go, the patch's state moves. */
  private async sent(c: Composed, doc: vscode.TextDocument, replyId: string): Promise<void> {
    const at = new Date().toISOString();
    this.move(c.msgid, { kind: 'reply', ...(c.trailer ? { trailer: c.trailer } : {}), comments: c.comments, msgid: replyId }, at);
    // The drafts that went into the mail, unchanged since: a draft added or edited after Compose stays.
    const done = new Set(c.drafts.map((d) => `${d.id}\u0000${d.updated}`));
    this.drafts = { ...this.drafts, drafts: this.drafts.drafts.filter((d) => !done.has(`${d.id}\u0000${d.updated}`)) };
    for (const [key, threads] of this.shown) {
      const keep = threads.filter((t) => !t.comments.some((n) => n instanceof DraftNote && !this.drafts.drafts.some((d) => d.id === n.draftId)));
      for (const t of threads) if (!keep.includes(t)) t.dispose();
      this.shown.set(key, keep);
    }
    this.composed.delete(doc.uri.toString());
    void vscode.commands.executeCommand('setContext', 'execmemLens.composedReply', this.composedActive());
    await this.save();
  }

  /** Whether the active editor holds a reply composed in this window. */
  private composedActive(): boolean {
    const doc = vscode.window.activeTextEditor?.document;
    return !!doc && this.composed.has(doc.uri.toString());
  }

  /** "2/13 reviewed" for a version the reviewer has begun on (a state set or a draft on one of its messages); nothing before. */
  summary(version: SeriesVersion): string | undefined {
    const states = new Map(version.patches.map((p) => [p, this.stateOf(p.message.msgid, this.me)]));
    const cover = version.cover?.msgid;
    const begun = [...states.values()].some((s) => s !== undefined) || (cover !== undefined && this.states.patches[cover] !== undefined) || this.drafts.drafts.some((d) => d.msgid === cover || version.patches.some((p) => p.message.msgid === d.msgid));
    return begun ? versionSummary(version, (p) => states.get(p)?.state ?? 'new').text : undefined;
  }

  /** Labels for the tree: a patch's state and drafts, when it has either. */
  describe(msgid: string): string | undefined {
    const s = this.stateOf(msgid, this.me);
    const n = this.drafts.drafts.filter((d) => d.msgid === msgid).length;
    const parts = [s && s.state !== 'new' ? STATE_LABELS[s.state] : '', n ? `${n} draft${n === 1 ? '' : 's'}` : ''].filter(Boolean);
    return parts.length ? parts.join(', ') : undefined;
  }

  dispose(): void {
    for (const list of this.shown.values()) for (const t of list) t.dispose();
    this.shown.clear();
    for (const s of this.subscriptions) s.dispose();
    this.controller.dispose();
    this.changed.dispose();
  }
}
