/**
 * Human approval through the MCP client's own UI: `km monitor` in front of server-everything,
 * under a policy that asks for approval of some echo calls, driven by the official SDK client
 * whose elicitation handler plays the person. Checks what the client sees, what the server
 * sees, and the audit records that tie each approval to its call.
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { kmCommand, readSessionLog, SERVER_EVERYTHING } from "./helpers.ts";
import { connect, type Counted, type Elicit } from "./sdk_client.ts";

type AuditRecord = Record<string, unknown>;

const POLICY = `package kilometers

import rego.v1

ask contains {"rule": "confirm-echo", "reason": concat("", ["echo says ", input.tool.arguments.message])} if {
	input.kind == "request"
	input.tool.name == "echo"
	startswith(input.tool.arguments.message, "ask")
}

approval_timeout contains 2 if input.tool.arguments.message == "ask-short"
`;

interface Session {
  client: Counted["client"];
  /** Elicitation requests the client received. */
  asked: Record<string, unknown>[];
  /** Closes the client (km and the server exit) and returns every record of the session. */
  close(): Promise<AuditRecord[]>;
}

async function session(
  elicit: false | ((asked: Record<string, unknown>, signal: AbortSignal) => unknown),
): Promise<Session> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "km-approvals-e2e-" }));
  await Deno.mkdir(`${root}/policy`);
  await Deno.writeTextFile(`${root}/policy/policy.rego`, POLICY);
  const asked: Record<string, unknown>[] = [];
  const handler: Elicit = elicit === false ? false : (request, extra) => {
    asked.push(request.params);
    return elicit(request.params, extra.signal);
  };
  const command = kmCommand(
    "monitor",
    "--quiet",
    "--close-stdin-wait",
    "200ms",
    "--policy",
    `${root}/policy`,
    "--data-dir",
    `${root}/data`,
    "--log-dir",
    `${root}/logs`,
    "--",
    "node",
    ...SERVER_EVERYTHING,
  );
  const { client } = await connect(command, undefined, handler);
  return {
    client,
    asked,
    async close() {
      await client.close();
      const records = await readSessionLog(`${root}/logs`);
      await Deno.remove(root, { recursive: true });
      return records;
    },
  };
}

const echo = (message: string, options?: { signal?: AbortSignal }) => ({
  call: [{ name: "echo", arguments: { message } }, undefined, options] as const,
});

function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? "").join("");
}

function approvalRecords(records: AuditRecord[], event: string): AuditRecord[] {
  return records.filter((r) => r.event === event);
}

/** The request record of the echo call with this message. */
function callRecord(records: AuditRecord[], message: string): AuditRecord {
  const found = records.find((r) =>
    r.kind === "request" && r.tool === "echo" &&
    JSON.stringify(r.message).includes(JSON.stringify(message))
  );
  ok(found, `no request record for echo "${message}"`);
  return found;
}

const result = (r: AuditRecord) => r.result as Record<string, unknown>;

async function assertDenied(call: Promise<unknown>, includes: string) {
  await rejects(call, (error: Error & { code?: number }) => {
    equal(error.code, -32010, error.message);
    ok(error.message.includes(includes), error.message);
    return true;
  });
}

Deno.test("approval in the client: accept forwards the held call, and the answer never reaches the server", async () => {
  const s = await session(() => ({ action: "accept", content: { scope: "once" } }));
  try {
    const answer = await s.client.callTool(...echo("ask-1").call);
    equal(text(answer), "Echo: ask-1");
    equal(s.asked.length, 1);
    const message = String(s.asked[0].message);
    ok(message.includes('the tool "echo"') && message.includes("echo says ask-1"), message);
    // Plain calls are not held.
    equal(text(await s.client.callTool(...echo("hello").call)), "Echo: hello");
    equal(s.asked.length, 1);
  } finally {
    const records = await s.close();
    const call = callRecord(records, "ask-1");
    equal(result(call).action, "ask");
    equal(result(call).applied, "hold");
    const id = result(call).approval_id as string;
    ok(id.endsWith("-a1"), id);
    const [requested] = approvalRecords(records, "approval_requested");
    const [resolved] = approvalRecords(records, "approval_resolved");
    equal(requested.approval_id, id);
    equal(requested.request_seq, call.seq);
    deepStrictEqual(requested.channels, ["dashboard", "client"]);
    equal(resolved.approval_id, id);
    equal(resolved.outcome, "approve");
    equal(resolved.channel, "client");
    equal(resolved.applied, "forward");
    ok(String(resolved.by).includes("km-e2e"), String(resolved.by));
    const channels = resolved.channels as Record<string, string>;
    ok(channels.dashboard.includes("no dashboard is running"), channels.dashboard);
    // The client's answer to km's elicitation is recorded and consumed, never forwarded.
    const consumed = records.filter((r) =>
      (r.result as { applied?: string })?.applied === "consume"
    );
    equal(consumed.length, 1);
    equal(consumed[0].forwarded, false);
    // km's question has a record of its own, after the held call's and approval_requested.
    const own = records.filter((r) => r.origin === "km");
    deepStrictEqual(own.map((r) => [r.direction, r.kind, r.method, r.approval_id, r.cause_seq]), [
      ["server_to_client", "request", "elicitation/create", id, call.seq],
    ]);
    const order = (r: AuditRecord) => records.indexOf(r);
    ok(order(call) < order(requested) && order(requested) < order(own[0]));
    equal((own[0].message as { id: string }).id, JSON.parse(String(consumed[0].id)));
    // The server answered the call once it was released.
    ok(records.some((r) => r.kind === "response" && r.request_seq === call.seq));
  }
});

