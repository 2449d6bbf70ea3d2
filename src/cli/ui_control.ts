/**
 * `km ui --status` and `km ui stop`: the dashboard running in the background (`km ui`, or
 * started by `km monitor --ui`), found through its discovery file (src/discovery.ts). Before
 * km signals the pid the file names, the dashboard must answer at its address with its token,
 * so a pid reused by another program after a dashboard died is never signalled.
 */
import { type Discovery, discoveryPath, discoveryToken } from "../discovery.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { terminalSafe } from "../diagnostics.ts";

export interface UiControlIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  /** The discovery file of a dashboard whose pid runs, if any. */
  readonly findDashboard: (dataDir: string) => Discovery | undefined;
  /** GET `url` with the bearer token; the JSON body, or undefined when it does not answer so. */
  readonly getJson: (url: string, token: string) => Promise<unknown>;
  readonly kill: (pid: number, signal: Deno.Signal) => void;
  readonly isAlive: (pid: number) => boolean;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A dashboard that answered: its discovery file and its sessions. */
export interface Answering {
  readonly found: Discovery;
  readonly sessions: readonly { readonly live?: boolean }[];
}

/**
 * The dashboard recorded in `dataDir`: none, one whose pid runs but that does not answer (its
 * discovery file), or one that answered with its sessions. Also `km doctor`'s.
 */
export async function answering(
  dataDir: string,
  io: Pick<UiControlIo, "findDashboard" | "getJson">,
): Promise<Answering | "none" | Discovery> {
  const found = io.findDashboard(dataDir);
  if (!found) return "none";
  const token = discoveryToken(found);
  const base = found.url.replace(/[?#].*$/, "").replace(/\/+$/, "");
  const body = token ? await io.getJson(`${base}/api/sessions`, token) : undefined;
  const sessions = (body as { sessions?: unknown } | undefined)?.sessions;
  return Array.isArray(sessions) ? { found, sessions } : found;
}

/** `km ui --status`: 0 when a dashboard runs and answers, 1 otherwise. */
export async function uiStatus(dataDir: string, io: UiControlIo): Promise<number> {
  const state = await answering(dataDir, io);
  if (state === "none") {
    io.out.write(`no dashboard is running (none in ${terminalSafe(discoveryPath(dataDir))})\n`);
    return 1;
  }
  if (!("sessions" in state)) {
    io.out.write(
      terminalSafe(
        `the dashboard in ${discoveryPath(dataDir)} (pid ${state.pid}) does not answer at ` +
          `${plain(state.url)}`,
      ) + "\n",
    );
    return 1;
  }
  const { found, sessions } = state;
  const live = sessions.filter((s) => s.live === true).length;
  const lines = [
    `dashboard running: ${plain(found.url)} (pid ${found.pid}, km ${found.version}, since ` +
    `${found.startedAt})`,
    `  logs: ${found.logDir}`,
    `  sessions: ${sessions.length} (${live} live)`,
    "  to sign in: km ui --open",
  ];
  io.out.write(lines.map((line) => `${terminalSafe(line)}\n`).join(""));
  return 0;
}

/** `km ui stop`: SIGTERM to the dashboard, then wait for it to go. */
export async function uiStop(
  dataDir: string,
  io: UiControlIo,
  waitMs = 5000,
): Promise<number> {
  const state = await answering(dataDir, io);
  if (state === "none") {
    io.out.write("no dashboard is running\n");
    return 0;
  }
  if (!("sessions" in state)) {
    io.diagnostics.error(
      `the dashboard in ${discoveryPath(dataDir)} (pid ${state.pid}) does not answer at ` +
        `${
          plain(state.url)
        }; km does not signal pid ${state.pid}, which may be another program now`,
      `if no km ui runs, delete ${discoveryPath(dataDir)}`,
    );
    return 1;
  }
  const { pid } = state.found;
  io.kill(pid, "SIGTERM");
  for (let waited = 0; waited < waitMs; waited += 50) {
    if (!io.isAlive(pid)) {
      io.out.write(`stopped the dashboard (pid ${pid})\n`);
      return 0;
    }
    await io.sleep(50);
  }
  io.diagnostics.error(
    `the dashboard (pid ${pid}) is still running ${waitMs / 1000} s after SIGTERM`,
  );
  return 1;
}

function plain(url: string): string {
  return url.replace(/[?#].*$/, "");
}

/** The real GET of the dashboard's API, on loopback, with a short timeout. */
export async function getDashboardJson(url: string, token: string): Promise<unknown> {
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return await response.json();
  } catch {
    return undefined;
  }
}
