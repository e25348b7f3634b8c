/**
 * Messages between the layout panel (webview) and the extension host.
 *
 * Declared once here so both sides compile against the same shapes. Every
 * message that crosses the boundary is checked on arrival: the webview is a
 * browser page and the host must not trust what it posts, and the webview must
 * not trust that a host of another version speaks the same shapes.
 */
import { ARCH_NAMES, type ArchName, isArchName } from '../arch/arches';
import { err, ok, type Result } from '../result';
import { parseLayoutModel, type LayoutModel } from '../layout/model';
import { VARIANTS, type Variant } from '../sim/archData';

/** Bumped when a message shape changes incompatibly. */
export const LAYOUT_PROTOCOL_VERSION = 2;

/**
 * The panel page's Content-Security-Policy: nothing but its own bundle, its
 * stylesheet and fonts (cspSource: where the webview serves the extension's
 * files), scripts only with this page's nonce, images only from there or
 * data: URLs (the canvas export). Shared with the browser tests, so they
 * test the policy the extension gives.
 */
export function layoutCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** A PNG export is at most this long as a data: URL (a few screens of canvas). */
const MAX_PNG_DATA_URL = 32 * 1024 * 1024;

export type PanelToHost =
  | { type: 'ready'; protocol: number }
  | { type: 'selectArch'; arch: ArchName }
  | { type: 'selectVariant'; variant: Variant }
  | { type: 'setCompare'; variant: Variant | null }
  | { type: 'selectStep'; step: number }
  | { type: 'openSite'; step: number }
  | { type: 'exportPng'; data: string }
  | { type: 'exportJson' };

export type HostToPanel =
  | {
      type: 'init';
      protocol: number;
      extensionVersion: string;
      arches: ArchName[];
      arch: ArchName;
    }
  | { type: 'archChanged'; arch: ArchName }
  | {
      type: 'layout';
      variant: Variant;
      compare: Variant | null;
      step: number;
      primary: LayoutModel;
      secondary: LayoutModel | null;
    }
  | { type: 'step'; step: number }
  | { type: 'clear'; reason: string };

type Fields = Record<string, unknown>;

