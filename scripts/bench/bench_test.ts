/** Tests of the benchmark's own parts: framing, the echo server, the client harness. */
import assert from "node:assert/strict";
import { answer, LineSplitter } from "./echo_server.ts";
import {
  echoRequest,
  echoResponse,
  echoServerCommand,
  largeRoundTrip,
  markdownTable,
  type Measurement,
  Peer,
  percentile,
  pipelinedThroughput,
  responseId,
  sequentialLatencies,
  textTable,
  toolCallParams,
  verdicts,
} from "../bench.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function split(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter();
  for (const chunk of chunks) {
    splitter.push(encoder.encode(chunk), (line) => lines.push(decoder.decode(line)));
  }
  const rest = splitter.end();
  if (rest) lines.push(`rest:${decoder.decode(rest)}`);
  return lines;
}

Deno.test("LineSplitter splits within and across chunks and keeps the unterminated rest", () => {
  assert.deepEqual(split(["a\nb", "c\n\nd", "e", "f\ng"]), ["a", "bc", "", "def", "rest:g"]);
  assert.deepEqual(split(["x\n"]), ["x"]);
});

Deno.test("answer echoes params, rejects other methods and ignores notifications", () => {
  const line = (text: string) => encoder.encode(text);
  assert.equal(
    answer(line('{"jsonrpc":"2.0","id":7,"method":"echo","params":{"a":[1,"é"]}}')),
    '{"jsonrpc":"2.0","id":7,"result":{"a":[1,"é"]}}',
  );
  assert.equal(
    answer(line('{"jsonrpc":"2.0","id":"x","method":"echo"}')),
    '{"jsonrpc":"2.0","id":"x","result":null}',
  );
  assert.match(answer(line('{"jsonrpc":"2.0","id":1,"method":"nope"}'))!, /-32601/);
  assert.match(answer(line("{oops"))!, /-32700/);
  assert.equal(answer(line('{"jsonrpc":"2.0","method":"echo"}')), undefined);
  assert.equal(answer(line(" \r")), undefined);
});

Deno.test("request and response helpers agree with the echo server", () => {
  const params = JSON.stringify(toolCallParams());
  const request = echoRequest(42, params);
  assert.ok(params.length >= 280 && params.length <= 320, `params are ${params.length} bytes`);
  const reply = answer(encoder.encode(request.trimEnd()))!;
  assert.equal(reply, echoResponse(42, params));
  assert.equal(responseId(encoder.encode(reply)), 42);
  assert.throws(() => responseId(encoder.encode('{"id":1}')));
  assert.throws(() => responseId(encoder.encode('{"jsonrpc":"2.0","id":"a",')));
  // Every request's arguments differ, at the same size.
  const other = JSON.stringify(toolCallParams(12345));
  assert.notEqual(other, params);
  assert.equal(other.length, params.length);
});

Deno.test("percentile uses the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile([3], 99), 3);
});

Deno.test("tables line up and verdicts compare km with the raw relay", () => {
  assert.equal(
    textTable(["a", "n"], [["x", "1,000"], ["yy", "5"]]),
    "a    n\n--   -----\nx    1,000\nyy       5",
  );
  assert.equal(markdownTable(["a", "b"], [["1", "2"]]), "| a | b |\n| --- | ---: |\n| 1 | 2 |");
  const m = (scale: number, rss: number): Measurement => ({
    p50Us: 100 * scale,
    p99Us: 200 * scale,
    messagesPerSecond: 1000 / scale,
    largeMs: 50 * scale,
    steadyRssMiB: rss - 20,
    peakRssMiB: rss,
    cpuUsPerCall: { child: 2 * scale, all: 6 * scale },
  });
  const results = new Map([["direct", m(1, 50)], ["raw", m(1, 50)], ["km", m(1.25, 90)]] as const);
  assert.deepEqual(verdicts(results).map((v) => v.pass), [true, true, true, false, true]);
});

Deno.test("the harness drives the echo server: sequential, pipelined and a 10 MiB line", async () => {
  const peer = new Peer(echoServerCommand());
  try {
    const micros = await sequentialLatencies(peer, 20);
    assert.equal(micros.length, 20);
    assert.ok(await pipelinedThroughput(peer, 2000) > 0);
    assert.ok(await largeRoundTrip(peer, 10 * 1024 * 1024) > 0);
    assert.ok((peer.peakRssMiB() ?? 1) > 0);
    if (Deno.build.os === "linux") {
      // The echo server spent CPU on those calls, and the client at least as much.
      const cpu = peer.cpuSeconds()!;
      assert.ok(cpu.child > 0 && cpu.all > cpu.child, JSON.stringify(cpu));
    }
    assert.equal(await peer.close(), 0);
  } catch (error) {
    peer.kill();
    throw error;
  }
});
