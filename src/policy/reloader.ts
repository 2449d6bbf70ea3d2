/**
 * Hot reload: when the files of a `--policy` change, the policy is loaded again (compiled for a
 * directory) and swapped in; a policy that fails to load leaves the last good one in force.
 * Changes are debounced, and reloads never overlap.
 */
import type { Timers } from "../approval/broker.ts";
import type { LoadedPolicy } from "./build/load_policy.ts";

export interface ReloaderOptions {
  /** Loads the policy afresh (same path and options as at start). */
  readonly load: () => Promise<LoadedPolicy>;
  readonly onLoaded: (loaded: LoadedPolicy) => void;
  readonly onFailed: (error: unknown) => void;
  /** Quiet time after the last change before reloading (an editor saves in several steps). */
  readonly debounceMs?: number;
  /** The debounce timer; the global setTimeout/clearTimeout unless a test drives it. */
  readonly timers?: Timers;
}

const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as number),
};

/** Reacts to change notifications; the file watching itself is the caller's (see `watch`). */
export class Reloader {
  readonly #options: ReloaderOptions;
  readonly #timers: Timers;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
  }

  /** Something changed: reload once things are quiet. */
  changed(): void {
    if (this.#closed) return;
    this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => this.#reload(), this.#options.debounceMs ?? 150);
  }

  /** Stops reacting; waits for a reload in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timers.clear(this.#timer);
    await this.#running;
  }

  #reload(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          const loaded = await this.#options.load();
          if (!this.#closed) this.#options.onLoaded(loaded);
        } catch (error) {
          if (!this.#closed) this.#options.onFailed(error);
        }
      } while (this.#again && !this.#closed);
      this.#running = undefined;
    })();
  }
}

/**
 * Watches `path` (a directory, recursively, or a file) and calls `onChange` on any change. The
 * path is watched, not the inode it named at start: a watch follows an inode, so when the folder
 * (or file, or a symlink to it) is replaced by a rename, as deploy tools do, the parent folder's
 * events say so, and the watch moves to what the path names now.
 */
export function watchPath(path: string, onChange: () => void): () => void {
  const target = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const parent = target.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";
  let closed = false;
  let watcher: Deno.FsWatcher | undefined;
  let identity = identityOf(target);
  /**
   * The files' state as of the last change reported. The once-a-second look compares it too: a
   * watch set up just as the folder was swapped in can miss the first edits (seen in tests under
   * load), and a folder with no watch at all (inotify's limit reached) has only this.
   */
  let contents = contentsOf(target);
  const changed = () => {
    contents = contentsOf(target);
    onChange();
  };
  const follow = () => {
    close(watcher);
    watcher = undefined;
    try {
      watcher = Deno.watchFs(target, { recursive: true });
    } catch {
      // Gone for now, or no watch to be had: the once-a-second look compares the files.
      return;
    }
    void forEachEvent(watcher, changed);
  };
  follow();
  const recheck = () => {
    if (closed) return;
    const now = identityOf(target);
    if (now !== identity) {
      identity = now;
      follow();
      changed();
    } else if (contentsOf(target) !== contents) {
      if (watcher === undefined) follow();
      changed();
    }
  };
  let outer: Deno.FsWatcher | undefined;
  try {
    outer = Deno.watchFs(parent, { recursive: false });
    void forEachEvent(outer, recheck);
  } catch {
    // No parent to watch (a relative root, permissions): the poll below still sees a swap.
  }
  // A swap is two renames; should the parent's events be read between them, or be lost, a
  // once-a-second look at what the path names catches it all the same.
  const poll = setInterval(recheck, 1000);
  Deno.unrefTimer(poll);
  return () => {
    closed = true;
    clearInterval(poll);
    close(watcher);
    close(outer);
  };
}

/** Names, sizes and modification times of the files at `path` (at most 1,000 of them). */
function contentsOf(path: string): string {
  const seen: string[] = [];
  const walk = (at: string) => {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(at);
    } catch {
      return;
    }
    if (!info.isDirectory) {
      seen.push(`${at} ${info.size} ${info.mtime?.getTime()}`);
      return;
    }
    for (const entry of Deno.readDirSync(at)) {
      if (seen.length >= 1000) return;
      walk(`${at}/${entry.name}`);
    }
  };
  try {
    walk(path);
  } catch {
    // Unreadable: compares as empty.
  }
  return seen.sort().join("\n");
}

/** What a path names now (device and inode), or undefined when it names nothing. */
function identityOf(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

async function forEachEvent(watcher: Deno.FsWatcher, onEvent: () => void): Promise<void> {
  try {
    for await (const event of watcher) if (event.kind !== "access") onEvent();
  } catch {
    // The watcher was closed, or the path went away.
  }
}

function close(watcher: Deno.FsWatcher | undefined): void {
  try {
    watcher?.close();
  } catch {
    // Already closed.
  }
}
