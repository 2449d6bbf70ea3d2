/**
 * The JSON Lines writer. Records are encoded as they come into reusable byte chunks and
 * written in batches after the relay's current work, so a slow disk never holds a message
 * back and a burst of records leaves no strings behind for the garbage collector to promote.
 * `close` drains everything.
 */
import { KmError } from "../errors.ts";
import { parentDir } from "./paths.ts";
import type { AuditRecord } from "./record.ts";

/** The file behind the log; a test passes an in-memory one. */
export interface LogFile {
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

const encoder = new TextEncoder();

/** Size of a chunk records are encoded into: one write of the file, at least. */
const CHUNK_BYTES = 256 * 1024;
/** Written chunks kept for reuse; a backlog beyond this is allocated and let go. */
const SPARE_CHUNKS = 2;

export class AuditLog {
  readonly #file: LogFile;
  readonly #onError: (error: unknown) => void;
  /** Filled chunks waiting for the writer, oldest first, and the one being filled. */
  #full: Uint8Array[] = [];
  #chunk: Uint8Array | undefined;
  #used = 0;
  #spare: Uint8Array[] = [];
  /** Records encoded but not yet written. */
  #pending = 0;
  #draining: Promise<void> | undefined;
  #failed = false;
  #closed = false;
  /** Records written so far. */
  written = 0;

  constructor(readonly path: string, file: LogFile, onError: (error: unknown) => void) {
    this.#file = file;
    this.#onError = onError;
  }

  /** Creates the directory if needed and opens `path` for appending (owner-only access). */
  static async open(path: string, onError: (error: unknown) => void): Promise<AuditLog> {
    try {
      await Deno.mkdir(parentDir(path), { recursive: true, mode: 0o700 });
      const file = await Deno.open(path, { create: true, append: true, mode: 0o600 });
      return new AuditLog(path, file, onError);
    } catch (error) {
      throw new KmError(
        "LOG_UNWRITABLE",
        `Cannot write the audit log "${path}": ${(error as Error).message}`,
        "pass --log-dir DIR (or --log-file FILE) naming a writable place, or set KM_DATA_DIR",
      );
    }
  }

  /** Queues a record: an object, or its JSON text. Writing happens later, in batches. */
  append(record: AuditRecord | string): void {
    if (this.#closed) return;
    this.#encode(typeof record === "string" ? record : JSON.stringify(record));
    this.#pending++;
    this.#draining ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() =>
      this.#drain()
    );
  }

  /** Writes every queued record, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#draining || this.#pending > 0) await (this.#draining ?? this.#drain());
    this.#closed = true;
    this.#file.close();
  }

  /** Appends `text` and a line feed to the chunk being filled. */
  #encode(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the line feed one more.
    const room = text.length * 3 + 1;
    if (room > CHUNK_BYTES) {
      // A record bigger than a chunk gets a buffer of its own, in its place in the order.
      this.#seal();
      const bytes = encoder.encode(text + "\n");
      this.#full.push(bytes);
      return;
    }
    if (this.#chunk === undefined || this.#used + room > this.#chunk.length) {
      this.#seal();
      this.#chunk = this.#spare.pop() ?? new Uint8Array(CHUNK_BYTES);
    }
    const chunk = this.#chunk;
    this.#used += encoder.encodeInto(text, chunk.subarray(this.#used)).written;
    chunk[this.#used++] = 0x0a;
  }

  /** Moves the chunk being filled to the writer's queue. */
  #seal(): void {
    if (this.#chunk === undefined) return;
    if (this.#used > 0) this.#full.push(this.#chunk.subarray(0, this.#used));
    else this.#spare.push(this.#chunk);
    this.#chunk = undefined;
    this.#used = 0;
  }

  async #drain(): Promise<void> {
    while (this.#pending > 0) {
      this.#seal();
      const batch = this.#full;
      const records = this.#pending;
      this.#full = [];
      this.#pending = 0;
      for (const bytes of batch) {
        await this.#writeAll(bytes);
        if (bytes.buffer.byteLength === CHUNK_BYTES && this.#spare.length < SPARE_CHUNKS) {
          this.#spare.push(new Uint8Array(bytes.buffer));
        }
      }
      this.written += records;
    }
    this.#draining = undefined;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#failed) return;
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#file.write(bytes.subarray(offset));
    } catch (error) {
      this.#failed = true;
      this.#onError(error);
    }
  }
}
