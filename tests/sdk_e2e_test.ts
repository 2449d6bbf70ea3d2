/**
 * The official MCP SDK client against real servers, once directly and once through
 * `km monitor`: every feature gives the same result, and the audit log holds exactly one
 * record per message the client sent or received.
 */
import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import {
  kmCommand,
  messageRecords,
  readSessionLog,
  SERVER_EVERYTHING,
  SERVER_FILESYSTEM,
} from "./helpers.ts";
import { connect, type Counted } from "./sdk_client.ts";

/** Counts messages received before connect() wrapped onmessage (the initialize response). */
const RECEIVED_DURING_CONNECT = 1;

type Results = Record<string, unknown>;

async function exerciseEverything({ client }: Counted): Promise<Results> {
  const results: Results = {};
  results.tools = (await client.listTools()).tools.map((t) => t.name).sort();
  results.echo = await client.callTool({
    name: "echo",
    arguments: { message: "hello\u2028world" },
  });
  results.sum = await client.callTool({ name: "get-sum", arguments: { a: 19, b: 23 } });
  const resources = await client.listResources();
  results.resources = resources.resources.map((r) => r.uri).slice(0, 5);
  results.read = await client.readResource({ uri: resources.resources[0].uri });
  results.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) =>
    t.uriTemplate
  );
  results.prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
  results.prompt = await client.getPrompt({ name: "simple-prompt" });
  results.sampling = await client.callTool({
    name: "trigger-sampling-request",
    arguments: { prompt: "Say hi", maxTokens: 10 },
  });
  results.elicitation = await client.callTool({
    name: "trigger-elicitation-request",
    arguments: {},
  });
  results.roots = await client.callTool({ name: "get-roots-list", arguments: {} });
  const progress: number[] = [];
  results.longRunning = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
    undefined,
    { onprogress: (p) => void progress.push(p.progress) },
  );
  // The SDK client may drop the last progress notification when the response follows it
  // closely (typescript-sdk#2580), direct or not; the audit log shows km relays all of them.
  results.progressSeen = progress.length > 0;
  results.ping = await client.ping();
  return results;
}

async function closeAndWait(counted: Counted): Promise<void> {
  await counted.client.close();
}

Deno.test("server-everything: tools, resources, prompts, sampling, elicitation, roots, progress match with and without km", async () => {
  const dir = await Deno.makeTempDir();
  const directSession = await connect(["node", ...SERVER_EVERYTHING]);
  const expected = await exerciseEverything(directSession);
  await closeAndWait(directSession);

  const viaKm = await connect(
    kmCommand("monitor", "--quiet", "--log-dir", dir, "--", "node", ...SERVER_EVERYTHING),
  );
  const actual = await exerciseEverything(viaKm);
  await closeAndWait(viaKm);

  assertEquals(actual, expected);
  ok(
    (expected.tools as string[]).includes("trigger-sampling-request"),
    "sampling tools appear when declared",
  );
  equal(expected.progressSeen, true, "progress notifications reached the client");
  ok(JSON.stringify(expected.sampling).includes("canned answer"));

  const records = await readSessionLog(dir);
  const messages = messageRecords(records);
  equal(messages.filter((r) => r.direction === "client_to_server").length, viaKm.sent);
  equal(
    messages.filter((r) => r.direction === "server_to_client").length,
    viaKm.received + RECEIVED_DURING_CONNECT,
  );
  // Server-to-client requests were correlated with the client's answers.
  const sampling = messages.find((r) =>
    r.direction === "client_to_server" && r.method === "sampling/createMessage"
  );
  equal(sampling?.kind, "response");
  equal(messages.filter((r) => r.method === "notifications/progress").length, 4);
  for (const r of messages.filter((r) => r.kind === "response" || r.kind === "error")) {
    equal(
      r.unmatched,
      undefined,
      `every response has its request: ${JSON.stringify(r).slice(0, 200)}`,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a long-running call cancelled by the client is recorded with its cancellation", async () => {
  const dir = await Deno.makeTempDir();
  const session = await connect(
    kmCommand("monitor", "--quiet", "--log-dir", dir, "--", "node", ...SERVER_EVERYTHING),
  );
  const controller = new AbortController();
  const call = session.client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
    undefined,
    { signal: controller.signal, onprogress: () => {} },
  );
  setTimeout(() => controller.abort("user cancelled"), 1500);
  await rejects(call);
  // The connection still works after the cancellation.
  equal(
    (await session.client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })).isError,
    undefined,
  );
  await closeAndWait(session);
  const messages = messageRecords(await readSessionLog(dir));
  const request = messages.find((r) =>
    r.tool === "trigger-long-running-operation" && r.kind === "request"
  );
  const cancel = messages.find((r) => r.method === "notifications/cancelled");
  equal(cancel?.cancels_seq, request?.seq);
  await Deno.remove(dir, { recursive: true });
});

