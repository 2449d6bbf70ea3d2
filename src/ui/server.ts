/**
 * Runs the dashboard: indexes the log directory, follows it, and serves the app on 127.0.0.1.
 * A taken port falls back at once to one the system picks.
 */
import { VERSION } from "../version.ts";
import { type Assets, createApp } from "./app.ts";
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
}

export interface Dashboard {
  readonly port: number;
  /** The address with the token. */
  readonly url: string;
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
  });
  const { server, fellBack } = listen(options.port, app.fetch);
  port = server.addr.port;
  return {
    port,
    url: `http://${HOST}:${port}/?token=${token}`,
    fellBack,
    records: index.size,
    loadMs,
    skipped: index.skipped,
    lastSkip: index.lastSkip,
    finished: server.finished,
    async close() {
      hub.closeAll();
      await source.close();
      await server.shutdown();
    },
  };
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
