/**
 * The server process. It is started in its own process group so that km can signal the whole
 * tree (a launcher such as npx and the server it runs) and leave no orphans behind.
 */
import { KmError } from "../errors.ts";

export interface ExitStatus {
  /** Exit code; 128+n when killed by signal n. */
  readonly code: number;
  readonly signal: string | null;
}

/** A running server, behind an interface that tests can replace. */
export interface Upstream {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<ExitStatus>;
  /** Sends a signal to the server's process group; false when nothing was there to signal. */
  signal(signal: Deno.Signal): boolean;
}

export interface SpawnOptions {
  readonly command: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
}

/** Starts the server. Throws UPSTREAM_NOT_FOUND (127), UPSTREAM_NOT_EXECUTABLE (126), ... */
export function spawnUpstream(options: SpawnOptions): Upstream {
  const [program, ...args] = options.command;
  const windows = Deno.build.os === "windows";
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: options.env,
      clearEnv: true,
      cwd: options.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // A new session and process group on POSIX; km forwards signals itself.
      detached: !windows,
    }).spawn();
  } catch (error) {
    throw spawnError(program, error);
  }
  const status = child.status.then((s) => ({ code: s.code, signal: s.signal ?? null }));
  let exited = false;
  void status.then(() => (exited = true));
  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    status,
    signal(signal: Deno.Signal): boolean {
      try {
        if (windows) {
          if (exited) return false;
          child.kill(signal);
        } else {
          // The group outlives its leader while descendants remain: signal it even after exit.
          Deno.kill(-child.pid, signal);
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}

function spawnError(program: string, error: unknown): KmError {
  const reason = (error as Error).message;
  if (error instanceof Deno.errors.NotFound) {
    return new KmError(
      "UPSTREAM_NOT_FOUND",
      `Cannot start the server: command "${program}" was not found`,
      "check the command after `--`; the MCP client may pass a minimal PATH, so an absolute path is safest",
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new KmError(
      "UPSTREAM_NOT_EXECUTABLE",
      `Cannot start the server: "${program}" is not executable (${reason})`,
      `make it executable (chmod +x ${program}) or run it through its interpreter`,
    );
  }
  return new KmError("UPSTREAM_SPAWN_FAILED", `Cannot start the server "${program}": ${reason}`);
}
