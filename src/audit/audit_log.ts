/**
 * The JSON Lines writer. Records are queued and written in batches after the relay's current
 * work, so a slow disk never holds a message back. `close` drains everything.
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

export class AuditLog {
  readonly #file: LogFile;
  readonly #onError: (error: unknown) => void;
  #queue: string[] = [];
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
    this.#queue.push(typeof record === "string" ? record : JSON.stringify(record));
    this.#draining ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() =>
      this.#drain()
    );
  }

  /** Writes every queued record, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#draining || this.#queue.length > 0) await (this.#draining ?? this.#drain());
    this.#closed = true;
    this.#file.close();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#writeAll(encoder.encode(batch.join("\n") + "\n"));
      this.written += batch.length;
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
