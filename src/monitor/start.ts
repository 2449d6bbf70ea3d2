/**
 * The start of a session: its `start` record, then the server, unless a signal came first or
 * the log cannot be written; and from then on, every signal km receives forwarded to it.
 */
import type { Config } from "../config/config.ts";
import type { Diagnostics } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import type { LoadedPolicy } from "../policy/build/load_policy.ts";
import type { Clock } from "../relay/events.ts";
import { VERSION } from "../version.ts";
import { Shutdown } from "./shutdown.ts";
import { signalExitCode, type SignalLatch } from "./signals.ts";
import type { SessionLog } from "./session_log.ts";
import type { Upstream } from "./upstream.ts";

/** What the `start` record says about km, the server, the settings and the policy. */
export function startFields(
  config: Config,
  server: { name: string; command: readonly string[]; cwd: string },
  loaded: LoadedPolicy | undefined,
) {
  return {
    km: { version: VERSION, pid: Deno.pid },
    server: { name: server.name, command: [...server.command], cwd: server.cwd },
    settings: {
      log_bodies: config.logBodies,
      max_message_bytes: config.maxMessageBytes,
      env_inherit: config.env.inherit,
    },
    ...(loaded
      ? { policy: { source: loaded.source, revision: loaded.revision, mode: config.policy.mode } }
      : {}),
    ...(config.origin ? { config: config.origin } : {}),
  };
}

export interface StartOptions {
  readonly signals: SignalLatch;
  readonly log: Pick<SessionLog, "lifecycle" | "flush" | "close" | "health" | "path">;
  readonly fields: ReturnType<typeof startFields>;
  readonly spawn: () => Upstream;
  readonly clock: Clock;
  /** When the session began (`clock.now()`). */
  readonly t0: number;
  readonly quiet: boolean;
  readonly diagnostics: Diagnostics;
}

/**
 * Starts the server and writes the `start` record. Returns km's exit code instead when a
 * signal came before the server was started (which then is not); throws, with the log closed,
 * when the server cannot be started or the log cannot be written.
 */
export async function startServer(options: StartOptions): Promise<Upstream | number> {
  const { log, fields, clock } = options;
  const { lifecycle } = log;
  const early = options.signals.received;
  if (early) {
    // Told to stop before anything was started: start nothing, but leave the record.
    const code = signalExitCode(early);
    lifecycle("start", fields);
    lifecycle("signal", { signal: early, forwarded: false });
    lifecycle("shutdown", {
      exit_code: code,
      reason: `km received ${early} before it started the server`,
      duration_ms: Math.round(clock.now() - options.t0),
      messages: { client_to_server: 0, server_to_client: 0 },
    });
    await log.close();
    if (!options.quiet) {
      options.diagnostics.info(
        `received ${early} before starting ${fields.server.name}; it was not started`,
      );
    }
    return code;
  }

  let upstream: Upstream;
  try {
    upstream = options.spawn();
  } catch (error) {
    lifecycle("start", fields);
    lifecycle("spawn_failed", { error: (error as Error).message });
    await log.close();
    throw error;
  }
  lifecycle("start", { ...fields, server: { ...fields.server, pid: upstream.pid } });
  if (!(await log.flush())) {
    // The log cannot be written at all (a full disk): stop the server before it gets a byte.
    upstream.signal("SIGKILL");
    await upstream.status;
    await log.close();
    throw new KmError(
      "LOG_UNWRITABLE",
      `Cannot write the audit log "${log.path}": ${log.health.failing}`,
      "free space on its disk or pass --log-dir DIR naming a writable place: km relays " +
        "nothing it cannot record",
    );
  }
  return upstream;
}

/**
 * The server's staged stop, recorded step by step; and every signal forwarded to the server,
 * any held since the latch was read included, and recorded. A SIGINT or SIGTERM arms the staged
 * stop's SIGKILL; a second one sends SIGKILL at once.
 */
export function forwardSignals(
  signals: SignalLatch,
  upstream: Upstream,
  waits: Shutdown["waits"],
  lifecycle: SessionLog["lifecycle"],
): Shutdown {
  const shutdown = new Shutdown(
    upstream,
    waits,
    (step, signal, delivered) => lifecycle(step, { signal, delivered }),
  );
  let signalled = false;
  signals.route((signal) => {
    const delivered = upstream.signal(signal);
    lifecycle("signal", { signal, forwarded: delivered });
    if (signal === "SIGHUP") return;
    if (signalled) shutdown.kill();
    else shutdown.forwarded();
    signalled = true;
  });
  return shutdown;
}
