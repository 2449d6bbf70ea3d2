import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import type { Direction } from "../jsonrpc/correlation.ts";
import { messageEvent } from "../relay/_testing.ts";
import type { ChannelHandle } from "./broker.ts";
import { ClientChannel, type ClientFacts } from "./client_channel.ts";
import { askRequest, pendingOf, RecordingReply, resolution } from "./_testing.ts";

const dec = new TextDecoder();

const ELICITING: ClientFacts = {
  capabilities: { elicitation: {} },
  protocolVersion: "2025-06-18",
  name: "Claude 1.0",
};

const clock = { ms: 1_000 };

function setup(facts: ClientFacts = ELICITING, serverIds: string[] = []) {
  const sent: Record<string, unknown>[] = [];
  const channel = new ClientChannel({
    server: "files",
    facts: () => facts,
    send: (bytes) => {
      const text = dec.decode(bytes);
      ok(text.endsWith("\n") && !text.slice(0, -1).includes("\n"), "one line per message");
      sent.push(JSON.parse(text));
    },
    serverIdInUse: (key) => serverIds.includes(key),
    nonce: "n0nce",
    session: "s1",
    epochMs: () => clock.ms,
    stateKey: new Uint8Array(32).fill(1),
  });
  return { channel, sent };
}

function opened(handle: ChannelHandle | string): ChannelHandle {
  ok(typeof handle !== "string", `the channel refused: ${handle}`);
  return handle;
}

/** The client's answer to km's request `id`, as the relay reports it. */
function answer(
  id: unknown,
  body: Record<string, unknown>,
  direction: Direction = "client_to_server",
) {
  return messageEvent(JSON.stringify({ jsonrpc: "2.0", id, ...body }), { direction });
}

Deno.test("ClientChannel asks with one elicitation/create request under its own id", async () => {
  const { channel, sent } = setup();
  const reply = new RecordingReply();
  opened(channel.open(pendingOf(), reply));
  opened(channel.open(pendingOf(askRequest(), "s-a2"), new RecordingReply()));
  equal(sent.length, 2);
  equal(sent[0].jsonrpc, "2.0");
  equal(sent[0].id, "km-approval-n0nce-1");
  equal(sent[0].method, "elicitation/create");
  const params = sent[0].params as { message: string; requestedSchema: unknown };
  ok(params.message.includes('the tool "rm" of the server "files"'), params.message);
  ok(params.message.includes('Arguments: {"path":"/"}'), params.message);
  equal(sent[1].id, "km-approval-n0nce-2");
  await Promise.resolve();
  assertEquals(reply.notes, ['asked (elicitation/create "km-approval-n0nce-1")']);
});

Deno.test("ClientChannel skips an id the server has pending towards the client", () => {
  const { channel, sent } = setup(ELICITING, ['"km-approval-n0nce-1"', '"km-approval-n0nce-2"']);
  opened(channel.open(pendingOf(), new RecordingReply()));
  equal(sent[0].id, "km-approval-n0nce-3");
});

Deno.test("ClientChannel refuses, sending nothing, when the client cannot take an elicitation", () => {
  const { channel, sent } = setup({ capabilities: {}, protocolVersion: "2025-06-18" });
  equal(
    channel.open(pendingOf(), new RecordingReply()),
    "the client did not declare the elicitation capability",
  );
  const old = setup({ capabilities: { elicitation: {} }, protocolVersion: "2025-03-26" });
  ok((old.channel.open(pendingOf(), new RecordingReply()) as string).includes("2025-03-26"));
  equal(sent.length + old.sent.length, 0);
});

Deno.test("ClientChannel consumes the client's answer and passes it on", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ action: "accept" }, "approve", "the user in Claude 1.0 (accepted)"],
    [
      { action: "accept", content: { scope: "session" } },
      "approve_session",
      "the user in Claude 1.0 (accepted for the session)",
    ],
    [{ action: "decline" }, "deny", "the user in Claude 1.0 (declined)"],
  ];
  for (const [result, want, by] of cases) {
    const { channel } = setup();
    const reply = new RecordingReply();
    opened(channel.open(pendingOf(), reply));
    equal(
      channel.consume(answer("km-approval-n0nce-1", { result })),
      "answer to km's approval request for s-a1",
    );
    assertEquals(reply.answers, [[want, by]]);
    equal(reply.failures.length, 0);
  }
});

