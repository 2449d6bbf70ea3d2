/**
 * An MCP test server on the official TypeScript SDK (@modelcontextprotocol/sdk, pinned by
 * package-lock.json here), for km's end-to-end tests: the same three tools as the Python and Go
 * test servers, served over stdio by the SDK's own McpServer and StdioServerTransport, so a test
 * sees how that SDK really reads what km forwards. Plain ESM for Node: no build step.
 *
 * Every executed tool call appends one JSON line, {"sdk", "version", "tool", "arguments"}, to the
 * file named by KM_TEST_EXEC_LOG before the result is returned: a test proves a call was blocked
 * by finding no line for it. No tool does anything real (`shell` runs nothing, `read_file` reads
 * nothing), so a test that fails to block does no harm.
 *
 *   node tests/peers/ts_server.mjs
 */
import { appendFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

// zod is the SDK's own dependency (hoisted in tests/peers/node_modules). Its specifier is not a
// literal because `deno check tests/` would try, and fail, to resolve a literal "zod" through
// deno.json; Node resolves it as usual, to the zod package the SDK itself uses.
const ZOD = "zod";
const { z } = await import(ZOD);

// The SDK's version as installed, from its package.json (the exports map hides that file).
const sdkMain = createRequire(import.meta.url).resolve("@modelcontextprotocol/sdk/server/mcp.js");
const sdkPackage = sdkMain.slice(0, sdkMain.lastIndexOf("/dist/")) + "/package.json";
const VERSION = JSON.parse(readFileSync(sdkPackage, "utf8")).version;

/** Appends the call synchronously (one write(2), O_APPEND): the line is whole before we answer. */
function record(tool, args) {
  const path = process.env.KM_TEST_EXEC_LOG;
  if (!path) return;
  appendFileSync(
    path,
    JSON.stringify({ sdk: "ts-sdk", version: VERSION, tool, arguments: args }) + "\n",
  );
}

const text = (value) => ({ content: [{ type: "text", text: value }] });

const server = new McpServer({ name: "km-test-ts-sdk", version: VERSION });

server.registerTool("shell", {
  description: "Pretends to run a shell command: records it and runs nothing.",
  inputSchema: { command: z.string().describe("the command line") },
}, ({ command }) => {
  record("shell", { command });
  return text(`ran: ${command}`);
});

server.registerTool("echo", {
  description: "Returns the text it is given.",
  inputSchema: { text: z.string().describe("the text to return") },
}, ({ text: value }) => {
  record("echo", { text: value });
  return text(value);
});

server.registerTool("read_file", {
  description: "Pretends to read a file: records the path and reads nothing.",
  inputSchema: { path: z.string().describe("the file's path") },
}, ({ path }) => {
  record("read_file", { path });
  return text(`read: ${path}`);
});

await server.connect(new StdioServerTransport());
