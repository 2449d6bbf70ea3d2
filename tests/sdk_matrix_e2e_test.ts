/**
 * The protocol matrix: each official SDK client (Python mcp 2.3, Go go-sdk 1.8, TypeScript
 * @modelcontextprotocol/client 2.4) against each SDK test server (Python mcp 2.3, Go go-sdk 1.8,
 * TypeScript SDK 1.32), in each era (2026-07-28 through `server/discover` where both speak it,
 * and the `initialize` handshake), once directly and once through km under a policy that denies
 * `shell`, redacts secrets in `echo`'s answers and hides `read_file`. What the client sees of
 * allowed traffic is the same either way; the rest is exactly what the policy says, and the
 * server's exec log proves the denied call never ran. (Approvals: approvals_mrtr_e2e_test.ts.)
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { execLogSession, SDK_SERVERS, type SdkServerName } from "./sdk_servers.ts";
import {
  clientCommand,
  clientLines,
  monitorCommand,
  SDK_CLIENTS,
  type SdkClientName,
} from "./sdk_clients.ts";

const CLIENTS = SDK_CLIENTS;
type ClientName = SdkClientName;

const POLICY = `package kilometers

import rego.v1

deny contains "shell is not allowed here" if {
	input.kind == "request"
	input.tool.name == "shell"
}

redact contains {"path": "/result/content", "pattern": "secret-[0-9]+"} if {
	input.kind == "response"
	input.tool.name == "echo"
}

hide contains "read_file"
`;

const CALLS = [
  { tool: "echo", arguments: { text: "hi" } },
  { tool: "echo", arguments: { text: "the key is secret-123" } },
  { tool: "shell", arguments: { command: "ls" } },
];

type Line = Record<string, unknown>;

async function run(
  client: ClientName,
  server: SdkServerName,
  mode: "auto" | "legacy",
  throughKm: boolean,
): Promise<{ lines: Line[]; executed: string[] }> {
  const session = await execLogSession();
  try {
    const policy = `${session.dir}/policy`;
    await Deno.mkdir(policy);
    await Deno.writeTextFile(`${policy}/policy.rego`, POLICY);
    const serverCommand = SDK_SERVERS.find((s) => s.name === server)!.command;
    const command = throughKm ? monitorCommand(session, policy, serverCommand) : serverCommand;
    const [program, ...args] = clientCommand(
      client,
      { listTools: true, mode, calls: CALLS },
      command,
    );
    const out = await new Deno.Command(program, {
      args,
      env: session.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
    ok(out.success, `${client} failed:\n${stdout}\n${stderr}`);
    const lines = clientLines(out.stdout);
    return { lines, executed: (await session.read()).map((e) => e.tool) };
  } finally {
    await session.cleanup();
  }
}

/** A call's line without its timing. */
function call(lines: Line[], index: number): Line {
  const { started_ms: _, ...rest } = lines.filter((l) => "tool" in l)[index];
  return rest;
}

const SPEAKS_2026: ReadonlySet<SdkServerName> = new Set(["python-mcp2", "go-sdk"]);

for (const client of Object.keys(CLIENTS) as ClientName[]) {
  for (const server of ["python-mcp2", "go-sdk", "ts-sdk"] as const) {
    for (const mode of ["auto", "legacy"] as const) {
      const era = mode === "auto" && SPEAKS_2026.has(server) ? "2026-07-28" : "2025-11-25";
      Deno.test(`matrix: ${client} client, ${server} server, ${era} (--mode ${mode}): allowed traffic as direct, deny, redact and hide applied`, async () => {
        const direct = await run(client, server, mode, false);
        const through = await run(client, server, mode, true);
        equal(direct.lines[0].protocol, era);
        equal(through.lines[0].protocol, era, "km changes nothing in the negotiation");
        // Allowed traffic: exactly what the client saw directly.
        deepStrictEqual(call(through.lines, 0), call(direct.lines, 0));
        equal(call(direct.lines, 0).text, "hi");
        // hide: read_file is gone from the list.
        deepStrictEqual(direct.lines[1].tools, ["echo", "read_file", "shell"]);
        deepStrictEqual(through.lines[1].tools, ["echo", "shell"]);
        // redact: the secret is replaced in echo's answer.
        equal(call(direct.lines, 1).text, "the key is secret-123");
        equal(call(through.lines, 1).text, "the key is [REDACTED]");
        // deny: the client is told why, and the server never ran it.
        const denied = call(through.lines, 2);
        equal(denied.ok, false);
        match(String(denied.error ?? denied.text), /shell is not allowed here/);
        deepStrictEqual(direct.executed, ["echo", "echo", "shell"]);
        deepStrictEqual(through.executed, ["echo", "echo"]);
      });
    }
  }
}
