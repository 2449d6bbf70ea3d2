import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import type { DecisionSummary } from "../decision_summary.ts";
import type {
  Gate,
  KmMessageEvent,
  MessageEvent,
  OversizedEvent,
  Release,
  Side,
} from "./events.ts";
import type { RequestMessage } from "../jsonrpc/message.ts";
import { parseLine } from "../jsonrpc/parse_line.ts";
import { Relay } from "./relay.ts";
import type { ByteSink } from "./sink.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function memorySink(): ByteSink & { text(): string; writes: number } {
  const chunks: Uint8Array[] = [];
  let broken = false;
  return {
    writes: 0,
    get broken() {
      return broken;
    },
    write(bytes) {
      if (!broken) {
        chunks.push(bytes.slice());
        this.writes++;
      }
      return Promise.resolve();
    },
    close() {
      broken = true;
      return Promise.resolve();
    },
    text: () => chunks.map((c) => dec.decode(c)).join(""),
  };
}

function source(...chunks: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((c) => enc.encode(c)));
}

function setup(maxMessageBytes = 1024, gate?: Gate) {
  const messages: MessageEvent[] = [];
  const oversized: OversizedEvent[] = [];
  const own: KmMessageEvent[] = [];
  const ended: Side[] = [];
  let seq = 0;
  let t = 0;
  const relay = new Relay({
    maxMessageBytes,
    clock: { now: () => (t += 1), epochMs: () => 1_700_000_000_000 },
    nextSeq: () => ++seq,
    gate,
    observer: {
      message: (e) => void messages.push(e),
      oversized: (e) => void oversized.push(e),
      kmMessage: (e) => void own.push(e),
      ended: (side) => void ended.push(side),
    },
  });
  return { relay, messages, oversized, own, ended };
}

Deno.test("Relay forwards client lines byte for byte, CRLF and odd spacing included", async () => {
  const { relay, messages, ended } = setup();
  const toServer = memorySink();
  const toClient = memorySink();
  const input =
    '{ "jsonrpc" : "2.0", "id" : 0, "method":"ping" }\r\n{"jsonrpc":"2.0","method":"x"}\n';
  await relay.pump("client", source(input), toServer, toClient);
  equal(toServer.text(), input);
  equal(toClient.text(), "");
  assertEquals(messages.map((m) => m.message.kind), ["request", "notification"]);
  assertEquals(ended, ["client"]);
});

