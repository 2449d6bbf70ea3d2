/**
 * Hot reload: when the files of a `--policy` change, the policy is loaded again (compiled for a
 * directory) and swapped in; a policy that fails to load leaves the last good one in force.
 * Changes are debounced, and reloads never overlap.
 */
import type { LoadedPolicy } from "./load_policy.ts";

export interface ReloaderOptions {
  /** Loads the policy afresh (same path and options as at start). */
  readonly load: () => Promise<LoadedPolicy>;
  readonly onLoaded: (loaded: LoadedPolicy) => void;
  readonly onFailed: (error: unknown) => void;
  /** Quiet time after the last change before reloading (an editor saves in several steps). */
  readonly debounceMs?: number;
}

/** Reacts to change notifications; the file watching itself is the caller's (see `watch`). */
export class Reloader {
  readonly #options: ReloaderOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  /** Something changed: reload once things are quiet. */
  changed(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#reload(), this.#options.debounceMs ?? 150);
  }

  /** Stops reacting; waits for a reload in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
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

/** Watches `path` (a directory, recursively, or a file) and calls `onChange` on any change. */
export function watchPath(path: string, onChange: () => void): () => void {
  const watcher = Deno.watchFs(path, { recursive: true });
  void (async () => {
    try {
      for await (const event of watcher) if (event.kind !== "access") onChange();
    } catch {
      // The watcher was closed, or the path went away: nothing more to watch.
    }
  })();
  return () => {
    try {
      watcher.close();
    } catch {
      // Already closed.
    }
  };
}
