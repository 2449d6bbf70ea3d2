/**
 * Newline framing for the stdio transport. This module alone turns raw bytes into lines.
 *
 * Lines end at byte `\n` (a preceding `\r` is tolerated and kept in the raw bytes); U+2028 and
 * U+2029 are ordinary characters. A line is buffered as a list of chunk views and joined once,
 * so a message of tens of MiB costs one copy, not one per chunk. A line longer than the limit
 * is not buffered at all: only its first and last bytes are kept, for the audit record.
 */

const LF = 0x0a;
const CR = 0x0d;

/** A complete line. `raw` is exactly what was received, terminator included. */
export interface LineFrame {
  readonly kind: "line";
  readonly raw: Uint8Array;
  /** The line without its `\n` / `\r\n` terminator. */
  readonly content: Uint8Array;
  /** False only for a last line that ended at end of stream without `\n`. */
  readonly terminated: boolean;
}

/** A line that exceeded the size limit; its bytes were not kept. */
export interface OversizedFrame {
  readonly kind: "oversized";
  /** Total size of the line in bytes, terminator included. */
  readonly size: number;
  /** Its first bytes (up to the keep size). */
  readonly head: Uint8Array;
  /** Its last bytes before the terminator (up to the keep size). */
  readonly tail: Uint8Array;
  readonly terminated: boolean;
}

export type Frame = LineFrame | OversizedFrame;

/** Default largest line km will buffer: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Splits a byte stream into lines. Feed chunks with `push`, then call `end` at end of stream. */
export class LineFramer {
  #parts: Uint8Array[] = [];
  #size = 0;
  /** Set while discarding an oversized line: its head and a rolling tail. */
  #over: { head: Uint8Array; tail: Uint8Array } | undefined;

  constructor(readonly maxBytes = DEFAULT_MAX_MESSAGE_BYTES, readonly keepBytes = 4096) {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
  }

  /** Bytes of the current unterminated line seen so far. */
  get buffered(): number {
    return this.#size;
  }

  /** Consumes a chunk and returns the frames it completed, in order. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl + 1;
      this.#append(chunk.subarray(start, end));
      if (nl === -1) break;
      frames.push(this.#take(true));
      start = end;
    }
    return frames;
  }

  /** Flushes a final line that had no terminator, if any. */
  end(): Frame[] {
    return this.#size > 0 ? [this.#take(false)] : [];
  }

  #append(piece: Uint8Array): void {
    this.#size += piece.length;
    if (this.#over) {
      // Two extra bytes so that a CRLF terminator can be stripped from a full tail.
      this.#over.tail = rollTail(this.#over.tail, piece, this.keepBytes + 2);
      return;
    }
    this.#parts.push(piece);
    // The terminator does not count against the limit.
    if (contentLength(this.#size, piece) > this.maxBytes) {
      const joined = join(this.#parts, this.#size);
      this.#over = {
        head: joined.slice(0, this.keepBytes),
        tail: joined.slice(Math.max(0, joined.length - this.keepBytes - 2)),
      };
      this.#parts = [];
    }
  }

  #take(terminated: boolean): Frame {
    const size = this.#size;
    const over = this.#over;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    this.#over = undefined;
    if (over) {
      const tail = stripEnd(over.tail);
      return {
        kind: "oversized",
        size,
        head: over.head,
        tail: tail.subarray(Math.max(0, tail.length - this.keepBytes)),
        terminated,
      };
    }
    const raw = join(parts, size);
    return { kind: "line", raw, content: stripEnd(raw), terminated };
  }
}

function contentLength(size: number, last: Uint8Array): number {
  return last.length > 0 && last[last.length - 1] === LF ? size - 1 : size;
}

/** Drops a trailing `\n` and then a trailing `\r`. */
function stripEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) end--;
  if (end > 0 && bytes[end - 1] === CR) end--;
  return bytes.subarray(0, end);
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function rollTail(tail: Uint8Array, piece: Uint8Array, keep: number): Uint8Array {
  if (piece.length >= keep) return piece.slice(piece.length - keep);
  const out = new Uint8Array(Math.min(keep, tail.length + piece.length));
  const fromTail = out.length - piece.length;
  out.set(tail.subarray(tail.length - fromTail), 0);
  out.set(piece, fromTail);
  return out;
}