Deno.test("Relay writes all lines completed by one chunk in a single write", async () => {
  const { relay } = setup();
  const toServer = memorySink();
  const lines = Array.from(
    { length: 50 },
    (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`,
  );
  await relay.pump("client", source(lines.join("")), toServer, memorySink());
  equal(toServer.writes, 1);
  equal(toServer.text(), lines.join(""));
});

Deno.test("Relay correlates a server response with the client's request, latency and tool", async () => {
  const { relay, messages } = setup();
  await relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}}\n'),
    memorySink(),
    memorySink(),
  );
  await relay.pump(
    "server",
    source('{"jsonrpc":"2.0","id":7,"result":{}}\n'),
    memorySink(),
    memorySink(),
  );
  const response = messages[1];
  equal(response.correlation?.request.method, "tools/call");
  equal(response.correlation?.request.tool, "echo");
  equal(response.correlation?.request.seq, messages[0].seq);
  ok((response.correlation?.latencyMs ?? 0) > 0);
});

Deno.test("Relay correlates every item of a batch", async () => {
  const { relay, messages } = setup();
  await relay.pump(
    "client",
    source('[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b"}]\n'),
    memorySink(),
    memorySink(),
  );
  await relay.pump(
    "server",
    source('[{"jsonrpc":"2.0","id":2,"result":1},{"jsonrpc":"2.0","id":1,"result":2}]\n'),
    memorySink(),
    memorySink(),
  );
  const items = messages[1].items ?? [];
  assertEquals(items.map((i) => i.correlation?.request.method), ["b", "a"]);
});

Deno.test("Relay forwards a final line without newline at end of stream", async () => {
  const { relay, messages } = setup();
  const toServer = memorySink();
  await relay.pump("client", source('{"jsonrpc":"2.0",', '"method":"x"}'), toServer, memorySink());
  equal(toServer.text(), '{"jsonrpc":"2.0","method":"x"}');
  equal(messages[0].terminated, false);
});

Deno.test("Relay answers an oversized request to its sender and forwards nothing", async () => {
  const { relay, oversized, messages } = setup(64);
  const toServer = memorySink();
  const toClient = memorySink();
  const big = `{"jsonrpc":"2.0","method":"tools/call","params":{"x":"${
    "a".repeat(200)
  }"},"id":3}\n`;
  await relay.pump(
    "client",
    source(big, '{"jsonrpc":"2.0","method":"after"}\n'),
    toServer,
    toClient,
  );
  equal(toServer.text(), '{"jsonrpc":"2.0","method":"after"}\n');
  const reply = JSON.parse(toClient.text());
  equal(reply.id, 3);
  equal(reply.error.code, -32001);
  ok(reply.error.message.includes(`${big.length} bytes`));
  equal(oversized[0].reply?.to, "client");
  equal(oversized[0].size, big.length);
  equal(messages.length, 1);
});

Deno.test("Relay turns an oversized response into an error response to the requester", async () => {
  const { relay, oversized } = setup(64);
  const toClient = memorySink();
  await relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":"r1","method":"resources/read"}\n'),
    memorySink(),
    memorySink(),
  );
  const big = `{"result":{"text":"${"b".repeat(500)}"},"jsonrpc":"2.0","id":"r1"}\n`;
  const toServer = memorySink();
  await relay.pump("server", source(big), toClient, toServer);
  equal(toServer.text(), "");
  const reply = JSON.parse(toClient.text());
  equal(reply.id, "r1");
  equal(oversized[0].correlation?.request.method, "resources/read");
  equal(relay.correlator.pending("client_to_server").length, 0);
});

Deno.test("Relay records but does not forward messages once the receiver is gone", async () => {
  const { relay, messages } = setup();
  const toServer = memorySink();
  await toServer.close();
  await relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'),
    toServer,
    memorySink(),
  );
  equal(messages[0].forwarded, false);
});

Deno.test("Relay marks the request named by notifications/cancelled", async () => {
  const { relay, messages } = setup();
  await relay.pump(
    "client",
    source(
      '{"jsonrpc":"2.0","id":0,"method":"tools/call","params":{"name":"slow"}}\n' +
        '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":0}}\n',
    ),
    memorySink(),
    memorySink(),
  );
  equal(messages[1].cancels?.tool, "slow");
});

Deno.test("Relay keeps relaying one direction while the other's receiver is stalled", async () => {
  const { relay } = setup();
  const stalled: ByteSink = {
    broken: false,
    write: () => new Promise(() => {}),
    close: () => Promise.resolve(),
  };
  const toClient = memorySink();
  // The client's messages pile up against a server that never reads...
  void relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'),
    stalled,
    toClient,
  );
  // ...while the server's messages still reach the client.
  await relay.pump(
    "server",
    source('{"jsonrpc":"2.0","method":"notifications/message"}\n'),
    toClient,
    stalled,
  );
  equal(toClient.text(), '{"jsonrpc":"2.0","method":"notifications/message"}\n');
});

/** A decision summary with nothing but its action and what km did. */
function summaryOf(
  action: DecisionSummary["action"],
  applied: DecisionSummary["applied"],
): DecisionSummary {
  return { action, applied, reasons: [], rules: [], risk: 0, labels: [], revision: "r", evalUs: 0 };
}

