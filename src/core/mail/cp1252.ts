/**
 * windows-1252 as the Encoding Standard defines it, where the platform's
 * TextDecoder gets it wrong. Node 20 (from 20.18.3) decodes bytes 0x80–0x9F
 * of windows-1252 — which is also what every "iso-8859-1" and "us-ascii"
 * label means in the Encoding Standard — as C1 control characters instead of
 * € ‚ ƒ „ … (nodejs/node#60888; later majors are fixed). Kernel mail from
 * Outlook and old mailers is full of such quotes and dashes.
 *
 * The fix is applied only where the platform has the bug, and only to text
 * decoded from one of these labels.
 */

/** The Encoding Standard's index-windows-1252 for bytes 0x80–0x9F (https://encoding.spec.whatwg.org/index-windows-1252.txt). */
const HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/** Labels the Encoding Standard maps to windows-1252. */
const LABELS = new Set([
  'ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100', 'iso8859-1', 'iso88591',
  'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252',
]);

const LABEL_PATTERN = [...LABELS].map((l) => l.replace(/[.:-]/g, (c) => `\\${c}`)).join('|');
/** A MIME charset parameter or an RFC 2047 encoded word naming one of the labels. */
const MENTION_RE = new RegExp(`(?:charset\\s*=\\s*"?|=\\?)(?:${LABEL_PATTERN})(?=["?;\\s]|$)`, 'i');

/** Whether this platform's TextDecoder has the bug (decided once). */
export const broken = (() => {
  try {
    return new TextDecoder('windows-1252').decode(new Uint8Array([0x80])) !== '\u20ac';
  } catch {
    return false;
  }
})();

export function isWindows1252Label(label: string): boolean {
  return LABELS.has(label.trim().toLowerCase());
}

/** Text decoded as windows-1252 by a platform with the bug, corrected; unchanged elsewhere. */
export function fixWindows1252(text: string): string {
  if (!broken || !/[\u0080-\u009f]/.test(text)) return text;
  return text.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(HIGH[c.charCodeAt(0) - 0x80]!));
}

/** True when a header value or a MIME header block names a windows-1252 label (so text decoded from it needs the fix). */
export function mentionsWindows1252(text: string): boolean {
  return broken && MENTION_RE.test(text);
}
