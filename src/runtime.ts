/**
 * How Deno must start km, wherever it is launched (tasks, the installed shim, a compiled
 * binary, tests, the benchmark).
 *
 * The V8 flag caps the young generation: under a burst of tens of thousands of messages a
 * second, V8 otherwise grows it to ~100 MB for a few percent of speed, and every MCP server a
 * user wraps runs its own km. Measured with the benchmark's pipelined bursts: peak RSS
 * 150 MB -> 100 MB, throughput -3%. Ordinary traffic never reaches the cap.
 */
export const KM_DENO_FLAGS = ["--allow-all", "--v8-flags=--max-semi-space-size=4"] as const;

/**
 * The command that starts km again (to launch `km ui` in the background): the compiled binary
 * itself, or Deno running this main module with km's flags.
 */
export function selfCommand(): string[] {
  const { binary, main } = selfPaths();
  if (binary) return [binary];
  return [Deno.execPath(), "run", ...KM_DENO_FLAGS, main ?? Deno.mainModule];
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