Deno.test("approval in the client: decline and cancel block the call, and the server never sees it", async () => {
  const answers = [{ action: "decline" }, { action: "cancel" }];
  const s = await session(() => answers.shift());
  try {
    await assertDenied(
      s.client.callTool(...echo("ask-declined").call),
      "approval denied in the client",
    );
    await assertDenied(s.client.callTool(...echo("ask-cancelled").call), "dismissed the request");
    equal(s.asked.length, 2);
  } finally {
    const records = await s.close();
    for (const message of ["ask-declined", "ask-cancelled"]) {
      const call = callRecord(records, message);
      equal(result(call).applied, "hold");
      // No response from the server: only km's answer, recorded as km's own.
      const answers = records.filter((r) => r.type === "message" && r.request_seq === call.seq);
      deepStrictEqual(answers.map((r) => [r.origin, r.kind, r.approval_id]), [
        ["km", "error", result(call).approval_id],
      ]);
      const resolved = approvalRecords(records, "approval_resolved")
        .find((r) => r.request_seq === call.seq)!;
      ok(records.indexOf(resolved) < records.indexOf(answers[0]));
    }
    const outcomes = approvalRecords(records, "approval_resolved").map((
      r,
    ) => [r.outcome, r.applied]);
    deepStrictEqual(outcomes, [["deny", "block"], ["deny", "block"]]);
  }
});

Deno.test("approval for the session covers the same tool and arguments, not others", async () => {
  const s = await session(() => ({ action: "accept", content: { scope: "session" } }));
  try {
    equal(text(await s.client.callTool(...echo("ask-same").call)), "Echo: ask-same");
    equal(text(await s.client.callTool(...echo("ask-same").call)), "Echo: ask-same");
    equal(s.asked.length, 1, "the second identical call is covered by the session grant");
    equal(text(await s.client.callTool(...echo("ask-other").call)), "Echo: ask-other");
    equal(s.asked.length, 2, "other arguments are asked about again");
  } finally {
    const records = await s.close();
    const calls = records.filter((r) =>
      r.kind === "request" && JSON.stringify(r.message).includes('"ask-same"')
    );
    equal(calls.length, 2);
    equal(result(calls[0]).applied, "hold");
    equal(result(calls[1]).applied, "forward");
    equal(result(calls[1]).approval_id, result(calls[0]).approval_id);
    equal(approvalRecords(records, "approval_resolved")[0].outcome, "approve_session");
  }
});

Deno.test("without elicitation and without a dashboard, an ask is denied at once, saying why", async () => {
  const s = await session(false);
  try {
    const started = performance.now();
    await assertDenied(
      s.client.callTool(...echo("ask-nobody").call),
      "the client did not declare the elicitation capability",
    );
    ok(performance.now() - started < 2000);
  } finally {
    const records = await s.close();
    const call = callRecord(records, "ask-nobody");
    equal(result(call).applied, "block");
    ok(String((result(call).reasons as string[])[0]).includes("no dashboard is running"));
    equal(approvalRecords(records, "approval_requested").length, 0);
  }
});

