/**
 * The official-SDK test servers (tests/sdk_servers.ts) work behind km: each lists its three tools
 * and executes a shell call, recording exactly that one call in its exec log. This proves the
 * plumbing the bypass tests stand on, including that a call which ran is seen as having run.
 */
import { deepEqual, equal } from "node:assert/strict";
import { monitor } from "./helpers.ts";
import { execLogSession, handshake, readExecLog, response, SDK_SERVERS } from "./sdk_servers.ts";

for (const server of SDK_SERVERS) {
  Deno.test(`${server.name}: lists its tools and records the one call it executes`, async () => {
    const session = await execLogSession();
    const km = monitor(session.logDir, server.command, [], { env: session.env });
    const init = await handshake(km);
    equal((init.result as { protocolVersion: string }).protocolVersion, "2025-06-18");

    await km.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
    const { tools } = (await response(km, 1)).result as {
      tools: { name: string; inputSchema: { properties: object; required: string[] } }[];
    };
    const schemas = Object.fromEntries(
      tools.map((t) => [t.name, [Object.keys(t.inputSchema.properties), t.inputSchema.required]]),
    );
    deepEqual(schemas, {
      shell: [["command"], ["command"]],
      echo: [["text"], ["text"]],
      read_file: [["path"], ["path"]],
    });
    // Nothing ran yet: listing executes no tool.
    deepEqual(await session.read(), []);

    const call = { name: "shell", arguments: { command: "echo hi" } };
    await km.write(
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: call }) + "\n",
    );
    // (The Python SDK adds `isError: false`; the others leave it out.)
    deepEqual((await response(km, 2)).result, {
      content: [{ type: "text", text: "ran: echo hi" }],
      ...(server.name.startsWith("python") ? { isError: false } : {}),
    });
    await km.closeStdin();
    equal((await km.exit()).code, 0, km.stderr);
    deepEqual(await session.read(), [
      {
        sdk: server.name,
        version: server.version,
        tool: "shell",
        arguments: { command: "echo hi" },
      },
    ]);
    await session.cleanup();
  });
}

Deno.test("an exec log that was never written reads as no calls", async () => {
  deepEqual(await readExecLog("/nonexistent/km-exec.jsonl"), []);
});
