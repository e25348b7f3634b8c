/**
 * powerpc: profile and range tables for 64-bit Book3S (Debian's ppc64el).
 * Symbols cite linux-source-6.12 unless they say 6.1; module_alloc is Linux
 * 6.1, execmem 6.10-6.12. The book3s64 vmalloc bounds are the same in 6.1
 * and 6.12 (and the same under the hash MMU), so no _6_1 symbols are needed.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const PPC64: ArchProfile = {
  arch: 'powerpc',
  name: 'powerpc ppc64el (Debian), 64-bit Book3S, radix MMU (POWER9+), 64 KiB pages, STRICT_MODULE_RWX, no KASAN',
  bits: 64,
  pageSize: 65536,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 4,
  symbols: {
    PAGE_SHIFT: { value: '16', source: 'arch/powerpc/include/asm/page.h:24 (CONFIG_PAGE_SHIFT = 16, CONFIG_PPC_64K_PAGES, the Book3S-64 default)' },
    PAGE_SIZE: { value: '1 << PAGE_SHIFT', source: 'arch/powerpc/include/asm/page.h:25' },
    RADIX_PTE_INDEX_SIZE: { value: '5', source: 'arch/powerpc/include/asm/book3s/64/radix-64k.h:8' },
    PMD_SHIFT: { value: 'PAGE_SHIFT + RADIX_PTE_INDEX_SIZE', source: 'arch/powerpc/include/asm/book3s/64/pgtable.h:207 (PTE_INDEX_SIZE = __pte_index_size = RADIX_PTE_INDEX_SIZE under radix)' },
    PMD_SIZE: { value: '1 << PMD_SHIFT', source: 'arch/powerpc/include/asm/book3s/64/pgtable.h:208' },
    PAGE_OFFSET: { value: '0xc000000000000000', source: 'arch/powerpc/include/asm/page.h:82 (CONFIG_PAGE_OFFSET = 0xc000000000000000 on PPC_BOOK3S_64; the kernel image lives in the linear map here)' },
    RADIX_KERN_VIRT_START: { value: '0xc008000000000000', source: 'arch/powerpc/include/asm/book3s/64/radix.h:116' },
    RADIX_KERN_MAP_SIZE: { value: '1 << 49', source: 'arch/powerpc/include/asm/book3s/64/radix.h:121' },
    RADIX_VMALLOC_START: { value: 'RADIX_KERN_VIRT_START', source: 'arch/powerpc/include/asm/book3s/64/radix.h:123' },
    RADIX_VMALLOC_END: { value: 'RADIX_VMALLOC_START + RADIX_KERN_MAP_SIZE', source: 'arch/powerpc/include/asm/book3s/64/radix.h:125 (RADIX_VMALLOC_SIZE = RADIX_KERN_MAP_SIZE)' },
    VMALLOC_START: { value: 'RADIX_VMALLOC_START', source: 'arch/powerpc/mm/book3s64/radix_pgtable.c:636 (__vmalloc_start = RADIX_VMALLOC_START in radix__early_init_mmu; VMALLOC_START is __vmalloc_start, book3s/64/pgtable.h:245)' },
    VMALLOC_END: { value: 'RADIX_VMALLOC_END', source: 'arch/powerpc/mm/book3s64/radix_pgtable.c:637 (__vmalloc_end = RADIX_VMALLOC_END; VMALLOC_END is __vmalloc_end, book3s/64/pgtable.h:246)' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const PPC64_MODULE_ALLOC: RangeSpec = {
  start: 'VMALLOC_START',
  end: 'VMALLOC_END',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc() → __module_alloc(size, VMALLOC_START, VMALLOC_END, false), arch/powerpc/kernel/module.c:125 (6.1; no MODULES_VADDR on ppc64)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'powerpc',
    ranges: {
      EXECMEM_DEFAULT: PPC64_MODULE_ALLOC,
      EXECMEM_KPROBES: {
        ...PPC64_MODULE_ALLOC,
        origin: 'alloc_insn_page() → module_alloc(PAGE_SIZE), then set_memory_ro()/set_memory_x() when strict_module_rwx_enabled(), arch/powerpc/kernel/kprobes.c:129 (6.1)',
      },
      EXECMEM_FTRACE: { ...PPC64_MODULE_ALLOC, origin: 'no dynamic ftrace trampoline allocation on ppc64 (module calls go through stubs in the module); module_alloc() for completeness' },
      EXECMEM_BPF: { ...PPC64_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1; arch/powerpc/net/bpf_jit_comp.c:225)' },
      EXECMEM_MODULE_DATA: { ...PPC64_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'ppc64 (Book3S-64) defines no MODULES_VADDR: module_alloc() takes the whole vmalloc space, 512 TiB at 0xc008000000000000; modules reach the kernel through TOC/stub calls, so nothing needs to be near the image (which is in the linear map at PAGE_OFFSET, outside the range).',
      'pgprot is strict_module_rwx_enabled() ? PAGE_KERNEL : PAGE_KERNEL_EXEC; PAGE_KERNEL assumes STRICT_MODULE_RWX=y, which powerpc offers only without HIBERNATION (arch/powerpc/Kconfig, ARCH_HAS_STRICT_KERNEL_RWX). A ppc64el kernel built with HIBERNATION=y maps module text PAGE_KERNEL_EXEC (RWX).',
      'The 32 MiB window below _etext (first try [_etext - SZ_32M, MODULES_END), then [MODULES_VADDR, MODULES_END)) is #ifdef MODULES_VADDR: it applies only to 32-bit Book3S (MODULES_VADDR = MODULES_END - SZ_256M below PAGE_OFFSET, book3s/32/pgtable.h) and 8xx, not to this 64-bit profile.',
      'The vmalloc bounds are the same with the hash MMU (H_VMALLOC_START = 0xc008000000000000, H_KERN_MAP_SIZE = 1 << 49 with 64 KiB pages); only PMD_SIZE differs (16 MiB under hash).',
      'The BPF JIT in 6.1 allocates each program on its own (bpf_jit_binary_alloc): every program takes at least one 64 KiB page.',
      'Optprobes use a static buffer in kernel text (optinsn_slot), not module_alloc(); not modelled.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'powerpc',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'VMALLOC_START',
        end: 'VMALLOC_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/powerpc/mm/mem.c:429 (6.12; the #else branch, no MODULES_VADDR on ppc64)',
      },
      EXECMEM_KPROBES: {
        start: 'VMALLOC_START',
        end: 'VMALLOC_END',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/powerpc/mm/mem.c (6.12), [EXECMEM_KPROBES]',
      },
      EXECMEM_MODULE_DATA: {
        start: 'VMALLOC_START',
        end: 'VMALLOC_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/powerpc/mm/mem.c (6.12), [EXECMEM_MODULE_DATA]',
      },
    },
    initMissing: true,
    bpfProgPack: true,
    notes: [
      'Same single vmalloc range as 6.1; the table only splits the pgprot: kprobes get PAGE_KERNEL_ROX (strict_module_rwx_enabled() ? PAGE_KERNEL_ROX : PAGE_KERNEL_EXEC), module text PAGE_KERNEL (or PAGE_KERNEL_EXEC without STRICT_MODULE_RWX).',
      'EXECMEM_FTRACE and EXECMEM_BPF are left unset and copied from EXECMEM_DEFAULT by execmem_init_missing().',
      'BPF programs share 2 MiB packs since 6.3 (bpf_jit_binary_pack_alloc, arch/powerpc/net/bpf_jit_comp.c:176).',
      'On 32-bit Book3S / 8xx the same function keeps the 32 MiB-below-_etext window as the primary range with [MODULES_VADDR, MODULES_END) as fallback (MODULES_SIZE = CONFIG_MODULES_SIZE, 64 MiB on Book3S-32); not this profile.',
    ],
  },
];

export const powerpc: ArchData = { profile: PPC64, tables };
