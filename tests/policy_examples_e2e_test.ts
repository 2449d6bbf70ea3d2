/**
 * Every example policy of policies/examples, enforced by `km monitor --policy <example>` in front
 * of a real server (server-everything or server-filesystem) and driven by the official SDK
 * client: each effect is checked as the client sees it, and on the audit record of the message
 * it applies to. The examples are used as they are, except where their README invites editing
 * `data.json` for a deployment (filesystem-allowlist's roots, hide-tools' lists): those run
 * from a temporary copy with a data file written by the test.
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import {
  kmCommand,
  messageRecords,
  readSessionLog,
  ROOT,
  SERVER_EVERYTHING,
  SERVER_FILESYSTEM,
} from "./helpers.ts";
import { connect, type Counted } from "./sdk_client.ts";

const EXAMPLES = `${ROOT}policies/examples`;
const EVERYTHING = ["node", ...SERVER_EVERYTHING];
const POLICY_DENIED = -32010;

type AuditRecord = Record<string, unknown>;

/** The `result` member of a message record: the policy's decision and what km did. */
interface Result {
  action: string;
  applied: string;
  reasons: string[];
  rules: string[];
  risk?: number;
  labels?: string[];
}

/** A km session with a policy, and where its log and scratch files live. */
interface Session {
  client: Counted["client"];
  /** A temporary directory for the test's own files, removed by `end`. */
  root: string;
  /** Closes the client (km and the server exit) and returns the session's message records. */
  close(): Promise<AuditRecord[]>;
  /** Closes the client if still open and removes the temporary directory. */
  end(): Promise<void>;
}

/**
 * Starts `km monitor --policy <policy> [flags] -- <server>` under the SDK client. `policy` is an
 * example's name, or a function that builds a policy directory in the session's temporary root
 * (and the server command, which may need a directory there too).
 */
async function session(
  policy: string | ((root: string) => Promise<string>),
  server: string[] | ((root: string) => Promise<string[]>),
  flags: string[] = [],
): Promise<Session> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "km-examples-e2e-" }));
  let client: Counted["client"] | undefined;
  const close = async () => {
    const open = client;
    client = undefined;
    await open?.close();
  };
  const end = async () => {
    await close();
    await Deno.remove(root, { recursive: true });
  };
  try {
    const policyDir = typeof policy === "string" ? `${EXAMPLES}/${policy}` : await policy(root);
    const command = typeof server === "function" ? await server(root) : server;
    const logs = `${root}/logs`;
    // server-everything keeps running after its stdin closes: without a short wait, km's
    // SIGTERM and the SDK's (both after 2 s) would race at every close.
    const wait = ["--close-stdin-wait", "200ms"];
    ({ client } = await connect(
      kmCommand(
        "monitor",
        "--quiet",
        ...wait,
        "--policy",
        policyDir,
        ...flags,
        "--log-dir",
        logs,
        // No dashboard runs in this data folder: approvals are asked of the client only.
        "--data-dir",
        `${root}/data`,
      ).concat("--", ...command),
    ));
    return {
      client,
      root,
      close: async () => {
        await close();
        return messageRecords(await readSessionLog(logs));
      },
      end,
    };
  } catch (error) {
    await end();
    throw error;
  }
}

/** A copy of an example directory, in the session's root, with `data.json` replaced. */
function exampleWithData(
  name: string,
  data: (root: string) => unknown,
): (root: string) => Promise<string> {
  return async (root) => {
    const dir = `${root}/${name}`;
    await Deno.mkdir(dir);
    for await (const entry of Deno.readDir(`${EXAMPLES}/${name}`)) {
      if (entry.isFile && entry.name !== "data.json") {
        await Deno.copyFile(`${EXAMPLES}/${name}/${entry.name}`, `${dir}/${entry.name}`);
      }
    }
    await Deno.writeTextFile(`${dir}/data.json`, JSON.stringify(data(root)));
    return dir;
  };
}

/** The text of a tool result's first content item. */
function text(result: Record<string, unknown>): string {
  return (result.content as { text: string }[])[0].text;
}

/** Asserts that `call` was answered by km with the policy's denial, naming `reason` and `rules`. */
async function assertBlocked(call: Promise<unknown>, reason: string, rules: string[]) {
  await rejects(call, (e: Error & { code?: number; data?: { rules?: string[] } }) => {
    equal(e.code, POLICY_DENIED);
    equal(e.message, `MCP error ${POLICY_DENIED}: Blocked by policy: ${reason}`);
    deepStrictEqual(e.data?.rules, rules);
    return true;
  });
}

