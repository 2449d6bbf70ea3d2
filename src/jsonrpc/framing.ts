/**
 * Newline framing for the stdio transport. This module alone turns raw bytes into lines.
 *
 * Lines end at byte `\n` (a preceding `\r` is tolerated and kept in the raw bytes); U+2028 and
 * U+2029 are ordinary characters. Input is copied into one resizable buffer that grows in
 * place: a line of tens of MiB costs no re-joining and no garbage, and the memory is handed
 * back (the buffer shrinks) as soon as the big line is consumed. A line longer than the limit
 * is not buffered at all: only its first and last bytes are kept, for the audit record.
 *
 * Frames returned by `push`/`end` are views into the buffer: they are valid until the next
 * call to `push` or `end`.
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
  /** Its first bytes (up to the keep size), copied. */
  readonly head: Uint8Array;
  /** Its last bytes before the terminator (up to the keep size), copied. */
  readonly tail: Uint8Array;
  readonly terminated: boolean;
}

export type Frame = LineFrame | OversizedFrame;

/** Default largest line km will buffer: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The buffer's resting size. */
const BASE_SIZE = 64 * 1024;
/** Above this size the buffer grows by this much at a time rather than doubling. */
const GROWTH_STEP = 1024 * 1024;

/** Splits a byte stream into lines. */
export class LineFramer {
  readonly #memory: ArrayBuffer;
  #buf: Uint8Array;
  /** Start of the current (incomplete) line. */
  #start = 0;
  /** End of the bytes received. */
  #end = 0;
  /** Where the search for the next `\n` resumes. */
  #scan = 0;
  /** Set while discarding an oversized line. */
  #over: { head: Uint8Array; tail: Uint8Array; size: number } | undefined;

  constructor(readonly maxBytes = DEFAULT_MAX_MESSAGE_BYTES, readonly keepBytes = 4096) {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    // Address space is reserved up front; pages are committed only as a line needs them.
    this.#memory = new ArrayBuffer(BASE_SIZE, { maxByteLength: maxBytes + 2 * BASE_SIZE });
    this.#buf = new Uint8Array(this.#memory);
  }

  /** Bytes of memory the buffer holds now. */
  get memory(): number {
    return this.#memory.byteLength;
  }

  /** Bytes of the current unterminated line seen so far. */
  get buffered(): number {
    return this.#over ? this.#over.size : this.#end - this.#start;
  }

  /** Copies a chunk in and returns the frames it completed, in order. */
  push(chunk: Uint8Array): Frame[] {
    if (chunk.length <= BASE_SIZE) return this.#pushPiece(chunk);
    // A big chunk goes in piece by piece; frames of earlier pieces are copied out, since
    // making room for a later piece may move the buffer's contents.
    const frames: Frame[] = [];
    for (let offset = 0; offset < chunk.length; offset += BASE_SIZE) {
      const last = offset + BASE_SIZE >= chunk.length;
      const pieceFrames = this.#pushPiece(chunk.subarray(offset, offset + BASE_SIZE));
      frames.push(...(last ? pieceFrames : pieceFrames.map(detach)));
    }
    return frames;
  }

