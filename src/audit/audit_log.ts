/**
 * The JSON Lines writer. Records are encoded as they come into reusable byte chunks, so a
 * burst of records leaves no strings behind for the garbage collector to promote, and written
 * in batches: by the relay (`flushSync`/`flush`) before it forwards what they record, otherwise
 * once the current task's work is done. A failed write is taken back and counted (`health`).
 * `close` drains everything.
 */
import { KmError } from "../errors.ts";
import { parentDir } from "./paths.ts";
import type { AuditRecord } from "./record.ts";

/** The file behind the log; a test passes an in-memory one. */
export interface LogFile {
  write(bytes: Uint8Array): Promise<number>;
  /**
   * The same, synchronously. Preferred when present: the relay waits for its records before it
   * forwards anything, and a synchronous append to the page cache takes about a microsecond
   * where an asynchronous one takes tens (a stalled disk then stalls km, as it would anyway).
   */
  writeSync?(bytes: Uint8Array): number;
  /** Cuts the file back to `length` bytes (to take back a torn record). */
  truncate?(length: number): Promise<void>;
  truncateSync?(length: number): void;
  close(): void;
}

/** What the log could not do: records it could not write, and why the last write failed. */
export interface LogHealth {
  /** Records lost so far: not written, or taken back from a torn end. */
  readonly lost: number;
  /** The last write's error, while writing fails; undefined once a write succeeds again. */
  readonly failing?: string;
}

const encoder = new TextEncoder();

/** Size of a chunk records are encoded into: one write of the file, at least. */
const CHUNK_BYTES = 256 * 1024;
/** Written chunks kept for reuse; a backlog beyond this is allocated and let go. */
const SPARE_CHUNKS = 2;
/**
 * Most bytes of records waiting for a stalled disk. The relay waits for its own records, so
 * only the records of other sources (server stderr, lifecycle) can pile up; past this they are
 * dropped, and counted as lost.
 */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;

export class AuditLog {
  readonly #file: LogFile;
  readonly #onError: (error: unknown) => void;
  /** Filled chunks waiting for the writer, oldest first, with how many records each holds. */
  #full: Uint8Array[] = [];
  #fullRecords: number[] = [];
  #backlog = 0;
  #chunk: Uint8Array | undefined;
  #used = 0;
  #chunkRecords = 0;
  #spare: Uint8Array[] = [];
  /** Records encoded but not yet written. */
  #pending = 0;
  #draining: Promise<boolean> | undefined;
  #scheduled = false;
  /** Bytes of the file that hold whole records: where a torn write is cut back to. */
  #size: number;
  #lost = 0;
  #failing: string | undefined;
  #closed = false;
  /** Records written so far. */
  written = 0;

  constructor(
    readonly path: string,
    file: LogFile,
    onError: (error: unknown) => void,
    size = 0,
  ) {
    this.#file = file;
    this.#onError = onError;
    this.#size = size;
  }

  /** Creates the directory if needed and opens `path` for appending (owner-only access). */
  static async open(path: string, onError: (error: unknown) => void): Promise<AuditLog> {
    try {
      await Deno.mkdir(parentDir(path), { recursive: true, mode: 0o700 });
      const file = await Deno.open(path, { create: true, append: true, mode: 0o600 });
      const { size, isFile } = await file.stat();
      // Only a regular file can be cut back after a torn write.
      const log: LogFile = isFile ? file : {
        write: (b) => file.write(b),
        writeSync: (b) => file.writeSync(b),
        close: () => file.close(),
      };
      return new AuditLog(path, log, onError, size);
    } catch (error) {
      throw new KmError(
        "LOG_UNWRITABLE",
        `Cannot write the audit log "${path}": ${(error as Error).message}`,
        "pass --log-dir DIR (or --log-file FILE) naming a writable place, or set KM_DATA_DIR",
      );
    }
  }

