/**
 * Rego policies enforced by `km monitor --policy` on real traffic: the official SDK client
 * against server-everything, with each effect checked as the client sees it and as the audit
 * log records it. Policies are compiled by km's own OPA (docs/policy.md, "How km compiles a
 * policy").
 */
import { equal, ok, rejects } from "node:assert/strict";
import {
  kmCommand,
  KmProcess,
  messageRecords,
  readSessionLog,
  SERVER_EVERYTHING,
} from "./helpers.ts";
import { connect } from "./sdk_client.ts";

/** Writes `rego` as a policy directory and returns it with a fresh log directory. */
async function setup(
  rego: string,
): Promise<{ policy: string; logs: string; cleanup: () => Promise<void> }> {
  const root = await Deno.makeTempDir({ prefix: "km-policy-e2e-" });
  await Deno.mkdir(`${root}/policy`);
  await Deno.writeTextFile(
    `${root}/policy/policy.rego`,
    `package kilometers\n\nimport rego.v1\n\n${rego}\n`,
  );
  return {
    policy: `${root}/policy`,
    logs: `${root}/logs`,
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

/** `monitor --policy POLICY [flags] --log-dir LOGS -- <server-everything>`. */
function monitorArgs(policy: string, logs: string, flags: string[]): string[] {
  return [
    "monitor",
    "--policy",
    policy,
    ...flags,
    "--log-dir",
    logs,
    "--",
    "node",
    ...SERVER_EVERYTHING,
  ];
}

function km(policy: string, logs: string, ...flags: string[]): string[] {
  return kmCommand(...monitorArgs(policy, logs, ["--quiet", ...flags]));
}

/** Runs km monitor that must refuse to start: exit 2, nothing on stdout. Returns its stderr. */
async function refusedStart(policy: string, logs: string, ...flags: string[]): Promise<string> {
  const proc = new KmProcess(monitorArgs(policy, logs, flags));
  await proc.closeStdin();
  equal((await proc.exit()).code, 2);
  equal(proc.stdout, "");
  return proc.stderr;
}

const text = (result: Record<string, unknown>) => (result.content as { text: string }[])[0].text;

Deno.test("a denied tool call never reaches the server; the client gets the policy's reason", async () => {
  const { policy, logs, cleanup } = await setup(`
deny contains {"rule": "no-echo", "reason": "echo is not allowed here"} if {
	input.method == "tools/call"
	input.tool.name == "echo"
}`);
  const { client } = await connect(km(policy, logs));
  await rejects(
    client.callTool({ name: "echo", arguments: { message: "hi" } }),
    (e: Error & { code?: number }) => {
      equal(e.code, -32010);
      ok(e.message.includes("Blocked by policy: echo is not allowed here"), e.message);
      return true;
    },
  );
  equal(
    text(await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })),
    "The sum of 1 and 2 is 3.",
  );
  await client.close();
  const records = messageRecords(await readSessionLog(logs));
  const denied = records.find((r) => r.tool === "echo" && r.kind === "request")!;
  equal(denied.forwarded, false);
  const result = denied.result as {
    action: string;
    applied: string;
    rules: string[];
    reasons: string[];
  };
  equal(result.action, "deny");
  equal(result.applied, "block");
  equal(result.rules[0], "no-echo");
  ok(typeof denied.revision === "string" && (denied.metrics as { eval_us: number }).eval_us >= 0);
  // No response came from the server for the denied call: km answered it, and says so.
  const answers = records.filter((r) => r.direction === "server_to_client" && r.tool === "echo");
  equal(answers.length, 1);
  const [answer] = answers;
  equal(answer.origin, "km");
  equal(answer.request_seq, denied.seq);
  equal(answer.cause_seq, denied.seq);
  equal((answer.error as { code: number }).code, -32010);
  const body = answer.message as { id: unknown; error: { message: string } };
  ok(body.error.message.includes("echo is not allowed here"), body.error.message);
  await cleanup();
});

Deno.test("hide removes tools from tools/list, and patch rewrites a call's arguments", async () => {
  const { policy, logs, cleanup } = await setup(`
hide contains "get-env" if input.method == "tools/list"

patch contains {"op": "replace", "path": "/params/arguments/message", "value": "rewritten by policy"} if {
	input.kind == "request"
	input.tool.name == "echo"
}`);
  const { client } = await connect(km(policy, logs));
  const tools = (await client.listTools()).tools.map((t) => t.name);
  ok(!tools.includes("get-env") && tools.includes("echo"), tools.join(","));
  equal(
    text(await client.callTool({ name: "echo", arguments: { message: "original" } })),
    "Echo: rewritten by policy",
  );
  await client.close();
  const records = messageRecords(await readSessionLog(logs));
  const call = records.find((r) => r.tool === "echo" && r.kind === "request")!;
  equal((call.result as { applied: string }).applied, "transform");
  await cleanup();
});

