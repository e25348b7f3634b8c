/**
 * Subject prefixes as kernel mail writes them, read the way b4 reads them:
 * "Re: [PATCH RESEND v8 02/16] mm: introduce execmem_alloc() and execmem_free()"
 * gives reply, resend, version 8, patch 2 of 16, and the title.
 *
 * Forms seen on the lists: [PATCH], [PATCH v3 02/13], [RFC PATCH 0/7],
 * [PATCH RESEND v8 00/16], [PATCH net-next v2 1/4], [PATCHv2 1/3],
 * [Patch 2/2], [RFC][PATCH v2 1/3], [PATCH 1/3 v2], [PATCH v3 10/13 fix],
 * [patch V1.1 02/38], Mercurial's patchbomb "[PATCH 1 of 2]", and an
 * unbracketed "PATCH V2 1/2: title".
 *
 * Numbers are read as written, never trusted: [PATCH 9/8], [PATCH 0/0],
 * [PATCH -1/3] or [PATCH 1/99999999999] give the numbers they say and a
 * `counterFinding`; what to do with such a patch is the grouping's business
 * (it keeps it, see series/group.ts), and nothing here allocates per number.
 */

export interface SubjectInfo {
  /** Starts with Re:/Aw:/Fwd: and the like. */
  isReply: boolean;
  /** Carries a PATCH or RFC prefix or an n/m counter. */
  isPatch: boolean;
  rfc: boolean;
  resend: boolean;
  /** 1 when no vN is given. */
  version: number;
  /** Whether the version was written in the subject. */
  versionGiven: boolean;
  /** n of n/m; undefined for an unnumbered patch. */
  index: number | undefined;
  /** m of n/m; undefined for an unnumbered patch, or one numbered "3/n". */
  total: number | undefined;
  /** Numbered with a total that is not a number ("[PATCH 3/n]"): it fits a sending of any total. */
  totalUnknown: boolean;
  /** Other prefix words, such as a tree name (net-next, mm-unstable), or a point version (v1.1). */
  labels: string[];
  /** Why the n/m counter or the version cannot be taken at its word (0/0, 9/8, -1/3, v0…), or null. */
  counterFinding: string | null;
  /** The subject without reply and bracket prefixes. */
  title: string;
}

const REPLY_RE = /^(?:re|aw|sv|antw|fwd?|r)(?:\[\d+\])?\s*:\s*/i;
const BRACKET_RE = /^\[([^\]]*)\]\s*/;
const BARE_PREFIX_RE = /^((?:RFC\s+)?PATCH(?:\s*v\d+)?(?:\s+RESEND)?(?:\s+\d+\s*\/\s*\d+)?)\s*(?::\s*|-\s+|\s)/i;

