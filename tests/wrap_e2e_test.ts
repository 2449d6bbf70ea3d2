/**
 * `km wrap` end to end: wrap a Claude Desktop config whose server is the real server-everything,
 * start the server exactly as the wrapped config says (as Claude Desktop would), drive it with
 * the official SDK client, and find the session in the audit log under the server's name. Then
 * `km unwrap` gives the file's bytes back.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { kmCommand, readSessionLog, runKm, SERVER_EVERYTHING } from "./helpers.ts";
import { connect } from "./sdk_client.ts";

const km = (...args: string[]) => runKm(args);

Deno.test("a server wrapped by km wrap runs through km, and km unwrap restores the config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "km-wrap-e2e-" });
  try {
    const logDir = `${dir}/logs`;
    const file = `${dir}/claude_desktop_config.json`;
    const original = `${
      JSON.stringify(
        {
          mcpServers: {
            everything: {
              command: "node",
              args: SERVER_EVERYTHING,
              env: { KM_LOG_DIR: logDir },
            },
            remote: { url: "https://mcp.example.com/sse" },
          },
        },
        null,
        2,
      )
    }\n`;
    await Deno.writeTextFile(file, original, { mode: 0o600 });
    // The km command of this checkout, written into the config in place of `km`.
    const kmWords = kmCommand().map((word) => `"${word}"`).join(" ");

    const wrap = await km("wrap", "claude-desktop", "--config", file, "--km", kmWords);
    equal(wrap.code, 0, wrap.stderr);
    ok(wrap.stdout.includes("everything: wrapped"), wrap.stdout);
    ok(wrap.stdout.includes("remote: not covered"), wrap.stdout);

    const config = JSON.parse(await Deno.readTextFile(file));
    const server = config.mcpServers.everything;
    deepStrictEqual(server.env, { KM_LOG_DIR: logDir });
    deepStrictEqual(config.mcpServers.remote, { url: "https://mcp.example.com/sse" });
    deepStrictEqual(server.args.slice(-(SERVER_EVERYTHING.length + 5)), [
      "monitor",
      "--name",
      "everything",
      "--",
      "node",
      ...SERVER_EVERYTHING,
    ]);

    // As the client would start it: the config's command, args and env.
    const session = await connect([server.command, ...server.args], server.env);
    const tools = (await session.client.listTools()).tools.map((t) => t.name);
    ok(tools.includes("echo"), tools.join());
    const echo = await session.client.callTool({ name: "echo", arguments: { message: "wrapped" } });
    ok(JSON.stringify(echo).includes("wrapped"));
    await session.client.close();

    const logs = [...Deno.readDirSync(logDir)].map((e) => e.name);
    equal(logs.length, 1);
    ok(/_everything_/.test(logs[0]), logs[0]);
    const records = await readSessionLog(logDir);
    ok(records.some((r) => r.type === "message" && r.tool === "echo"), "the tool call is recorded");

    const unwrap = await km("unwrap", "claude-desktop", "--config", file, "--km", kmWords);
    equal(unwrap.code, 0, unwrap.stderr);
    equal(await Deno.readTextFile(file), original);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
