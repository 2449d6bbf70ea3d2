/**
 * Human approval in MCP 2026-07-28 sessions, where a server (and so km) may not send the client
 * requests: km answers the held call with an `input_required` result carrying its question and a
 * signed `requestState`, the client's SDK asks the person and retries, and km sends the retry
 * (less its own members) to the server only when the person accepted. Driven by the official
 * SDK clients (Python mcp 2.3, Go go-sdk 1.8, TypeScript @modelcontextprotocol/client 2.4) against
 * the Python and Go SDK test servers, which record every call they execute; and by a raw client that tries to get a call
 * run without an approval (forged, replayed or altered retries).
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { startUi } from "./dashboard.ts";
import { finishedSessionLog, type KmProcess, monitor, readSessionLog } from "./helpers.ts";
import { execLogSession, response, SDK_SERVERS, type SdkServerName } from "./sdk_servers.ts";
import {
  clientCommand,
  clientLines,
  monitorCommand,
  SDK_CLIENTS,
  type SdkClientName,
} from "./sdk_clients.ts";

type Line = Record<string, unknown>;
type AuditRecord = Record<string, unknown>;

const CLIENTS = SDK_CLIENTS;
type ClientName = SdkClientName;

/**
 * Asks about every message of a shell call. No `input.kind == "request"`: the response matches
 * too, and must not be asked about again once the call was approved.
 */
const POLICY = `package kilometers

import rego.v1

ask contains {"rule": "confirm-shell", "reason": "shell runs commands"} if input.tool.name == "shell"

approval_timeout contains 1 if input.tool.arguments.command == "nobody answers"
`;

const SHELL = (command: string) => ({ tool: "shell", arguments: { command } });

interface Run {
  readonly lines: Line[];
  readonly records: AuditRecord[];
  readonly executed: { tool: string; arguments: Record<string, string> }[];
}

async function policyDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "km-mrtr-policy-" });
  await Deno.writeTextFile(`${dir}/policy.rego`, POLICY);
  return dir;
}

/**
 * The Python SDK client through km to `server`, answering km's question with `answer`. With
 * "wait" it never answers: the run ends once km's approval has timed out.
 */
async function run(
  server: SdkServerName,
  answer: "accept" | "accept-session" | "decline" | "wait",
  calls: unknown[],
  mode: "auto" | "legacy" = "auto",
  client: ClientName = "python-mcp2",
): Promise<Run> {
  const session = await execLogSession();
  const policy = await policyDir();
  try {
    const serverCommand = SDK_SERVERS.find((s) => s.name === server)!.command;
    const [program, ...args] = clientCommand(
      client,
      { answer, mode, calls },
      monitorCommand(session, policy, serverCommand),
    );
    const child = new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).spawn();
    if (answer === "wait") {
      await until(async () =>
        (await records(session.logDir)).some((r) => r.event === "approval_resolved")
      );
      child.kill("SIGTERM");
    }
    const out = await child.output();
    if (answer !== "wait" && !out.success) {
      const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
      throw new Error(`the client failed:\n${stdout}\n${stderr}`);
    }
    const lines = clientLines(out.stdout);
    return {
      lines,
      records: await finishedSessionLog(session.logDir),
      executed: await session.read(),
    };
  } finally {
    await session.cleanup();
    await Deno.remove(policy, { recursive: true });
  }
}

async function records(logDir: string): Promise<AuditRecord[]> {
  try {
    return await readSessionLog(logDir);
  } catch {
    return [];
  }
}

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the session log");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const messages = (rs: AuditRecord[]) => rs.filter((r) => r.type === "message");
const applied = (r: AuditRecord) => (r.result as { applied?: string } | undefined)?.applied;

/** Client and server pairs on the official SDKs that speak 2026-07-28 to each other. */
const PAIRS: readonly [ClientName, SdkServerName][] = [
  ["python-mcp2", "python-mcp2"],
  ["python-mcp2", "go-sdk"],
  ["go-sdk", "python-mcp2"],
  ["ts-sdk-v2", "go-sdk"],
];

