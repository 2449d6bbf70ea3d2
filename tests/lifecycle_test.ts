/**
 * Process lifecycle end to end: crashes, servers that ignore
 * EOF or SIGTERM, vanishing clients, signals, bad commands. Each checks the client's view, the
 * exit code, the audit log, and that no process is left behind.
 */
import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import {
  alive,
  FIXTURES,
  INITIALIZE,
  INITIALIZED,
  kmCommand,
  KmProcess,
  messageRecords,
  monitor,
  processesMatching,
  readSessionLog,
  SERVER_EVERYTHING,
  wait,
} from "./helpers.ts";
import { connect } from "./sdk_client.ts";

const SCRIPTED = `${FIXTURES}/scripted_server.mjs`;
const events = (records: Record<string, unknown>[]) =>
  records.filter((r) => r.type === "lifecycle").map((r) => r.event);
const uniqueSleep = () =>
  `${3600 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1000)}`;

/**
 * Polls `check` every 10 ms until it returns something truthy, and returns that; fails after
 * `ms`, naming `what` was awaited.
 */
async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  ms = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await wait(10);
  }
}

/**
 * Waits until km has recorded `count` messages from the client that match `test` as forwarded to
 * the server. km writes a message's record just before the message, and relays the client's
 * messages (and its EOF) in order: whatever the client sends next reaches the server after them.
 */
async function forwardedToServer(
  dir: string,
  what: string,
  test: (record: Record<string, unknown>) => boolean,
  count = 1,
): Promise<void> {
  await until(
    `the records of ${what}, forwarded to the server`,
    async () =>
      messageRecords(await readSessionLog(dir)).filter((r) =>
        r.direction === "client_to_server" && r.forwarded === true && test(r)
      ).length >= count,
  );
}

/** What a descriptor of process `pid` is open on, as Linux's /proc names it (`pipe:[inode]`). */
function fdTarget(pid: number | "self", fd: number | string): string | undefined {
  try {
    return Deno.readLinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** True while process `pid` has a descriptor open on `target` (false once it is gone). */
function holds(pid: number | "self", target: string): boolean {
  try {
    for (const { name } of Deno.readDirSync(`/proc/${pid}/fd`)) {
      if (fdTarget(pid, name) === target) return true;
    }
  } catch {
    // the process is gone
  }
  return false;
}

/**
 * True once process `pid` no longer has `pipe`, its stdin at start, open. Without /proc (not
 * Linux), lsof says whether its descriptor 0 is still open.
 */
async function stdinClosed(pid: number, pipe: string | undefined): Promise<boolean> {
  if (pipe) return !holds(pid, pipe);
  const lsof = new Deno.Command("lsof", {
    args: ["-a", "-p", String(pid), "-d", "0", "-t"],
    stdout: "piped",
    stderr: "null",
  });
  return new TextDecoder().decode((await lsof.output()).stdout).trim() === "";
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a server crash mid-call gives the client an error, and km its exit code", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", SCRIPTED, "crash-on-call"]);
    await km.write(
      INITIALIZE + INITIALIZED +
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"work"}}\n',
    );
    const status = await km.exit();
    equal(status.code, 3);
    const reply = km.messages().find((m) => m.id === 1) as { error: { message: string } };
    equal(reply.error.message, "MCP server exited with code 3 before answering");
    ok(km.stderr.includes("scripted: crashing mid-call"), "server stderr passes through");
    const records = await readSessionLog(dir);
    const order = ["start", "server_exit", "pending_abandoned", "shutdown"].map((e) =>
      events(records).indexOf(e)
    );
    assertEquals(order, [...order].sort((a, b) => a - b), `lifecycle order: ${events(records)}`);
    ok(!order.includes(-1), `lifecycle events: ${events(records)}`);
    equal(records.find((r) => r.event === "server_exit")?.exit_code, 3);
    const abandoned = records.find((r) => r.event === "pending_abandoned") as {
      requests: unknown[];
      answered_with_error: boolean;
    };
    assertEquals(abandoned.requests, [{
      id: "1",
      method: "tools/call",
      tool: "work",
      request_seq: 4,
    }]);
    equal(abandoned.answered_with_error, true);
    // km's answer in the server's place is recorded like any message, as km's own.
    const answer = records.find((r) => r.type === "message" && r.request_seq === 4)!;
    assertEquals(
      [answer.origin, answer.kind, answer.direction, answer.cause_seq, answer.forwarded],
      ["km", "error", "server_to_client", 4, true],
    );
    assertEquals(answer.error, {
      code: -32603,
      message: "MCP server exited with code 3 before answering",
    });
  }));

