/**
 * A reviewer's state of each patch, as patchwork keeps one per patch: new,
 * in review, reviewed, changes requested, acked. It moves when the reviewer
 * says so (the tree's context menu), when they start commenting, when they
 * send a reply (with a trailer: reviewed or acked; with comments and no
 * trailer: changes requested), and when the mail shows a reply of theirs
 * with a trailer (read from the archive, wherever it was sent from). Kept
 * per workspace by Message-ID; exported and read back as JSON.
 */
import type { Mailbox } from '../mail/message';
import type { PatchEntry, SeriesVersion } from '../series/model';
import type { TrailerKind } from './reply';

export const REVIEW_STATES = ['new', 'in-review', 'reviewed', 'changes-requested', 'acked'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const STATE_LABELS: Record<ReviewState, string> = {
  new: 'new',
  'in-review': 'in review',
  reviewed: 'reviewed',
  'changes-requested': 'changes requested',
  acked: 'acked',
};

/** What moved a patch to its state, and when (ISO 8601). */
export interface ReviewRecord {
  state: ReviewState;
  by: 'you' | 'comment' | 'reply' | 'mail';
  at: string;
  /** The reply that carried it, for `reply` and `mail`. */
  msgid?: string;
}

export interface ReviewBook {
  version: 1;
  /** By the patch's Message-ID. */
  patches: Record<string, ReviewRecord>;
}

export type ReviewEvent =
  | { kind: 'set'; state: ReviewState }
  | { kind: 'comment' }
  | { kind: 'reply'; trailer?: TrailerKind; comments: number; msgid: string };

export function emptyBook(): ReviewBook {
  return { version: 1, patches: {} };
}

/** The state after `event`, from `record` (none: the patch is new); null when the event does not move it. */
export function transition(record: ReviewRecord | undefined, event: ReviewEvent, at: string): ReviewRecord | null {
  const from = record?.state ?? 'new';
  switch (event.kind) {
    case 'set':
      return from === event.state && record?.by === 'you' ? null : { state: event.state, by: 'you', at };
    case 'comment':
      // A first comment starts the review; it does not undo one that has ended.
      return from === 'new' ? { state: 'in-review', by: 'comment', at } : null;
    case 'reply': {
      const state: ReviewState | null =
        event.trailer === 'Acked-by' ? 'acked' : event.trailer === 'Reviewed-by' || event.trailer === 'Tested-by' ? 'reviewed' : event.comments > 0 ? 'changes-requested' : null;
      return state === null ? null : { state, by: 'reply', at, msgid: event.msgid };
    }
  }
}

/**
 * What the mail says of `patch` for `me`: a trailer of mine given on it (or
 * on its cover letter, for the series), the latest that counts; null when
 * I gave none.
 */
export function stateFromMail(patch: PatchEntry, me: Mailbox, timeOf: (msgid: string) => number): ReviewRecord | null {
  const mine = me.address.toLowerCase();
  let best: ReviewRecord | null = null;
  let bestTime = -Infinity;
  for (const t of patch.trailers) {
    // The person the trailer names (b4 reads it so), else who sent it.
    if (t.from !== 'followup' || (t.person?.address ?? t.by.address).toLowerCase() !== mine) continue;
    const state: ReviewState | null = t.name === 'Acked-by' ? 'acked' : t.name === 'Reviewed-by' || t.name === 'Tested-by' ? 'reviewed' : null;
    if (!state) continue;
    const time = timeOf(t.msgid);
    if (time >= bestTime) {
      bestTime = time;
      best = { state, by: 'mail', at: new Date(Number.isFinite(time) && time > 0 ? time : 0).toISOString(), msgid: t.msgid };
    }
  }
  return best;
}

/** The state to show: the later of what was kept and what the mail says (a trailer sent after a manual state counts, and the other way round). */
export function effectiveState(kept: ReviewRecord | undefined, mail: ReviewRecord | null): ReviewRecord | undefined {
  if (!mail) return kept;
  if (!kept) return mail;
  return Date.parse(mail.at) > Date.parse(kept.at) ? mail : kept;
}

/** "9/13 reviewed": a version's patches by state (reviewed and acked count as done). */
export function versionSummary(version: SeriesVersion, stateOf: (patch: PatchEntry) => ReviewState): { counts: Record<ReviewState, number>; done: number; total: number; text: string } {
  const counts = Object.fromEntries(REVIEW_STATES.map((s) => [s, 0])) as Record<ReviewState, number>;
  for (const p of version.patches) counts[stateOf(p)]++;
  const done = counts.reviewed + counts.acked;
  const total = version.patches.length;
  const more = counts['changes-requested'] ? `, ${counts['changes-requested']} with changes requested` : '';
  return { counts, done, total, text: `${done}/${total} reviewed${more}` };
}

/** Whether a patch in this state still needs the reviewer (the "needs my review" filter). */
export function needsReview(state: ReviewState): boolean {
  return state === 'new' || state === 'in-review';
}

/** A book read back (from storage or an imported file), checked entry by entry; an error names the first thing wrong. */
export function parseBook(x: unknown): { ok: true; value: ReviewBook } | { ok: false; error: string } {
  if (typeof x !== 'object' || x === null) return { ok: false, error: 'not a JSON object' };
  const o = x as Record<string, unknown>;
  if (o.version !== 1) return { ok: false, error: `version ${JSON.stringify(o.version)}: only version 1 is read` };
  if (typeof o.patches !== 'object' || o.patches === null || Array.isArray(o.patches)) return { ok: false, error: '"patches" is not an object' };
  const patches: Record<string, ReviewRecord> = {};
  for (const [msgid, r] of Object.entries(o.patches as Record<string, unknown>)) {
    const rec = r as Record<string, unknown> | null;
    if (typeof rec !== 'object' || rec === null) return { ok: false, error: `${msgid}: not an object` };
    if (!(REVIEW_STATES as readonly unknown[]).includes(rec.state)) return { ok: false, error: `${msgid}: state ${JSON.stringify(rec.state)} is not one of ${REVIEW_STATES.join(', ')}` };
    if (!['you', 'comment', 'reply', 'mail'].includes(rec.by as string)) return { ok: false, error: `${msgid}: "by" is ${JSON.stringify(rec.by)}` };
    if (typeof rec.at !== 'string' || !Number.isFinite(Date.parse(rec.at))) return { ok: false, error: `${msgid}: "at" is not a date` };
    if (rec.msgid !== undefined && typeof rec.msgid !== 'string') return { ok: false, error: `${msgid}: "msgid" is not text` };
    patches[msgid] = { state: rec.state as ReviewState, by: rec.by as ReviewRecord['by'], at: rec.at, ...(typeof rec.msgid === 'string' ? { msgid: rec.msgid } : {}) };
  }
  return { ok: true, value: { version: 1, patches } };
}