Deno.test("redact removes secrets from a tool result before the client sees it", async () => {
  const { policy, logs, cleanup } = await setup(`
redact contains {"path": "/result/content", "pattern": "token-[0-9]+"} if {
	input.kind == "response"
	input.tool.name == "echo"
}`);
  const { client } = await connect(km(policy, logs));
  equal(
    text(
      await client.callTool({ name: "echo", arguments: { message: "your token-12345 is ready" } }),
    ),
    "Echo: your [REDACTED] is ready",
  );
  await client.close();
  await cleanup();
});

Deno.test("ask is a denial when nobody can be asked, and says why", async () => {
  const { policy, logs, cleanup } = await setup(`
ask contains "summing numbers needs a human" if input.tool.name == "get-sum"`);
  // A client without elicitation, and no dashboard running in this data folder.
  const { client } = await connect(
    km(policy, logs, "--data-dir", `${logs}/data`),
    undefined,
    false,
  );
  await rejects(client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }), (e: Error) => {
    ok(
      e.message.includes(
        "approval required (summing numbers needs a human); no approval channel could be used " +
          "(dashboard: no dashboard is running (start `km ui`, or pass --ui to km monitor); " +
          "client: the client did not declare the elicitation capability)",
      ),
      e.message,
    );
    return true;
  });
  await client.close();
  const call = messageRecords(await readSessionLog(logs)).find((r) => r.tool === "get-sum")!;
  equal((call.result as { action: string }).action, "ask");
  await cleanup();
});

Deno.test("audit mode records what enforcement would do and changes nothing", async () => {
  const { policy, logs, cleanup } = await setup(`
deny contains "echo would be blocked" if input.tool.name == "echo"`);
  const { client } = await connect(km(policy, logs, "--mode", "audit"));
  equal(
    text(await client.callTool({ name: "echo", arguments: { message: "still here" } })),
    "Echo: still here",
  );
  await client.close();
  const call = messageRecords(await readSessionLog(logs)).find((r) =>
    r.tool === "echo" && r.kind === "request"
  )!;
  equal(call.forwarded, true);
  const result = call.result as { action: string; applied: string; reasons: string[] };
  equal(result.action, "deny");
  equal(result.applied, "audit");
  equal(result.reasons[0], "echo would be blocked");
  await cleanup();
});

Deno.test("a policy that fails while evaluating blocks requests (fail closed) and says why", async () => {
  // Two values for one complete rule: OPA aborts the evaluation at run time.
  const { policy, logs, cleanup } = await setup(`
level := 1 if input.method == "tools/call"

level := 2 if input.tool.name == "echo"

deny contains "never" if level == 3`);
  const { client } = await connect(km(policy, logs));
  await rejects(client.callTool({ name: "echo", arguments: { message: "x" } }), (e: Error) => {
    ok(e.message.includes("policy evaluation failed"), e.message);
    return true;
  });
  await client.close();
  const call = messageRecords(await readSessionLog(logs)).find((r) =>
    r.tool === "echo" && r.kind === "request"
  )!;
  equal((call.result as { action: string }).action, "error");
  await cleanup();
});

Deno.test("a policy that uses an unsupported built-in fails to build, and km starts nothing", async () => {
  const { policy, logs, cleanup } = await setup(`
deny contains "x" if http.send({"method": "get", "url": "http://example.com"}).status_code == 200`);
  const stderr = await refusedStart(policy, logs);
  ok(stderr.includes("undefined function http.send"), stderr);
  await cleanup();
});