Deno.test("a server that ignores stdin EOF is terminated, and its children with it", () =>
  withDir(async (dir) => {
    const sleep = uniqueSleep();
    const km = monitor(dir, ["node", SCRIPTED, "ignore-eof", sleep], [
      "--close-stdin-wait",
      "300ms",
    ]);
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    equal((await processesMatching(`sleep ${sleep}`)).length, 1);
    await km.closeStdin();
    const status = await km.exit();
    equal(status.code, 143, km.stderr);
    const records = await readSessionLog(dir);
    ok(events(records).includes("client_eof"));
    equal(records.find((r) => r.event === "terminate")?.signal, "SIGTERM");
    assertEquals(await processesMatching(`sleep ${sleep}`), []);
  }));

Deno.test("a server that ignores SIGTERM too is killed after the terminate wait", () =>
  withDir(async (dir) => {
    const sleep = uniqueSleep();
    const km = monitor(dir, ["node", SCRIPTED, "ignore-term", sleep], [
      "--close-stdin-wait",
      "200ms",
      "--terminate-wait",
      "300ms",
    ]);
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    await km.closeStdin();
    equal((await km.exit()).code, 137);
    const records = await readSessionLog(dir);
    assertEquals(
      records.filter((r) => r.event === "terminate" || r.event === "kill").map((r) => r.signal),
      ["SIGTERM", "SIGKILL"],
    );
    assertEquals(await processesMatching(`sleep ${sleep}`), []);
  }));

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  Deno.test(`${signal} to km is forwarded to the server and km exits with 128+n`, () =>
    withDir(async (dir) => {
      const km = monitor(dir, ["node", SCRIPTED, "ignore-eof", uniqueSleep()]);
      await km.write(INITIALIZE);
      await km.waitFor('"id":0');
      const serverPid = (await readSessionLogWhenReady(dir)).find((r) => r.event === "start")
        ?.server as { pid: number };
      km.child.kill(signal);
      equal((await km.exit()).code, code);
      ok(!alive(serverPid.pid));
      const records = await readSessionLog(dir);
      const record = records.find((r) => r.event === "signal");
      equal(record?.signal, signal);
      equal(record?.forwarded, true);
      equal(records.at(-1)?.event, "shutdown", "the last record is written before exit");
    }));
}

/** The start record is written within moments of start-up; poll for it. */
function readSessionLogWhenReady(dir: string): Promise<Record<string, unknown>[]> {
  return until(`a session log with a record in ${dir}`, async () => {
    try {
      const records = await readSessionLog(dir);
      return records.length > 0 ? records : undefined;
    } catch {
      return undefined; // not there yet
    }
  });
}

Deno.test("SIGHUP is forwarded and the server decides what it means", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", ...SERVER_EVERYTHING]);
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    km.child.kill("SIGHUP");
    // Node's default for SIGHUP is to exit.
    equal((await km.exit()).code, 129);
    ok(events(await readSessionLog(dir)).includes("signal"));
  }));

Deno.test("a client that vanishes with calls pending stops the server, leaving nothing behind", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", ...SERVER_EVERYTHING], ["--close-stdin-wait", "300ms"]);
    await km.write(INITIALIZE + INITIALIZED);
    await km.waitFor('"id":0');
    await km.write(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"trigger-long-running-operation","arguments":{"duration":30,"steps":30}}}\n',
    );
    // The call has reached the server before the EOF that follows: the server is busy with it.
    await forwardedToServer(dir, "the long-running call", (r) => r.id === "1");
    // The client dies: both of its pipes close.
    await km.stopReadingStdout();
    await km.closeStdin();
    // server-everything keeps running while its operation is busy: km has to SIGTERM it.
    equal((await km.child.status).code, 143);
    const records = await readSessionLog(dir);
    ok(events(records).includes("client_eof"));
    ok(events(records).includes("terminate"));
    const abandoned = records.find((r) => r.event === "pending_abandoned") as {
      requests: { tool: string }[];
    };
    equal(abandoned.requests[0].tool, "trigger-long-running-operation");
    const pid = (records.find((r) => r.event === "start")?.server as { pid: number }).pid;
    ok(!alive(pid), "server stopped");
    equal(records.at(-1)?.event, "shutdown");
  }));

