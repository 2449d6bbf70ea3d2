import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Correlator } from "../jsonrpc/correlation.ts";
import { parseText, type RequestMessage } from "../jsonrpc/message.ts";
import { messageEvent } from "../relay/_testing.ts";
import { ClosedIds, idReadings, sortAbandoned } from "./abandoned.ts";

const BIG = "12345678901234567890";
/** What a Node server makes of it: JSON.parse, then JSON.stringify. */
const ROUNDED = "12345678901234567000";

/** A session seen through correlation and ClosedIds, fed line by line. */
function session() {
  const correlator = new Correlator();
  const closed = new ClosedIds();
  let seq = 0;
  const see = (
    direction: "client_to_server" | "server_to_client",
    line: string,
    forwarded = true,
  ) => {
    const message = parseText(line);
    const s = ++seq;
    let correlation;
    if (message.kind === "request") correlator.request(direction, message, s, 0);
    if ((message.kind === "response" || message.kind === "error") && message.id) {
      correlation = correlator.response(direction, message.id, 0);
    }
    if (message.kind === "notification" && message.method === "notifications/cancelled") {
      const id = JSON.stringify((message.params as { requestId: unknown }).requestId);
      correlator.cancel(direction, id);
    }
    closed.observe(messageEvent(line, { direction, seq: s, forwarded, correlation }));
  };
  const sorted = () => sortAbandoned(correlator.pending("client_to_server"), closed);
  return { see, sorted };
}

const call = (id: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{}}`;
const answer = (id: string) => `{"jsonrpc":"2.0","id":${id},"result":{}}`;
const cancel = (id: string) =>
  `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${id}}}`;

Deno.test("idReadings: the ids a client may read an id as", () => {
  const id = (raw: string) => (parseText(call(raw)) as RequestMessage).id;
  ok(idReadings(id(BIG)).includes(ROUNDED), "a JavaScript client's double");
  ok(idReadings(id('"1"')).includes("1"), "the TypeScript SDK's Number(id)");
  ok(idReadings(id("1")).includes('"1"'), "a number answers a request that had it as a string");
  assertEquals(idReadings(id('"abc"')), ['"abc"']);
});

Deno.test("km never answers a request the client cancelled", () => {
  const s = session();
  s.see("client_to_server", call("1"));
  s.see("client_to_server", call("2"));
  s.see("client_to_server", cancel("1"));
  const { answer, skip } = s.sorted();
  assertEquals(answer.map((p) => p.id.raw), ["2"]);
  assertEquals(skip.map((x) => [x.request.id.raw, x.closed]), [["1", {
    how: "cancelled",
    seq: 3,
  }]]);
});

Deno.test("a cancellation of a big id, which correlation reads rounded, still counts", () => {
  const s = session();
  s.see("client_to_server", call(BIG));
  s.see("client_to_server", cancel(BIG)); // params are parsed: the id arrives as 1.2345…e19
  assertEquals(s.sorted().skip.map((x) => x.closed.how), ["cancelled"]);
});

Deno.test("a rewritten id the client received is an answer: km does not answer twice", () => {
  const s = session();
  s.see("client_to_server", call(BIG));
  s.see("server_to_client", answer(ROUNDED)); // matches nothing for km, forwarded
  const { answer: answered, skip } = s.sorted();
  assertEquals(answered, []);
  assertEquals(skip.map((x) => x.closed), [{ how: "answered", seq: 2 }]);
});

Deno.test("a rewritten id the policy blocked answered nothing: km answers", () => {
  const s = session();
  s.see("client_to_server", call(BIG));
  s.see("server_to_client", answer(ROUNDED), false);
  assertEquals(s.sorted().answer.map((p) => p.id.raw), [BIG]);
});

Deno.test("a stray response from before the request does not close it", () => {
  const s = session();
  s.see("server_to_client", answer("7")); // answers nothing yet
  s.see("client_to_server", call("7"));
  assertEquals(s.sorted().answer.map((p) => p.id.raw), ["7"]);
});

Deno.test("requests answered normally are not pending, and others are answered once", () => {
  const s = session();
  s.see("client_to_server", call("1"));
  s.see("client_to_server", call("2"));
  s.see("server_to_client", answer("1"));
  s.see("server_to_client", answer("1")); // a duplicate: unmatched, but request 1 is done
  const { answer: answered, skip } = s.sorted();
  assertEquals([answered.map((p) => p.id.raw), skip], [["2"], []]);
});
