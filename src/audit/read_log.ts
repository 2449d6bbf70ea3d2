/**
 * Reading the session files of a log folder: which there are, and each one's new whole lines
 * since the last read, so a reader can go through them once or keep following them while
 * sessions write. Only files named `*.jsonl` are session files.
 */
import { LineSplitter, type LogLine } from "./log_lines.ts";

const CHUNK = 256 * 1024;

export interface SessionFile {
  readonly name: string;
  readonly path: string;
  /** Last modification, epoch ms (0 when the file system does not say). */
  readonly mtimeMs: number;
  readonly size: number;
}

/** The session files of `dir`, oldest first (their names begin with the start time). */
export async function listSessionFiles(dir: string): Promise<SessionFile[]> {
  const files: SessionFile[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.endsWith(".jsonl")) continue;
      const path = joinPath(dir, entry.name);
      try {
        const info = await Deno.stat(path);
        if (!info.isFile) continue;
        files.push({
          name: entry.name,
          path,
          mtimeMs: info.mtime?.getTime() ?? 0,
          size: info.size,
        });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted meanwhile
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `dir/name`, with the separator `dir` uses. */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes("\\") && !dir.includes("/") ? "\\" : "/";
  return `${dir.replace(/[\\/]+$/, "")}${sep}${name}`;
}

/**
 * The server name in a session file's name (`<start>_<server>_<id>.jsonl`, see paths.ts), for
 * a file whose `start` record does not say. Pure.
 */
export function serverOfFileName(name: string): string | undefined {
  const match = /^\d{4}-\d{2}-\d{2}T[\d-]+Z_(.+)_[A-Za-z0-9]+\.jsonl$/.exec(name);
  return match?.[1];
}

/** One session file read from where the last read ended: its new whole lines each time. */
export class FileTail {
  readonly path: string;
  #offset = 0;
  readonly #lines = new LineSplitter();

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Calls `onLine` with each line completed since the last read, in order; a chunk at a time,
   * so a large file is never held whole. Nothing when the file is gone.
   */
  async read(onLine: (line: LogLine) => void): Promise<void> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    try {
      if ((await file.stat()).size < this.#offset) {
        // km took back a record it could not write whole (docs/audit-log.md, "No torn
        // record"): read again from the start of the unfinished line.
        this.#offset -= this.#lines.pendingBytes;
        this.#lines.dropPending();
      }
      await file.seek(this.#offset, Deno.SeekMode.Start);
      const buffer = new Uint8Array(CHUNK);
      while (true) {
        const n = await file.read(buffer);
        if (n === null) break;
        this.#offset += n;
        for (const line of this.#lines.push(buffer.subarray(0, n))) onLine(line);
      }
    } finally {
      file.close();
    }
  }

  /** Bytes at the end of the file that do not yet make a whole line. */
  get unfinishedBytes(): number {
    return this.#lines.pendingBytes;
  }
}