Deno.test("a command that does not exist exits 127 with a clear error and nothing on stdout", () =>
  withDir(async (dir) => {
    const km = new KmProcess(["monitor", "--log-dir", dir, "--", "/no/such/mcp-server", "--flag"]);
    await km.closeStdin();
    equal((await km.exit()).code, 127);
    equal(km.stdout, "");
    ok(
      km.stderr.includes('Cannot start the server: command "/no/such/mcp-server" was not found'),
      km.stderr,
    );
    assertEquals(events(await readSessionLog(dir)), ["start", "spawn_failed"]);
  }));

Deno.test("a command that is not executable exits 126", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/server.sh`, "#!/bin/sh\n");
    const km = new KmProcess(["monitor", "--log-dir", `${dir}/logs`, "--", `${dir}/server.sh`]);
    await km.closeStdin();
    equal((await km.exit()).code, 126);
    ok(km.stderr.includes("is not executable"), km.stderr);
  }));

Deno.test("km refuses to wrap itself and says how to fix the config", async () => {
  const km = new KmProcess(["monitor", "--", "km", "monitor", "--", "node", "server.js"]);
  await km.closeStdin();
  equal((await km.exit()).code, 2);
  ok(km.stderr.includes("refusing to run km inside km"), km.stderr);
});

Deno.test("an unwritable log directory is reported before the server starts", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    const km = new KmProcess([
      "monitor",
      "--log-dir",
      `${dir}/file/logs`,
      "--",
      "node",
      ...SERVER_EVERYTHING,
    ]);
    await km.closeStdin();
    equal((await km.exit()).code, 1);
    ok(km.stderr.includes(`Cannot write the audit log "${dir}/file/logs/`), km.stderr);
    ok(km.stderr.includes("hint: pass --log-dir"), km.stderr);
  }));

Deno.test("a server command given as one string runs, with a minimal client environment", () =>
  withDir(async (dir) => {
    const km = new KmProcess(["monitor", "--quiet", "--", `node ${SERVER_EVERYTHING.join(" ")}`], {
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH")!, KM_LOG_DIR: dir },
    });
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    await km.closeStdin();
    equal((await km.exit()).code, 0, km.stderr);
    const start = (await readSessionLog(dir))[0];
    assertEquals((start.server as { command: string[] }).command, ["node", ...SERVER_EVERYTHING]);
  }));

Deno.test("server stderr passes through unchanged and each line is recorded, redacted", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", SCRIPTED, "stderr"]);
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    await km.closeStdin();
    equal((await km.exit()).code, 0);
    ok(km.stderr.includes("first line\nsecond line with AKIAIOSFODNN7EXAMPLE\n"));
    const lines = (await readSessionLog(dir)).filter((r) => r.type === "stderr").map((r) => r.text);
    assertEquals(lines, ["first line", "second line with [REDACTED:aws_access_key_id]"]);
    equal(messageRecords(await readSessionLog(dir)).length, 2);
  }));

Deno.test("a client that never reads km's stderr does not stall the relay", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", SCRIPTED, "flood"], [], {
      readStderr: false,
    });
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    await km.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    await km.waitFor('"id":1');
    await km.closeStdin();
    equal((await km.exit()).code, 0);
    const stderrRecords = (await readSessionLog(dir)).filter((r) => r.type === "stderr");
    equal(
      stderrRecords.length,
      8192,
      `stderr records: ${stderrRecords.length}; ${km.stderr.slice(-300)}`,
    );
  }));

