/**
 * The MCP test clients on the official SDKs (tests/peers), for end-to-end tests: each takes
 * `--answer`, `--mode auto|legacy`, `--calls JSON`, `--list-tools`, `--no-elicitation` and the
 * server command after `--`, and writes JSON lines (see tests/peers/python/client.py). Not part
 * of km.
 */
import { kmCommand, ROOT } from "./helpers.ts";
import type { ExecLogSession } from "./sdk_servers.ts";

export const SDK_CLIENTS = {
  "python-mcp2": [`${ROOT}.tools/py-mcp2/bin/python`, `${ROOT}tests/peers/python/client.py`],
  "go-sdk": [`${ROOT}.tools/bin/km-test-go-client`],
  // The probe of server/discover on the session's own process: one km session per run.
  "ts-sdk-v2": ["node", `${ROOT}tests/peers/ts_client_v2.mjs`, "--probe", "in-place"],
} as const;

export type SdkClientName = keyof typeof SDK_CLIENTS;

/**
 * `km monitor --quiet --policy <policy>` in front of `server`, with the session's log and data
 * folders and its exec log passed on to the server: what a test client starts.
 */
export function monitorCommand(
  session: ExecLogSession,
  policy: string,
  server: readonly string[],
): string[] {
  return kmCommand(
    "monitor",
    "--quiet",
    "--policy",
    policy,
    "--log-dir",
    session.logDir,
    "--data-dir",
    `${session.dir}/data`,
    ...session.kmFlags,
    "--",
    ...server,
  );
}

/** What a test client is asked to do (its command-line options). */
export interface ClientRun {
  /** The tools to call, in order: `{tool, arguments}`. */
  readonly calls: readonly unknown[];
  /** How it answers km's questions (default: the client's, accept). */
  readonly answer?: "accept" | "accept-session" | "decline" | "cancel" | "wait";
  /** `auto` (2026-07-28 where the server speaks it) or `legacy` (the handshake). */
  readonly mode?: "auto" | "legacy";
  readonly listTools?: boolean;
}

/** The command line of `client` doing `run` with `server` (after `--`). */
export function clientCommand(
  client: SdkClientName,
  run: ClientRun,
  server: readonly string[],
): string[] {
  return [
    ...SDK_CLIENTS[client],
    ...(run.listTools ? ["--list-tools"] : []),
    ...(run.answer ? ["--answer", run.answer] : []),
    ...(run.mode ? ["--mode", run.mode] : []),
    "--calls",
    JSON.stringify(run.calls),
    "--",
    ...server,
  ];
}

/** The JSON lines a test client wrote on stdout. */
export function clientLines(stdout: Uint8Array): Record<string, unknown>[] {
  return new TextDecoder().decode(stdout).split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