/** A gate that holds requests for "slow" until the test releases them, and passes the rest. */
function holdingGate() {
  const held: ((release: Release) => void)[] = [];
  const gate: Gate = {
    decide(event, raw) {
      const summary = summaryOf("allow", "forward");
      const m = event.message;
      if (m.kind !== "request" || m.method !== "slow") return { forward: raw, summary };
      const { promise, resolve } = Promise.withResolvers<Release>();
      held.push(resolve);
      const approvalId = `s-a${held.length}`;
      return {
        deferred: promise,
        about: approvalId,
        summary: { ...summary, action: "ask", applied: "hold", approvalId },
      };
    },
  };
  return { gate, held };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("Relay keeps both directions flowing while a message is held, and sends it on release", async () => {
  const { gate, held } = holdingGate();
  const { relay, messages } = setup(1024, gate);
  const toServer = memorySink();
  const toClient = memorySink();
  const slow = '{"jsonrpc":"2.0","id":1,"method":"slow"}\n';
  const ping = '{"jsonrpc":"2.0","id":2,"method":"ping"}\n';
  const note = '{"jsonrpc":"2.0","method":"notifications/message"}\n';
  await relay.pump("client", source(slow, ping), toServer, toClient);
  await relay.pump("server", source(note), toClient, toServer);
  equal(toServer.text(), ping);
  equal(toClient.text(), note);
  equal(held.length, 1);
  equal(messages[0].forwarded, false);
  equal(messages[0].decision?.applied, "hold");
  held[0]({ forward: enc.encode(slow) });
  await tick();
  equal(toServer.text(), ping + slow);
  equal(toClient.text(), note);
});

Deno.test("Relay answers the sender of a held request km refused, and stops waiting for it", async () => {
  const { gate, held } = holdingGate();
  const { relay, own } = setup(1024, gate);
  const toServer = memorySink();
  const toClient = memorySink();
  await relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":1,"method":"slow"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n'),
    toServer,
    toClient,
  );
  const pendingIds = () => relay.correlator.pending("client_to_server").map((p) => p.id.raw);
  assertEquals(pendingIds(), ["1", "2"]);
  const answer = '{"jsonrpc":"2.0","id":1,"error":{"code":-32010,"message":"Blocked"}}\n';
  held[0]({ replyToSender: enc.encode(answer), answersRequest: true });
  await tick();
  equal(toClient.text(), answer);
  equal(toServer.text(), '{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
  assertEquals(pendingIds(), ["2"]);
  // km's answer is an event of its own, linked to the held request and its approval.
  equal(own.length, 1);
  const [reply] = own;
  assertEquals(
    [reply.direction, reply.seq, reply.causeSeq, reply.about, reply.message.kind],
    ["server_to_client", 3, 1, "s-a1", "error"],
  );
  equal(reply.correlation?.request.seq, 1);
  equal(reply.size, answer.length);
  equal(reply.forwarded, true);
});

/** A gate that blocks everything, answering as the enforcer does. */
const blockingGate: Gate = {
  decide(event) {
    const summary = summaryOf("deny", "block");
    const m = event.message;
    const error = (id: string) => `{"jsonrpc":"2.0","id":${id},"error":{"code":-32010}}`;
    if (m.kind === "request") {
      return { replyToSender: enc.encode(error(m.id.raw) + "\n"), answersRequest: true, summary };
    }
    if (m.kind === "response" && m.id) {
      return { replyToReceiver: enc.encode(error(m.id.raw) + "\n"), summary };
    }
    if (m.kind === "batch") {
      const ids = m.items.flatMap((i) => i.kind === "request" ? [i.id.raw] : []);
      const answers = `[${ids.map(error).join(",")}]\n`;
      return { replyToSender: enc.encode(answers), answersRequest: true, summary };
    }
    return { summary };
  },
};

Deno.test("Relay reports each answer km writes for a blocked message right after the message", async () => {
  const { relay, messages, own } = setup(1024, blockingGate);
  const toServer = memorySink();
  const toClient = memorySink();
  await relay.pump(
    "client",
    source(
      '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"rm"}}\n',
      '[{"jsonrpc":"2.0","id":8,"method":"a"},{"jsonrpc":"2.0","method":"n"}]\n',
    ),
    toServer,
    toClient,
  );
  equal(toServer.text(), "");
  assertEquals(messages.map((m) => m.seq), [1, 3]);
  assertEquals(own.map((e) => [e.seq, e.causeSeq, e.direction, e.message.kind]), [
    [2, 1, "server_to_client", "error"],
    [4, 3, "server_to_client", "batch"],
  ]);
  assertEquals(
    [own[0].correlation?.request.method, own[0].correlation?.request.tool],
    ["tools/call", "rm"],
  );
  assertEquals(own[1].items?.map((i) => i.correlation?.request.seq), [3]);
  equal(relay.correlator.pending("client_to_server").length, 0);
});

Deno.test("Relay reports the error km sends in place of a blocked response, linked to the request", async () => {
  const { relay, own } = setup(1024, blockingGate);
  const toClient = memorySink();
  const toServer = memorySink();
  // The server asked the client (its request's record was seq 40); the answer is blocked.
  const roots = parseLine(enc.encode('{"jsonrpc":"2.0","id":"r1","method":"roots/list"}'));
  relay.correlator.request("server_to_client", roots.message as RequestMessage, 40, 0);
  await relay.pump(
    "client",
    source('{"jsonrpc":"2.0","id":"r1","result":{}}\n'),
    toServer,
    toClient,
  );
  equal(toServer.text(), '{"jsonrpc":"2.0","id":"r1","error":{"code":-32010}}\n');
  equal(own.length, 1);
  assertEquals([own[0].direction, own[0].causeSeq], ["client_to_server", 1]);
  equal(own[0].correlation?.request.seq, 40);
});

/** Records that are "written" only when flushed, and a disk that can fail. */
function recordSink() {
  const order: string[] = [];
  let failing: string | undefined;
  return {
    order,
    fail(why: string | undefined) {
      failing = why;
    },
    sink: {
      flush() {
        order.push("flush");
        return Promise.resolve(failing === undefined);
      },
      failing: () => failing,
    },
  };
}

function recordingRelay(refuseUnrecorded: boolean) {
  const records = recordSink();
  const messages: MessageEvent[] = [];
  const own: KmMessageEvent[] = [];
  let seq = 0;
  const relay = new Relay({
    maxMessageBytes: 1024,
    clock: { now: () => 1, epochMs: () => 1_700_000_000_000 },
    nextSeq: () => ++seq,
    records: records.sink,
    refuseUnrecorded,
    observer: {
      message: (e) => {
        records.order.push(`record ${e.seq}`);
        messages.push(e);
      },
      oversized: () => {},
      kmMessage: (e) => void own.push(e),
      ended: () => {},
    },
  });
  return { relay, records, messages, own };
}

Deno.test("Relay writes a batch's records before it forwards the batch", async () => {
  const { relay, records } = recordingRelay(true);
  const toServer = memorySink();
  const write = toServer.write.bind(toServer);
  toServer.write = (bytes) => {
    records.order.push("forward");
    return write(bytes);
  };
  await relay.pump(
    "client",
    source(`${PING}\n${PING.replace(":1", ":2")}\n`),
    toServer,
    memorySink(),
  );
  assertEquals(records.order, ["record 1", "record 2", "flush", "forward"]);
});

const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}';

