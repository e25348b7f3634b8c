/** A call site as detectCallSites reports kernel/kprobes.c:121 of 6.1, for tests to vary. */
import type { CallSite } from '../../src/core/callsites/detect';

export const KPROBES_SITE: CallSite = {
  path: 'kernel/kprobes.c',
  line: 121,
  column: 8,
  callee: 'module_alloc',
  kind: 'alloc',
  converted: false,
  type: 'EXECMEM_KPROBES',
  typeFrom: 'caller',
  size: 'PAGE_SIZE',
  caller: 'alloc_insn_page',
  subsystem: 'kprobes',
  text: 'module_alloc(PAGE_SIZE)',
};
