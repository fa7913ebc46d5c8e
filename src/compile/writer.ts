/**
 * Append-only little-endian byte writer for the route table. Records are written children
 * first, so every offset a record stores is already known; the header is patched last.
 */
const encoder = new TextEncoder();
/** Typed-array stores are native-endian: use them for words on little-endian machines only. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class TableWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private u32 = new Uint32Array(this.buf.buffer);
  private len = 0;
  /** Strings already written: [offset, byte length]. */
  private readonly strings = new Map<string, [number, number]>();
  /** Word sequences written with `wordsOnce`, by their decimal text. */
  private readonly wordLists = new Map<string, number>();

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.u32 = new Uint32Array(next.buffer);
  }

  /** Pads with zero bytes to a multiple of 4. */
  align(): void {
    const pad = (4 - (this.len & 3)) & 3;
    this.reserve(pad);
    this.len += pad; // the buffer is zero-filled
  }

  /** Writes u32 words at a 4-aligned position; returns their byte offset. */
  words(values: readonly number[]): number {
    this.align();
    const off = this.len;
    this.reserve(values.length * 4);
    // Uint32Array stores convert like `>>> 0` (modulo 2^32).
    if (LITTLE_ENDIAN) this.u32.set(values, off >>> 2);
    else for (let i = 0; i < values.length; i++) this.view.setUint32(off + i * 4, values[i] >>> 0, true);
    this.len += values.length * 4;
    return off;
  }

  /** Like `words`, but an identical sequence written before is reused. */
  wordsOnce(values: readonly number[]): number {
    const key = values.join(',');
    let off = this.wordLists.get(key);
    if (off === undefined) this.wordLists.set(key, (off = this.words(values)));
    return off;
  }

  patch(offset: number, value: number): void {
    this.view.setUint32(offset, value >>> 0, true);
  }

  /** Writes raw bytes at a 4-aligned position; returns their byte offset. */
  bytes(data: Uint8Array): number {
    this.align();
    const off = this.len;
    this.reserve(data.length);
    this.buf.set(data, off);
    this.len += data.length;
    return off;
  }

  /** Writes u32 words then raw bytes right after the previous ones, unaligned; returns their byte offset. */
  packed(values: readonly number[], data: Uint8Array): number {
    const off = this.len;
    this.reserve(values.length * 4 + data.length);
    for (let i = 0; i < values.length; i++) this.view.setUint32(off + i * 4, values[i] >>> 0, true);
    this.buf.set(data, off + values.length * 4);
    this.len += values.length * 4 + data.length;
    return off;
  }

  /** UTF-8 string, written once per distinct value; returns [offset, byteLength]. */
  string(value: string): [number, number] {
    const known = this.strings.get(value);
    if (known !== undefined) return [known[0], known[1]];
    this.align();
    const off = this.len;
    this.reserve(value.length * 3);
    const { written } = encoder.encodeInto(value, this.buf.subarray(off));
    this.len += written;
    this.strings.set(value, [off, written]);
    return [off, written];
  }

  finish(): Uint8Array {
    this.align();
    return this.buf.slice(0, this.len);
  }
}
