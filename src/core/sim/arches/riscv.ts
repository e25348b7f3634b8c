/**
 * riscv (riscv64): profile and range tables. Symbols cite linux-source-6.12
 * unless they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12.
 *
 * Paging mode: the kernel is built for Sv57 (CONFIG_PAGE_OFFSET defaults to
 * the Sv57 value, satp_mode starts as SATP_MODE_57) and set_satp_mode()
 * (arch/riscv/mm/init.c) falls back at boot to the highest mode the MMU
 * accepts, Sv48 then Sv39. This profile is Sv39, the mode every riscv64
 * Linux-capable core implements and the one today's boards run in. Only the
 * vmalloc area (PAGE_OFFSET_L3) depends on the mode: the module and BPF
 * regions hang off the kernel image at KERNEL_LINK_ADDR in every mode.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const RISCV64: ArchProfile = {
  arch: 'riscv',
  name: 'riscv64, Sv39 (3-level paging, chosen at boot by set_satp_mode()), 4 KiB pages, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  // Module loader emits PLT/GOT entries (CONFIG_MODULE_SECTIONS, arch/riscv/kernel/module-sections.c);
  // neither kernel gives module text a fallback range.
  plts: true,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/riscv/include/asm/page.h:16 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    PMD_SIZE: { value: 'SZ_2M', source: 'arch/riscv/include/asm/pgtable-64.h:41 (PMD_SHIFT 21)' },
    PGDIR_SHIFT_L3: { value: '30', source: 'arch/riscv/include/asm/pgtable-64.h:16' },
    PGDIR_SIZE: { value: '1 << PGDIR_SHIFT_L3', source: 'arch/riscv/include/asm/pgtable-64.h:22 (PGDIR_SHIFT is PGDIR_SHIFT_L3 in Sv39)' },
    PTRS_PER_PGD: { value: 'PAGE_SIZE / 8', source: 'arch/riscv/include/asm/pgtable.h:29 (sizeof(pgd_t) = 8)' },
    KERN_VIRT_SIZE: { value: '(PTRS_PER_PGD / 2 * PGDIR_SIZE) / 2', source: 'arch/riscv/include/asm/pgtable.h:37' },
    VMALLOC_SIZE: { value: 'KERN_VIRT_SIZE / 2', source: 'arch/riscv/include/asm/pgtable.h:39 (KERN_VIRT_SIZE >> 1)' },
    PAGE_OFFSET: { value: '0xffffffd600000000', source: 'arch/riscv/include/asm/page.h:37 (PAGE_OFFSET_L3: kernel_map.page_offset once set_satp_mode() settles on Sv39)' },
    VMALLOC_END: { value: 'PAGE_OFFSET', source: 'arch/riscv/include/asm/pgtable.h:40' },
    VMALLOC_START: { value: 'PAGE_OFFSET - VMALLOC_SIZE', source: 'arch/riscv/include/asm/pgtable.h:41' },
    ADDRESS_SPACE_END: { value: '-1', source: 'arch/riscv/include/asm/pgtable.h:19 (UL(-1))' },
    KERNEL_LINK_ADDR: { value: 'ADDRESS_SPACE_END - SZ_2G + 1', source: 'arch/riscv/include/asm/pgtable.h:23 (CONFIG_64BIT)' },
    KERNEL_SIZE: { value: 'SZ_32M', source: 'parameter: _end - _start of the running image (a page multiple, so PFN_ALIGN() is a no-op); 32 MiB assumed for a distribution riscv64 kernel' },
    _start: { value: 'KERNEL_LINK_ADDR', source: 'arch/riscv/mm/init.c:1129 (kernel_map.virt_addr = KERNEL_LINK_ADDR + virt_offset; virt_offset = 0 without KASLR)' },
    _end: { value: '_start + KERNEL_SIZE', source: 'parameter: _start + KERNEL_SIZE' },
    MODULES_VADDR: { value: '_end - SZ_2G', source: 'arch/riscv/include/asm/pgtable.h:56 (PFN_ALIGN(&_end) - SZ_2G)' },
    MODULES_END: { value: '_start', source: 'arch/riscv/include/asm/pgtable.h:57 (PFN_ALIGN(&_start))' },
    BPF_JIT_REGION_SIZE: { value: 'SZ_128M', source: 'arch/riscv/include/asm/pgtable.h:43' },
    BPF_JIT_REGION_END: { value: 'MODULES_END', source: 'arch/riscv/include/asm/pgtable.h:46 (CONFIG_64BIT)' },
    BPF_JIT_REGION_START: { value: 'BPF_JIT_REGION_END - BPF_JIT_REGION_SIZE', source: 'arch/riscv/include/asm/pgtable.h:45 (CONFIG_64BIT)' },
    PAGE_OFFSET_6_1: { value: '0xffffffd800000000', source: 'linux-source-6.1: arch/riscv/include/asm/page.h:45 (PAGE_OFFSET_L3)' },
    VMALLOC_END_6_1: { value: 'PAGE_OFFSET_6_1', source: 'linux-source-6.1: arch/riscv/include/asm/pgtable.h:40 (VMALLOC_END)' },
    VMALLOC_START_6_1: { value: 'PAGE_OFFSET_6_1 - VMALLOC_SIZE', source: 'linux-source-6.1: arch/riscv/include/asm/pgtable.h:41 (VMALLOC_START)' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const RISCV_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR',
  end: 'MODULES_END',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc(), arch/riscv/kernel/module.c:423 (6.1)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'riscv',
    ranges: {
      EXECMEM_DEFAULT: RISCV_MODULE_ALLOC,
      EXECMEM_KPROBES: {
        start: 'VMALLOC_START_6_1',
        end: 'VMALLOC_END_6_1',
        pgprot: 'PAGE_KERNEL_READ_EXEC',
        alignment: '1',
        origin: 'alloc_insn_page() → __vmalloc_node_range(VMALLOC_START, VMALLOC_END, PAGE_KERNEL_READ_EXEC), arch/riscv/kernel/probes/kprobes.c:112 (6.1)',
      },
      EXECMEM_FTRACE: { ...RISCV_MODULE_ALLOC, origin: 'no dynamic ftrace trampolines on riscv (no arch_ftrace_update_trampoline()); module_alloc() for completeness' },
      EXECMEM_BPF: {
        start: 'BPF_JIT_REGION_START',
        end: 'BPF_JIT_REGION_END',
        pgprot: 'PAGE_KERNEL',
        alignment: 'PAGE_SIZE',
        origin: 'bpf_jit_alloc_exec() → __vmalloc_node_range(BPF_JIT_REGION_START, BPF_JIT_REGION_END), arch/riscv/net/bpf_jit_core.c:195 (6.1)',
      },
      EXECMEM_MODULE_DATA: { ...RISCV_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'Modules live in the 2 GiB below the end of the kernel image, [PFN_ALIGN(_end) - 2 GiB, PFN_ALIGN(_start)), in reach of auipc+jalr; the image itself sits just above MODULES_END, so no boot-time area lies inside the range.',
      'BPF has its own 128 MiB region, the top of the module region ([MODULES_END - 128 MiB, MODULES_END)): the two ranges overlap and share free space.',
      'kprobes instruction pages come from the whole vmalloc area (Sv39: 64 GiB below PAGE_OFFSET), already mapped read+exec: PAGE_KERNEL_READ_EXEC is (_PAGE_KERNEL & ~_PAGE_WRITE) | _PAGE_EXEC (arch/riscv/include/asm/pgtable.h:192), not writable.',
      '6.1 riscv BPF JIT allocates one area per program (bpf_jit_binary_alloc); bpf_prog_pack came to the riscv JIT after 6.1.',
      'module_alloc() passes VM_FLUSH_RESET_PERMS; text is made RO+X after the copy (module_enable_ro/nx).',
    ],
  },
  {
    variant: 'execmem',
    arch: 'riscv',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/riscv/mm/init.c:1557 (6.12)',
      },
      EXECMEM_KPROBES: {
        start: 'VMALLOC_START',
        end: 'VMALLOC_END',
        pgprot: 'PAGE_KERNEL_READ_EXEC',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/riscv/mm/init.c:1567 (6.12)',
      },
      EXECMEM_BPF: {
        start: 'BPF_JIT_REGION_START',
        end: 'BPF_JIT_REGION_END',
        pgprot: 'PAGE_KERNEL',
        alignment: 'PAGE_SIZE',
        origin: 'execmem_arch_setup(), arch/riscv/mm/init.c:1573 (6.12)',
      },
    },
    initMissing: true,
    bpfProgPack: true,
    notes: [
      'The three 6.1 allocators turned into three ranges with the same bounds; EXECMEM_FTRACE and EXECMEM_MODULE_DATA come from execmem_init_missing() (EXECMEM_DEFAULT, MODULE_DATA with PAGE_KERNEL).',
      'BPF programs share 2 MiB packs (bpf_jit_binary_pack_alloc, arch/riscv/net/bpf_jit_core.c:126) carved from the 128 MiB BPF region.',
      'Sv39 PAGE_OFFSET moved from 0xffffffd800000000 (6.1) to 0xffffffd600000000 (6.12), which shifts the kprobes (vmalloc) range.',
      'KASLR (CONFIG_RANDOMIZE_BASE, which riscv lacked in 6.1) would move the image, and the module and BPF regions with it, by a multiple of PMD_SIZE; this profile runs without it.',
    ],
  },
];

export const riscv: ArchData = { profile: RISCV64, tables };
