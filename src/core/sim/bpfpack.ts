/**
 * bpf_prog_pack of kernel/bpf/core.c (Linux 6.12): JITed programs share
 * BPF_PROG_PACK_SIZE (2 MiB on one NUMA node) packs carved into 64-byte
 * chunks (BPF_PROG_CHUNK_SIZE); a program takes the first run of free chunks
 * (bitmap_find_next_zero_area from bit 0) in the first pack, oldest first,
 * that has one; a new pack is allocated when none has; a program larger than
 * a pack gets its own page-rounded allocation; a pack whose chunks are all
 * free again is freed.
 */

export const BPF_PROG_CHUNK_SIZE = 64;
export const BPF_PROG_PACK_SIZE = 2 * 1024 * 1024;

export interface Pack {
  ptr: bigint;
  handle: string;
  /** One byte per chunk: 1 busy. */
  bits: Uint8Array;
}

export class BpfProgPack {
  readonly packs: Pack[] = [];
  private readonly chunks = BPF_PROG_PACK_SIZE / BPF_PROG_CHUNK_SIZE;

  nbits(size: number): number {
    return Math.ceil(size / BPF_PROG_CHUNK_SIZE);
  }

  /** A place in an existing pack, or null. */
  take(size: number): { pack: Pack; pos: number } | null {
    const n = this.nbits(size);
    for (const pack of this.packs) {
      let run = 0;
      for (let i = 0; i < this.chunks; i++) {
        run = pack.bits[i] ? 0 : run + 1;
        if (run === n) {
          const pos = i - n + 1;
          pack.bits.fill(1, pos, pos + n);
          return { pack, pos };
        }
      }
    }
    return null;
  }

  addPack(ptr: bigint, handle: string): Pack {
    const pack = { ptr, handle, bits: new Uint8Array(this.chunks) };
    this.packs.push(pack);
    return pack;
  }

  /** bpf_prog_pack_free: the pack's handle when it became empty (and was dropped), else null. */
  release(pack: Pack, pos: number, size: number): string | null {
    pack.bits.fill(0, pos, pos + this.nbits(size));
    if (pack.bits.some((b) => b !== 0)) return null;
    this.packs.splice(this.packs.indexOf(pack), 1);
    return pack.handle;
  }
}
