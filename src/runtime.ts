/**
 * How Deno must start km, wherever it is launched (tasks, the installed shim, a compiled
 * binary, tests, the benchmark).
 *
 * The V8 flags bound the heap under a burst of tens of thousands of messages a second, since
 * every MCP server a user wraps runs its own km. The first caps the young generation, which V8
 * otherwise grows to ~100 MB. The second collects the old generation once it has grown by half
 * (V8's default lets it grow up to fourfold first): what a burst promotes is garbage within
 * milliseconds, while the live heap stays under 10 MB, so each collection is cheap. Measured with
 * the benchmark's pipelined bursts: peak RSS 150 MB (V8's defaults) -> ~95 MB (young generation
 * capped at 4 MB) -> ~80 MB (2 MB and old-generation growth of 50%), throughput within the noise.
 * Ordinary traffic never reaches either bound.
 *
 * The third has the optimising compiler work on the main thread instead of a background
 * thread. Its zones are malloc'ed, and a background thread's malloc arena keeps the pages it
 * touched: about 7 MB of RSS for the life of the process, in every phase of the benchmark
 * (peak 82 -> 75-78 MB). A compilation is a few milliseconds, a few times while km warms up;
 * round-trip p50 and throughput were within the noise in A/B runs of the benchmark.
 */
export const KM_DENO_FLAGS = [
  "--allow-all",
  "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=50,--no-concurrent-recompilation",
] as const;

/**
 * `deno run` flags km's npm bundle runs with (no configuration or lock file from the user's
 * working directory, nothing fetched), so that km started again from the bundle runs the same way.
 */
export const BUNDLE_RUN_FLAGS = ["--no-config", "--no-lock", "--no-remote", "--no-npm"] as const;

let selfRunFlags: readonly string[] = [];

/** Called by the npm bundle's setup: km's own children run with `flags` too. */
export function useSelfRunFlags(flags: readonly string[]): void {
  selfRunFlags = flags;
}

/**
 * The command that starts km again (to launch `km ui` in the background): the compiled binary
 * itself, or Deno running this main module with km's flags.
 */
export function selfCommand(): string[] {
  const { binary, main } = selfPaths();
  if (binary) return [binary];
  return [Deno.execPath(), "run", ...selfRunFlags, ...KM_DENO_FLAGS, main ?? Deno.mainModule];
}

/** km's own files: the compiled binary (absent under deno), and the main module's path. */
export function selfPaths(): { binary?: string; main?: string } {
  const exec = Deno.execPath();
  const isDeno = /^deno(\.exe)?$/i.test(exec.split(/[\\/]/).pop() ?? "");
  return {
    ...(!isDeno && { binary: exec }),
    ...(Deno.mainModule.startsWith("file:") &&
      { main: decodeURIComponent(new URL(Deno.mainModule).pathname) }),
  };
}
