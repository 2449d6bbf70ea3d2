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
import { parseMixed } from "./mixed_options.ts";
import type { OptionSpec } from "./options.ts";
import { getDashboardJson, type UiControlIo, uiStatus, uiStop } from "./ui_control.ts";

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
  {
    name: "open",
    kind: "boolean",
    description: "open the dashboard in the default browser, signed in (the running one, if any)",
  },
  {
    name: "status",
    kind: "boolean",
    description: "say whether a dashboard runs (exit 0) or not (exit 1), and where",
  },
  CONFIG_OPTION,
  HELP_OPTION,
];

export const UI_USAGE = "km ui [--port N] [--log-dir DIR] [--open]\n  km ui --status | km ui stop";

export const UI_DETAILS =
  `Serves a dashboard of every session in the log folder on 127.0.0.1 and prints its address
on stderr. Records appear live as km monitor writes them. Stop it with Ctrl-C.

Signing in: the access token is never printed. --open opens the browser signed in (and when
a dashboard over the same folders already runs, opens that one instead of starting another);
the signed-in address is also the "signIn" of ui.json in km's data folder (owner-only).

Security: it listens on 127.0.0.1 only; every API call needs the token as an
Authorization header (no cookie: other local web servers would receive it); requests
whose Host is not 127.0.0.1/localhost, or whose Origin is another site, are refused; pages
carry a strict Content-Security-Policy; no CORS.

km ui --status says whether a dashboard runs (one started in the background by
km monitor --ui too), its address, log folder and sessions; km ui stop stops it.`;

/**
 * `km ui [stop] [options]`: options may follow `stop`; `load` turns them into the
 * configuration (as cli.ts loads every command's).
 */
export async function runUiCommand(
  rest: readonly string[],
  values: Readonly<Record<string, string | boolean | string[]>>,
  load: (values: Readonly<Record<string, string | boolean | string[]>>) => Config,
  io: CliIo,
): Promise<number> {
  const [sub, ...after] = rest;
  if (sub !== undefined && sub !== "stop") {
    throw new KmError(
      "USAGE",
      `km ui takes no arguments, got "${rest.join(" ")}"`,
      "km ui --status says whether a dashboard runs; km ui stop stops it",
    );
  }
  const parsed = parseMixed(after, UI_OPTIONS, "ui");
  if (parsed.positionals.length > 0) {
    throw new KmError(
      "USAGE",
      `km ui stop takes no arguments, got "${parsed.positionals.join(" ")}"`,
    );
  }
  const all = { ...values, ...parsed.values };
  const config = load(all);
  if (sub === undefined && all.status !== true) return await runUi(config, all.open === true, io);
  const { dataDir } = uiPaths(config, (name) => io.env[name], io.os);
  if (dataDir === undefined) {
    throw new KmError(
      "USAGE",
      "Cannot find km's data folder, where a running dashboard is recorded: neither HOME nor " +
        "XDG_DATA_HOME is set",
      "pass --data-dir DIR",
    );
  }
  const { pidAlive, readLiveDiscovery } = await import("../discovery.ts");
  const control: UiControlIo = {
    out: io.out,
    diagnostics: io.diagnostics,
    findDashboard: (dir) => readLiveDiscovery(dir, pidAlive),
    getJson: getDashboardJson,
    kill: (pid, signal) => Deno.kill(pid, signal),
    isAlive: pidAlive,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return sub === "stop" ? await uiStop(dataDir, control) : await uiStatus(dataDir, control);
}

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
  const discovery = await import("../discovery.ts");
  const d = io.diagnostics;
  // `km ui --open` is how a person signs in to the dashboard `km monitor --ui` started: the
  // token stays out of every terminal and log, and no second dashboard starts.
  const running = open && dataDir !== undefined
    ? discovery.readLiveDiscovery(dataDir, discovery.pidAlive)
    : undefined;
  const runningToken = running && discovery.discoveryToken(running);
  if (running && runningToken && samePath(running.logDir, logDir)) {
    d.info(`dashboard already running (pid ${running.pid}): opening ${plainUrl(running.url)}`);
    openBrowser(discovery.signInUrl(running.url, runningToken), io);
    return 0;
  }
  const [{ startDashboard }, { ASSETS }] = await Promise.all([
    import("../dashboard/server.ts"),
    import("../dashboard/assets.ts"),
  ]);
  let dashboard;
  try {
    dashboard = await startDashboard({
      logDir,
      // Where km monitor keeps the servers' pins (src/monitor/policy_gate.ts): the catalogue.
      ...(dataDir === undefined ? {} : { pinsDir: `${dataDir}/pins` }),
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
  if (dashboard.fellBack) d.info(`port ${config.ui.port} is taken; using ${dashboard.port}`);
  d.info(
    `indexed ${dashboard.records} records in ${Math.round(dashboard.loadMs)} ms from ${logDir}`,
  );
  if (dashboard.skipped > 0) {
    d.warn(`${dashboard.skipped} lines are not audit records (last: ${dashboard.lastSkip})`);
  }
  const signIn = discovery.signInUrl(dashboard.url, dashboard.token);
  let saved = false;
  if (dataDir !== undefined) {
    try {
      await discovery.writeDiscovery(dataDir, {
        pid: Deno.pid,
        port: dashboard.port,
        url: dashboard.url,
        token: dashboard.token,
        signIn,
        logDir,
        version: VERSION,
        startedAt: new Date().toISOString(),
      });
      saved = true;
    } catch (error) {
      d.warn(`cannot write the discovery file in "${dataDir}": ${(error as Error).message}`);
    }
  }
  // The address only: stderr ends up in terminals' scrollback and MCP clients' logs.
  d.info(`dashboard: ${dashboard.url}`);
  if (!open) {
    d.info(
      saved
        ? `to sign in, run \`${
          discovery.signInCommand({
            dataDir: config.dataDir === undefined ? undefined : dataDir,
            logDir: config.logDir === undefined ? undefined : logDir,
          })
        }\`, or open the "signIn" ` +
          `address of ${discovery.discoveryPath(dataDir!)}`
        : "to sign in, restart with --open (no data folder to keep the access token in)",
    );
  }
  if (open) openBrowser(signIn, io);
  const stop = Promise.withResolvers<void>();
  const unlisten = io.onSignals(["SIGINT", "SIGTERM", "SIGHUP"], () => stop.resolve());
  await Promise.race([stop.promise, dashboard.finished]);
  unlisten();
  if (dataDir !== undefined) discovery.removeDiscovery(dataDir, Deno.pid);
  await dashboard.close();
  return 0;
}

function plainUrl(url: string): string {
  return url.replace(/[?#].*$/, "");
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/[\\/]+$/, "");
  return norm(a) === norm(b);
}

/** Opens the address; it carries the token, so it goes to the browser only, never to stderr. */
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
