/**
 * Runs the dashboard: indexes the log directory, follows it, and serves the app on 127.0.0.1.
 * A taken port falls back at once to one the system picks. Each `km monitor` with approvals to
 * ask connects back over a WebSocket (`/api/monitor`), wired here to the approval registry.
 */
import { VERSION } from "../version.ts";
import { type Assets, createApp } from "./app.ts";
import { ApprovalRegistry } from "./approvals.ts";
import { Hub } from "./hub.ts";
import { LogIndex } from "./log_index.ts";
import { LogSource } from "./log_source.ts";
import { newToken } from "./security.ts";

export const HOST = "127.0.0.1";

export interface DashboardOptions {
  readonly logDir: string;
  /** The port to try first; 0 lets the system pick. */
  readonly port: number;
  readonly assets: Assets;
  readonly isAlive: (pid: number) => boolean;
  readonly token?: string;
  /** Summaries kept in memory. */
  readonly maxRecords?: number;
  /**
   * The pin folder the tool catalogue reads; default `pins` beside the log folder, which is
   * `<dataDir>/pins` when the logs are the data folder's (`<dataDir>/logs`).
   */
  readonly pinsDir?: string;
}

export interface Dashboard {
  readonly port: number;
  /** The address, without the token: safe to print. */
  readonly url: string;
  /** The access token: for ui.json (owner-only) and the browser, never for stderr or logs. */
  readonly token: string;
  /** Whether the port asked for was taken. */
  readonly fellBack: boolean;
  readonly records: number;
  readonly loadMs: number;
  /** Lines in the log directory that were not audit records. */
  readonly skipped: number;
  readonly lastSkip: string;
  readonly finished: Promise<void>;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const started = performance.now();
  await Deno.mkdir(options.logDir, { recursive: true, mode: 0o700 });
  const index = new LogIndex({
    maxRecords: options.maxRecords ?? 200_000,
    isAlive: options.isAlive,
  });
  const hub = new Hub();
  const approvals = new ApprovalRegistry(hub);
  const sockets = new Set<WebSocket>();
  const source = new LogSource(options.logDir, index, {
    onRecord: (summary) => hub.publish("record", summary),
    onSessions: (sessions) => {
      for (const id of sessions) hub.publish("session", index.sessionSummary(id));
    },
  });
  await source.start();
  const loadMs = performance.now() - started;

  const token = options.token ?? newToken();
  let port = options.port;
  const app = createApp({
    index,
    read: (entry) => source.read(entry),
    hub,
    token,
    port: () => port,
    version: VERSION,
    logDir: options.logDir,
    assets: options.assets,
    approvals,
    acceptMonitor: (request) => acceptMonitor(request, approvals, sockets),
    pinsDir: options.pinsDir ?? besideLogs(options.logDir, "pins"),
  });
  const { server, fellBack } = listen(options.port, app.fetch);
  port = server.addr.port;
  return {
    port,
    url: `http://${HOST}:${port}/`,
    token,
    fellBack,
    records: index.size,
    loadMs,
    skipped: index.skipped,
    lastSkip: index.lastSkip,
    finished: server.finished,
    async close() {
      await closeSockets(sockets);
      hub.closeAll();
      await source.close();
      await server.shutdown();
    },
  };
}

/** A folder beside the log folder (`<dataDir>/logs` → `<dataDir>/<name>`). */
export function besideLogs(logDir: string, name: string): string {
  const trimmed = logDir.replace(/[\\/]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  const separator = cut === -1 ? "/" : trimmed[cut];
  return `${cut === -1 ? "." : trimmed.slice(0, cut) || separator}${separator}${name}`;
}

/** Upgrades a monitor's request (its checks passed) and links the socket to the registry. */
function acceptMonitor(
  request: Request,
  approvals: ApprovalRegistry,
  sockets: Set<WebSocket>,
): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  const link = approvals.connect((text) => {
    // A socket that is closing drops what is sent without a word: say so, so the answer is
    // refused rather than lost.
    if (socket.readyState !== WebSocket.OPEN) throw new Error("the monitor's socket is closed");
    socket.send(text);
  });
  sockets.add(socket);
  socket.onmessage = (event) => link.receive(event.data);
  socket.onclose = () => {
    sockets.delete(socket);
    link.close();
  };
  // An error is followed by close, which does the cleaning up.
  socket.onerror = () => {};
  return response;
}

/** Closes the monitors' sockets and waits (a second at most) until they are closed. */
async function closeSockets(sockets: Set<WebSocket>): Promise<void> {
  const closed = [...sockets].map((socket) =>
    new Promise<void>((resolve) => {
      socket.addEventListener("close", () => resolve());
      if (socket.readyState === WebSocket.CLOSED) resolve();
      else socket.close(1001, "km ui is stopping");
    })
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, 1000));
  await Promise.race([Promise.all(closed), timeout]);
  clearTimeout(timer);
}

function listen(
  port: number,
  handler: (request: Request) => Response | Promise<Response>,
): { server: Deno.HttpServer<Deno.NetAddr>; fellBack: boolean } {
  const serve = (p: number) => Deno.serve({ hostname: HOST, port: p, onListen: () => {} }, handler);
  try {
    return { server: serve(port), fellBack: false };
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse) || port === 0) throw error;
    return { server: serve(0), fellBack: true };
  }
}