Deno.test("a client that stops reading (EPIPE) is recorded and the server is stopped", () =>
  withDir(async (dir) => {
    // server-everything ends by itself once its stdin is closed, but only after the timer it sets
    // when initialized (350 ms, to ask for roots): the wait before SIGTERM leaves it that time.
    const km = monitor(dir, ["node", ...SERVER_EVERYTHING], ["--close-stdin-wait", "5s"]);
    await km.write(INITIALIZE + INITIALIZED);
    await km.waitFor('"id":0');
    // The client closes its end of km's stdout but keeps writing requests.
    const stdoutPipe = fdTarget(km.child.pid, 1);
    await km.stopReadingStdout();
    // A cancelled read lets go of the pipe on a later turn of the event loop, not when cancel()
    // resolves: wait until this process holds no end of km's stdout, so that km's answers meet a
    // closed pipe. Without /proc (not Linux), yield to the event loop instead.
    if (stdoutPipe) {
      await until("the client's end of km's stdout to close", () => !holds("self", stdoutPipe));
    } else await new Promise((resolve) => setTimeout(resolve, 0));
    for (let id = 1; id <= 3; id++) {
      await km.write(`{"jsonrpc":"2.0","id":${id},"method":"tools/list"}\n`);
    }
    const status = await km.child.status;
    const records = await readSessionLog(dir);
    ok(events(records).includes("client_gone"), `lifecycle: ${events(records)}`);
    equal(records.at(-1)?.event, "shutdown");
    const pid = (records.find((r) => r.event === "start")?.server as { pid: number }).pid;
    ok(!alive(pid), "server stopped");
    equal(status.code, 0, "server-everything exits cleanly when its stdin closes");
    await km.closeStdin();
  }));

Deno.test("a server that closes its stdin (EPIPE) is recorded; later messages are not forwarded", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", SCRIPTED, "deaf"]);
    // The server's stdin, before it has read anything (it closes it after its first message).
    const server = (await readSessionLogWhenReady(dir)).find((r) => r.event === "start")
      ?.server as { pid: number };
    const stdinPipe = fdTarget(server.pid, 0);
    await km.write(INITIALIZE);
    await km.waitFor('"id":0');
    // The server closes its stdin right after answering: wait until it has, so that km's next
    // write to it fails.
    await until("the server to close its stdin", () => stdinClosed(server.pid, stdinPipe));
    await km.write(
      '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n',
    );
    // km has met the closed pipe: the message sent next comes after it.
    await until(
      "the server_stdin_closed record",
      async () => events(await readSessionLog(dir)).includes("server_stdin_closed"),
    );
    await km.write('{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    equal((await km.exit()).code, 5);
    const records = await readSessionLog(dir);
    ok(events(records).includes("server_stdin_closed"), `lifecycle: ${events(records)}`);
    const last = messageRecords(records).find((r) => r.id === "3");
    equal(last?.forwarded, false);
    // The client is told the server never answered.
    const reply = km.messages().find((m) => m.id === 3) as { error: { message: string } };
    equal(reply.error.message, "MCP server exited with code 5 before answering");
    await km.closeStdin();
  }));

Deno.test("without HOME or a log dir, km says where to put the audit log and starts nothing", async () => {
  const km = new KmProcess(["monitor", "--", "node", ...SERVER_EVERYTHING], {
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH")! },
  });
  await km.closeStdin();
  equal((await km.exit()).code, 1);
  equal(km.stdout, "");
  ok(km.stderr.includes("Cannot choose a place for the audit log"), km.stderr);
  ok(km.stderr.includes("--log-dir"), km.stderr);
});

const BAD_PEER = `${FIXTURES}/bad_peer_server.mjs`;

