/**
 * The command links of the arch map (table page and hovers): a location
 * opens through the command `execmemLens.openArchMapLocation` with its
 * arguments as JSON, URI-encoded, never spliced in bare (the location comes
 * from source files, which are untrusted).
 */
export const OPEN_LOCATION = 'execmemLens.openArchMapLocation';

export type LocationSide = 'before' | 'after' | 'either';

/**
 * encodeURIComponent leaves ' ( ) ! * ~ as they are; a ')' would end a
 * Markdown link in a hover early and a quote could end an HTML attribute, so
 * those are percent-encoded too.
 */
export function locationCommandUri(side: LocationSide, location: string): string {
  const args = encodeURIComponent(JSON.stringify([side, location])).replace(/['()!*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${OPEN_LOCATION}?${args}`;
}

/** The side and location of a link made by locationCommandUri, or null for anything else. */
export function parseLocationCommandUri(uri: string): { side: LocationSide; location: string } | null {
  const prefix = `command:${OPEN_LOCATION}?`;
  if (!uri.startsWith(prefix)) return null;
  let args: unknown;
  try {
    args = JSON.parse(decodeURIComponent(uri.slice(prefix.length)));
  } catch {
    return null; // not JSON: not one of ours
  }
  if (!Array.isArray(args) || args.length !== 2) return null;
  const [side, location] = args as unknown[];
  if ((side !== 'before' && side !== 'after' && side !== 'either') || typeof location !== 'string') return null;
  return { side, location };
}
