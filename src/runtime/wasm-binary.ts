// The few pieces of the WebAssembly binary format simdnet reads and writes itself: the threads loader's
// passive-data copy (runtime/threads.ts) and the edge exporter's template patching (io/edge.ts).

/** Reads a WebAssembly binary from `pos` on; errors name `what` ("the edge template", …). */
export class WasmReader {
  constructor(readonly bytes: Uint8Array, readonly what: string, public pos = 0) {}

  /** The next byte. */
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error(`simdnet: ${this.what} is truncated`);
    const b = this.bytes[this.pos]!;
    // A property, not a captured local: Node 26's optimized code now and then dropped the increments of a
    // closure-captured `pos` in `while (bytes[pos++] & 0x80);` (test/threads/lifecycle.test.ts).
    this.pos = this.pos + 1;
    return b;
  }

  /** An unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new Error(`simdnet: ${this.what} has a malformed LEB128 number`);
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
  }

  /** Skips a signed or unsigned LEB128 of up to 64 bits (an i32.const or i64.const operand). */
  skipLeb(): void {
    for (let count = 1; (this.byte() & 0x80) !== 0; count++) {
      if (count >= 10) throw new Error(`simdnet: ${this.what} has a malformed LEB128 number`);
    }
  }

  /** The next n bytes (a view, not a copy). */
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new Error(`simdnet: ${this.what} is truncated`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
}

/** value as an unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}
