/**
 * The official TypeScript server SDK a stand-in server (devenv_server.mjs, k8s_server.mjs) runs
 * on: v1, @modelcontextprotocol/sdk (the `initialize` handshake era), or with `--sdk v2` on its
 * command line, v2, @modelcontextprotocol/server (which also speaks 2026-07-28 through
 * `server/discover`). Both take the same `registerTool` calls with zod shapes, and `serve` puts
 * the server on stdio as each SDK means it to be. The specifiers are
 * computed so that `deno check` leaves them to node (see ts_server.mjs), which resolves them in
 * tests/peers/node_modules, pinned by its package-lock.json. Not part of km.
 */

const sdkFlag = process.argv.indexOf("--sdk");
/** "v1" or "v2", from `--sdk`. */
export const SDK = sdkFlag > 0 ? process.argv[sdkFlag + 1] : "v1";
if (SDK !== "v1" && SDK !== "v2") {
  throw new Error(`--sdk must be v1 or v2, not ${SDK}`);
}

const V1 = "@modelcontextprotocol/sdk";
const V2 = "@modelcontextprotocol/server";
const ZOD = "zod";

const [mcp, stdio, zod] = await Promise.all(
  SDK === "v2"
    ? [import(V2), import(`${V2}/stdio`), import(ZOD)]
    : [import(`${V1}/server/mcp.js`), import(`${V1}/server/stdio.js`), import(ZOD)],
);

export const { McpServer } = mcp;
export const { z } = zod;

/**
 * Serves `server` on this process's stdio: v1 connects it to a StdioServerTransport; v2's
 * `serveStdio` lets the client's opening choose the era and pins the server for the connection.
 */
export async function serve(server) {
  if (SDK === "v2") stdio.serveStdio(() => server);
  else await server.connect(new stdio.StdioServerTransport());
}
