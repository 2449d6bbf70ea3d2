import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { Correlator } from "../jsonrpc/correlation.ts";
import { parseText, type RequestMessage } from "../jsonrpc/message.ts";
import type { ByteSink } from "../relay/sink.ts";
import { SessionStats } from "./session_stats.ts";
import { ClosedIds } from "./abandoned.ts";
import { bufferDiagnostics, fakeClock, memoryLog } from "./_testing.ts";
import { endSession, EXIT_AUDIT_INCOMPLETE } from "./exit.ts";
import type { ExitStatus } from "./upstream.ts";

function clientSink(): ByteSink & { text: string } {
  const sink = {
    text: "",
    broken: false,
    write(bytes: Uint8Array) {
      sink.text += new TextDecoder().decode(bytes);
      return Promise.resolve();
    },
    close() {
      sink.broken = true;
      return Promise.resolve();
    },
  };
  return sink;
}

async function end(status: ExitStatus, options: { full?: boolean; pending?: boolean } = {}) {
  const clock = fakeClock();
  const t = await memoryLog({ full: options.full, clock });
  const correlator = new Correlator();
  if (options.pending) {
    correlator.request(
      "client_to_server",
      parseText(
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow"}}',
      ) as RequestMessage,
      t.log.nextSeq(),
      clock.now(),
    );
  }
  const toClient = clientSink();
  const calls: string[] = [];
  const { diagnostics, text } = bufferDiagnostics();
  const code = await endSession(status, {
    upstream: { signal: (s) => (calls.push(s), false) },
    shutdown: { finished: () => calls.push("finished") },
    approvals: { close: (reason) => calls.push(`approvals: ${reason}`) },
    stopReloading: () => (calls.push("reload stopped"), Promise.resolve()),
    drained: Promise.resolve(),
    correlator,
    closedIds: new ClosedIds(),
    toClient,
    clock,
    log: t.log,
    kmMessage: (event) => t.log.kmMessage(event),
    signals: { route: () => calls.push("signals off") },
    t0: 0,
    stats: new SessionStats(),
    sessionId: "s1",
    serverName: "srv",
    loaded: undefined,
    mode: "enforce",
    quiet: false,
    diagnostics,
  });
  return { code, t, calls, toClient, text };
}

Deno.test("endSession: a clean exit ends with server_exit, shutdown, the summary and its code", async () => {
  const { code, t, calls, text } = await end({ code: 0, signal: null });
  equal(code, 0);
  assertEquals(calls, [
    "finished",
    "approvals: the server exited with code 0",
    "SIGKILL",
    "reload stopped",
    "signals off",
  ]);
  const records = t.records();
  assertEquals(records.map((r) => r.event), ["server_exit", "shutdown"]);
  assertEquals([records[0].exit_code, records[0].signal], [0, null]);
  assertEquals(records[1].messages, { client_to_server: 0, server_to_client: 0 });
  equal(records[1].reason, "exited with code 0");
  ok(text().includes("srv"), text());
});

Deno.test("endSession: a request the server left unanswered is answered with an error and recorded", async () => {
  const { code, t, toClient } = await end({ code: 137, signal: "SIGKILL" }, { pending: true });
  equal(code, 137);
  const answer = JSON.parse(toClient.text);
  assertEquals([answer.id, answer.error.message], [
    7,
    "MCP server was killed by SIGKILL (exit code 137) before answering",
  ]);
  const records = t.records();
  assertEquals(records.map((r) => r.event ?? r.type), [
    "server_exit",
    "message",
    "pending_abandoned",
    "shutdown",
  ]);
  assertEquals(records.map((r) => r.seq), [2, 3, 4, 5]);
  equal(records[1].origin, "km");
  equal(records[2].answered_with_error, true);
  assertEquals(records[2].requests, [
    { id: "7", method: "tools/call", tool: "slow", request_seq: 1 },
  ]);
});

Deno.test("endSession: a clean exit with records lost exits EXIT_AUDIT_INCOMPLETE (74)", async () => {
  const { code, text } = await end({ code: 0, signal: null }, { full: true });
  equal(EXIT_AUDIT_INCOMPLETE, 74);
  equal(code, 74);
  ok(text().includes('audit records could not be written to "/mem/session.jsonl"'), text());
});

Deno.test("endSession: a failed exit keeps its own code even with records lost", async () => {
  const { code } = await end({ code: 3, signal: null }, { full: true });
  equal(code, 3);
});