/** The `tools/call` request records for `tool`, in order. */
function callsOf(records: AuditRecord[], tool: string): AuditRecord[] {
  return records.filter((r) =>
    r.kind === "request" && r.method === "tools/call" && r.tool === tool
  );
}

/** The record of the server's answer to the request recorded as `request`, if there is one. */
function answerTo(records: AuditRecord[], request: AuditRecord): AuditRecord | undefined {
  return records.find((r) =>
    r.direction === "server_to_client" && r.request_seq === request.seq && r.origin !== "km"
  );
}

/** The server's `tools/list` response records. */
function listings(records: AuditRecord[]): AuditRecord[] {
  return records.filter((r) => r.kind === "response" && r.method === "tools/list");
}

/** Asserts the members of `want` on the record's decision (`result`). */
function assertDecision(record: AuditRecord | undefined, want: Partial<Result>): void {
  ok(record, "no such record");
  const result = record.result as Result;
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, result[k as keyof Result]]));
  deepStrictEqual(got, want, `seq ${record.seq}: ${JSON.stringify(result)}`);
}

/**
 * Asserts that km blocked the request recorded as `request`: not forwarded, never answered by
 * the server, and answered by km with a record of its own.
 */
function assertBlockedRecord(
  records: AuditRecord[],
  request: AuditRecord | undefined,
  want: Partial<Result>,
): void {
  ok(request, "no such request");
  equal(request.forwarded, false);
  assertDecision(request, { applied: "block", ...want });
  equal(answerTo(records, request), undefined, "the server answered a blocked request");
  const own = records.filter((r) => r.origin === "km" && r.request_seq === request.seq);
  equal(own.length, 1, `km's answer to seq ${request.seq}`);
  deepStrictEqual(
    [own[0].kind, (own[0].error as { code: number }).code, own[0].cause_seq, own[0].forwarded],
    ["error", POLICY_DENIED, request.seq, true],
  );
}

Deno.test("example block-tool: a blocked tool is hidden from tools/list and its calls are denied", async () => {
  const s = await session("block-tool", EVERYTHING);
  try {
    const tools = (await s.client.listTools()).tools.map((t) => t.name);
    ok(!tools.includes("get-env"), tools.join(","));
    ok(tools.includes("echo") && tools.includes("get-sum"), tools.join(","));
    await assertBlocked(
      s.client.callTool({ name: "get-env", arguments: {} }),
      "tool get-env is blocked by policy",
      ["blocked-tool"],
    );
    equal(
      text(await s.client.callTool({ name: "echo", arguments: { message: "hi" } })),
      "Echo: hi",
    );

    const records = await s.close();
    const [listing] = listings(records);
    const listed = (listing.message as { result: { tools: { name: string }[] } }).result.tools;
    ok(listed.some((t) => t.name === "get-env"), "the log holds the listing as the server sent it");
    assertDecision(listing, { action: "transform", applied: "transform" });
    assertBlockedRecord(records, callsOf(records, "get-env")[0], {
      action: "deny",
      rules: ["blocked-tool"],
      reasons: ["tool get-env is blocked by policy"],
      labels: ["blocked-tool"],
    });
    const [echo] = callsOf(records, "echo");
    equal(echo.forwarded, true);
    assertDecision(echo, { action: "allow", applied: "forward", rules: [] });
  } finally {
    await s.end();
  }
});

Deno.test("example hide-tools: exactly the matching tools disappear from tools/list, and calling one is denied", async () => {
  const s = await session("hide-tools", EVERYTHING);
  try {
    const tools = (await s.client.listTools()).tools.map((t) => t.name);
    await assertBlocked(
      s.client.callTool({ name: "get-env", arguments: {} }),
      "tool get-env is not available",
      ["hidden-tool"],
    );
    equal(
      text(await s.client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })),
      "The sum of 1 and 2 is 3.",
    );

    const records = await s.close();
    const [listing] = listings(records);
    const sent = (listing.message as { result: { tools: { name: string }[] } }).result.tools;
    // server-everything describes get-env as returning "all environment variables": both the
    // name list and the description pattern match it, and nothing else it lists.
    deepStrictEqual(tools, sent.map((t) => t.name).filter((name) => name !== "get-env"));
    ok(sent.length > tools.length);
    assertDecision(listing, { action: "transform", applied: "transform" });
    assertBlockedRecord(records, callsOf(records, "get-env")[0], {
      action: "deny",
      rules: ["hidden-tool"],
      reasons: ["tool get-env is not available"],
      labels: ["hidden-tool"],
    });
    assertDecision(callsOf(records, "get-sum")[0], { action: "allow", applied: "forward" });
  } finally {
    await s.end();
  }
});

