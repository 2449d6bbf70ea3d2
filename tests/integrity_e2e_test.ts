/**
 * Bypass attempts, end to end: a client tries to get a call the policy denies past km to real
 * servers on the official Python (mcp 2.x and 1.x), Go and TypeScript SDKs, which record every
 * call they execute. Each attempt must end with the call never executed, its line recorded as
 * not forwarded, and the server still serving the calls that are allowed.
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { FIXTURES, kmCommand, messageRecords, monitor, readSessionLog } from "./helpers.ts";
import { connect } from "./sdk_client.ts";
import { execLogSession, handshake, response, SDK_SERVERS } from "./sdk_servers.ts";

const enc = new TextEncoder();

/** The README's deny rule, and one on the content of an argument. */
const POLICY = `package kilometers

import rego.v1

deny contains {"rule": "no-shell", "reason": "shell commands are not allowed"} if {
	input.method == "tools/call"
	input.tool.name in {"run_command", "shell"}
}

deny contains {"rule": "no-rm", "reason": "rm -rf is not allowed"} if {
	input.method == "tools/call"
	contains(input.tool.arguments.text, "rm -rf")
}
`;

let policyDir: string | undefined;
async function policy(): Promise<string> {
  if (!policyDir) {
    policyDir = await Deno.makeTempDir({ prefix: "km-integrity-policy-" });
    await Deno.writeTextFile(`${policyDir}/policy.rego`, POLICY);
  }
  return policyDir;
}

