/**
 * Mail text on one line of a UI: a subject or a name from mail (untrusted)
 * must not break a line of terminal output or a list row, turn the text
 * around with bidirectional controls, or become an icon where VS Code reads
 * $(name) as one.
 */

/** C0/C1 controls (line breaks and tabs included), line/paragraph separators and bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every control, separator and bidi control made a space, runs of them one. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, ' ').replace(/ {2,}/g, ' ');
}

/** oneLine, with $( escaped for the VS Code fields that render $(icon) syntax (labels, descriptions, details, lens titles). */
export function uiText(text: string): string {
  return oneLine(text).replace(/\$\(/g, '\\$(');
}
