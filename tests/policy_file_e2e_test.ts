/**
 * `--policy` naming a single .rego file: km compiles it as a directory holding only it (with its
 * own OPA, in-process) and enforces it against a real server (the TypeScript SDK test server,
 * whose exec log says what it ran); any other file is refused with what --policy takes.
 */
import { equal, ok } from "node:assert/strict";
import { kmCommand, monitor, readSessionLog } from "./helpers.ts";
import { execLogSession, handshake, response, SDK_SERVERS } from "./sdk_servers.ts";

const POLICY = `package kilometers

import rego.v1

deny contains {"rule": "no-shell", "reason": "shell commands are not allowed"} if {
	input.tool.name == "shell"
}
`;

const TS_SERVER = SDK_SERVERS.find((s) => s.name === "ts-sdk")!;

Deno.test("km monitor --policy x.rego denies the call the file's rule names; the server never runs it", async () => {
  const session = await execLogSession();
  const dir = await Deno.makeTempDir({ prefix: "km-policy-file-" });
  try {
    const policy = `${dir}/no_shell.rego`;
    await Deno.writeTextFile(policy, POLICY);
    const km = monitor(
      session.logDir,
      TS_SERVER.command,
      ["--policy", policy, "--data-dir", `${dir}/data`],
      { env: session.env },
    );
    await handshake(km);
    await km.write(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"shell","arguments":{"command":"id"}}}\n',
    );
    const denied = await response(km, 1);
    const error = denied.error as { code: number; message: string };
    equal(error.code, -32010, JSON.stringify(denied));
    ok(error.message.includes("shell commands are not allowed"), error.message);
    await km.write(
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}\n',
    );
    const allowed = await response(km, 2);
    ok("result" in allowed, JSON.stringify(allowed));
    await km.closeStdin();
    equal((await km.exit()).code, 0, km.stderr);
    const ran = await session.read();
    equal(ran.length, 1, JSON.stringify(ran));
    equal(ran[0].tool, "echo");
    const start = (await readSessionLog(session.logDir)).find((r) => r.event === "start");
    const recorded = JSON.stringify(start);
    ok(recorded.includes(policy), `the start record names the file: ${recorded}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await session.cleanup();
  }
});

Deno.test("km monitor --policy with a file that is no policy stops with exit 2, naming it and what was expected", async () => {
  const dir = await Deno.makeTempDir({ prefix: "km-policy-file-" });
  try {
    const notes = `${dir}/notes.txt`;
    await Deno.writeTextFile(notes, "deny everything\n");
    const { code, stderr } = await new Deno.Command(kmCommand()[0], {
      args: [
        ...kmCommand(
          "monitor",
          "--policy",
          notes,
          "--log-dir",
          `${dir}/logs`,
          "--",
          "node",
          "-e",
          "0",
        ).slice(1),
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    equal(code, 2, text);
    ok(text.includes(`Cannot load policy "${notes}"`), text);
    ok(text.includes("a .rego file") && text.includes("a bundle.tar.gz"), text);
    ok(!text.includes("checksum"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
