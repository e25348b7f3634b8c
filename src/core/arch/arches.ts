/**
 * The eleven architectures the "mm: jit/text allocator" series converted from a
 * module_alloc() override to an execmem table, and where each kept that code
 * before (Linux 6.1) and after (Linux 6.12).
 *
 * Source: the series' diffstat and the two Debian kernel source packages
 * (linux-source-6.1, linux-source-6.12); see ../shared/docs/domain.md.
 */

export const ARCH_NAMES = [
  'arm',
  'arm64',
  'loongarch',
  'mips',
  'nios2',
  'parisc',
  'powerpc',
  'riscv',
  's390',
  'sparc',
  'x86',
] as const;

export type ArchName = (typeof ARCH_NAMES)[number];

export interface ArchInfo {
  readonly name: ArchName;
  /** File holding module_alloc() in Linux 6.1. */
  readonly moduleAllocFile: string;
  /** File holding execmem_arch_setup() in Linux 6.12. */
  readonly execmemSetupFile: string;
}

const ARCH_TABLE: Readonly<Record<ArchName, Omit<ArchInfo, 'name'>>> = {
  arm: { moduleAllocFile: 'arch/arm/kernel/module.c', execmemSetupFile: 'arch/arm/mm/init.c' },
  arm64: { moduleAllocFile: 'arch/arm64/kernel/module.c', execmemSetupFile: 'arch/arm64/mm/init.c' },
  loongarch: { moduleAllocFile: 'arch/loongarch/kernel/module.c', execmemSetupFile: 'arch/loongarch/mm/init.c' },
  mips: { moduleAllocFile: 'arch/mips/kernel/module.c', execmemSetupFile: 'arch/mips/mm/init.c' },
  nios2: { moduleAllocFile: 'arch/nios2/kernel/module.c', execmemSetupFile: 'arch/nios2/mm/init.c' },
  parisc: { moduleAllocFile: 'arch/parisc/kernel/module.c', execmemSetupFile: 'arch/parisc/mm/init.c' },
  powerpc: { moduleAllocFile: 'arch/powerpc/kernel/module.c', execmemSetupFile: 'arch/powerpc/mm/mem.c' },
  riscv: { moduleAllocFile: 'arch/riscv/kernel/module.c', execmemSetupFile: 'arch/riscv/mm/init.c' },
  s390: { moduleAllocFile: 'arch/s390/kernel/module.c', execmemSetupFile: 'arch/s390/mm/init.c' },
  sparc: { moduleAllocFile: 'arch/sparc/kernel/module.c', execmemSetupFile: 'arch/sparc/mm/execmem.c' },
  x86: { moduleAllocFile: 'arch/x86/kernel/module.c', execmemSetupFile: 'arch/x86/mm/init.c' },
};

export const ARCHES: readonly ArchInfo[] = ARCH_NAMES.map((name) => ({ name, ...ARCH_TABLE[name] }));

export function isArchName(value: unknown): value is ArchName {
  return typeof value === 'string' && (ARCH_NAMES as readonly string[]).includes(value);
}

export const DEFAULT_ARCH: ArchName = 'x86';