  /** What could not be written so far. */
  get health(): LogHealth {
    return this.#failing === undefined
      ? { lost: this.#lost }
      : { lost: this.#lost, failing: this.#failing };
  }

  /** Queues a record: an object, or its JSON text. Writing happens later, in batches. */
  append(record: AuditRecord | string): void {
    if (this.#closed) return;
    const text = typeof record === "string" ? record : JSON.stringify(record);
    if (this.#backlog > MAX_BACKLOG_BYTES) {
      this.#lost++;
      return;
    }
    this.#encode(text);
    this.#pending++;
    if (!this.#scheduled && !this.#draining) {
      // Written once the caller's synchronous work is done: the relay flushes its records itself
      // before then, so this costs it nothing; records of other sources are batched per task.
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        if (this.#pending > 0 && this.flushSync() === undefined) void this.flush();
      });
    }
  }

  /**
   * Writes every queued record now. Resolves true when they are all in the file (the writes
   * returned: the bytes are the kernel's), false when some could not be written.
   */
  flush(): Promise<boolean> {
    if (this.#draining) return this.#draining;
    if (this.#pending === 0) return Promise.resolve(this.#failing === undefined);
    return this.#draining = this.#drain().finally(() => this.#draining = undefined);
  }

  /** Writes every queued record, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#draining || this.#pending > 0) await this.flush();
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
      this.#fullRecords.push(1);
      this.#backlog += bytes.length;
      return;
    }
    if (this.#chunk === undefined || this.#used + room > this.#chunk.length) {
      this.#seal();
      this.#chunk = this.#spare.pop() ?? new Uint8Array(CHUNK_BYTES);
    }
    const chunk = this.#chunk;
    const written = encoder.encodeInto(text, chunk.subarray(this.#used)).written + 1;
    chunk[this.#used + written - 1] = 0x0a;
    this.#used += written;
    this.#backlog += written;
    this.#chunkRecords++;
  }

  /** Moves the chunk being filled to the writer's queue. */
  #seal(): void {
    if (this.#chunk === undefined) return;
    if (this.#used > 0) {
      this.#full.push(this.#chunk.subarray(0, this.#used));
      this.#fullRecords.push(this.#chunkRecords);
    } else this.#spare.push(this.#chunk);
    this.#chunk = undefined;
    this.#used = 0;
    this.#chunkRecords = 0;
  }

  async #drain(): Promise<boolean> {
    let ok = true;
    while (this.#pending > 0) {
      const { batch, counts } = this.#take();
      for (let i = 0; i < batch.length; i++) {
        ok = this.#settle(batch[i], counts[i], await this.#writeAll(batch[i])) && ok;
      }
    }
    return ok;
  }

  /**
   * `flush`, synchronously: undefined when it cannot be (the file has no synchronous write, or
   * an asynchronous write is under way). The relay's path: no promise between reading a batch
   * and forwarding it.
   */
  flushSync(): boolean | undefined {
    const file = this.#file;
    if (!file.writeSync || this.#draining) return undefined;
    let ok = this.#failing === undefined || this.#pending > 0;
    while (this.#pending > 0) {
      ok = true;
      const { batch, counts } = this.#take();
      for (let i = 0; i < batch.length; i++) {
        const bytes = batch[i];
        let offset = 0;
        let written: boolean;
        try {
          while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
          written = this.#written(bytes);
        } catch (error) {
          if (offset > 0) {
            try {
              file.truncateSync?.(this.#size);
            } catch { /* the records stay counted as lost */ }
          }
          written = this.#failed(error);
        }
        ok = this.#settle(bytes, counts[i], written) && ok;
      }
    }
    return ok;
  }

  /** The chunks queued so far, for the writer. */
  #take(): { batch: Uint8Array[]; counts: number[] } {
    this.#seal();
    const batch = this.#full;
    const counts = this.#fullRecords;
    this.#full = [];
    this.#fullRecords = [];
    this.#pending = 0;
    return { batch, counts };
  }

  /** Counts a chunk's records as written or lost, and keeps its buffer for reuse. */
  #settle(bytes: Uint8Array, records: number, written: boolean): boolean {
    this.#backlog -= bytes.length;
    if (written) this.written += records;
    else this.#lost += records;
    if (bytes.buffer.byteLength === CHUNK_BYTES && this.#spare.length < SPARE_CHUNKS) {
      this.#spare.push(new Uint8Array(bytes.buffer));
    }
    return written;
  }

  #written(bytes: Uint8Array): true {
    this.#size += bytes.length;
    this.#failing = undefined;
    return true;
  }

  #failed(error: unknown): false {
    if (this.#failing === undefined) {
      this.#failing = (error as Error).message ?? String(error);
      this.#onError(error);
    }
    return false;
  }

  /** Writes one chunk whole, or takes back what part of it was written. */
  async #writeAll(bytes: Uint8Array): Promise<boolean> {
    let offset = 0;
    try {
      const file = this.#file;
      while (offset < bytes.length) {
        offset += file.writeSync
          ? file.writeSync(bytes.subarray(offset))
          : await file.write(bytes.subarray(offset));
      }
      return this.#written(bytes);
    } catch (error) {
      // A torn record is never left: the file is cut back to its last whole record.
      if (offset > 0) await this.#file.truncate?.(this.#size).catch(() => {});
      return this.#failed(error);
    }
  }
}
