/**
 * `km monitor --ui`: point the user at the dashboard that shows this session, starting
 * `km ui` in the background when none runs. Nothing here is awaited by the relay: the
 * session starts at once, and the address is printed on stderr when it is known.
 *
 * Only the address is printed, never the access token: an MCP client keeps a server's stderr
 * in its logs. The person signs in with `km ui --open`, which reads the token from ui.json.
 */
import type { Diagnostics } from "../diagnostics.ts";
import { type Discovery, signInCommand } from "../discovery.ts";

export interface UiAttachIo {
  readonly diagnostics: Diagnostics;
  /** The discovery file of a dashboard that is running, if any. */
  readonly findDashboard: (dataDir: string) => Discovery | undefined;
  /** Starts `km ui` with these arguments, detached from km; throws if it cannot. */
  readonly startDashboard: (args: readonly string[]) => void;
  /** Resolves after `ms` without keeping the process alive. */
  readonly sleep: (ms: number) => Promise<void>;
}

export interface UiAttachOptions {
  readonly dataDir: string | undefined;
  /** Where this session's records are written. */
  readonly logDir: string;
  readonly port: number;
  /** How long to wait for a started dashboard to announce itself. */
  readonly waitMs?: number;
}

/** Resolves once the address is printed or the dashboard is given up on; never rejects. */
export async function attachUi(options: UiAttachOptions, io: UiAttachIo): Promise<void> {
  const d = io.diagnostics;
  const { dataDir, logDir } = options;
  if (dataDir === undefined) {
    d.warn("--ui needs km's data folder to find the dashboard: set KM_DATA_DIR or --data-dir");
    return;
  }
  const running = io.findDashboard(dataDir);
  if (running) {
    announce(running, dataDir, logDir, d);
    return;
  }
  try {
    io.startDashboard([
      "ui",
      "--data-dir",
      dataDir,
      "--log-dir",
      logDir,
      "--port",
      String(options.port),
    ]);
  } catch (error) {
    d.warn(`cannot start the dashboard: ${(error as Error).message}`);
    return;
  }
  const deadline = options.waitMs ?? 10_000;
  for (let waited = 0; waited < deadline; waited += 100) {
    await io.sleep(100);
    const started = io.findDashboard(dataDir);
    if (started) {
      announce(started, dataDir, logDir, d);
      return;
    }
  }
  d.warn(`the dashboard did not start within ${deadline / 1000} s; run \`km ui\` to see why`);
}

function announce(found: Discovery, dataDir: string, logDir: string, d: Diagnostics): void {
  // An older km ui wrote its token into the url's query: cut it off either way.
  const url = found.url.replace(/[?#].*$/, "");
  if (samePath(found.logDir, logDir)) {
    const usual = samePath(logDir, `${dataDir}/logs`) || samePath(logDir, `${dataDir}\\logs`);
    const open = signInCommand({ dataDir, logDir: usual ? undefined : logDir });
    d.info(`dashboard: ${url} (to sign in: \`${open}\`)`);
  } else {
    d.warn(
      `the dashboard at ${url} shows "${found.logDir}", not this session's log folder ` +
        `"${logDir}"; run \`km ui --log-dir ${logDir}\` to see this session`,
    );
  }
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/[\\/]+$/, "");
  return norm(a) === norm(b);
}