Deno.test("example hide-tools: a tool hidden by its description alone is denied once km has seen it listed", async () => {
  // The README's own caveat: with the name list empty, only the server's listing tells km that
  // get-env mentions the "environment", so a call made before any tools/list gets through.
  const data = JSON.parse(await Deno.readTextFile(`${EXAMPLES}/hide-tools/data.json`));
  const s = await session(
    exampleWithData("hide-tools", () => ({ ...data, hidden_tools: [] })),
    EVERYTHING,
  );
  try {
    const before = await s.client.callTool({ name: "get-env", arguments: {} });
    ok(text(before).startsWith("{"), text(before).slice(0, 200));
    const tools = (await s.client.listTools()).tools.map((t) => t.name);
    ok(!tools.includes("get-env") && tools.includes("echo"), tools.join(","));
    await assertBlocked(
      s.client.callTool({ name: "get-env", arguments: {} }),
      "tool get-env is not available",
      ["hidden-tool"],
    );

    const records = await s.close();
    const [first, second] = callsOf(records, "get-env");
    assertDecision(first, { action: "allow", applied: "forward" });
    equal(first.forwarded, true);
    assertBlockedRecord(records, second, { action: "deny", rules: ["hidden-tool"] });
  } finally {
    await s.end();
  }
});

Deno.test("example approve-destructive: destructive commands wait for a person, who declines", async () => {
  // Neither real server has a shell tool; the policy keys on command-like arguments, not tool
  // names, so the calls use the names of cases.json. The SDK client is asked through
  // elicitation and declines: the server never sees the held calls.
  const declined = "approval denied in the client by the user in km-e2e 1.0.0 (declined); ";
  const s = await session("approve-destructive", EVERYTHING);
  try {
    await assertBlocked(
      s.client.callTool({
        name: "run_command",
        arguments: { command: "rm -rf /var/lib/postgresql/data" },
      }),
      declined +
        "approval required (recursive or forced rm in run_command: rm -rf /var/lib/postgresql/data)",
      ["destructive-rm"],
    );
    await assertBlocked(
      s.client.callTool({
        name: "kubectl",
        arguments: { args: ["delete", "namespace", "staging"] },
      }),
      declined + "approval required (kubectl delete in kubectl: kubectl delete namespace staging)",
      ["destructive-kubectl-delete"],
    );
    // A harmless command is forwarded: server-everything answers that it has no such tool.
    const harmless = await s.client.callTool({
      name: "run_command",
      arguments: { command: "ls -la" },
    });
    equal(harmless.isError, true);
    ok(text(harmless).includes("Tool run_command not found"), text(harmless));
    // Only command-like arguments are inspected: an echoed message is not a command.
    equal(
      text(await s.client.callTool({ name: "echo", arguments: { message: "rm -rf /" } })),
      "Echo: rm -rf /",
    );

    const records = await s.close();
    const [rm, ls] = callsOf(records, "run_command");
    assertBlockedRecord(records, rm, {
      action: "ask",
      applied: "hold",
      rules: ["destructive-rm"],
      reasons: ["recursive or forced rm in run_command: rm -rf /var/lib/postgresql/data"],
      labels: ["destructive"],
      risk: 90,
    });
    assertBlockedRecord(records, callsOf(records, "kubectl")[0], {
      action: "ask",
      applied: "hold",
      rules: ["destructive-kubectl-delete"],
    });
    ok((rm.result as { approval_id?: string }).approval_id, "the held call names its approval");
    equal(ls.forwarded, true);
    assertDecision(ls, { action: "allow", applied: "forward", rules: [] });
    ok(answerTo(records, ls), "the server answered the harmless command");
    assertDecision(callsOf(records, "echo")[0], { action: "allow" });
  } finally {
    await s.end();
  }
});

