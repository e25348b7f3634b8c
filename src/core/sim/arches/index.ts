/** Every arch whose data is tabled; add an arch by adding its file here. */
import type { ArchData } from '../archData';
import { arm } from './arm';
import { arm64 } from './arm64';
import { loongarch } from './loongarch';
import { mips } from './mips';
import { nios2 } from './nios2';
import { parisc } from './parisc';
import { powerpc } from './powerpc';
import { riscv } from './riscv';
import { s390 } from './s390';
import { sparc } from './sparc';
import { x86 } from './x86';

export const ARCH_DATA: readonly ArchData[] = [arm, arm64, loongarch, mips, nios2, parisc, powerpc, riscv, s390, sparc, x86];
