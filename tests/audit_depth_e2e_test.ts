/**
 * Messages nested 100,000 levels deep, end to end, with `--no-policy` (nothing blocks them):
 * km relays them, records them (down to 512 levels, flagged `unrecorded`), and goes on relaying
 * in both directions, with no stack overflow. Before, recording such a message overflowed the
 * redactor's recursion and km stopped relaying from that side for the rest of the session.
 */
import { equal, ok } from "node:assert/strict";
import {
  FIXTURES,
  INITIALIZE,
  INITIALIZED,
  messageRecords,
  monitor,
  readSessionLog,
  SERVER_EVERYTHING,
} from "./helpers.ts";

const DEPTH = 100_000;
const deep = (inner: string) => "[".repeat(DEPTH) + inner + "]".repeat(DEPTH);

/** Records of the session in `dir`, found by the id of the message. */
async function recordsById(dir: string): Promise<Map<string, Record<string, unknown>[]>> {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const record of messageRecords(await readSessionLog(dir))) {
    const id = String(record.id);
    byId.set(id, [...(byId.get(id) ?? []), record]);
  }
  return byId;
}

Deno.test({
  name: "a 100,000-deep request to a real server is relayed and recorded, and so is what follows",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "km-depth-" });
    const km = monitor(dir, ["node", ...SERVER_EVERYTHING], ["--no-policy"]);
    try {
      await km.write(INITIALIZE);
      await km.waitFor('"id":0');
      await km.write(INITIALIZED);
      // 195 KiB of arguments, then an ordinary ping: both must get through and be answered.
      const request = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo",` +
        `"arguments":{"message":${deep('"sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"')}}}}`;
      await km.write(request + "\n");
      await km.waitFor(/"id":1[,}]/);
      await km.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
      await km.waitFor(/"id":2[,}]/);
      await km.closeStdin();
      await km.exit();

      const byId = await recordsById(dir);
      const [call, answer] = byId.get("1")!;
      equal(call.direction, "client_to_server");
      equal(call.forwarded, true);
      equal(call.size, request.length + 1);
      equal(call.unrecorded, "nested deeper than 512 levels");
      ok(!JSON.stringify(call).includes("sk-ant-api03"), "the cut part is not written");
      equal(answer.direction, "server_to_client");
      equal(answer.request_seq, call.seq);
      const [ping, pong] = byId.get("2")!;
      equal(ping.method, "ping");
      equal(ping.forwarded, true);
      equal(pong.request_seq, ping.seq);
      ok(!km.stderr.includes("Maximum call stack"), km.stderr);
      ok(!km.stderr.includes("relaying from the"), km.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a 100,000-deep response and a JSON secret on stderr are recorded, and km goes on",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "km-depth-" });
    const km = monitor(dir, ["node", `${FIXTURES}/deep_server.mjs`, String(DEPTH)], [
      "--no-policy",
    ]);
    try {
      await km.write(INITIALIZE);
      await km.waitFor('"id":0');
      await km.write(INITIALIZED);
      await km.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}\n');
      await km.waitFor('"bottom"');
      // A 200,000-deep array line from the client too (an invalid batch item), then a ping.
      await km.write(deep(deep("")) + "\n");
      await km.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
      await km.waitFor(/"id":2[,}]/);
      await km.closeStdin();
      await km.exit();

      // The client received the deep answer byte for byte.
      ok(km.stdout.includes(`"structuredContent":{"v":${deep('"bottom"')}}`));
      const records = await readSessionLog(dir);
      const byId = await recordsById(dir);
      const [, answer] = byId.get("1")!;
      equal(answer.direction, "server_to_client");
      equal(answer.forwarded, true);
      equal(answer.unrecorded, "nested deeper than 512 levels");
      const batch = messageRecords(records).find((r) => r.kind === "batch")!;
      equal(batch.size, 4 * DEPTH + 1);
      equal(batch.unrecorded, "nested deeper than 512 levels");
      const [, pong] = byId.get("2")!;
      equal(pong.direction, "server_to_client");
      const stderr = records.filter((r) => r.type === "stderr").map((r) => r.text);
      ok(
        stderr.includes('{"level":"info","msg":"starting","apiKey":"[REDACTED:field]"}'),
        JSON.stringify(stderr),
      );
      ok(!JSON.stringify(records).includes("deep-server-key-123"));
      ok(!km.stderr.includes("Maximum call stack"), km.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
