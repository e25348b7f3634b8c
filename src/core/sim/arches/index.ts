/** Every arch whose data is tabled; add an arch by adding its file here. */
import type { ArchData } from '../archData';
import { arm } from './arm';
import { arm64 } from './arm64';
import { mips } from './mips';
import { nios2 } from './nios2';
import { parisc } from './parisc';
import { powerpc } from './powerpc';
import { sparc } from './sparc';
import { x86 } from './x86';

export const ARCH_DATA: readonly ArchData[] = [x86, arm64, arm, mips, nios2, powerpc, parisc, sparc];