for (
  const [label, size] of [["1 MiB", 1024 * 1024], ["10 MiB", 10 * 1024 * 1024 - 4096]] as const
) {
  Deno.test(`a ${label} payload round-trips unchanged through km`, async () => {
    const dir = await Deno.makeTempDir();
    const session = await connect(
      kmCommand("monitor", "--quiet", "--log-dir", dir, "--", "node", ...SERVER_EVERYTHING),
    );
    // The SDK peers cap a message at 10 MiB, so the largest payload stays just under it.
    const message = "m".repeat(size - 200) + "é😀".repeat(20);
    const result = await session.client.callTool({ name: "echo", arguments: { message } });
    equal((result.content as { text: string }[])[0].text, `Echo: ${message}`);
    await closeAndWait(session);
    const records = messageRecords(await readSessionLog(dir));
    const response = records.find((r) => r.tool === "echo" && r.kind === "response");
    ok((response?.size as number) > size - 1024, `response size ${response?.size}`);
    if (size > 1024 * 1024) {
      equal(response?.elided, 1, "km inspects a huge line through a skeleton");
      ok(JSON.stringify(response?.message).includes("more bytes not inspected by km"));
    } else {
      equal(response?.truncated, 1, "the log keeps a truncated copy of long strings");
    }
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("server-filesystem: listing, reading and writing files match with and without km", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/notes.txt`, "first line\nsecond line\n");
  const exercise = async ({ client }: Counted, name: string) => ({
    tools: (await client.listTools()).tools.map((t) => t.name).sort(),
    allowed: await client.callTool({ name: "list_allowed_directories", arguments: {} }),
    read: await client.callTool({
      name: "read_text_file",
      arguments: { path: `${root}/notes.txt` },
    }),
    write: await client.callTool({
      name: "write_file",
      arguments: { path: `${root}/${name}.txt`, content: "written" },
    }),
    list: await client.callTool({ name: "list_directory", arguments: { path: root } }),
    denied: await client.callTool({ name: "read_text_file", arguments: { path: "/etc/hostname" } }),
  });
  const direct = await connect(["node", ...SERVER_FILESYSTEM, root]);
  const expected = await exercise(direct, "out");
  await closeAndWait(direct);
  await Deno.remove(`${root}/out.txt`);
  const viaKm = await connect(
    kmCommand("monitor", "--quiet", "--log-dir", dir, "--", "node", ...SERVER_FILESYSTEM, root),
  );
  const actual = await exercise(viaKm, "out");
  await closeAndWait(viaKm);
  assertEquals(actual, expected);
  equal(await Deno.readTextFile(`${root}/out.txt`), "written");
  equal(expected.denied.isError, true);
  const messages = messageRecords(await readSessionLog(dir));
  equal(messages.filter((r) => r.direction === "client_to_server").length, viaKm.sent);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--scrub-env passes the server only the minimal set, the allowlist and additions", async () => {
  const dir = await Deno.makeTempDir();
  const session = await connect(
    kmCommand(
      "monitor",
      "--quiet",
      "--log-dir",
      dir,
      "--scrub-env",
      "--env-allow",
      "KM_TEST_ALLOWED",
      "--env",
      "ADDED=yes",
      "--",
      "node",
      ...SERVER_EVERYTHING,
    ),
    {
      PATH: Deno.env.get("PATH")!,
      HOME: Deno.env.get("HOME") ?? "/tmp",
      KM_TEST_SECRET: "hidden",
      KM_TEST_ALLOWED: "shown",
    },
  );
  const result = await session.client.callTool({ name: "get-env", arguments: {} });
  await closeAndWait(session);
  const env = JSON.parse((result.content as { text: string }[])[0].text);
  equal(env.KM_TEST_SECRET, undefined);
  equal(env.KM_TEST_ALLOWED, "shown");
  equal(env.ADDED, "yes");
  ok(env.PATH);
  await Deno.remove(dir, { recursive: true });
});
