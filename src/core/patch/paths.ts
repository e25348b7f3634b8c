/** A path from a patch, taken as a path inside a tree: relative, no "." or ".." segments, no backslashes. */
export function isTreeRelative(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.includes('\\') && p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