Deno.test("a request the client cancelled is never answered by km when the server dies", () =>
  withDir(async (dir) => {
    const km = monitor(dir, ["node", BAD_PEER, "hang-calls"]);
    await km.write(INITIALIZE + INITIALIZED);
    await km.waitFor('"id":0');
    const call = (id: number) =>
      `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"work"}}\n`;
    await km.write(call(1) + call(2));
    await forwardedToServer(dir, "calls 1 and 2", (r) => r.method === "tools/call", 2);
    // The server exits once it sees the cancellation, with both calls unanswered.
    await km.write(
      '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}\n',
    );
    equal((await km.exit()).code, 4);
    const answers = km.messages().filter((m) => m.id !== 0);
    assertEquals(answers, [{
      jsonrpc: "2.0",
      id: 2,
      error: { code: -32603, message: "MCP server exited with code 4 before answering" },
    }]);
    const records = await readSessionLog(dir);
    const cancelSeq = messageRecords(records).find((r) => r.method === "notifications/cancelled")
      ?.seq;
    const abandoned = records.find((r) => r.event === "pending_abandoned")!;
    equal(abandoned.answered_with_error, true);
    assertEquals(
      (abandoned.requests as Record<string, unknown>[]).map((r) => [
        r.id,
        r.not_answered,
        r.closed_by_seq,
      ]),
      [["1", "cancelled", cancelSeq], ["2", undefined, undefined]],
    );
  }));

Deno.test("the SDK client sees no answer to a call it cancelled (no 'unknown message ID')", () =>
  withDir(async (dir) => {
    const counted = await connect(
      kmCommand("monitor", "--quiet", "--log-dir", dir, "--", "node", BAD_PEER, "hang-calls"),
    );
    const { client } = counted;
    const errors: string[] = [];
    client.onerror = (error) => void errors.push(error.message);
    let closed = false;
    client.onclose = () => void (closed = true);
    const abort = new AbortController();
    const cancelled = client.callTool({ name: "work", arguments: {} }, undefined, {
      signal: abort.signal,
    });
    const pending = client.callTool({ name: "work", arguments: {} });
    await forwardedToServer(dir, "both calls", (r) => r.method === "tools/call", 2);
    abort.abort("the user changed their mind");
    await rejects(cancelled);
    await rejects(pending, /MCP server exited with code 4 before answering/);
    // The transport closes once km has exited and the client has read all km wrote: km's
    // answers, had it sent one for the cancelled call, have reached the client by then.
    await until("km to exit and the client to read all it wrote", () => closed);
    await client.close();
    assertEquals(errors, []);
    const abandoned = (await readSessionLog(dir)).find((r) => r.event === "pending_abandoned")!;
    assertEquals(
      (abandoned.requests as Record<string, unknown>[]).map((r) => r.not_answered),
      ["cancelled", undefined],
    );
  }));

const BIG_ID = "12345678901234567890";
/** The id as a Node server echoes it: JSON.parse and JSON.stringify make it a double. */
const ROUNDED_ID = "12345678901234567000";

for (const [flags, serverAnswerReaches] of [[[], false], [["--no-policy"], true]] as const) {
  Deno.test(`a server that rewrites an id: the client gets one answer for it (${flags.join(" ") || "default policy"})`, () =>
    withDir(async (dir) => {
      const km = monitor(dir, ["node", BAD_PEER, "rewrite-ids"], [...flags]);
      await km.write(INITIALIZE);
      await km.waitFor('"id":0');
      await km.write(
        `{"jsonrpc":"2.0","id":${BIG_ID},"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n`,
      );
      // The server answers in order: once 2 is answered, its answer to the big id was relayed.
      await km.waitFor('"id":2');
      await km.closeStdin();
      equal((await km.exit()).code, 0, km.stderr);
      const lines = km.stdout.split("\n").filter(Boolean);
      // Read as a JavaScript client reads them, both ids are one number: exactly one answer.
      const forBig = lines.filter((l) => Number(JSON.parse(l).id) === Number(BIG_ID));
      equal(forBig.length, 1, km.stdout);
      const records = await readSessionLog(dir);
      const abandoned = records.find((r) => r.event === "pending_abandoned")!;
      const [request] = abandoned.requests as Record<string, unknown>[];
      equal(request.id, BIG_ID);
      if (serverAnswerReaches) {
        // The server's answer reached the client; km does not add a second one.
        ok(forBig[0].includes(`"id":${ROUNDED_ID}`), forBig[0]);
        equal(request.not_answered, "already_answered");
        equal(abandoned.answered_with_error, false);
      } else {
        // The policy blocked the server's answer (it answers no request): km answers the call.
        ok(forBig[0].includes(`"id":${BIG_ID},"error"`), forBig[0]);
        equal(request.not_answered, undefined);
        equal(abandoned.answered_with_error, true);
      }
    }));
}
