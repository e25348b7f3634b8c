/**
 * One message's bytes made into the row a mail index keeps of it: decoded,
 * its facts taken (hashes, the files and functions its diff touches, its
 * trailers), and its headers laid out as the store writes them. The same
 * work whether it runs on the indexer's thread or on the row worker
 * (rowWorker.ts), so that both give the same rows.
 */
import * as crypto from 'node:crypto';
import type { MimeParser, ParseLimits } from '../../core/mail/message';
import { parseSubject } from '../../core/mail/subject';
import { encodeFacts, type FactHashes, factsOf } from '../../core/series/facts';
import type { ReadError, SourcedMessage } from '../../core/series/model';
import { decodeBytes, type Outcome, placed } from '../mail/read';
import type { MessageRow } from './store';

/** "linux-arch.vger.kernel.org" → "linux-arch", as lore names lists. */
export function shortList(id: string): string {
  const m = /^([^.\s]+)\.(?:vger\.kernel\.org|kvack\.org|lists\.infradead\.org|lists\.ozlabs\.org|lists\.linux\.dev|lists\.linux-foundation\.org|kernel\.org)$/i.exec(id);
  return m ? m[1]! : id;
}

function listOfMessage(m: SourcedMessage, fallback: string): string {
  const id = /<([^<>\s]+)>/.exec(m.listId ?? '')?.[1];
  return id ? shortList(id) : fallback;
}

/**
 * Every run of white space as one space: t.replace(/\s+/g, ' '), matching
 * only what changes (a run of two or more, or one that is not a space), so
 * a diff's single spaces are not each a match. The fold was the costliest
 * step of a message's facts.
 */
export function foldWhiteSpace(t: string): string {
  return t.replace(/\s{2,}|[^\S ]/g, ' ');
}

/** The platform's SHA-1 (128 of its bits): hashing every body and diff in JavaScript was a fifth of indexing. */
const sha1Base64: (t: string) => string =
  // The one-shot hash() (Node 20.12 on): the same digest without a Hash object each time.
  typeof crypto.hash === 'function' ? (t) => crypto.hash('sha1', t, 'base64') : (t) => crypto.createHash('sha1').update(t).digest('base64');

const NODE_HASHES: FactHashes = {
  exact: (t) => `s${sha1Base64(t).slice(0, 22)}`,
  folded: (t) => `s${sha1Base64(foldWhiteSpace(t)).slice(0, 22)}`,
};

/**
 * The addresses of a To or Cc value, lower case, as an index keeps them:
 * names are left out (they are most of the bytes: t:Linus finds nothing in
 * an index where a full read matches the name), and the addresses are picked
 * out by their shape rather than by the full address parser, which was a
 * twentieth of indexing a list. A quoted name containing an '@' gives one
 * more "address".
 */
function addressList(value: string | undefined): string[] | null {
  if (!value) return null;
  // A match starts only where a run of address characters does: every match starts there (the
  // first part is greedy), and trying each later start of a run without an '@' made the search
  // quadratic in a name's length.
  const out = value.match(/(?<![^\s<>,;:"()[\]])[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g);
  return out ? [...new Set(out.map((a) => a.toLowerCase()))] : null;
}

/** The row of something that could not be read: a message, or a file or epoch as a whole. */
export function errorRow(e: ReadError, list: string): MessageRow {
  return {
    kind: 'error',
    loc: e.loc ?? e.origin,
    origin: e.origin,
    list,
    msgid: e.msgid,
    synthetic: false,
    subject: '',
    fromName: '',
    fromAddr: '',
    date: null,
    time: 0,
    irt: null,
    refs: [],
    to: null,
    cc: null,
    size: 0,
    facts: null,
    error: e.message,
    text: null,
  };
}

/** The row of a decoded message: its facts taken, its text kept only when it needed the MIME parse (see MessageRow.text). */
export function messageRow(m: SourcedMessage, list: string): MessageRow {
  // The facts taken straight into the row: making the light message that lighten() gives a reader was a twentieth of indexing.
  const facts = m.facts ?? factsOf(m, parseSubject(m.subject).isReply, NODE_HASHES);
  return {
    kind: 'message',
    loc: m.loc ?? m.origin,
    origin: m.origin,
    list: listOfMessage(m, list),
    msgid: m.msgid,
    synthetic: m.syntheticId,
    subject: m.subject,
    fromName: m.from.name,
    fromAddr: m.from.address,
    date: m.date,
    time: m.time,
    irt: m.inReplyTo,
    refs: m.references,
    to: addressList(m.to),
    cc: addressList(m.cc),
    size: m.size,
    facts: encodeFacts(facts),
    error: null,
    text: m.mime ? JSON.stringify({ body: m.body, attachedPatches: m.attachedPatches }) : null,
  };
}

/** Where one message was read, and the list its source is. */
export interface RowPlace {
  sourceId: string;
  origin: string;
  /** The Message-ID of a message that carries none. */
  fallbackId: string;
  loc?: string;
  list: string;
}

/**
 * The row of one message's bytes: at once for a single text/plain part
 * (nearly all kernel mail), else a promise of it once `parseMime` has read
 * its MIME structure (see decodeBytes).
 */
export function rowOfBytes(bytes: Uint8Array, place: RowPlace, limits: ParseLimits, parseMime: MimeParser): MessageRow | Promise<MessageRow> {
  const row = (o: Outcome): MessageRow =>
    'message' in o
      ? messageRow(placed(o, place.origin, place.sourceId, place.loc), place.list)
      : errorRow({ msgid: o.msgid, origin: place.origin, sourceId: place.sourceId, message: o.error, ...(place.loc === undefined ? {} : { loc: place.loc }) }, place.list);
  const o = decodeBytes(bytes, place.fallbackId, limits, parseMime);
  return o instanceof Promise ? o.then(row) : row(o);
}
