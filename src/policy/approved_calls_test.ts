import { equal } from "node:assert/strict";
import { messageEvent } from "../relay/_testing.ts";
import type { MessageEvent } from "../relay/events.ts";
import { parseText } from "../jsonrpc/message.ts";
import { ApprovedCalls } from "./approved_calls.ts";

const call = (id: number, command: string, extra = "") =>
  messageEvent(
    `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"shell","arguments":{"command":"${command}"}${extra}}}`,
  );

/** The server's answer to request `id` (a client request). */
function answer(id: number, result: unknown): MessageEvent {
  const line = JSON.stringify({ jsonrpc: "2.0", id, result });
  const message = parseText(line);
  const requestId = message.kind === "response" ? message.id! : undefined;
  return messageEvent(line, {
    direction: "server_to_client",
    correlation: {
      request: { id: requestId!, seq: 1, method: "tools/call", startedAt: 0, cancelled: false },
      latencyMs: 1,
    },
  });
}

Deno.test("ApprovedCalls: the answer to an approved request names its approval, once", () => {
  const calls = new ApprovedCalls();
  calls.approved(call(1, "ls"), "a1");
  equal(calls.answered(answer(2, {})), undefined, "another request");
  equal(calls.answered(answer(1, {})), "a1");
  equal(calls.answered(answer(1, {})), undefined, "a second answer is judged afresh");
});

Deno.test("ApprovedCalls: a server's input_required state continues the approved call, once", () => {
  const calls = new ApprovedCalls();
  calls.approved(call(1, "ls"), "a1");
  calls.answered(answer(1, { resultType: "input_required", requestState: "S1" }));
  const responses = ',"inputResponses":{"q":{"action":"accept"}}';
  equal(
    calls.continued(call(2, "ls -a", `${responses},"requestState":"S1"`)),
    undefined,
    "other args",
  );
  equal(calls.continued(call(3, "ls", `,"requestState":"S2"`)), undefined, "another state");
  equal(calls.continued(call(4, "ls", `${responses},"requestState":"S1"`)), "a1");
  equal(calls.continued(call(5, "ls", `${responses},"requestState":"S1"`)), undefined, "used");
});

Deno.test("ApprovedCalls: a request without a remembered state continues nothing", () => {
  const calls = new ApprovedCalls();
  equal(calls.continued(call(1, "ls", ',"requestState":"S1"')), undefined);
  calls.approved(call(1, "ls"), "a1");
  calls.answered(answer(1, { content: [] }));
  equal(calls.continued(call(2, "ls", ',"requestState":"S1"')), undefined);
});