export function parseSubject(raw: string): SubjectInfo {
  let s = raw.replace(/\s+/g, ' ').trim();
  let isReply = false;
  const prefixes: string[] = [];
  for (;;) {
    const reply = REPLY_RE.exec(s);
    if (reply) {
      isReply = true;
      s = s.slice(reply[0].length);
      continue;
    }
    const bracket = BRACKET_RE.exec(s);
    if (bracket) {
      prefixes.push(bracket[1]!);
      s = s.slice(bracket[0].length);
      continue;
    }
    break;
  }
  if (prefixes.length === 0) {
    const bare = BARE_PREFIX_RE.exec(s);
    if (bare) {
      prefixes.push(bare[1]!);
      s = s.slice(bare[0].length);
    }
  }

  const info: SubjectInfo = {
    isReply,
    isPatch: false,
    rfc: false,
    resend: false,
    version: 1,
    versionGiven: false,
    index: undefined,
    total: undefined,
    totalUnknown: false,
    labels: [],
    counterFinding: null,
    title: s.trim(),
  };
  // "1 / 3" written with spaces is one counter, and so is Mercurial's "1 of 3".
  // A match starts only where a number starts, and \s* never meets \s+: else a long run of
  // digits or spaces in a hostile subject costs quadratic time.
  const tokens = prefixes
    .join(' ')
    .replace(/(?<!\d)(-?\d+)(?:\s*\/\s*|\s+of\s+)(-?\d+)/gi, '$1/$2')
    .split(/[\s,]+/)
    .filter(Boolean);
  for (const token of tokens) {
    let m: RegExpExecArray | null;
    if ((m = /^patch(?:v(\d+))?$/i.exec(token))) {
      info.isPatch = true;
      if (m[1]) setVersion(info, m[1]);
    } else if (/^rfc$/i.test(token)) {
      info.rfc = true;
      info.isPatch = true;
    } else if (/^resend$/i.test(token)) {
      info.resend = true;
    } else if ((m = /^v(\d+)$/i.exec(token))) {
      setVersion(info, m[1]!);
    } else if ((m = /^v(\d+)\.\d+$/i.exec(token))) {
      // A point release of a version ("V1.1"): the series is v1; the label keeps what was written.
      setVersion(info, m[1]!);
      info.labels.push(token.toLowerCase());
    } else if ((m = /^(-?\d+)\/(-?\d+)$/.exec(token))) {
      info.isPatch = true;
      if (isNumber(info, m[1]!, m[2]!)) {
        info.index = Number(m[1]);
        info.total = Number(m[2]);
        info.counterFinding = counterFinding(info.index, info.total);
      }
    } else if ((m = /^(\d+)\/[a-z]$/i.exec(token))) {
      // "[PATCH 3/n]": one more patch for a series whose size the sender did not restate.
      info.isPatch = true;
      if (isNumber(info, m[1]!, '')) {
        info.index = Number(m[1]);
        info.totalUnknown = true;
      }
    } else {
      info.labels.push(token);
    }
  }
  return info;
}

/**
 * Largest n/m total believed: above it the missing numbers are not listed one
 * by one (a one-line "[PATCH 1/9999]" must not cost ten thousand numbers).
 * Kernel series run to a few hundred patches at most.
 */
export const MAX_SERIES_TOTAL = 999;
/** Largest version believed. */
export const MAX_VERSION = 999;

function counterFinding(index: number, total: number): string | null {
  if (index < 0 || total < 0) return `negative patch number ${index}/${total}`;
  if (total > MAX_SERIES_TOTAL) return `a series of ${total} patches is not believable; missing numbers are not listed`;
  if (total === 0) return `numbered ${index}/0: a series of no patches`;
  if (index > total) return `numbered ${index}/${total}: beyond the series' total`;
  return null;
}

function abbreviated(digits: string): string {
  return digits.length > 12 ? `${digits.slice(0, 12)}…` : digits;
}

/**
 * Hundreds of digits read as Infinity: no number to list, compare or print
 * (JSON writes null). Such a counter is not read; the finding says so.
 */
function isNumber(info: SubjectInfo, index: string, total: string): boolean {
  if (Number.isFinite(Number(index)) && Number.isFinite(Number(total))) return true;
  info.counterFinding = `counter ${abbreviated(index)}/${abbreviated(total) || '?'} is not a number; read as unnumbered`;
  return false;
}

function setVersion(info: SubjectInfo, digits: string): void {
  const v = Number(digits);
  if (Number.isSafeInteger(v) && v > 0 && v <= MAX_VERSION) {
    info.version = v;
    info.versionGiven = true;
  } else {
    info.counterFinding ??= `version v${abbreviated(digits)} is not believable; read as v1`;
  }
}

/** The title as series are matched across versions: case, spacing and trailing dots folded. */
export function normalizeTitle(title: string): string {
  // The lookbehind starts the match only at the start of the trailing run: "a....b" with many dots was quadratic.
  return title.toLowerCase().replace(/\s+/g, ' ').replace(/(?<![.\s])[.\s]+$/, '').trim();
}
