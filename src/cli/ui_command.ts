/**
 * `km ui`: the dashboard over every session in the log directory, past and live. The server
 * (Hono, npm) is imported only here, so `km monitor` never loads it.
 */
import { defaultDataDir, logDirOf } from "../audit/paths.ts";
import type { Config } from "../config/config.ts";
import { KmError } from "../errors.ts";
import { VERSION } from "../version.ts";
import type { CliIo } from "./cli.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION, LOG_DIR_OPTION } from "./common_options.ts";
import type { OptionSpec } from "./options.ts";

export const UI_OPTIONS: readonly OptionSpec[] = [
  {
    name: "port",
    short: "p",
    kind: "value",
    valueName: "N",
    description: "port to try first (default 7411; another free one if taken)",
  },
  LOG_DIR_OPTION,
  DATA_DIR_OPTION,
  { name: "open", kind: "boolean", description: "open the dashboard in the default browser" },
  CONFIG_OPTION,
  HELP_OPTION,
];

export const UI_DETAILS =
  `Serves a dashboard of every session in the log folder on 127.0.0.1, and prints its address
(with the access token) on stderr. Records appear live as km monitor writes them.
Stop it with Ctrl-C.

Security: it listens on 127.0.0.1 only; every page and API call needs the token; requests
whose Host is not 127.0.0.1/localhost, or whose Origin is another site, are refused; pages
carry a strict Content-Security-Policy; no CORS.`;

/** The configuration layer of `km ui`'s flags. */
export function uiFlagsLayer(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  if ("log-dir" in values) layer.logDir = values["log-dir"];
  if ("data-dir" in values) layer.dataDir = values["data-dir"];
  if ("port" in values) {
    const text = String(values.port);
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) {
      throw new KmError("USAGE", `--port expects a port number from 0 to 65535, got "${text}"`);
    }
    layer.ui = { port };
  }
  return layer;
}

/** Where `km ui` reads logs and writes its discovery file. */
export function uiPaths(
  config: Config,
  env: (name: string) => string | undefined,
  os: string,
): { logDir: string; dataDir?: string } {
  const dataDir = config.dataDir ?? defaultDataDir(env, os);
  const logDir = logDirOf(config, env, os);
  if (logDir === undefined) {
    throw new KmError(
      "USAGE",
      "Cannot find the log folder: neither HOME nor XDG_DATA_HOME is set",
      "pass --log-dir DIR or --data-dir DIR",
    );
  }
  return { logDir, dataDir };
}

export async function runUi(config: Config, open: boolean, io: CliIo): Promise<number> {
  const { logDir, dataDir } = uiPaths(config, (name) => io.env[name], io.os);
  const [{ startDashboard }, { ASSETS }, discovery] = await Promise.all([
    import("../ui/server.ts"),
    import("../ui/assets.ts"),
    import("../ui/discovery.ts"),
  ]);
  let dashboard;
  try {
    dashboard = await startDashboard({
      logDir,
      port: config.ui.port,
      assets: ASSETS,
      isAlive: discovery.pidAlive,
    });
  } catch (error) {
    throw new KmError(
      "USAGE",
      `Cannot start the dashboard: ${(error as Error).message}`,
      `check that the log folder "${logDir}" is readable`,
    );
  }
  const d = io.diagnostics;
  if (dashboard.fellBack) d.info(`port ${config.ui.port} is taken; using ${dashboard.port}`);
  d.info(
    `indexed ${dashboard.records} records in ${Math.round(dashboard.loadMs)} ms from ${logDir}`,
  );
  if (dashboard.skipped > 0) {
    d.warn(`${dashboard.skipped} lines are not audit records (last: ${dashboard.lastSkip})`);
  }
  d.info(`dashboard: ${dashboard.url}`);
  if (dataDir !== undefined) {
    try {
      await discovery.writeDiscovery(dataDir, {
        pid: Deno.pid,
        port: dashboard.port,
        url: dashboard.url,
        logDir,
        version: VERSION,
        startedAt: new Date().toISOString(),
      });
    } catch (error) {
      d.warn(`cannot write the discovery file in "${dataDir}": ${(error as Error).message}`);
    }
  }
  if (open) openBrowser(dashboard.url, io);
  const stop = Promise.withResolvers<void>();
  const unlisten = io.onSignals(["SIGINT", "SIGTERM", "SIGHUP"], () => stop.resolve());
  await Promise.race([stop.promise, dashboard.finished]);
  unlisten();
  if (dataDir !== undefined) discovery.removeDiscovery(dataDir, Deno.pid);
  await dashboard.close();
  return 0;
}

function openBrowser(url: string, io: CliIo): void {
  const command = io.os === "darwin"
    ? ["open", url]
    : io.os === "windows"
    ? ["cmd", "/c", "start", "", url]
    : ["xdg-open", url];
  try {
    new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn().unref();
  } catch (error) {
    io.diagnostics.warn(`cannot open a browser (${command[0]}): ${(error as Error).message}`);
  }
}