Deno.test("example force-dry-run: edit_file reaches server-filesystem as a dry run and changes nothing", async () => {
  const original = "hello\nworld\n";
  const s = await session("force-dry-run", async (root) => {
    await Deno.mkdir(`${root}/files`);
    await Deno.writeTextFile(`${root}/files/a.txt`, original);
    return ["node", ...SERVER_FILESYSTEM, `${root}/files`];
  });
  try {
    const path = `${s.root}/files/a.txt`;
    const edits = [{ oldText: "world", newText: "there" }];
    for (const args of [{ path, edits }, { path, edits, dryRun: false }]) {
      const result = await s.client.callTool({ name: "edit_file", arguments: args });
      ok(!result.isError && text(result).includes("-world\n+there"), text(result));
      equal(await Deno.readTextFile(path), original, `after ${JSON.stringify(args)}`);
    }

    const records = await s.close();
    const calls = callsOf(records, "edit_file");
    equal(calls.length, 2);
    for (const call of calls) {
      equal(call.forwarded, true);
      assertDecision(call, {
        action: "transform",
        applied: "transform",
        rules: [],
        labels: ["dry-run-forced"],
      });
      // The patch applies to requests only: the server's answer is relayed, not blocked.
      assertDecision(answerTo(records, call), { action: "allow", applied: "forward" });
    }
  } finally {
    await s.end();
  }
});

Deno.test("example redact-secrets: credentials in tool results never reach the client", async () => {
  // Fake credentials, assembled so that secret scanners do not flag this file.
  const awsKey = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
  const ghToken = ["ghp_", "EXAMPLE00000000000000000000000000000"].join("");
  const s = await session("redact-secrets", EVERYTHING, ["--env", `KM_E2E_TOKEN=${ghToken}`]);
  try {
    equal(
      text(await s.client.callTool({ name: "echo", arguments: { message: `key ${awsKey} ok` } })),
      "Echo: key [REDACTED] ok",
    );
    equal(
      text(await s.client.callTool({ name: "echo", arguments: { message: "nothing secret" } })),
      "Echo: nothing secret",
    );
    // server-everything's get-env prints its environment, which km was told to give the token.
    const env = text(await s.client.callTool({ name: "get-env", arguments: {} }));
    // Two patterns match (the token, and a TOKEN=... assignment, which takes the name along).
    ok(env.includes('"KM_E2E_[REDACTED]"'), env);
    ok(!env.includes(ghToken.slice(4)), "the token reached the client");

    const records = await s.close();
    const [secret, clean] = callsOf(records, "echo");
    assertDecision(answerTo(records, secret), {
      action: "transform",
      applied: "transform",
      labels: ["secret:aws-access-key-id"],
      risk: 70,
    });
    assertDecision(answerTo(records, clean), { action: "allow", applied: "forward" });
    const envAnswer = answerTo(records, callsOf(records, "get-env")[0]);
    assertDecision(envAnswer, { action: "transform", applied: "transform" });
    const labels = (envAnswer!.result as Result).labels ?? [];
    ok(labels.includes("secret:github-token"), labels.join(","));
    ok(labels.includes("secret:password-assignment"), labels.join(","));
    // km's own audit redaction keeps them out of the log as well (every record of it).
    const log = JSON.stringify(await readSessionLog(`${s.root}/logs`));
    ok(!log.includes(awsKey) && !log.includes(ghToken), "a secret was written to the audit log");
  } finally {
    await s.end();
  }
});