Deno.test("Relay refuses requests whose records cannot be written, and says why", async () => {
  const { relay, records, messages } = recordingRelay(true);
  records.fail("No space left on device (os error 28)");
  const toServer = memorySink();
  const toClient = memorySink();
  const note = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
  await relay.pump("client", source(`${PING}\n${note}\n`), toServer, toClient);
  // The notification cannot cause a call: it goes on. The request is answered by km.
  equal(toServer.text(), `${note}\n`);
  const answer = JSON.parse(toClient.text());
  assertEquals([answer.id, answer.error.code], [1, -32011]);
  ok(answer.error.message.includes("No space left on device"), answer.error.message);
  assertEquals(messages.map((m) => [m.forwarded, m.decision?.applied]), [
    [false, "block"],
    [true, undefined],
  ]);
});

Deno.test("Relay refuses the requests of a batch whose records a failing write just lost", async () => {
  const { relay, records } = recordingRelay(true);
  const toServer = memorySink();
  const toClient = memorySink();
  // The disk fails during this batch's flush: the failure is known only afterwards.
  records.sink.flush = () => Promise.resolve(false);
  await relay.pump("client", source(`${PING}\n`), toServer, toClient);
  equal(toServer.text(), "");
  equal(JSON.parse(toClient.text()).error.code, -32011);
});

Deno.test("Relay with audit.onWriteFailure continue forwards what it cannot record", async () => {
  const { relay, records } = recordingRelay(false);
  records.fail("No space left on device (os error 28)");
  const toServer = memorySink();
  await relay.pump("client", source(`${PING}\n`), toServer, memorySink());
  equal(toServer.text(), `${PING}\n`);
});
