/**
 * The `b4 am` command line for a message, safe to paste into a shell: the
 * Message-ID comes from mail, so it is single-quoted (a ' inside closes,
 * escapes and reopens the quote) and never spliced in bare.
 */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function b4AmCommand(msgid: string): string {
  return `b4 am ${shellQuote(msgid)}`;
}
