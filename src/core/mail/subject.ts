/**
 * Subject prefixes as kernel mail writes them, read the way b4 reads them:
 * "Re: [PATCH RESEND v8 02/16] mm: introduce execmem_alloc() and execmem_free()"
 * gives reply, resend, version 8, patch 2 of 16, and the title.
 *
 * Forms seen on the lists: [PATCH], [PATCH v3 02/13], [RFC PATCH 0/7],
 * [PATCH RESEND v8 00/16], [PATCH net-next v2 1/4], [PATCHv2 1/3],
 * [Patch 2/2], [RFC][PATCH v2 1/3], [PATCH 1/3 v2], and an unbracketed
 * "PATCH V2 1/2: title".
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
  /** m of n/m; undefined for an unnumbered patch. */
  total: number | undefined;
  /** Other prefix words, such as a tree name (net-next, mm-unstable). */
  labels: string[];
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
    labels: [],
    title: s.trim(),
  };
  // "1 / 3" written with spaces is one counter.
  const tokens = prefixes.join(' ').replace(/(\d+)\s*\/\s*(\d+)/g, '$1/$2').split(/[\s,]+/).filter(Boolean);
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
    } else if ((m = /^(\d+)\/(\d+)$/.exec(token))) {
      info.index = Number(m[1]);
      info.total = Number(m[2]);
      info.isPatch = true;
    } else {
      info.labels.push(token);
    }
  }
  return info;
}

function setVersion(info: SubjectInfo, digits: string): void {
  const v = Number(digits);
  if (Number.isSafeInteger(v) && v > 0) {
    info.version = v;
    info.versionGiven = true;
  }
}

/** The title as series are matched across versions: case, spacing and trailing dots folded. */
export function normalizeTitle(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').replace(/[.\s]+$/, '').trim();
}