Deno.test("example rate-limit: calls under the limit pass, the one over it is denied", async () => {
  const s = await session("rate-limit", EVERYTHING);
  try {
    // data.json: get-sum 5 a minute, get-env 0 (disabled), everything else 30.
    for (let i = 1; i <= 5; i++) {
      equal(
        text(await s.client.callTool({ name: "get-sum", arguments: { a: i, b: 1 } })),
        `The sum of ${i} and 1 is ${i + 1}.`,
      );
    }
    const over = "tool get-sum: limit of 5 calls a minute reached";
    await assertBlocked(
      s.client.callTool({ name: "get-sum", arguments: { a: 6, b: 1 } }),
      over,
      ["rate-limit-tool"],
    );
    // A denied call is not counted, and the limit is per tool.
    await assertBlocked(
      s.client.callTool({ name: "get-sum", arguments: { a: 7, b: 1 } }),
      over,
      ["rate-limit-tool"],
    );
    equal(
      text(await s.client.callTool({ name: "echo", arguments: { message: "hi" } })),
      "Echo: hi",
    );
    await assertBlocked(
      s.client.callTool({ name: "get-env", arguments: {} }),
      "tool get-env is disabled (limit 0 calls a minute)",
      ["rate-limit-tool"],
    );

    const records = await s.close();
    const sums = callsOf(records, "get-sum");
    equal(sums.length, 7);
    for (const call of sums.slice(0, 5)) {
      equal(call.forwarded, true);
      assertDecision(call, { action: "allow", applied: "forward", rules: [] });
    }
    for (const call of sums.slice(5)) {
      assertBlockedRecord(records, call, {
        action: "deny",
        rules: ["rate-limit-tool"],
        reasons: [over],
        labels: ["rate-limited"],
      });
    }
    assertDecision(callsOf(records, "echo")[0], { action: "allow" });
    assertBlockedRecord(records, callsOf(records, "get-env")[0], {
      action: "deny",
      rules: ["rate-limit-tool"],
    });
  } finally {
    await s.end();
  }
});

Deno.test("example filesystem-allowlist: paths inside the allowed roots pass, others are denied before the server", async () => {
  // The server may touch all of files/; the policy (data.json, as its README says to edit it)
  // only files/allowed. files/private is what only the policy protects.
  const s = await session(
    exampleWithData("filesystem-allowlist", (root) => ({
      allowed_roots: [`${root}/files/allowed`],
    })),
    async (root) => {
      await Deno.mkdir(`${root}/files/allowed`, { recursive: true });
      await Deno.mkdir(`${root}/files/private`);
      await Deno.writeTextFile(`${root}/files/allowed/notes.md`, "# Notes\n");
      await Deno.writeTextFile(`${root}/files/private/secret.txt`, "private\n");
      return ["node", ...SERVER_FILESYSTEM, `${root}/files`];
    },
  );
  try {
    const files = `${s.root}/files`;
    const read = (path: string) =>
      s.client.callTool({ name: "read_text_file", arguments: { path } });
    equal(text(await read(`${files}/allowed/notes.md`)), "# Notes\n");
    equal(text(await read(`${files}/allowed/./notes.md`)), "# Notes\n");

    const outside = `${files}/private/secret.txt`;
    await assertBlocked(
      read(outside),
      `read_text_file: path ${outside} is outside the allowed directories`,
      ["fs-outside-roots"],
    );
    const dotDot = `${files}/allowed/../private/secret.txt`;
    await assertBlocked(read(dotDot), `read_text_file: path ${dotDot} contains '..'`, [
      "fs-dot-dot",
    ]);
    await assertBlocked(
      s.client.callTool({
        name: "move_file",
        arguments: {
          source: `${files}/allowed/notes.md`,
          destination: `${files}/private/notes.md`,
        },
      }),
      `move_file: destination ${files}/private/notes.md is outside the allowed directories`,
      ["fs-outside-roots"],
    );
    equal(await Deno.readTextFile(`${files}/allowed/notes.md`), "# Notes\n", "the move happened");
    // The '..' after 3 MB of path: km judges the whole path, not a skeleton cut at 16 KiB (the
    // server would resolve it to files/private/secret.txt and return it).
    const long = `${files}/allowed/${"a".repeat(3 * 1024 * 1024)}/../../private/secret.txt`;
    await rejects(read(long), (e: Error & { code?: number; data?: { rules?: string[] } }) => {
      equal(e.code, POLICY_DENIED);
      deepStrictEqual(e.data?.rules, ["fs-dot-dot"]);
      return true;
    });

    const records = await s.close();
    const reads = callsOf(records, "read_text_file");
    equal(reads.length, 5);
    for (const call of reads.slice(0, 2)) {
      equal(call.forwarded, true);
      assertDecision(call, { action: "allow", applied: "forward", rules: [] });
    }
    assertBlockedRecord(records, reads[2], {
      action: "deny",
      rules: ["fs-outside-roots"],
      labels: ["fs-boundary"],
    });
    assertBlockedRecord(records, reads[3], {
      action: "deny",
      rules: ["fs-dot-dot"],
      labels: ["fs-boundary"],
    });
    assertBlockedRecord(records, callsOf(records, "move_file")[0], {
      action: "deny",
      rules: ["fs-outside-roots"],
    });
  } finally {
    await s.end();
  }
});