Deno.test("editing the policy reloads it; a broken edit keeps the last good policy in force", async () => {
  const { policy, logs, cleanup } = await setup(
    `deny contains "no echo" if input.tool.name == "echo"`,
  );
  const { client } = await connect(km(policy, logs));
  const echo = () => client.callTool({ name: "echo", arguments: { message: "hi" } });
  const sum = () => client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
  await rejects(echo());
  const write = (rego: string) =>
    Deno.writeTextFile(
      `${policy}/policy.rego`,
      `package kilometers\n\nimport rego.v1\n\n${rego}\n`,
    );
  const lifecycle = async (event: string) => {
    for (let i = 0; i < 100; i++) {
      const found = (await readSessionLog(logs)).find((r) => r.event === event);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${event} record`);
  };

  await write(`deny contains "no sums" if input.tool.name == "get-sum"`);
  const reloaded = await lifecycle("policy_reloaded");
  equal(text(await echo()), "Echo: hi");
  await rejects(sum(), (e: Error) => e.message.includes("no sums"));

  await write(`deny contains "broken" if {`);
  const failed = await lifecycle("policy_reload_failed");
  ok(String(failed.error).includes("rego_parse_error"), String(failed.error));
  equal(failed.kept, reloaded.revision);
  await rejects(sum(), (e: Error) => e.message.includes("no sums"));
  await client.close();
  await cleanup();
});

Deno.test("a policy folder replaced by a rename is reloaded, and so are later edits to it", async () => {
  const { policy, logs, cleanup } = await setup(
    `deny contains "no echo" if input.tool.name == "echo"`,
  );
  const { client } = await connect(km(policy, logs));
  const echo = () => client.callTool({ name: "echo", arguments: { message: "hi" } });
  const sum = () => client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
  const rego = (body: string) => `package kilometers\n\nimport rego.v1\n\n${body}\n`;
  const reloads = async (count: number) => {
    for (let i = 0; i < 100; i++) {
      const found = (await readSessionLog(logs)).filter((r) => r.event === "policy_reloaded");
      if (found.length >= count) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = (await readSessionLog(logs)).filter((r) => r.type === "lifecycle");
    throw new Error(`fewer than ${count} policy_reloaded records: ${JSON.stringify(events)}`);
  };
  await rejects(echo());
  // The deploy tools' way: build the new folder aside, then swap it in by renames.
  await Deno.mkdir(`${policy}.new`);
  await Deno.writeTextFile(
    `${policy}.new/policy.rego`,
    rego(`deny contains "no sums" if input.tool.name == "get-sum"`),
  );
  await Deno.rename(policy, `${policy}.old`);
  await Deno.rename(`${policy}.new`, policy);
  await reloads(1);
  equal(text(await echo()), "Echo: hi");
  await rejects(sum(), (e: Error) => e.message.includes("no sums"));
  // An edit to the swapped-in folder is seen: the watch follows the path.
  await Deno.writeTextFile(`${policy}/policy.rego`, rego(`deny contains "nothing" if false`));
  await reloads(2);
  equal(text(await sum()), "The sum of 1 and 2 is 3.");
  await client.close();
  await Deno.remove(`${policy}.old`, { recursive: true });
  await cleanup();
});

Deno.test("--policy-data beside a policy directory is refused, not silently ignored", async () => {
  const { policy, logs, cleanup } = await setup(`deny contains "x" if data.blocked`);
  const stderr = await refusedStart(policy, logs, "--policy-data", `${logs}/data.json`);
  ok(stderr.includes("--policy-data is for a .wasm policy"), stderr);
  ok(stderr.includes("put the data file (.json or .jsonc) in the policy directory"), stderr);
  await cleanup();
});

Deno.test("the default policy's decisions are remembered for repeated inputs, and say so", async () => {
  const logs = await Deno.makeTempDir({ prefix: "km-policy-e2e-" });
  const { client } = await connect(
    kmCommand("monitor", "--quiet", "--log-dir", logs, "--", "node", ...SERVER_EVERYTHING),
  );
  for (const [a, b] of [[1, 2], [1, 2], [3, 4]]) {
    equal(
      text(await client.callTool({ name: "get-sum", arguments: { a, b } })),
      `The sum of ${a} and ${b} is ${a + b}.`,
    );
  }
  await client.close();
  const records = messageRecords(await readSessionLog(logs)).filter((r) => r.tool === "get-sum");
  const cached = (kind: string) =>
    records.filter((r) => r.kind === kind).map((r) =>
      (r.metrics as { cached?: boolean }).cached === true
    );
  // The default policy reads kind, method and tool: the same call again is the same input,
  // other arguments are not; every answer of the tool is the same input after the first.
  equal(JSON.stringify(cached("request")), "[false,true,false]");
  equal(JSON.stringify(cached("response")), "[false,true,true]");
  for (const r of records) equal((r.result as { action: string }).action, "allow");
  await Deno.remove(logs, { recursive: true });
});
