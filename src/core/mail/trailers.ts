/**
 * Trailers ("Reviewed-by: Name <mail>") as b4 collects them: from the lines
 * of a message that are not quoted, so that a reviewer quoting the patch's own
 * Signed-off-by does not count as giving one.
 */

export interface Trailer {
  name: string;
  value: string;
}

/** Names taken as trailers: every "...-by" and the link-like ones b4 also keeps. */
const TRAILER_RE = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-by|Fixes|Link|Closes|Cc):[ \t]*(\S.*?)\s*$/i;

/** Canonical spelling of a trailer name: "reviewed-BY" → "Reviewed-by". */
export function canonicalTrailerName(name: string): string {
  const lower = name.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Lines of a message body that are its author's own: not quoted, not below the signature. */
export function ownLines(body: string): string[] {
  const lines: string[] = [];
  for (const line of body.split('\n')) {
    if (line === '-- ') break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  return lines;
}

export function findTrailers(lines: readonly string[]): Trailer[] {
  const out: Trailer[] = [];
  for (const line of lines) {
    const m = TRAILER_RE.exec(line.trim());
    if (m) out.push({ name: canonicalTrailerName(m[1]!), value: m[2]! });
  }
  return out;
}

/** Trailers a reply gives: its own lines only; a trailer it quotes does not count. */
export function followupTrailers(body: string): Trailer[] {
  // Anything below a quoted diff that is itself a diff line is not a trailer either.
  return findTrailers(ownLines(body).filter((l) => !/^[+-]/.test(l)));
}

/** Trailers a patch carries in its commit message. */
export function patchTrailers(commitMessage: string): Trailer[] {
  return findTrailers(commitMessage.split('\n'));
}

/** `base-commit:` and `change-id:` lines (b4 writes them after the diffstat of a cover or single patch). */
export function seriesMarkers(body: string): { baseCommit: string | null; changeId: string | null } {
  const base = /^base-commit:\s*([0-9a-f]{7,64})\s*$/im.exec(body);
  const change = /^change-id:\s*(\S+)\s*$/im.exec(body);
  return { baseCommit: base?.[1] ?? null, changeId: change?.[1] ?? null };
}
