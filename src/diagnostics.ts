/**
 * The one place km writes human-readable text. Stdout belongs to the relayed protocol, so
 * everything here goes to a writer that is stderr in production and a buffer in tests.
 */
import { atMost } from "./at_most.ts";

/** Something that accepts text synchronously (stderr, or a test buffer). */
export interface TextWriter {
  write(text: string): void;
}

/**
 * km's stderr as a queue. Writes never block the caller: an MCP client that does not read
 * km's stderr must not stall the relay (a full pipe would block a synchronous write). Beyond
 * `limit` queued bytes, output is dropped (and counted) rather than buffered without bound;
 * the audit log keeps everything regardless. `flush` waits for what is queued.
 */
export class StderrQueue implements TextWriter {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #queued = 0;
  #last: Promise<unknown> = Promise.resolve();
  #broken = false;
  /** Bytes dropped because the queue was full. */
  dropped = 0;

  constructor(stream: WritableStream<Uint8Array>, readonly limit = 4 * 1024 * 1024) {
    this.#writer = stream.getWriter();
  }

  write(text: string): void {
    this.bytes(this.#encoder.encode(text));
  }

  /** Queues raw bytes (the server's stderr passthrough). */
  bytes(bytes: Uint8Array): void {
    if (this.#broken) return;
    if (this.#queued + bytes.length > this.limit) {
      this.dropped += bytes.length;
      return;
    }
    this.#queued += bytes.length;
    this.#last = this.#writer.write(bytes).then(
      () => void (this.#queued -= bytes.length),
      () => void (this.#broken = true),
    );
  }

  /**
   * Resolves when everything queued so far was written, stderr broke, or `timeoutMs` passed
   * (a reader that never reads must not keep km from exiting).
   */
  async flush(timeoutMs = 2000): Promise<void> {
    await atMost(this.#last, timeoutMs);
  }
}

/** A writer that keeps everything in memory, for tests. */
export function bufferWriter(): TextWriter & { text(): string } {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), text: () => parts.join("") };
}

/** Prefixed diagnostic lines: `km: ...`, `km: warning: ...`, `km: error: ...`. */
export class Diagnostics {
  constructor(readonly out: TextWriter) {}

  info(message: string): void {
    this.out.write(`km: ${message}\n`);
  }

  warn(message: string): void {
    this.out.write(`km: warning: ${message}\n`);
  }

  error(message: string, hint?: string): void {
    this.out.write(`km: error: ${message}\n${hint ? `km: hint: ${hint}\n` : ""}`);
  }

  /** Raw text, for passthrough of the server's stderr and for multi-line blocks. */
  raw(text: string): void {
    this.out.write(text);
  }
}
