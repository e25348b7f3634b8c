/**
 * postal-mime gathers each part's decoded lines as Blob parts and reads them
 * back with blob.arrayBuffer(). Node's Blob reads part by part through a
 * stream, which made it most of the worker's time on multipart mail; this
 * worker runs nothing but mail decoding, so it gets a Blob that only
 * concatenates (the two operations postal-mime uses: construct, arrayBuffer).
 */
const encoder = new TextEncoder();
const NEWLINE = new Uint8Array([0x0a]);

class ConcatBlob {
  private readonly bytes: Uint8Array;
  readonly type: string;

  constructor(parts: readonly (string | ArrayBuffer | ArrayBufferView)[] = [], options: { type?: string } = {}) {
    // postal-mime puts a '\n' string after every line: written as a byte, not encoded one by one.
    const chunks = parts.map((p) =>
      typeof p === 'string' ? (p === '\n' ? NEWLINE : encoder.encode(p)) : p instanceof ArrayBuffer ? new Uint8Array(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength),
    );
    let total = 0;
    for (const c of chunks) total += c.length;
    this.bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      if (c.length === 1) this.bytes[at] = c[0]!;
      else this.bytes.set(c, at);
      at += c.length;
    }
    this.type = options.type ?? '';
  }

  get size(): number {
    return this.bytes.length;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer);
  }

  get [Symbol.toStringTag](): string {
    return 'Blob';
  }
}

/** Makes ConcatBlob this thread's Blob: only for a worker that runs nothing but mail decoding. */
export function installConcatBlob(): void {
  (globalThis as { Blob: unknown }).Blob = ConcatBlob;
}
