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

/** Bumped when a message shape changes incompatibly. */
export const LAYOUT_PROTOCOL_VERSION = 1;

export type PanelToHost =
  | { type: 'ready'; protocol: number }
  | { type: 'selectArch'; arch: ArchName };

export type HostToPanel =
  | {
      type: 'init';
      protocol: number;
      extensionVersion: string;
      arches: ArchName[];
      arch: ArchName;
    }
  | { type: 'archChanged'; arch: ArchName };

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

function isProtocol(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
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
    case 'selectArch': {
      const bad = exactKeys(obj, ['type', 'arch'], 'panel message "selectArch"');
      if (bad) return err(bad);
      if (!isArchName(obj.arch)) return err(`panel message "selectArch": unknown arch ${JSON.stringify(obj.arch)}`);
      return ok({ type: 'selectArch', arch: obj.arch });
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
    case 'archChanged': {
      const bad = exactKeys(obj, ['type', 'arch'], 'host message "archChanged"');
      if (bad) return err(bad);
      if (!isArchName(obj.arch)) return err(`host message "archChanged": unknown arch ${JSON.stringify(obj.arch)}`);
      return ok({ type: 'archChanged', arch: obj.arch });
    }
    default:
      return err(`host message: unknown type ${JSON.stringify(obj.type)}`);
  }
}
