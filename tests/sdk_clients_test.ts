/**
 * The official-SDK test clients build and work: the Go one (go-sdk, .tools/bin/km-test-go-client)
 * and the TypeScript v2 one (@modelcontextprotocol/client, tests/peers/ts_client_v2.mjs), run
 * directly against the Go and Python 2.x test servers, negotiate the protocol each mode should
 * (2026-07-28 through `server/discover` by default, 2025-11-25 through `initialize` with
 * `--mode legacy`), call echo and get its text back, and pass their environment on to the server
 * (the server records the call in the exec log named by KM_TEST_EXEC_LOG). The end-to-end tests
 * that put km between these clients and servers stand on this. `deno task setup` installs them.
 */
import { deepEqual, equal } from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { execLogSession, SDK_SERVERS } from "./sdk_servers.ts";

const CLIENTS = [
  { name: "go-sdk client", command: [`${ROOT}.tools/bin/km-test-go-client`] },
  { name: "ts-sdk v2 client", command: ["node", `${ROOT}tests/peers/ts_client_v2.mjs`] },
] as const;

const SERVERS = SDK_SERVERS.filter((s) => s.name === "go-sdk" || s.name === "python-mcp2");

const MODES = [
  { mode: "auto", protocol: "2026-07-28" },
  { mode: "legacy", protocol: "2025-11-25" },
] as const;

/** Runs a client to completion (at most a minute) and returns its JSON lines. */
async function runClient(
  command: readonly string[],
  args: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const output = await new Deno.Command(command[0], {
    args: [...command.slice(1), ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  equal(output.code, 0, `${command.join(" ")} exited with ${output.code}:\n${stderr}\n${stdout}`);
  return stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

for (const client of CLIENTS) {
  for (const server of SERVERS) {
    for (const { mode, protocol } of MODES) {
      Deno.test(`${client.name} → ${server.name} (--mode ${mode}): ${protocol}, echo`, async () => {
        const session = await execLogSession();
        try {
          const calls = [{ tool: "echo", arguments: { text: "hi" } }];
          const lines = await runClient(
            client.command,
            ["--mode", mode, "--calls", JSON.stringify(calls), "--", ...server.command],
            session.env,
          );
          // started_ms is a time: check its type, then compare the rest whole.
          equal(typeof lines[1]?.started_ms, "number", JSON.stringify(lines));
          const { started_ms: _, ...call } = lines[1];
          deepEqual([lines[0], call], [{ protocol }, { tool: "echo", ok: true, text: "hi" }]);
          equal(lines.length, 2, JSON.stringify(lines));
          deepEqual(await session.read(), [
            { sdk: server.name, version: server.version, tool: "echo", arguments: { text: "hi" } },
          ]);
        } finally {
          await session.cleanup();
        }
      });
    }
  }
}
