/**
 * What km prints on stderr quotes the peers (methods, tool names, error messages) and the
 * operator (the server name): none of it may act on the operator's terminal or forge a line of
 * km's own. The server's own stderr is the exception, passed through as the server wrote it.
 */
import { equal, ok } from "node:assert/strict";
import { FIXTURES, INITIALIZE, INITIALIZED, KmProcess } from "./helpers.ts";

const BAD_PEER = `${FIXTURES}/bad_peer_server.mjs`;
/** What the fixture puts into its tool name, its error messages and a method name. */
const FORGED = "\x1b[2K\rkm: fake\u202e\nkm: error: forged line";
/** The same, as km shows it. */
const SHOWN = "\\x1b[2K\\rkm: fake\\u202e\\nkm: error: forged line";

for (const flags of [[], ["--no-policy"]]) {
  Deno.test(`km -v shows peer strings escaped: no raw control character, no forged line (${flags.join(" ") || "default policy"})`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const km = new KmProcess([
        "monitor",
        "-v",
        ...flags,
        "--name",
        "srv\x1b[31m\nkm: forged name",
        "--log-dir",
        dir,
        "--",
        "node",
        BAD_PEER,
        "escapes",
      ]);
      await km.write(
        INITIALIZE + INITIALIZED +
          '{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n' +
          `${
            JSON.stringify({
              jsonrpc: "2.0",
              id: 2,
              method: "tools/call",
              params: { name: `tool${FORGED}` },
            })
          }\n` +
          '{"jsonrpc":"2.0","id":3,"method":"ping"}\n',
      );
      await km.waitFor('"id":3');
      await km.closeStdin();
      equal((await km.exit()).code, 0, km.stderr);
      const stderr = km.stderr;
      // deno-lint-ignore no-control-regex
      const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
      ok(!raw.test(stderr), `a raw control character on stderr:\n${JSON.stringify(stderr)}`);
      const lines = stderr.split("\n").filter(Boolean);
      for (const line of lines) {
        ok(line.startsWith("km: "), `a line km did not write: ${JSON.stringify(line)}`);
        ok(!/^km: (fake|error: forged|forged)/.test(line), `a forged line: ${line}`);
      }
      // What the peer sent is still there to read, escaped.
      ok(stderr.includes(`tool${SHOWN}`), stderr);
      ok(stderr.includes("srv\\x1b[31m\\nkm: forged name"), "the server name, in the summary");
      if (flags.length > 0) ok(stderr.includes(`error -32000: ${SHOWN}`), stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