for (const [client, server] of PAIRS) {
  Deno.test(`2026-07-28 (${client} client, ${server} server): the person accepts, the call runs once, asked once`, async () => {
    const { lines, records, executed } = await run(
      server,
      "accept",
      [SHELL("ls -l")],
      "auto",
      client,
    );
    equal(lines[0].protocol, "2026-07-28");
    const asked = lines.filter((l) => "elicitation" in l);
    equal(asked.length, 1, "one question per call, not one for the request and one for the answer");
    match(
      String(asked[0].elicitation),
      /A call to the tool "shell".*\n?.*Arguments: \{"command":"ls -l"\}/s,
    );
    match(String(asked[0].elicitation), /shell runs commands/);
    deepStrictEqual(lines.at(-1)!.ok, true);
    equal(lines.at(-1)!.text, "ran: ls -l");
    deepStrictEqual(executed.map((e) => e.arguments), [{ command: "ls -l" }]);

    const calls = messages(records).filter((r) => r.method === "tools/call");
    const [first, question, retry, answer] = calls;
    equal(applied(first), "input_required");
    equal(first.forwarded, false);
    equal(question.origin, "km");
    equal(
      (question.message as { result: { resultType: string } }).result.resultType,
      "input_required",
    );
    equal(applied(retry), "hold");
    equal(answer.direction, "server_to_client");
    equal(applied(answer), "forward");
    match(
      String((answer.result as { reasons: string[] }).reasons[0]),
      /approved by a person .*not asked again/,
    );
    const resolved = records.filter((r) => r.event === "approval_resolved");
    deepStrictEqual(resolved.map((r) => [r.outcome, r.channel]), [["approve", "client"]]);
    // The approval's records follow the call's, in the order they were written.
    const seqs = records.map((r) => r.seq as number);
    deepStrictEqual(seqs, [...seqs].sort((a, b) => a - b));
    // What the client learned of itself in this session reaches the policy input's facts.
    const discover = messages(records).find((r) => r.method === "server/discover");
    ok(discover, "the session opened with server/discover");
  });

  Deno.test(`2026-07-28 (${client} client, ${server} server): the person declines, the call never runs`, async () => {
    const { lines, records, executed } = await run(
      server,
      "decline",
      [SHELL("rm -rf /")],
      "auto",
      client,
    );
    equal(lines.filter((l) => "elicitation" in l).length, 1);
    const result = lines.at(-1)!;
    equal(result.ok, false);
    match(String(result.error), /Blocked by policy: approval denied in the client .*declined/);
    deepStrictEqual(executed, []);
    deepStrictEqual(
      records.filter((r) => r.event === "approval_resolved").map((r) => r.outcome),
      ["deny"],
    );
  });
}

for (const client of Object.keys(CLIENTS) as ClientName[]) {
  const server: SdkServerName = client === "ts-sdk-v2" ? "go-sdk" : "python-mcp2";
  for (const mode of ["auto", "legacy"] as const) {
    const era = mode === "auto" ? "2026-07-28" : "2025-11-25";
    Deno.test(`${era} (${client} client): nobody answers, the approval times out and the call never runs`, async () => {
      const { lines, records, executed } = await run(
        server,
        "wait",
        [SHELL("nobody answers")],
        mode,
        client,
      );
      equal(lines[0].protocol, era);
      equal(lines.filter((l) => "elicitation" in l).length, 1);
      deepStrictEqual(executed, []);
      const resolved = records.filter((r) => r.event === "approval_resolved");
      deepStrictEqual(resolved.map((r) => r.outcome), ["timeout"]);
    });
  }
  Deno.test(`2025-11-25 (${client} client): km asks with elicitation/create; accept runs the call, decline does not`, async () => {
    const accepted = await run(server, "accept", [SHELL("ls")], "legacy", client);
    equal(accepted.lines[0].protocol, "2025-11-25");
    equal(accepted.lines.filter((l) => "elicitation" in l).length, 1);
    deepStrictEqual(accepted.executed.map((e) => e.arguments), [{ command: "ls" }]);
    ok(
      messages(accepted.records).some((r) =>
        r.method === "elicitation/create" && r.origin === "km"
      ),
    );
    const declined = await run(server, "decline", [SHELL("rm -rf /")], "legacy", client);
    deepStrictEqual(declined.executed, []);
    equal(declined.lines.at(-1)!.ok, false);
  });
}

// --- A raw client trying to get a call run without the person's approval ---------------------

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
};

function callLine(id: number, command: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "shell", arguments: { command }, ...extra, _meta: META },
  }) + "\n";
}

/** Opens a 2026-07-28 session with km as a raw client: `server/discover` (id 1), answered. */
async function discover(km: KmProcess): Promise<void> {
  await km.write(
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: META } }) +
      "\n",
  );
  await response(km, 1);
}

