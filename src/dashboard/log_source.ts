/**
 * Reads every session file (`*.jsonl`) of a log directory into the index, then follows them:
 * a file watcher wakes it within milliseconds of a write, and a slow poll catches what a watcher
 * misses (network file systems, a directory created later). Only whole lines are read; a line
 * still being written is read when it ends.
 */
import { concatBytes } from "../concat_bytes.ts";
import type { Entry, LogIndex } from "./log_index.ts";
import type { Summary } from "./summarise.ts";

const CHUNK = 1024 * 1024;
const NEWLINE = 10;
const decoder = new TextDecoder();

export interface SourceOptions {
  /** Called with each record added after the first scan, in file order. */
  readonly onRecord?: (summary: Summary) => void;
  /** Called after each read of new records with the sessions they belong to. */
  readonly onSessions?: (sessions: ReadonlySet<string>) => void;
  /** Safety-net poll interval. */
  readonly pollMs?: number;
  /** Delay that coalesces a burst of watcher events into one read. */
  readonly settleMs?: number;
}

export class LogSource {
  readonly #dir: string;
  readonly #index: LogIndex;
  readonly #options: SourceOptions;
  /** Bytes of each file read so far (up to the end of its last whole line). */
  readonly #offsets = new Map<string, number>();
  #watcher: Deno.FsWatcher | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #settle: ReturnType<typeof setTimeout> | undefined;
  #dirty = new Set<string>();
  #scanning: Promise<void> | undefined;
  #touched = new Set<string>();
  #closed = false;

  constructor(dir: string, index: LogIndex, options: SourceOptions = {}) {
    this.#dir = dir;
    this.#index = index;
    this.#options = options;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Reads what is there, then starts following. */
  async start(): Promise<void> {
    this.#index.beginBulk();
    try {
      await this.#scanAll(false);
    } finally {
      this.#index.endBulk();
    }
    this.#poll = setInterval(() => this.#kick(), this.#options.pollMs ?? 1000);
    this.#watch();
  }

  /** Reads one record's line again (for its full body). */
  async read(entry: Entry): Promise<Record<string, unknown>> {
    const file = await Deno.open(this.#path(entry.at.file));
    try {
      await file.seek(entry.at.offset, Deno.SeekMode.Start);
      const bytes = new Uint8Array(entry.at.length);
      let filled = 0;
      while (filled < bytes.length) {
        const n = await file.read(bytes.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return JSON.parse(decoder.decode(bytes.subarray(0, filled)));
    } finally {
      file.close();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    clearTimeout(this.#settle);
    try {
      this.#watcher?.close();
    } catch { /* already closed */ }
    await this.#scanning;
  }

  #watch(): void {
    try {
      this.#watcher = Deno.watchFs(this.#dir, { recursive: false });
    } catch {
      return; // the poll still follows the directory
    }
    (async () => {
      try {
        for await (const event of this.#watcher!) {
          for (const path of event.paths) {
            const name = path.split(/[\\/]/).pop() ?? "";
            if (name.endsWith(".jsonl")) this.#dirty.add(name);
          }
          clearTimeout(this.#settle);
          this.#settle = setTimeout(() => this.#kick(), this.#options.settleMs ?? 15);
        }
      } catch { /* watcher closed */ }
    })();
  }

  /** Reads the files that changed (or, from the poll, every file). */
  #kick(): void {
    if (this.#closed) return;
    if (this.#scanning) {
      this.#scanning.then(() => this.#kick());
      return;
    }
    const dirty = this.#dirty;
    this.#dirty = new Set();
    this.#scanning = (dirty.size > 0 ? this.#readFiles([...dirty], true) : this.#scanAll(true))
      .catch(() => {})
      .finally(() => {
        this.#scanning = undefined;
        if (this.#touched.size === 0) return;
        const touched = this.#touched;
        this.#touched = new Set();
        this.#options.onSessions?.(touched);
      });
  }

  async #scanAll(live: boolean): Promise<void> {
    const names: string[] = [];
    try {
      for await (const item of Deno.readDir(this.#dir)) {
        if (item.isFile && item.name.endsWith(".jsonl")) names.push(item.name);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    await this.#readFiles(names.sort(), live);
  }

  async #readFiles(names: readonly string[], live: boolean): Promise<void> {
    for (const name of names) {
      if (this.#closed) return;
      try {
        await this.#readNew(name, live);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        this.#offsets.delete(name);
      }
    }
  }

  /** Reads the whole lines added to a file since the last read. */
  async #readNew(name: string, live: boolean): Promise<void> {
    const path = this.#path(name);
    const { size } = await Deno.stat(path);
    let offset = this.#offsets.get(name) ?? 0;
    if (size < offset) offset = 0; // truncated or replaced: read again (known records are skipped)
    if (size === offset) return;
    const file = await Deno.open(path);
    try {
      await file.seek(offset, Deno.SeekMode.Start);
      // `pending` holds the start of a line that continues in the next chunk (small: one line).
      let pending: Uint8Array = new Uint8Array(0);
      let lineAt = offset;
      const buffer = new Uint8Array(CHUNK);
      while (true) {
        const n = await file.read(buffer);
        if (n === null) break;
        const chunk = buffer.subarray(0, n);
        let start = 0;
        let nl = chunk.indexOf(NEWLINE);
        if (pending.length > 0 && nl !== -1) {
          const line = concatBytes([pending, chunk.subarray(0, nl)]);
          this.#line(name, line, lineAt, live);
          lineAt += line.length + 1;
          pending = new Uint8Array(0);
          start = nl + 1;
          nl = chunk.indexOf(NEWLINE, start);
        }
        for (; nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
          this.#line(name, chunk.subarray(start, nl), lineAt, live);
          lineAt += nl - start + 1;
          start = nl + 1;
        }
        pending = concatBytes([pending, chunk.subarray(start)]);
      }
      this.#offsets.set(name, lineAt);
    } finally {
      file.close();
    }
  }

  #line(file: string, bytes: Uint8Array, offset: number, live: boolean): void {
    if (bytes.length === 0) return;
    let record: unknown;
    try {
      record = JSON.parse(decoder.decode(bytes));
    } catch {
      record = undefined;
    }
    const summary = this.#index.add(record, { file, offset, length: bytes.length });
    if (!summary || !live) return;
    this.#touched.add(summary.session);
    this.#options.onRecord?.(summary);
  }

  #path(name: string): string {
    return `${this.#dir}/${name}`;
  }
}
