/**
 * Byte fidelity and framing edge cases, end to end: a raw client
 * writes odd but real-world lines through `km monitor`; a recording server proves what arrived.
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import {
  FIXTURES,
  INITIALIZE,
  INITIALIZED,
  messageRecords,
  monitor,
  readSessionLog,
  SERVER_EVERYTHING,
} from "./helpers.ts";

const SCRIPTED = `${FIXTURES}/scripted_server.mjs`;

Deno.test("km forwards odd lines byte for byte and records exactly one record per line", async () => {
  const dir = await Deno.makeTempDir();
  const received = `${dir}/received.bin`;
  const lines = [
    INITIALIZE,
    '{ "jsonrpc" : "2.0" , "method" : "notifications/initialized" }\r\n', // CRLF, spacing
    '{"jsonrpc":"2.0","id":"u","method":"ping","params":{"s":"a\u2028b\u2029c"}}\n', // raw U+2028/9
    '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}\n', // id beyond 2^53
    '[{"jsonrpc":"2.0","id":"b1","method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"}]\n', // batch
    "\uFEFF" + '{"jsonrpc":"2.0","method":"notifications/bom"}\n', // BOM
    "\n", // empty line
    "not json at all\n",
    '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"work"}}', // no final newline
  ];
  // The relay alone: under a policy, km blocks the BOM line, which it cannot be sure a
  // receiver reads as junk (see integrity_e2e_test.ts).
  const km = monitor(`${dir}/logs`, ["node", SCRIPTED, "record", received], ["--no-policy"]);
  for (const line of lines) await km.write(line);
  await km.waitFor('"id":9007199254740993');
  // The unterminated last line reaches the server only at end of input.
  await km.closeStdin();
  const status = await km.exit();
  equal(status.code, 0, km.stderr);
  const sent = new TextEncoder().encode(lines.join(""));
  assertEquals(await Deno.readFile(received), sent);

  const records = messageRecords(await readSessionLog(`${dir}/logs`)).filter((r) =>
    r.direction === "client_to_server"
  );
  assertEquals(records.map((r) => r.kind), [
    "request",
    "notification",
    "request",
    "request",
    "batch",
    "invalid",
    "invalid",
    "invalid",
    "request",
  ]);
  equal(records[3].id, "9007199254740993");
  equal((records[5].reason as string).includes("byte order mark"), true);
  equal(records[6].reason, "empty line");
  equal(records[8].unterminated, true);
  const sizes = records.reduce((n, r) => n + (r.size as number), 0);
  equal(sizes, sent.length);

  // The server answered the big id with the exact same digits; km correlated it by its text.
  ok(km.stdout.includes('"id":9007199254740993,"result"'));
  const responses = messageRecords(await readSessionLog(`${dir}/logs`)).filter((r) =>
    r.direction === "server_to_client"
  );
  const bigIdResponse = responses.find((r) => r.id === "9007199254740993");
  equal(bigIdResponse?.method, "ping");
  equal(bigIdResponse?.request_seq, records[3].seq);
  await Deno.remove(dir, { recursive: true });
});

/** Runs raw lines against server-everything directly and returns what the client got back. */
async function direct(lines: string[], waitFor: string): Promise<string> {
  const child = new Deno.Command("node", {
    args: SERVER_EVERYTHING,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  for (const line of lines) await writer.write(new TextEncoder().encode(line));
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes(waitFor)) break;
  }
  await writer.close().catch(() => {});
  await child.status;
  return text;
}

