/** The real CliIo: Deno's stdin/stdout/stderr, environment, signals and process spawning. */
import { readTextIfThere } from "../read_text_if_there.ts";
import { Diagnostics, StderrQueue } from "../diagnostics.ts";
import { systemClock } from "../relay/events.ts";
import { spawnUpstream } from "../monitor/upstream.ts";
import { loadPolicy } from "../policy/build/load_policy.ts";
import { loadDefaultPolicy } from "../policy/build/default_policy.ts";
import { watchPath } from "../policy/reloader.ts";
import type { CliIo } from "./cli.ts";
import { attachUi } from "../monitor/ui_attach.ts";
import { pidAlive, readLiveDiscovery } from "../discovery.ts";
import { selfCommand, selfPaths } from "../runtime.ts";
import { connectWebSocket } from "../approval/dashboard_channel.ts";

/** The real CliIo, and `flush` to call before exiting so no stderr output is lost. */
export function systemIo(): CliIo & { flush(): Promise<void> } {
  const stderr = new StderrQueue(Deno.stderr.writable);
  const os = Deno.build.os;
  const env = Deno.env.toObject();
  const diagnostics = new Diagnostics(stderr);
  return {
    stdin: Deno.stdin.readable,
    stdout: Deno.stdout.writable,
    stderr: (bytes) => stderr.bytes(bytes),
    flush: () => stderr.flush(),
    out: { write: (text) => writeAllSync(Deno.stdout, new TextEncoder().encode(text)) },
    diagnostics,
    env,
    os,
    cwd: Deno.cwd(),
    clock: systemClock,
    newSessionId: () => crypto.randomUUID(),
    spawn: spawnUpstream,
    loadPolicy,
    loadDefaultPolicy,
    watchPath,
    findDashboard: (dataDir) => readLiveDiscovery(dataDir, pidAlive),
    connectDashboard: connectWebSocket,
    attachUi: (options) =>
      attachUi(options, {
        diagnostics,
        findDashboard: (dataDir) => readLiveDiscovery(dataDir, pidAlive),
        startDashboard: (args) => {
          const [exec, ...pre] = selfCommand();
          new Deno.Command(exec, {
            args: [...pre, ...args],
            stdin: "null",
            stdout: "null",
            stderr: "null",
            detached: true,
          }).spawn().unref();
        },
        sleep: (ms) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, ms);
            Deno.unrefTimer(timer);
          }),
      }),
    onSignals(signals, handler) {
      const usable = os === "windows" ? signals.filter((s) => s === "SIGINT") : signals;
      const listeners = usable.map((signal) => [signal, () => handler(signal)] as const);
      for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
      return () => {
        for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
      };
    },
    readFile: readTextIfThere,
    commandContext: {
      exists: (path) => {
        try {
          Deno.statSync(path);
          return true;
        } catch {
          return false;
        }
      },
      self: Object.values(selfPaths()),
      resolve: (name) => resolveOnPath(name, env.PATH ?? "", os),
    },
  };
}

function resolveOnPath(name: string, path: string, os: string): string | undefined {
  if (/[\\/]/.test(name)) return name;
  const sep = os === "windows" ? ";" : ":";
  for (const dir of path.split(sep)) {
    if (!dir) continue;
    const candidate = `${dir}/${name}`;
    try {
      if (Deno.statSync(candidate).isFile) return Deno.realPathSync(candidate);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function writeAllSync(file: { writeSync(bytes: Uint8Array): number }, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}