Deno.test("an approval nobody answers times out (the policy's 2 s) and km withdraws its question", async () => {
  let cancelled = false;
  const s = await session((_asked, signal) =>
    new Promise((resolve) =>
      signal.addEventListener("abort", () => {
        cancelled = true;
        resolve({ action: "cancel" });
      })
    )
  );
  try {
    const started = performance.now();
    await assertDenied(
      s.client.callTool(...echo("ask-short").call),
      "approval timed out after 2 s",
    );
    const waited = performance.now() - started;
    ok(waited >= 1900 && waited < 5000, `waited ${waited} ms`);
    // The SDK aborts the handler when km's notifications/cancelled arrives.
    for (let i = 0; i < 50 && !cancelled; i++) await new Promise((r) => setTimeout(r, 20));
    ok(cancelled, "km cancelled its elicitation request");
  } finally {
    const records = await s.close();
    const [resolved] = approvalRecords(records, "approval_resolved");
    equal(resolved.outcome, "timeout");
    equal(resolved.applied, "block");
    equal(approvalRecords(records, "approval_requested")[0].timeout_ms, 2000);
  }
});

Deno.test("a cancellation from the client withdraws the pending approval; nothing reaches the server", async () => {
  let release!: () => void;
  const shown = new Promise<void>((resolve) => release = resolve);
  let withdrawn = false;
  const s = await session((_asked, signal) => {
    release();
    return new Promise((resolve) =>
      signal.addEventListener("abort", () => {
        withdrawn = true;
        resolve({ action: "cancel" });
      })
    );
  });
  try {
    const abort = new AbortController();
    const call = s.client.callTool(...echo("ask-withdrawn", { signal: abort.signal }).call);
    await shown;
    abort.abort("changed my mind");
    await rejects(call);
    for (let i = 0; i < 50 && !withdrawn; i++) await new Promise((r) => setTimeout(r, 20));
    ok(withdrawn, "km cancelled its elicitation request once the call was withdrawn");
    equal(text(await s.client.callTool(...echo("after").call)), "Echo: after");
  } finally {
    const records = await s.close();
    const call = callRecord(records, "ask-withdrawn");
    const cancels = records.filter((r) => r.method === "notifications/cancelled");
    const cancel = cancels.find((r) => r.direction === "client_to_server");
    ok(cancel, "the client's cancellation is recorded");
    equal(cancel.forwarded, false);
    equal(result(cancel).approval_id, result(call).approval_id);
    // km took its own question back, and recorded that too.
    const own = cancels.find((r) => r.origin === "km");
    ok(own, "km's cancellation of its elicitation is recorded");
    deepStrictEqual([own.direction, own.approval_id, own.cause_seq], [
      "server_to_client",
      result(call).approval_id,
      call.seq,
    ]);
    const [resolved] = approvalRecords(records, "approval_resolved");
    equal(resolved.outcome, "withdrawn");
    equal(resolved.applied, "none");
    ok(!records.some((r) => r.kind === "response" && r.request_seq === call.seq));
  }
});

Deno.test("many held calls wait while other calls keep completing, then all are released", async () => {
  const HELD = 20;
  const OTHERS = 50;
  const waiting: (() => void)[] = [];
  const s = await session(() =>
    new Promise((resolve) => waiting.push(() => resolve({ action: "accept", content: {} })))
  );
  try {
    const held = Array.from(
      { length: HELD },
      (_, i) => s.client.callTool(...echo(`ask-${i}`).call),
    );
    while (waiting.length < HELD) await new Promise((r) => setTimeout(r, 10));
    const started = performance.now();
    const others = await Promise.all(
      Array.from({ length: OTHERS }, (_, i) => s.client.callTool(...echo(`plain-${i}`).call)),
    );
    const othersMs = performance.now() - started;
    deepStrictEqual(others.map(text), Array.from({ length: OTHERS }, (_, i) => `Echo: plain-${i}`));
    ok(othersMs < 5000, `other calls took ${othersMs} ms while ${HELD} were held`);
    for (const approve of waiting) approve();
    deepStrictEqual(
      (await Promise.all(held)).map(text),
      Array.from({ length: HELD }, (_, i) => `Echo: ask-${i}`),
    );
  } finally {
    const records = await s.close();
    equal(approvalRecords(records, "approval_resolved").length, HELD);
    ok(approvalRecords(records, "approval_resolved").every((r) => r.outcome === "approve"));
  }
});

Deno.test("a client that disconnects with an approval pending ends it as closed", async () => {
  let shown!: () => void;
  const asked = new Promise<void>((resolve) => shown = resolve);
  const s = await session(() => {
    shown();
    return new Promise(() => {}); // the person never answers
  });
  const call = s.client.callTool(...echo("ask-abandoned").call);
  call.catch(() => {}); // the client closes under it
  await asked;
  const records = await s.close();
  const [resolved] = approvalRecords(records, "approval_resolved");
  equal(resolved.outcome, "closed");
  equal(resolved.applied, "block");
  ok(String(resolved.reason).startsWith("the client"), String(resolved.reason));
});