Deno.test("a client sees the same bytes from server-everything with and without km", async () => {
  const dir = await Deno.makeTempDir();
  const lines = [
    INITIALIZE,
    INITIALIZED.replace("\n", "\r\n"),
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"line\u2028sep\u2029para é 😀"}}}\n',
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get-sum","arguments":{"a":2,"b":40}}}\n',
  ];
  const expected = await direct(lines, '"id":2');
  const km = monitor(dir, ["node", ...SERVER_EVERYTHING]);
  for (const line of lines) await km.write(line);
  await km.waitFor('"id":2');
  await km.closeStdin();
  equal((await km.exit()).code, 0, km.stderr);
  // Notifications may interleave differently; compare the responses line by line.
  const responses = (text: string) => text.split("\n").filter((l) => l.includes('"id":')).sort();
  assertEquals(responses(km.stdout), responses(expected));
  ok(km.stdout.includes("line\u2028sep\u2029para é 😀"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an oversized request is answered with an error and never reaches the server", async () => {
  const dir = await Deno.makeTempDir();
  const received = `${dir}/received.bin`;
  const km = monitor(`${dir}/logs`, ["node", SCRIPTED, "record", received], [
    "--max-message-bytes",
    "64KiB",
  ]);
  await km.write(INITIALIZE);
  await km.waitFor('"id":0');
  const big = `{"method":"tools/call","params":{"name":"work","arguments":{"blob":"${
    "z".repeat(100_000)
  }"}},"jsonrpc":"2.0","id":7}\n`;
  await km.write(big);
  await km.write('{"jsonrpc":"2.0","id":8,"method":"ping"}\n');
  await km.waitFor('"id":8');
  await km.closeStdin();
  equal((await km.exit()).code, 0);
  const reply = km.messages().find((m) => m.id === 7) as {
    error: { code: number; message: string };
  };
  equal(reply.error.code, -32001);
  ok(reply.error.message.includes(`${big.length} bytes`));
  ok(!(await Deno.readTextFile(received)).includes("zzzz"));
  const record = messageRecords(await readSessionLog(`${dir}/logs`)).find((r) =>
    r.kind === "oversized"
  );
  equal(record?.size, big.length);
  equal(record?.id, "7");
  equal(record?.forwarded, false);
  ok(km.stderr.includes("dropped a 97.8 KiB message from the client"), km.stderr);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an oversized response becomes an error response for the waiting client", async () => {
  const dir = await Deno.makeTempDir();
  const km = monitor(dir, ["node", SCRIPTED, "big", "200000"], ["--max-message-bytes", "64KiB"]);
  await km.write(
    INITIALIZE + '{"jsonrpc":"2.0","id":"call-1","method":"tools/call","params":{"name":"work"}}\n',
  );
  await km.waitFor('"id":"call-1"');
  await km.closeStdin();
  equal((await km.exit()).code, 0);
  const reply = km.messages().find((m) => m.id === "call-1") as { error: { code: number } };
  equal(reply.error.code, -32001);
  const record = messageRecords(await readSessionLog(dir)).find((r) => r.kind === "oversized");
  equal(record?.method, "tools/call");
  assertEquals((record?.reply as { to: string }).to, "client");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("out-of-order traffic: early notification, junk, a server request with id 0, a duplicate response blocked", async () => {
  const dir = await Deno.makeTempDir();
  const km = monitor(dir, ["node", SCRIPTED, "chatty"]);
  await km.write(INITIALIZE + INITIALIZED);
  await km.waitFor('"method":"roots/list"');
  // Both sides have a request with id 0 in flight: the client answers the server's.
  await km.write('{"jsonrpc":"2.0","id":0,"result":{"roots":[]}}\n');
  await km.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"work"}}\n');
  await km.waitFor(/"id":1,"result"/);
  await km.closeStdin();
  equal((await km.exit()).code, 0);
  // The duplicate answers no pending request: under a policy km keeps it from the client.
  equal(km.stdout.match(/"id":1,"result"/g)?.length, 1);
  ok(
    km.stdout.startsWith(
      '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\nthis is not json\n',
    ),
  );
  const records = messageRecords(await readSessionLog(dir));
  const find = (pred: (r: Record<string, unknown>) => boolean) => records.filter(pred);
  equal(find((r) => r.kind === "invalid" && r.direction === "server_to_client").length, 1);
  const initResponse =
    find((r) => r.direction === "server_to_client" && r.id === "0" && r.kind === "response")[0];
  equal(initResponse.method, "initialize");
  const rootsAnswer = find((r) => r.direction === "client_to_server" && r.kind === "response")[0];
  equal(rootsAnswer.method, "roots/list");
  const callResponses = find((r) => r.direction === "server_to_client" && r.id === "1");
  equal(callResponses.length, 2);
  equal(callResponses[0].method, "tools/call");
  equal(callResponses[1].unmatched, true);
  equal(callResponses[1].forwarded, false);
  assertEquals((callResponses[1].result as { integrity: string[] }).integrity, [
    "unmatched_response",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a second initialize and a task-augmented tool call are relayed and correlated", async () => {
  const dir = await Deno.makeTempDir();
  const km = monitor(dir, ["node", ...SERVER_EVERYTHING], ["--close-stdin-wait", "200ms"]);
  const init = (id: number, capabilities: string) =>
    `{"jsonrpc":"2.0","id":${id},"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
    `"capabilities":${capabilities},"clientInfo":{"name":"raw","version":"1"}}}\n`;
  await km.write(init(0, '{"tasks":{"requests":{}}}') + INITIALIZED);
  await km.waitFor('"id":0');
  await km.write(
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"simulate-research-query",' +
      '"arguments":{"topic":"proxies"},"task":{"ttl":60000}}}\n',
  );
  await km.waitFor('"id":1');
  await km.write(init(2, "{}"));
  await km.waitFor('"id":2');
  await km.closeStdin();
  // The research task keeps server-everything busy past end of input: km stops it.
  equal((await km.exit()).code, 143, km.stderr);
  const task = km.messages().find((m) => m.id === 1) as { result: { task: { taskId: string } } };
  ok(task.result.task.taskId, "the {task} result reached the client");
  const records = messageRecords(await readSessionLog(dir));
  const taskResponse = records.find((r) => r.direction === "server_to_client" && r.id === "1");
  equal(taskResponse?.tool, "simulate-research-query");
  const second = records.find((r) => r.direction === "server_to_client" && r.id === "2");
  equal(second?.method, "initialize");
  await Deno.remove(dir, { recursive: true });
});
