/**
 * An MCP test client on the official TypeScript SDK v2 (@modelcontextprotocol/client, pinned by
 * package-lock.json here), for km's end-to-end tests: it drives a server (or km in front of one)
 * the way a real TypeScript host would, with the SDK's own StdioClientTransport, version
 * negotiation and multi-round-trip driver, so a test sees how that SDK really reads what km says.
 * Its command line and output are those of tests/peers/python/client.py. Plain ESM for Node.
 *
 * The server command goes after `--`; it inherits this process's whole environment (the tests pass
 * KM_TEST_EXEC_LOG that way) and its stderr. `--mode auto` (the default here; the SDK's own default
 * is legacy) sets `versionNegotiation: {mode: "auto"}`: `server/discover` first, 2026-07-28 when
 * the server speaks it, else `initialize`; `--mode legacy` runs `initialize` only. The SDK probes a
 * stdio server on a short-lived sibling process spawned from the same command (so a server, or km,
 * is started twice in auto mode); `--probe in-place` probes on the session's own process instead
 * (the SDK does that for any subclass of its transport). The tools in --calls (a JSON array of
 * {"tool", "arguments"}) are called in order. One JSON line per event goes to stdout:
 *
 *   {"protocol": "<negotiated version>"}                    once connected
 *   {"elicitation": "<message>", "at_ms": <ms since start>} per question asked
 *   {"tool", "ok", "text", "started_ms"}                    per call that returned a result (ok: !isError)
 *   {"tool", "ok": false, "error", "started_ms"}            per call that failed (an error)
 *
 * Questions are a server's `elicitation/create` request (handshake era) or the input requests of
 * an `input_required` result (2026-07-28), which the SDK's multi-round-trip driver (inputRequired
 * autoFulfill, on by default) passes to the same `elicitation/create` handler before retrying the
 * call. They are answered per --answer: accept ({"scope": "once"}), accept-session
 * ({"scope": "session"}), decline, cancel, or wait (never answers). --no-elicitation declares no
 * elicitation capability.
 *
 *   node tests/peers/ts_client_v2.mjs --answer accept \
 *       --calls '[{"tool": "echo", "arguments": {"text": "hi"}}]' -- server
 */
import { parseArgs } from "node:util";

// The SDK is a dependency of tests/peers/package.json, not of deno.json: its specifiers are not
// literals because `deno check tests/` would try, and fail, to resolve literal ones through
// deno.json. Node resolves them as usual, from tests/peers/node_modules.
const SDK = "@modelcontextprotocol/client";
const { Client } = await import(SDK);
const { StdioClientTransport } = await import(`${SDK}/stdio`);

const STARTED = performance.now();
const elapsedMs = () => Math.round((performance.now() - STARTED) * 10) / 10;
const emit = (entry) => process.stdout.write(JSON.stringify(entry) + "\n");

function fail(message) {
  process.stderr.write(`ts_client_v2: ${message}\n`);
  process.exit(2);
}

/** The SDK probes in place on any subclass of its stdio transport, on a sibling process otherwise. */
class InPlaceProbeStdioClientTransport extends StdioClientTransport {}

function parseCommandLine(argv) {
  const split = argv.indexOf("--");
  if (split < 0 || split === argv.length - 1) {
    fail("the server command goes after --");
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.slice(0, split),
      options: {
        answer: { type: "string", default: "accept" },
        calls: { type: "string" },
        mode: { type: "string", default: "auto" },
        probe: { type: "string", default: "sibling" },
        "no-elicitation": { type: "boolean", default: false },
        "list-tools": { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    fail(error.message);
  }
  const answers = ["accept", "accept-session", "decline", "cancel", "wait"];
  if (!answers.includes(values.answer)) {
    fail(`--answer must be one of ${answers.join(", ")}`);
  }
  if (!["auto", "legacy"].includes(values.mode)) {
    fail("--mode must be auto or legacy");
  }
  if (!["sibling", "in-place"].includes(values.probe)) {
    fail("--probe must be sibling or in-place");
  }
  if (values.calls === undefined) fail("--calls is required");
  let calls;
  try {
    calls = JSON.parse(values.calls);
  } catch (error) {
    fail(`--calls is not JSON: ${error.message}`);
  }
  if (
    !Array.isArray(calls) || !calls.every((c) => typeof c?.tool === "string")
  ) {
    fail('--calls must be a JSON array of {"tool", "arguments"}');
  }
  return { ...values, calls, command: argv.slice(split + 1) };
}

const args = parseCommandLine(process.argv.slice(2));
const elicitation = !args["no-elicitation"];

const client = new Client({ name: "km-test-ts-client", version: "1" }, {
  capabilities: elicitation ? { elicitation: { form: {} } } : {},
  versionNegotiation: { mode: args.mode },
});
if (elicitation) {
  client.setRequestHandler("elicitation/create", (request) => {
    emit({ elicitation: request.params.message ?? "", at_ms: elapsedMs() });
    switch (args.answer) {
      case "wait":
        return new Promise(() => {});
      case "decline":
      case "cancel":
        return { action: args.answer };
      default:
        return {
          action: "accept",
          content: {
            scope: args.answer === "accept-session" ? "session" : "once",
          },
        };
    }
  });
}

// Without `env` the SDK passes a server only a few "safe" variables; the tests need theirs.
const Transport = args.probe === "in-place"
  ? InPlaceProbeStdioClientTransport
  : StdioClientTransport;
const transport = new Transport({
  command: args.command[0],
  args: args.command.slice(1),
  env: { ...process.env },
  stderr: "inherit",
});
try {
  await client.connect(transport);
} catch (error) {
  fail(`connecting to ${args.command.join(" ")}: ${error?.message ?? error}`);
}
emit({ protocol: client.getNegotiatedProtocolVersion() ?? null });
if (args["list-tools"]) {
  try {
    const listed = await client.listTools();
    emit({ tools: listed.tools.map((t) => t.name).sort() });
  } catch (error) {
    fail(`tools/list: ${error?.message ?? error}`);
  }
}

for (const call of args.calls) {
  const started = elapsedMs();
  try {
    const result = await client.callTool({
      name: call.tool,
      arguments: call.arguments ?? {},
    });
    const text = (result.content ?? []).map((c) => c.type === "text" ? c.text : "").join("");
    emit({ tool: call.tool, ok: !result.isError, text, started_ms: started });
  } catch (error) {
    emit({
      tool: call.tool,
      ok: false,
      error: String(error?.message ?? error),
      started_ms: started,
    });
  }
}
await client.close();