  #pushPiece(piece: Uint8Array): Frame[] {
    this.#makeRoom(piece.length);
    this.#buf.set(piece, this.#end);
    this.#end += piece.length;
    return this.#frames();
  }

  /** Flushes a final line that had no terminator, if any. */
  end(): Frame[] {
    if (this.#over) return [this.#takeOversized(false)];
    if (this.#end === this.#start) return [];
    const raw = this.#buf.subarray(this.#start, this.#end);
    this.#start = this.#scan = this.#end;
    return [{ kind: "line", raw, content: stripEnd(raw), terminated: false }];
  }

  #frames(): Frame[] {
    const frames: Frame[] = [];
    const buf = this.#buf;
    const data = buf.subarray(0, this.#end);
    while (this.#scan < this.#end) {
      const nl = data.indexOf(LF, this.#scan);
      if (nl === -1) {
        this.#scan = this.#end;
        break;
      }
      this.#scan = nl + 1;
      if (!this.#over && nl - this.#start > this.maxBytes) this.#beginOversized();
      if (this.#over) {
        this.#roll(this.#start, nl + 1);
        frames.push(this.#takeOversized(true));
      } else {
        const raw = buf.subarray(this.#start, nl + 1);
        frames.push({ kind: "line", raw, content: stripEnd(raw), terminated: true });
      }
      this.#start = nl + 1;
    }
    this.#checkLimit();
    return frames;
  }

  /** Starts discarding once the incomplete line is over the limit (terminator not counted). */
  #checkLimit(): void {
    if (this.#over) {
      this.#roll(this.#start, this.#end);
      this.#start = this.#scan = this.#end;
      return;
    }
    if (this.#end - this.#start <= this.maxBytes) return;
    this.#beginOversized();
    this.#roll(this.#start, this.#end);
    this.#start = this.#scan = this.#end;
  }

  #beginOversized(): void {
    const head = this.#buf.slice(this.#start, Math.min(this.#end, this.#start + this.keepBytes));
    this.#over = { head, tail: new Uint8Array(0), size: 0 };
  }

  /** Counts discarded bytes and keeps a rolling tail (two extra bytes for a CRLF). */
  #roll(from: number, to: number): void {
    const over = this.#over!;
    over.size += to - from;
    const keep = this.keepBytes + 2;
    const piece = this.#buf.subarray(Math.max(from, to - keep), to);
    const tail = new Uint8Array(Math.min(keep, over.tail.length + piece.length));
    const fromTail = tail.length - piece.length;
    tail.set(over.tail.subarray(over.tail.length - fromTail), 0);
    tail.set(piece, fromTail);
    over.tail = tail;
  }

  #takeOversized(terminated: boolean): OversizedFrame {
    const { head, tail, size } = this.#over!;
    this.#over = undefined;
    const stripped = stripEnd(tail);
    return {
      kind: "oversized",
      size,
      head,
      tail: stripped.subarray(Math.max(0, stripped.length - this.keepBytes)),
      terminated,
    };
  }

  /**
   * Gives the memory of a big line back once it is consumed. Call it when done with the
   * frames of the last `push` (they are invalid afterwards).
   */
  release(): void {
    if (this.#end === this.#start && this.#memory.byteLength > BASE_SIZE) {
      this.#start = this.#end = this.#scan = 0;
      this.#resize(BASE_SIZE);
    }
  }

  /** Compacts, grows or shrinks the buffer so that `min` bytes are free after `#end`. */
  #makeRoom(min: number): void {
    const pending = this.#end - this.#start;
    if (pending === 0) {
      this.#start = this.#end = this.#scan = 0;
      if (min <= BASE_SIZE) this.release();
    }
    if (this.#buf.length - this.#end >= min) return;
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#scan -= this.#start;
      this.#end = pending;
      this.#start = 0;
    }
    if (this.#buf.length - this.#end < min) {
      // Growing in place copies nothing, so big lines grow in steps and hold little spare.
      const size = this.#memory.byteLength;
      const step = Math.min(size, GROWTH_STEP);
      this.#resize(Math.min(Math.max(this.#end + min, size + step), this.#memory.maxByteLength));
    }
  }

  #resize(size: number): void {
    this.#memory.resize(size);
    this.#buf = new Uint8Array(this.#memory);
  }
}

function detach(frame: Frame): Frame {
  if (frame.kind !== "line") return frame;
  const raw = frame.raw.slice();
  return { ...frame, raw, content: raw.subarray(0, frame.content.length) };
}

/** Drops a trailing `\n` and then a trailing `\r`. */
function stripEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) end--;
  if (end > 0 && bytes[end - 1] === CR) end--;
  return bytes.subarray(0, end);
}
