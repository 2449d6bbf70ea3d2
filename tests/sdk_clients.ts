/**
 * The MCP test clients on the official SDKs (tests/peers), for end-to-end tests: each takes
 * `--answer`, `--mode auto|legacy`, `--calls JSON`, `--list-tools`, `--no-elicitation` and the
 * server command after `--`, and writes JSON lines (see tests/peers/python/client.py). Not part
 * of km.
 */
import { ROOT } from "./helpers.ts";

export const SDK_CLIENTS = {
  "python-mcp2": [`${ROOT}.tools/py-mcp2/bin/python`, `${ROOT}tests/peers/python/client.py`],
  "go-sdk": [`${ROOT}.tools/bin/km-test-go-client`],
  // The probe of server/discover on the session's own process: one km session per run.
  "ts-sdk-v2": ["node", `${ROOT}tests/peers/ts_client_v2.mjs`, "--probe", "in-place"],
} as const;

export type SdkClientName = keyof typeof SDK_CLIENTS;
