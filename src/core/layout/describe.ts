/**
 * Words for where an allocation landed, as a reviewer says them: "module
 * range", "vmalloc", "fallback", "BPF range", with the protection ("ROX",
 * "RWX", "RW then ROX").
 */
import type { ArchName } from '../arch/arches';
import { profileFor, resolveSymbols } from '../sim/profiles';
import { hex, pgprotKind } from '../sim/types';
import { RANGE_KINDS, type LayoutModel } from './model';

const KIND_WORDS = { rox: 'ROX', rwx: 'RWX', rw: 'RW, made ROX after load' } as const;

export function pgprotWords(pgprot: string): string {
  const kind = pgprotKind(pgprot);
  return kind === 'unknown' ? pgprot || 'pgprot unknown' : KIND_WORDS[kind];
}

/** Where allocation i of a layout lies, in words. */
export function placementWords(model: LayoutModel, i: number): string {
  const strip = model.strips[model.allocs.strip[i]!];
  if (!strip) return 'nowhere';
  const kind = RANGE_KINDS[model.allocs.range[i]!];
  const profile = profileFor(model.arch as ArchName);
  let vmalloc = false;
  if (profile) {
    const sym = resolveSymbols(profile);
    const era = model.variant === 'module_alloc' || model.variant === 'jitalloc-v1' || model.variant === 'execmem-split';
    const vs = (era ? sym.get('VMALLOC_START_6_1') : undefined) ?? sym.get('VMALLOC_START');
    const ve = (era ? sym.get('VMALLOC_END_6_1') : undefined) ?? sym.get('VMALLOC_END');
    vmalloc = vs !== undefined && ve !== undefined && strip.start === hex(vs) && strip.end === hex(ve);
  }
  const where = vmalloc
    ? 'vmalloc'
    : kind === 'fallback'
      ? 'fallback range'
      : kind === 'cache'
        ? 'ROX cache'
        : kind === 'pack'
          ? 'BPF prog pack'
          : /EXECMEM_DEFAULT(,|$)/.test(strip.name)
            ? 'module range'
            : /EXECMEM_BPF/.test(strip.name)
              ? 'BPF range'
              : 'own range';
  return `${where}, ${pgprotWords(strip.pgprot)}`;
}
