/**
 * Deleting old session files: `km clear-logs` and `logRetention`. A session file is deleted
 * whole (session logs have no side files: the dashboard indexes them in its own memory), and
 * only when its session is over (retention.ts): a live session's log is never touched.
 */
import { listSessionFiles, type SessionFile } from "./read_log.ts";
import { type Liveness, liveness, sessionFacts, type SessionFileFacts } from "./retention.ts";

/** The first line is the `start` record: at most this much is read to find its end. */
const HEAD_LIMIT = 1024 * 1024;
/** `shutdown` is a small record: the file's last bytes hold it whole. */
const TAIL_BYTES = 64 * 1024;

export interface InspectedFile extends SessionFile {
  readonly facts: SessionFileFacts;
  readonly liveness: Liveness;
}

/** Reads a session file's ends and tells whether its session is over. */
export async function inspectSessionFile(
  file: SessionFile,
  isAlive: (pid: number) => boolean,
): Promise<InspectedFile> {
  const handle = await Deno.open(file.path);
  try {
    const size = (await handle.stat()).size;
    const head = await firstLine(handle);
    const from = Math.max(0, size - TAIL_BYTES);
    await handle.seek(from, Deno.SeekMode.Start);
    const tail = new TextDecoder().decode(await readUpTo(handle, size - from));
    const facts = sessionFacts(head, tail);
    return { ...file, facts, liveness: liveness(facts, isAlive) };
  } finally {
    handle.close();
  }
}

async function firstLine(handle: Deno.FsFile): Promise<string | undefined> {
  const bytes = await readUpTo(handle, HEAD_LIMIT);
  const nl = bytes.indexOf(10);
  return nl === -1 ? undefined : new TextDecoder().decode(bytes.subarray(0, nl));
}

async function readUpTo(handle: Deno.FsFile, limit: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(limit);
  let filled = 0;
  while (filled < limit) {
    const n = await handle.read(bytes.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return bytes.subarray(0, filled);
}

/**
 * The session files of `dir` last written before `cutoffMs` (epoch ms), inspected. A file
 * written since cannot belong to an old session, so only older files are opened.
 */
export async function filesOlderThan(
  dir: string,
  cutoffMs: number,
  isAlive: (pid: number) => boolean,
): Promise<InspectedFile[]> {
  const old = (await listSessionFiles(dir)).filter((f) => f.mtimeMs < cutoffMs);
  return await inspectAll(old, isAlive);
}

/** Every session file of `dir`, inspected. */
export async function allSessionFiles(
  dir: string,
  isAlive: (pid: number) => boolean,
): Promise<InspectedFile[]> {
  return await inspectAll(await listSessionFiles(dir), isAlive);
}

async function inspectAll(
  files: readonly SessionFile[],
  isAlive: (pid: number) => boolean,
): Promise<InspectedFile[]> {
  const out: InspectedFile[] = [];
  for (const file of files) {
    try {
      out.push(await inspectSessionFile(file, isAlive));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted meanwhile
    }
  }
  return out;
}

export interface Removal {
  readonly removed: readonly string[];
  readonly failed: readonly { readonly path: string; readonly error: string }[];
}

/** Deletes the files; one that is already gone counts as deleted. */
export async function removeSessionFiles(files: readonly SessionFile[]): Promise<Removal> {
  const removed: string[] = [];
  const failed: { path: string; error: string }[] = [];
  for (const file of files) {
    try {
      await Deno.remove(file.path);
      removed.push(file.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) removed.push(file.path);
      else failed.push({ path: file.path, error: (error as Error).message });
    }
  }
  return { removed, failed };
}

/**
 * `logRetention`: deletes the ended sessions of `dir` last written more than `ageMs` before
 * `nowMs`. Throws when the folder cannot be read; files that cannot be deleted are returned.
 */
export async function applyRetention(
  dir: string,
  ageMs: number,
  nowMs: number,
  isAlive: (pid: number) => boolean,
): Promise<Removal> {
  const old = await filesOlderThan(dir, nowMs - ageMs, isAlive);
  return await removeSessionFiles(old.filter((f) => f.liveness === "ended"));
}

/**
 * `logRetention` at the start of `km monitor`: best effort, never awaited by the session and
 * never rejecting; a folder that cannot be read or a file that cannot be deleted is a warning.
 */
export async function retainLogs(
  dir: string,
  ageMs: number,
  nowMs: number,
  warn: (text: string) => void,
  isAlive: (pid: number) => boolean,
): Promise<Removal | undefined> {
  try {
    const removal = await applyRetention(dir, ageMs, nowMs, isAlive);
    for (const { path, error } of removal.failed) {
      warn(`logRetention: cannot delete the old session log "${path}": ${error}`);
    }
    return removal;
  } catch (error) {
    warn(`logRetention: cannot look for old session logs in "${dir}": ${(error as Error).message}`);
    return undefined;
  }
}
