/** The client channel in MCP 2026-07-28 sessions: the question in an input_required answer. */
import { deepStrictEqual as assertEquals, equal, match, ok } from "node:assert/strict";
import { messageEvent } from "../relay/_testing.ts";
import { askRequest, pendingOf, RecordingReply } from "./_testing.ts";
import type { ChannelHandle } from "./broker.ts";
import { ClientChannel, type ClientFacts } from "./client_channel.ts";

const dec = new TextDecoder();
const MODERN: ClientFacts = {
  capabilities: { elicitation: { form: {} } },
  protocolVersion: "2026-07-28",
  name: "py 2.3",
};
const CALL =
  '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"rm","arguments":{"path":"/"},"_meta":{"k":1}}}';

function setup(facts: ClientFacts = MODERN) {
  const clock = { ms: 1_700_000_000_000 };
  const sent: unknown[] = [];
  const channel = new ClientChannel({
    server: "files",
    facts: () => facts,
    send: (bytes) => sent.push(dec.decode(bytes)),
    serverIdInUse: () => false,
    nonce: "n0nce",
    session: "s",
    epochMs: () => clock.ms,
    stateKey: new Uint8Array(32).fill(3),
  });
  return { channel, sent, clock };
}

const held = (text = CALL) => pendingOf(askRequest({ wire: { idText: "7", text } }));

function question(handle: ChannelHandle | string) {
  ok(typeof handle !== "string", `the channel refused: ${handle}`);
  ok(handle.answerNow, "an answer to send now");
  const line = dec.decode(handle.answerNow);
  ok(line.endsWith("}\n"));
  return JSON.parse(line) as {
    id: number;
    result: {
      resultType: string;
      requestState: string;
      inputRequests: Record<string, { method: string; params: { message: string } }>;
    };
  };
}

/** The client's retry of CALL with `extra` params members (as JSON text, spliced in). */
function retry(state: string, answer: unknown, id = 8, args = '{"path":"/"}') {
  const responses = answer === undefined
    ? ""
    : `,"inputResponses":{"km_approval":${JSON.stringify(answer)}}`;
  return messageEvent(
    `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"rm","arguments":${args},"_meta":{"k":1}${responses},"requestState":${
      JSON.stringify(state)
    }}}`,
  );
}

Deno.test("ClientChannel (2026-07-28) asks in an input_required answer, sending no request", async () => {
  const { channel, sent } = setup();
  const reply = new RecordingReply();
  const q = question(channel.open(held(), reply));
  equal(sent.length, 0, "a server may not send the client requests in this protocol");
  equal(q.id, 7);
  equal(q.result.resultType, "input_required");
  const asked = q.result.inputRequests.km_approval;
  equal(asked.method, "elicitation/create");
  match(asked.params.message, /the tool "rm" of the server "files"/);
  match(asked.params.message, /Arguments: \{"path":"\/"\}/);
  match(q.result.requestState, /^km1\./);
  await Promise.resolve();
  assertEquals(reply.notes, ["asked (input_required answer to the request)"]);
});

Deno.test("ClientChannel (2026-07-28) takes the answer from the retry and sends the retry less its members", () => {
  const { channel } = setup();
  const reply = new RecordingReply();
  const state = question(channel.open(held(), reply)).result.requestState;
  const result = channel.retried(retry(state, { action: "accept", content: { scope: "session" } }));
  ok(result && !("error" in result), JSON.stringify(result));
  equal(result.approvalId, "s-a1");
  equal(
    dec.decode(result.forward),
    '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"rm","arguments":{"path":"/"},"_meta":{"k":1}}}\n',
  );
  assertEquals(reply.answers, [[
    "approve_session",
    "the user in py 2.3 (accepted for the session)",
  ]]);
});

Deno.test("ClientChannel (2026-07-28) refuses retries that are not the request asked about", () => {
  const { channel, clock } = setup();
  const state = question(channel.open(held(), new RecordingReply())).result.requestState;
  const accept = { action: "accept" };
  const error = (event: ReturnType<typeof retry>) => {
    const result = channel.retried(event);
    ok(result && "error" in result, JSON.stringify(result));
    return result.error;
  };
  match(error(retry(state, accept, 8, '{"path":"/etc"}')), /not the request approval s-a1/);
  match(error(retry(state, accept, 8, '{"path":"/" }')), /not the request/, "every byte counts");
  match(
    error(retry(state.slice(0, -1) + (state.endsWith("x") ? "y" : "x"), accept)),
    /not issued by this km session/,
  );
  clock.ms += 31_000;
  match(error(retry(state, accept)), /expired/);
  clock.ms -= 31_000;
  ok(!("error" in channel.retried(retry(state, accept))!));
  match(error(retry(state, accept, 9)), /already used/);
});

Deno.test("ClientChannel (2026-07-28) leaves other requests, and a server's own requestState, alone", () => {
  const { channel } = setup();
  equal(channel.retried(messageEvent(CALL)), undefined);
  equal(channel.retried(retry("server-state", { action: "accept" })), undefined);
});

Deno.test("ClientChannel (2026-07-28) says why it cannot ask", () => {
  const { channel } = setup({ ...MODERN, capabilities: {} });
  equal(
    channel.open(held(), new RecordingReply()),
    "the client did not declare the elicitation capability",
  );
  const other = setup().channel;
  match(
    String(
      other.open(
        pendingOf(askRequest({ method: "resources/list", wire: { idText: "7", text: CALL } })),
        new RecordingReply(),
      ),
    ),
    /a resources\/list request cannot be answered with a question/,
  );
  match(
    String(
      other.open(pendingOf(askRequest({ direction: "server_to_client" })), new RecordingReply()),
    ),
    /only about the client's own requests/,
  );
});

Deno.test("ClientChannel (2026-07-28) a declined or malformed answer ends the approval accordingly", () => {
  const { channel } = setup();
  const declined = new RecordingReply();
  const s1 = question(channel.open(held(), declined)).result.requestState;
  ok(!("error" in channel.retried(retry(s1, { action: "decline" }))!));
  assertEquals(declined.answers.map(([a]) => a), ["deny"]);
  const odd = new RecordingReply();
  const s2 = question(
    channel.open(pendingOf(askRequest({ wire: { idText: "7", text: CALL } }), "s-a2"), odd),
  )
    .result.requestState;
  ok(!("error" in channel.retried(retry(s2, { action: "maybe" }))!));
  match(odd.failures[0], /expected accept, decline or cancel/);
});
