/**
 * gRPC length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian length,
 * then the message bytes.
 */

export const FRAME_HEADER_SIZE = 5;

export function encodeFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, FRAME_HEADER_SIZE);
  return frame;
}

export type FrameProblem =
  | { kind: 'compressed' }
  | { kind: 'too_large'; size: number };

/** Splits a byte stream into messages; reports the first problem and then accepts nothing more. */
export class FrameDecoder {
  #pending: Buffer[] = [];
  #pendingSize = 0;
  #problem: FrameProblem | undefined;

  constructor(private readonly maxMessageSize: number) {}

  get problem(): FrameProblem | undefined {
    return this.#problem;
  }

  /** True when bytes of an unfinished message are buffered. */
  get partial(): boolean {
    return this.#pendingSize > 0;
  }

  /** Adds bytes; returns the messages they complete. */
  push(chunk: Buffer): Buffer[] {
    if (this.#problem !== undefined) return [];
    this.#pending.push(chunk);
    this.#pendingSize += chunk.length;
    const messages: Buffer[] = [];
    while (this.#pendingSize >= FRAME_HEADER_SIZE) {
      const head = this.#peek(FRAME_HEADER_SIZE);
      if (head[0] !== 0) {
        this.#problem = { kind: 'compressed' };
        return messages;
      }
      const size = head.readUInt32BE(1);
      if (size > this.maxMessageSize) {
        this.#problem = { kind: 'too_large', size };
        return messages;
      }
      if (this.#pendingSize < FRAME_HEADER_SIZE + size) break;
      const frame = this.#take(FRAME_HEADER_SIZE + size);
      messages.push(frame.subarray(FRAME_HEADER_SIZE));
    }
    return messages;
  }

  #peek(n: number): Buffer {
    if (this.#pending[0]!.length < n) this.#pending = [Buffer.concat(this.#pending, this.#pendingSize)];
    return this.#pending[0]!;
  }

  #take(n: number): Buffer {
    const first = this.#peek(n);
    const taken = first.subarray(0, n);
    if (first.length === n) this.#pending.shift();
    else this.#pending[0] = first.subarray(n);
    this.#pendingSize -= n;
    return taken;
  }
}
