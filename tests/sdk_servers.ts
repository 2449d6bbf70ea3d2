/**
 * Real MCP servers on the official SDKs, for end-to-end tests that try to get a denied call past
 * km and then check that it never executed. `scripts/setup.ts` installs them
 * (`scripts/install_sdk_peers.ts`; the TypeScript one comes with `npm ci` in tests/peers).
 *
 * Every server offers the same three tools, none of which does anything real:
 *   shell {command}  -> text `ran: <command>`
 *   echo {text}      -> text `<text>`
 *   read_file {path} -> text `read: <path>`
 * and, for each call it executes, appends one line {sdk, version, tool, arguments} to the file
 * named by KM_TEST_EXEC_LOG before answering. `arguments` holds the values the tool handler got,
 * after the SDK parsed and validated the request, i.e. what would really have run.
 *
 * Usage:
 *
 *   for (const server of SDK_SERVERS) {
 *     Deno.test(`${server.name}: ...`, async () => {
 *       const session = await execLogSession();
 *       const km = monitor(session.logDir, server.command, ["--policy", p], { env: session.env });
 *       await handshake(km);
 *       await km.write('{"jsonrpc":"2.0","id":1,"method":"tools/call",...}\n');
 *       await response(km, 1);
 *       await km.closeStdin();
 *       await km.exit();              // the server has exited: every line it wrote is in the file
 *       equal((await session.read()).length, 0);
 *       await session.cleanup();
 *     });
 *   }
 *
 * With `--scrub-env`, km passes the server only a minimal environment: add `session.kmFlags`
 * (`--env KM_TEST_EXEC_LOG=...`) to km's flags instead of relying on `session.env`. A missing exec
 * log reads as no calls, so pair every "never executed" check with a call that must execute.
 *
 * How they read stdin differs, which is the point of having all four (measured against these
 * pinned versions): the Python SDKs split lines on a bare \r as well as \n; the Go SDK reads a
 * stream of JSON values, so a bare \r separates messages and one message may span lines, and any
 * framing error ends its session (the process exits). Python results carry `isError: false`.
 */
import { type KmProcess, ROOT, wait } from "./helpers.ts";

export type SdkServerName = "python-mcp2" | "python-mcp1" | "go-sdk" | "ts-sdk";

/** One test server. */
export interface SdkServer {
  /** Also the `sdk` of its exec-log lines. */
  name: SdkServerName;
  /** The SDK's version the server runs on, as its exec-log lines give it. */
  version: string;
  /** The command line that starts it (stdio). */
  command: string[];
}

const PYTHON_SERVER = `${ROOT}tests/peers/python/server.py`;

/** The four servers: Python mcp 2.x and 1.x, Go go-sdk, TypeScript @modelcontextprotocol/sdk. */
export const SDK_SERVERS: readonly SdkServer[] = [
  {
    name: "python-mcp2",
    version: "2.3.0",
    command: [`${ROOT}.tools/py-mcp2/bin/python`, PYTHON_SERVER],
  },
  {
    name: "python-mcp1",
    version: "1.30.0",
    command: [`${ROOT}.tools/py-mcp1/bin/python`, PYTHON_SERVER],
  },
  { name: "go-sdk", version: "v1.8.0", command: [`${ROOT}.tools/bin/km-test-go-server`] },
  { name: "ts-sdk", version: "1.32.2", command: ["node", `${ROOT}tests/peers/ts_server.mjs`] },
];

/** One executed tool call, as a server recorded it. */
export interface ExecEntry {
  sdk: SdkServerName;
  version: string;
  tool: "shell" | "echo" | "read_file";
  arguments: Record<string, string>;
}

/** Every call recorded in the exec log at `path` (entries of shape `T`); none when there is no file. */
export async function readExecLog<T = ExecEntry>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/** A temporary directory holding one test's exec log and km's session log directory. */
export interface ExecLogSession {
  /** The temporary directory; `cleanup` removes it. */
  dir: string;
  /** For km's `--log-dir`. */
  logDir: string;
  /** The exec log's path (not created until a server executes a call). */
  execLog: string;
  /** `{KM_TEST_EXEC_LOG: execLog}`: km's environment, which km passes on to the server. */
  env: Record<string, string>;
  /** `["--env", "KM_TEST_EXEC_LOG=<execLog>"]`: the same as km flags, which survive --scrub-env. */
  kmFlags: string[];
  /** `readExecLog(execLog)`. */
  read(): Promise<ExecEntry[]>;
  cleanup(): Promise<void>;
}

export async function execLogSession(): Promise<ExecLogSession> {
  const dir = await Deno.makeTempDir({ prefix: "km-sdk-server-" });
  const execLog = `${dir}/exec.jsonl`;
  return {
    dir,
    logDir: `${dir}/logs`,
    execLog,
    env: { KM_TEST_EXEC_LOG: execLog },
    kmFlags: ["--env", `KM_TEST_EXEC_LOG=${execLog}`],
    read: () => readExecLog(execLog),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * Waits (polling km's stdout) for the response, result or error, whose `id` is `id`, the same
 * value and JSON type (1 and "1" differ), and returns it.
 */
export async function response(
  km: KmProcess,
  id: number | string,
  ms = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = km.messages().find((m) => m.id === id && ("result" in m || "error" in m));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no response with id ${JSON.stringify(id)} in stdout:\n${km.stdout}\nstderr:\n${km.stderr}`,
      );
    }
    await wait(10);
  }
}

/**
 * initialize (id 0) and notifications/initialized. `protocolVersion` decides some SDK behaviour:
 * the Go SDK, for one, refuses JSON-RPC batches from 2025-06-18 on but accepts them before.
 */
export async function handshake(
  km: KmProcess,
  protocolVersion = "2025-06-18",
): Promise<Record<string, unknown>> {
  await km.write(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion, capabilities: {}, clientInfo: { name: "km-test", version: "1" } },
    }) + "\n",
  );
  const answer = await response(km, 0);
  await km.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  return answer;
}