const call = (id: number, name: string, args: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

/** A shell call whose command names the attempt, so an executed one says which got through. */
const shell = (id: number, attempt: string) => call(id, "shell", { command: `attack:${attempt}` });

/** One attempt: the bytes a hostile client writes (one or more lines). */
interface Attempt {
  readonly name: string;
  readonly bytes: (id: number) => Uint8Array;
}

const text = (make: (id: number) => string) => (id: number) => enc.encode(make(id));

const ATTEMPTS: readonly Attempt[] = [
  {
    name: "one invalid UTF-8 byte in an argument",
    bytes: (id) => {
      const line = enc.encode(shell(id, "utf8 X") + "\n");
      const at = line.indexOf(0x58); // "X"
      line[at] = 0xff;
      return line;
    },
  },
  {
    name: "a bare CR between two messages",
    bytes: text((id) =>
      `${JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })}\r${shell(id + 1, "cr")}\n`
    ),
  },
  {
    name: "a bare CR inside one message",
    bytes: text((id) => shell(id, "cr-inside").replace(',"method"', ',\r"method"') + "\n"),
  },
  {
    name: "two JSON values on one line",
    bytes: text((id) => `${call(id, "echo", { text: "carrier" })} ${shell(id + 1, "two")}\n`),
  },
  {
    name: "one message split over two lines",
    bytes: text((id) => shell(id, "split").replace(',"method"', ',\n"method"') + "\n"),
  },
  {
    name: "duplicate member, the allowed name last",
    bytes: text((id) =>
      shell(id, "dup-first").replace('"name":"shell"', '"name":"shell","name":"echo"') + "\n"
    ),
  },
  {
    name: "case-variant member name",
    bytes: text((id) =>
      shell(id, "case").replace('"name":"shell"', '"name":"echo","Name":"shell"') + "\n"
    ),
  },
  {
    name: "case-variant method",
    bytes: text((id) =>
      shell(id, "method-case").replace(
        '"method":"tools/call"',
        '"method":"ping","Method":"tools/call"',
      ) +
      "\n"
    ),
  },
  {
    name: "escaped tool name",
    bytes: text((id) =>
      shell(id, "escaped").replace('"name":"shell"', '"name":"sh\\u0065ll"') + "\n"
    ),
  },
  {
    name: "escaped member name",
    bytes: text((id) =>
      shell(id, "escaped-member").replace('"name":"shell"', '"n\\u0061me":"shell"') + "\n"
    ),
  },
  {
    name: "a call sent as a notification",
    bytes: text((id) =>
      JSON.stringify({
        jsonrpc: "2.0",
        method: "tools/call",
        params: { name: "shell", arguments: { command: `attack:notification ${id}` } },
      }) + "\n"
    ),
  },
  {
    name: "a byte order mark",
    bytes: text((id) => `\uFEFF${shell(id, "bom")}\n`),
  },
  {
    name: "trailing garbage",
    bytes: text((id) => `${shell(id, "garbage")}x\n`),
  },
  {
    name: "nesting 200 levels deep",
    bytes: text((id) =>
      call(id, "shell", {
        command: "attack:deep",
        pad: JSON.parse("[".repeat(200) + "]".repeat(200)),
      }) + "\n"
    ),
  },
  {
    name: "a destructive command after 2 MiB of padding",
    bytes: text((id) =>
      call(id, "echo", { text: `attack:cut ${"a".repeat(2 << 20)}; rm -rf /` }) + "\n"
    ),
  },
];

for (const server of SDK_SERVERS) {
  Deno.test(`${server.name}: no bypass attempt runs a denied call, and allowed calls still run`, async () => {
    const session = await execLogSession();
    const km = monitor(session.logDir, server.command, ["--policy", await policy()], {
      env: session.env,
    });
    try {
      await handshake(km);
      let id = 100;
      for (const attempt of ATTEMPTS) {
        await km.write(attempt.bytes(id));
        id += 10;
        // After each attempt an allowed call must still run: the server reads on as before.
        await km.write(call(id, "echo", { text: `control:${attempt.name}` }) + "\n");
        const answer = await response(km, id);
        ok("result" in answer, `${attempt.name}: ${JSON.stringify(answer)}`);
        id += 10;
      }
      await km.closeStdin();
      await km.exit();
      const executed = await session.read();
      const attacks = executed.filter((e) =>
        e.tool === "shell" || Object.values(e.arguments).some((v) => String(v).includes("rm -rf"))
      );
      assertEquals(attacks.map((e) => `${e.tool} ${JSON.stringify(e.arguments).slice(0, 80)}`), []);
      const controls = executed.filter((e) =>
        e.tool === "echo" && e.arguments.text?.startsWith("control:")
      );
      equal(controls.length, ATTEMPTS.length);
      // Every attempt is recorded, and none as forwarded.
      const records = messageRecords(await readSessionLog(session.logDir));
      const attempted = records.filter((r) =>
        r.direction === "client_to_server" && JSON.stringify(r).includes("attack:")
      );
      ok(attempted.length >= ATTEMPTS.length - 1, `${attempted.length} attempts recorded`);
      assertEquals(attempted.filter((r) => r.forwarded).map((r) => r.seq), []);
    } finally {
      await session.cleanup();
    }
  });
}

for (const server of SDK_SERVERS) {
  Deno.test(`${server.name}: a batch (2025-03-26) with a denied call runs none of it`, async () => {
    const session = await execLogSession();
    const km = monitor(session.logDir, server.command, ["--policy", await policy()], {
      env: session.env,
    });
    try {
      await handshake(km, "2025-03-26");
      await km.write(`[${call(1, "echo", { text: "in-batch" })},${shell(2, "batch")}]\n`);
      await km.write(call(3, "echo", { text: "control" }) + "\n");
      await response(km, 3);
      const answers = km.messages().find((m) => Array.isArray(m)) as unknown as
        | { id: number; error?: { code: number } }[]
        | undefined;
      assertEquals(answers?.map((a) => [a.id, a.error?.code]), [[1, -32010], [2, -32010]]);
      await km.closeStdin();
      await km.exit();
      assertEquals((await session.read()).map((e) => e.arguments.text ?? e.arguments.command), [
        "control",
      ]);
    } finally {
      await session.cleanup();
    }
  });
}

const HIDE_AND_REDACT = `package kilometers

import rego.v1

hide contains "secret-tool" if input.method == "tools/list"

redact contains {"path": "/result/content", "pattern": "tok_[a-z0-9]+"} if input.method == "tools/call"
`;

for (const mode of ["string-ids", "invalid-byte", "duplicate-result"]) {
  Deno.test(`a server's ${mode} answers never show the SDK client a hidden tool or a token`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "km-lying-" });
    await Deno.mkdir(`${dir}/policy`);
    await Deno.writeTextFile(`${dir}/policy/policy.rego`, HIDE_AND_REDACT);
    const { client } = await connect(
      kmCommand(
        "monitor",
        "--quiet",
        "--log-dir",
        `${dir}/logs`,
        "--policy",
        `${dir}/policy`,
        "--",
        "node",
        `${FIXTURES}/lying_server.mjs`,
        mode,
      ),
    );
    try {
      const seen: string[] = [];
      try {
        seen.push(...(await client.listTools()).tools.map((t) => t.name));
      } catch (error) {
        seen.push(`error: ${(error as Error).message}`);
      }
      ok(!seen.includes("secret-tool"), seen.join(", "));
      let text: string;
      try {
        text = JSON.stringify((await client.callTool({ name: "echo", arguments: {} })).content);
      } catch (error) {
        text = `error: ${(error as Error).message}`;
      }
      ok(!text.includes("tok_abc123"), text);
      if (mode === "string-ids") {
        // Matched as the client matches it, the answer is judged and transformed, not blocked.
        assertEquals(seen, ["echo"]);
        ok(text.includes("[REDACTED]"), text);
      }
    } finally {
      await client.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