Deno.test("2026-07-28: forged, altered, replayed and padded retries are refused; the call runs only when approved", async () => {
  const session = await execLogSession();
  const policy = await policyDir();
  const km = monitor(session.logDir, SDK_SERVERS[0].command, [
    "--policy",
    policy,
    "--data-dir",
    `${session.dir}/data`,
    ...session.kmFlags,
  ]);
  try {
    await discover(km);
    await km.write(callLine(2, "rm -rf /"));
    const question = (await response(km, 2)).result as Record<string, unknown>;
    equal(question.resultType, "input_required");
    const state = question.requestState as string;
    const accept = { km_approval: { action: "accept", content: { scope: "once" } } };
    const refused = async (id: number, line: string, why: RegExp) => {
      await km.write(line);
      const answer = await response(km, id);
      const error = answer.error as { code: number; message: string };
      equal(error?.code, -32010, JSON.stringify(answer));
      match(error.message, why);
    };
    // Another command under a valid state.
    await refused(
      3,
      callLine(3, "rm -rf /home", { inputResponses: accept, requestState: state }),
      /not the request approval .* asked about/,
    );
    // A state whose signature was changed.
    const forged = state.slice(0, -2) + (state.endsWith("AA") ? "BB" : "AA");
    await refused(
      4,
      callLine(4, "rm -rf /", { inputResponses: accept, requestState: forged }),
      /not issued by this km session/,
    );
    // Answers to input requests km never made ride along.
    await refused(
      5,
      callLine(5, "rm -rf /", {
        inputResponses: { ...accept, other: { action: "accept" } },
        requestState: state,
      }),
      /answers input requests km did not make/,
    );
    deepStrictEqual(await session.read(), [], "nothing ran yet");
    // The genuine retry runs the call once.
    await km.write(callLine(6, "rm -rf /", { inputResponses: accept, requestState: state }));
    equal(
      ((await response(km, 6)).result as { content: { text: string }[] }).content[0].text,
      "ran: rm -rf /",
    );
    // The same state again: refused, the approval was for one call.
    await refused(
      7,
      callLine(7, "rm -rf /", { inputResponses: accept, requestState: state }),
      /already used/,
    );
    deepStrictEqual((await session.read()).map((e) => e.arguments), [{ command: "rm -rf /" }]);
    // The server saw the retry without km's members: exactly what was approved.
    await km.closeStdin();
    await km.exit();
    const sent = messages(await readSessionLog(session.logDir)).find((r) => r.id === "6");
    ok(sent);
  } finally {
    await km.closeStdin();
    await km.exit();
    await session.cleanup();
    await Deno.remove(policy, { recursive: true });
  }
});

Deno.test("2026-07-28: the dashboard answers first; the client's retry then runs or is refused by that answer", async () => {
  const session = await execLogSession();
  const policy = await policyDir();
  const data = `${session.dir}/data`;
  const ui = await startUi(["--data-dir", data, "--log-dir", session.logDir, "--port", "0"]);
  const km = monitor(session.logDir, SDK_SERVERS[0].command, [
    "--policy",
    policy,
    "--data-dir",
    data,
    ...session.kmFlags,
  ]);
  const headers = { Authorization: `Bearer ${ui.token}` };
  /** Answers the one pending approval in the dashboard, as its page would. */
  const answerInDashboard = async (answer: "approve" | "deny") => {
    let approvals: { id: string }[] = [];
    for (const deadline = Date.now() + 10_000; approvals.length === 0;) {
      if (Date.now() > deadline) throw new Error("the approval never reached the dashboard");
      approvals = (await (await fetch(`${ui.base}/api/approvals`, { headers })).json()).approvals;
      if (approvals.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const posted = await fetch(`${ui.base}/api/approvals/${approvals[0].id}`, {
      method: "POST",
      headers: { ...headers, Origin: ui.base, "Content-Type": "application/json" },
      body: JSON.stringify({ answer }),
    });
    ok(posted.ok, `the dashboard refused the answer: ${posted.status} ${await posted.text()}`);
    // The answer travels to km over the dashboard's link: wait until km has recorded its end.
    await until(async () =>
      (await records(session.logDir)).some((r) =>
        r.event === "approval_resolved" && r.approval_id === approvals[0].id
      )
    );
  };
  try {
    await discover(km);
    // Approved in the dashboard while the client's prompt is up; the person there then declines:
    // the first answer wins.
    await km.write(callLine(2, "ls -la"));
    const first = (await response(km, 2)).result as { requestState: string };
    await answerInDashboard("approve");
    const decline = { km_approval: { action: "decline" } };
    await km.write(
      callLine(3, "ls -la", { inputResponses: decline, requestState: first.requestState }),
    );
    equal(
      ((await response(km, 3)).result as { content: { text: string }[] }).content[0].text,
      "ran: ls -la",
    );
    // Denied in the dashboard: the client's acceptance comes too late.
    await km.write(callLine(4, "rm -rf /"));
    const second = (await response(km, 4)).result as { requestState: string };
    await answerInDashboard("deny");
    const accept = { km_approval: { action: "accept", content: { scope: "once" } } };
    await km.write(
      callLine(5, "rm -rf /", { inputResponses: accept, requestState: second.requestState }),
    );
    const refused = (await response(km, 5)).error as { code: number; message: string };
    equal(refused.code, -32010);
    match(refused.message, /approval denied in the dashboard/);
    deepStrictEqual((await session.read()).map((e) => e.arguments), [{ command: "ls -la" }]);
    await km.closeStdin();
    await km.exit();
    const resolved = (await readSessionLog(session.logDir)).filter((r) =>
      r.event === "approval_resolved"
    );
    deepStrictEqual(resolved.map((r) => [r.outcome, r.channel]), [
      ["approve", "dashboard"],
      ["deny", "dashboard"],
    ]);
  } finally {
    await km.closeStdin();
    await km.exit();
    await ui.stop();
    await session.cleanup();
    await Deno.remove(policy, { recursive: true });
  }
});
