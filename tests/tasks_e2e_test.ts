/**
 * MCP tasks through km: a `tools/call` that server-everything runs as a task (2025-11-25's
 * `task` param; the answer is a task handle), then the client's `tasks/get` and `tasks/result`
 * and the server's `notifications/tasks/status`. km ties each to the call that created the
 * task, so the records name its tool, and the policy's rules on that tool apply to them: here a
 * poll is denied and the result, which arrives as `tasks/result`'s answer, is redacted.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { INITIALIZED, monitor, readSessionLog, SERVER_EVERYTHING } from "./helpers.ts";
import { response } from "./sdk_servers.ts";

const TOOL = "simulate-research-query";

const POLICY = `package kilometers

import rego.v1

deny contains "no polling of research tasks" if {
	input.method == "tasks/get"
	input.tool.name == "${TOOL}"
}

redact contains {"path": "/result/content", "pattern": "cats"} if {
	input.kind == "response"
	input.tool.name == "${TOOL}"
}
`;

Deno.test("a task's polls, result and status notifications carry the tool of the call that created it", async () => {
  const root = await Deno.makeTempDir({ prefix: "km-tasks-e2e-" });
  await Deno.mkdir(`${root}/policy`);
  await Deno.writeTextFile(`${root}/policy/policy.rego`, POLICY);
  const km = monitor(`${root}/logs`, ["node", ...SERVER_EVERYTHING], [
    "--policy",
    `${root}/policy`,
    "--data-dir",
    `${root}/data`,
  ]);
  try {
    await km.write(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      }) + "\n" + INITIALIZED,
    );
    await response(km, 0);
    await km.write(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: TOOL, arguments: { topic: "cats" }, task: { ttl: 60_000 } },
      }) + "\n",
    );
    const created = (await response(km, 1)).result as { task: { taskId: string } };
    const taskId = created.task.taskId;
    ok(taskId, "the server answered with a task handle");
    const poll = (id: number, method: string) =>
      km.write(JSON.stringify({ jsonrpc: "2.0", id, method, params: { taskId } }) + "\n");
    await poll(2, "tasks/get");
    const denied = (await response(km, 2)).error as { code: number; message: string };
    equal(denied.code, -32010);
    match(denied.message, /no polling of research tasks/);
    await poll(3, "tasks/result");
    const result = (await response(km, 3, 30_000)).result as { content: { text: string }[] };
    const text = result.content.map((c) => c.text).join("");
    match(text, /Research Report: \[REDACTED\]/);
    ok(!text.includes("cats"), "the task's result is redacted like the call's would be");

    await km.closeStdin();
    await km.exit();
    const records = (await readSessionLog(`${root}/logs`)).filter((r) => r.type === "message");
    const tools = (method: string) =>
      records.filter((r) => r.method === method).map((r) => [r.direction, r.tool]);
    // The poll, and km's refusal of it.
    deepStrictEqual(tools("tasks/get"), [["client_to_server", TOOL], ["server_to_client", TOOL]]);
    equal(records.filter((r) => r.method === "tasks/get")[1].origin, "km");
    deepStrictEqual(tools("tasks/result"), [
      ["client_to_server", TOOL],
      ["server_to_client", TOOL],
    ]);
    // Status notifications sent after the handle name the task's tool.
    const statuses = records.filter((r) => r.method === "notifications/tasks/status");
    const afterHandle = statuses.filter((r) =>
      (r.seq as number) >
        (records.find((x) => x.id === "1" && x.kind === "response")!.seq as number)
    );
    ok(afterHandle.length > 0, "status notifications came after the handle");
    deepStrictEqual([...new Set(afterHandle.map((r) => r.tool))], [TOOL]);
  } finally {
    await km.closeStdin();
    await km.exit();
    await Deno.remove(root, { recursive: true });
  }
});
