/**
 * Cuts the bytes of a session file into whole lines, chunk by chunk, keeping the start of a
 * line that is still being written until its `\n` arrives: a session writing its log is never
 * read half a record at a time. Pure.
 */
import { concatBytes } from "../concat_bytes.ts";

const NEWLINE = 10;
const decoder = new TextDecoder();

export interface LogLine {
  /** 1-based line number in the file. */
  readonly number: number;
  readonly text: string;
}

export class LineSplitter {
  #pending: Uint8Array = new Uint8Array(0);
  #next = 1;

  /** The lines `chunk` completes; the rest waits for the next chunk. */
  push(chunk: Uint8Array): LogLine[] {
    const lines: LogLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const bytes = this.#pending.length > 0
        ? concatBytes([this.#pending, chunk.subarray(start, nl)])
        : chunk.subarray(start, nl);
      this.#pending = new Uint8Array(0);
      lines.push({ number: this.#next++, text: decoder.decode(bytes) });
      start = nl + 1;
    }
    if (start < chunk.length) this.#pending = concatBytes([this.#pending, chunk.subarray(start)]);
    return lines;
  }

  /** Forgets the unfinished line (its bytes are gone from the file). */
  dropPending(): void {
    this.#pending = new Uint8Array(0);
  }

  /** Bytes of a line not ended yet (a record still being written, or a torn last line). */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}