Deno.test("ClientChannel names the MCP client when the client gave no name", () => {
  const { channel } = setup({ ...ELICITING, name: undefined });
  const reply = new RecordingReply();
  opened(channel.open(pendingOf(), reply));
  channel.consume(answer("km-approval-n0nce-1", { result: { action: "accept" } }));
  assertEquals(reply.answers, [["approve", "the user in the MCP client (accepted)"]]);
});

Deno.test("ClientChannel fails the approval on an error response or a malformed result", () => {
  const { channel } = setup();
  const reply = new RecordingReply();
  opened(channel.open(pendingOf(), reply));
  opened(channel.open(pendingOf(askRequest(), "s-a2"), reply));
  const error = { error: { code: -32601, message: "Method not found" } };
  equal(
    channel.consume(answer("km-approval-n0nce-1", error)),
    "answer to km's approval request for s-a1",
  );
  equal(
    channel.consume(answer("km-approval-n0nce-2", { result: { action: "later" } })),
    "answer to km's approval request for s-a2",
  );
  assertEquals(reply.failures, [
    "the client answered with error -32601: Method not found",
    'the client\'s elicitation result has action "later", expected accept, decline or cancel',
  ]);
  equal(reply.answers.length, 0);
});

Deno.test("ClientChannel leaves messages that are not answers to its requests alone", () => {
  const { channel } = setup();
  const reply = new RecordingReply();
  opened(channel.open(pendingOf(), reply));
  const result = { result: { action: "accept" } };
  equal(channel.consume(answer("km-approval-n0nce-2", result)), undefined);
  equal(channel.consume(answer(1, result)), undefined);
  equal(channel.consume(answer("km-approval-n0nce-1", result, "server_to_client")), undefined);
  const request = messageEvent(
    '{"jsonrpc":"2.0","id":"km-approval-n0nce-1","method":"ping"}',
  );
  equal(channel.consume(request), undefined);
  equal(reply.answers.length, 0);
  // Still waiting: the real answer is taken.
  ok(channel.consume(answer("km-approval-n0nce-1", result)));
});

Deno.test("ClientChannel still consumes an answer that comes after the approval ended", () => {
  const { channel } = setup();
  const reply = new RecordingReply();
  const handle = opened(channel.open(pendingOf(), reply));
  handle.end(pendingOf(), resolution({ outcome: "timeout", channel: "km" }));
  equal(
    channel.consume(answer("km-approval-n0nce-1", { result: { action: "accept" } })),
    `late answer to km's approval request "km-approval-n0nce-1"`,
  );
  equal(reply.answers.length, 0);
});

Deno.test("ClientChannel cancels its request when the approval ended elsewhere", () => {
  const { channel, sent } = setup();
  const handle = opened(channel.open(pendingOf(), new RecordingReply()));
  handle.end(pendingOf(), resolution({ outcome: "approve", channel: "dashboard" }));
  handle.end(pendingOf(), resolution({ outcome: "approve", channel: "dashboard" }));
  equal(sent.length, 2, "cancelled once");
  assertEquals(sent[1], {
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: "km-approval-n0nce-1", reason: "approval ended: approve" },
  });
});

Deno.test("ClientChannel cancels nothing when the client answered itself", () => {
  const { channel, sent } = setup();
  const handle = opened(channel.open(pendingOf(), new RecordingReply()));
  channel.consume(answer("km-approval-n0nce-1", { result: { action: "decline" } }));
  handle.end(pendingOf(), resolution({ outcome: "deny", channel: "client" }));
  equal(sent.length, 1);
  // Even had the answer not been consumed here, an approval the client ended is not cancelled.
  const other = setup();
  opened(other.channel.open(pendingOf(), new RecordingReply()))
    .end(pendingOf(), resolution({ outcome: "deny", channel: "client" }));
  equal(other.sent.length, 1);
});

Deno.test("ClientChannel fails what it asked when the client is gone, and refuses after", () => {
  const { channel, sent } = setup();
  const first = new RecordingReply();
  const second = new RecordingReply();
  const handle = opened(channel.open(pendingOf(), first));
  opened(channel.open(pendingOf(askRequest(), "s-a2"), second));
  channel.gone("the client disconnected");
  assertEquals(first.failures, ["the client disconnected"]);
  assertEquals(second.failures, ["the client disconnected"]);
  handle.end(pendingOf(), resolution({ outcome: "unavailable", channel: "km" }));
  equal(sent.length, 2, "nothing is sent to a client that is gone");
  equal(
    channel.open(pendingOf(askRequest(), "s-a3"), new RecordingReply()),
    "the client disconnected",
  );
});
