/**
 * The bodies of indexed messages, read again from their sources in one batch:
 * one `git cat-file --batch` per public-inbox epoch, byte ranges of mbox
 * files, the kept text of MIME mail. For a search that needs body words
 * (b:, or a word not in the subject) among the messages nothing else decided.
 */

import { completeWithMime, decodeMessage, DEFAULT_LIMITS, postalMimeParser } from '../../core/mail/message';
import type { SourcedMessage } from '../../core/series/model';
import { catFileBatch } from '../mail/read';
import { epochDir, rawMessage } from './indexer';

async function decode(bytes: Uint8Array, msgid: string): Promise<string | undefined> {
  const d = decodeMessage(bytes, msgid);
  if (!('needsMime' in d)) return d.ok ? d.value.body : undefined;
  const own = Uint8Array.prototype.slice.call(bytes);
  const r = await completeWithMime(d, () => postalMimeParser(own, DEFAULT_LIMITS));
  return r.ok ? r.value.body : undefined;
}

/** Message-ID → body, for every message that could be read again (one that cannot is left out, and matches nothing). */
export async function readBodies(messages: readonly SourcedMessage[], signal?: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const byEpoch = new Map<string, { dir: string; commits: string[]; ids: Map<string, string> }>();
  let n = 0;
  for (const m of messages) {
    signal?.throwIfAborted();
    // Reading a file range is synchronous: the event loop gets a turn now and then (an abort, a keystroke).
    if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
    if (!m.facts || m.mime) {
      // Held in memory, or its text kept in the index.
      out.set(m.msgid, m.body);
      continue;
    }
    const pi = /^([^/]+)\/([0-9a-f]{40,64})$/.exec(m.loc ?? '');
    if (pi) {
      const dir = epochDir(m.sourceId, pi[1]!);
      let e = byEpoch.get(dir);
      if (!e) byEpoch.set(dir, (e = { dir, commits: [], ids: new Map() }));
      e.commits.push(pi[2]!);
      e.ids.set(pi[2]!, m.msgid);
      continue;
    }
    try {
      const body = await decode(rawMessage(m), m.msgid);
      if (body !== undefined) out.set(m.msgid, body);
    } catch {
      // A file gone since it was indexed: the message cannot be searched by its body.
    }
  }
  for (const e of byEpoch.values()) {
    await catFileBatch(
      e.dir,
      e.commits,
      async (commit, blob) => {
        const id = e.ids.get(commit);
        const body = id === undefined ? undefined : await decode(blob, id);
        if (id !== undefined && body !== undefined) out.set(id, body);
      },
      // A commit gone since it was indexed: that message cannot be searched by its body.
      () => undefined,
      signal,
    );
  }
  return out;
}