function asObject(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** Rejects keys the shape does not declare, so typos and injected fields show. */
function exactKeys(obj: Fields, keys: readonly string[], what: string): string | undefined {
  const extra = Object.keys(obj).filter((k) => !keys.includes(k));
  if (extra.length > 0) return `${what}: unexpected field(s) ${extra.join(', ')}`;
  const missing = keys.filter((k) => !(k in obj));
  if (missing.length > 0) return `${what}: missing field(s) ${missing.join(', ')}`;
  return undefined;
}

function isVariant(value: unknown): value is Variant {
  return typeof value === 'string' && (VARIANTS as readonly string[]).includes(value);
}

function isProtocol(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** A message whose one field besides its type is an arch: "selectArch" from the panel, "archChanged" to it. */
function archMessage<T extends 'selectArch' | 'archChanged'>(obj: Fields, type: T, what: string): Result<{ type: T; arch: ArchName }> {
  const bad = exactKeys(obj, ['type', 'arch'], `${what} "${type}"`);
  if (bad) return err(bad);
  if (!isArchName(obj.arch)) return err(`${what} "${type}": unknown arch ${JSON.stringify(obj.arch)}`);
  return ok({ type, arch: obj.arch });
}

export function parsePanelToHost(value: unknown): Result<PanelToHost> {
  const obj = asObject(value);
  if (!obj) return err('panel message: expected an object');
  switch (obj.type) {
    case 'ready': {
      const bad = exactKeys(obj, ['type', 'protocol'], 'panel message "ready"');
      if (bad) return err(bad);
      if (!isProtocol(obj.protocol)) return err('panel message "ready": protocol must be a positive integer');
      return ok({ type: 'ready', protocol: obj.protocol });
    }
    case 'selectArch':
      return archMessage(obj, 'selectArch', 'panel message');
    case 'selectVariant': {
      const bad = exactKeys(obj, ['type', 'variant'], 'panel message "selectVariant"');
      if (bad) return err(bad);
      if (!isVariant(obj.variant)) return err(`panel message "selectVariant": unknown design ${JSON.stringify(obj.variant)}`);
      return ok({ type: 'selectVariant', variant: obj.variant });
    }
    case 'setCompare': {
      const bad = exactKeys(obj, ['type', 'variant'], 'panel message "setCompare"');
      if (bad) return err(bad);
      if (obj.variant !== null && !isVariant(obj.variant)) return err(`panel message "setCompare": unknown design ${JSON.stringify(obj.variant)}`);
      return ok({ type: 'setCompare', variant: obj.variant as Variant | null });
    }
    case 'selectStep':
    case 'openSite': {
      const bad = exactKeys(obj, ['type', 'step'], `panel message "${obj.type}"`);
      if (bad) return err(bad);
      if (typeof obj.step !== 'number' || !Number.isSafeInteger(obj.step) || obj.step < 0) return err(`panel message "${obj.type}": step must be a whole number ≥ 0`);
      return ok({ type: obj.type, step: obj.step });
    }
    case 'exportPng': {
      const bad = exactKeys(obj, ['type', 'data'], 'panel message "exportPng"');
      if (bad) return err(bad);
      if (typeof obj.data !== 'string' || !/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(obj.data)) return err('panel message "exportPng": data must be a data:image/png;base64 URL');
      if (obj.data.length > MAX_PNG_DATA_URL) return err('panel message "exportPng": image too large');
      return ok({ type: 'exportPng', data: obj.data });
    }
    case 'exportJson': {
      const bad = exactKeys(obj, ['type'], 'panel message "exportJson"');
      if (bad) return err(bad);
      return ok({ type: 'exportJson' });
    }
    default:
      return err(`panel message: unknown type ${JSON.stringify(obj.type)}`);
  }
}

export function parseHostToPanel(value: unknown): Result<HostToPanel> {
  const obj = asObject(value);
  if (!obj) return err('host message: expected an object');
  switch (obj.type) {
    case 'init': {
      const bad = exactKeys(obj, ['type', 'protocol', 'extensionVersion', 'arches', 'arch'], 'host message "init"');
      if (bad) return err(bad);
      if (!isProtocol(obj.protocol)) return err('host message "init": protocol must be a positive integer');
      if (typeof obj.extensionVersion !== 'string') return err('host message "init": extensionVersion must be a string');
      if (!Array.isArray(obj.arches) || obj.arches.length === 0 || !obj.arches.every(isArchName)) {
        return err(`host message "init": arches must be a non-empty list of ${ARCH_NAMES.join(', ')}`);
      }
      if (!isArchName(obj.arch) || !obj.arches.includes(obj.arch)) {
        return err(`host message "init": arch ${JSON.stringify(obj.arch)} is not one of the arches offered`);
      }
      return ok({
        type: 'init',
        protocol: obj.protocol,
        extensionVersion: obj.extensionVersion,
        arches: [...obj.arches],
        arch: obj.arch,
      });
    }
    case 'archChanged':
      return archMessage(obj, 'archChanged', 'host message');
    case 'layout': {
      const bad = exactKeys(obj, ['type', 'variant', 'compare', 'step', 'primary', 'secondary'], 'host message "layout"');
      if (bad) return err(bad);
      if (!isVariant(obj.variant)) return err(`host message "layout": unknown design ${JSON.stringify(obj.variant)}`);
      if (obj.compare !== null && !isVariant(obj.compare)) return err(`host message "layout": unknown compare design ${JSON.stringify(obj.compare)}`);
      const primary = parseLayoutModel(obj.primary, 'host message "layout".primary');
      if (!primary.ok) return primary;
      let secondary: LayoutModel | null = null;
      if (obj.secondary !== null) {
        const s2 = parseLayoutModel(obj.secondary, 'host message "layout".secondary');
        if (!s2.ok) return s2;
        secondary = s2.value;
      }
      if (typeof obj.step !== 'number' || !Number.isSafeInteger(obj.step) || obj.step < 0 || obj.step >= Math.max(1, primary.value.steps.length)) {
        return err('host message "layout": step is not one of the layout\'s steps');
      }
      return ok({ type: 'layout', variant: obj.variant, compare: obj.compare as Variant | null, step: obj.step, primary: primary.value, secondary });
    }
    case 'step': {
      const bad = exactKeys(obj, ['type', 'step'], 'host message "step"');
      if (bad) return err(bad);
      if (typeof obj.step !== 'number' || !Number.isSafeInteger(obj.step) || obj.step < 0) return err('host message "step": step must be a whole number ≥ 0');
      return ok({ type: 'step', step: obj.step });
    }
    case 'clear': {
      const bad = exactKeys(obj, ['type', 'reason'], 'host message "clear"');
      if (bad) return err(bad);
      if (typeof obj.reason !== 'string') return err('host message "clear": reason must be text');
      return ok({ type: 'clear', reason: obj.reason });
    }
    default:
      return err(`host message: unknown type ${JSON.stringify(obj.type)}`);
  }
}
