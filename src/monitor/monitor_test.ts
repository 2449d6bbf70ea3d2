import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { DEFAULTS } from "../config/config.ts";
import { type MonitorDeps, runMonitor } from "./monitor.ts";
import { bufferDiagnostics, fakeClock, fakeUpstream } from "./_testing.ts";

const unused = () => {
  throw new Error("not used by this test");
};

Deno.test("runMonitor: a session relays a request and its answer, records it all and exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = new TextEncoder();
    const server = fakeUpstream((line) => {
      const request = JSON.parse(line);
      return JSON.stringify({ jsonrpc: "2.0", id: request.id, result: { tools: [] } });
    }, "server ready\n");
    let toClient = "";
    const passedThrough: string[] = [];
    const { diagnostics, text } = bufferDiagnostics();
    let subscribed = false;
    const deps: MonitorDeps = {
      // A client that sends one request, then closes its end.
      stdin: new ReadableStream({
        start(c) {
          c.enqueue(encoder.encode('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n'));
          c.close();
        },
      }),
      stdout: new WritableStream({
        write: (chunk) => void (toClient += new TextDecoder().decode(chunk)),
      }),
      stderr: (bytes) => passedThrough.push(new TextDecoder().decode(bytes)),
      diagnostics,
      env: {},
      os: "linux",
      cwd: "/work",
      clock: fakeClock(),
      newSessionId: () => "0000bbbb-0000-0000-0000-000000000000",
      spawn: (options) => {
        assertEquals(options.command, ["server", "--stdio"]);
        equal(options.env.KM_PARENT_SESSION, "0000bbbb-0000-0000-0000-000000000000");
        return server;
      },
      loadPolicy: unused,
      loadDefaultPolicy: unused,
      watchPath: unused,
      attachUi: unused,
      findDashboard: unused,
      connectDashboard: unused,
      onSignals: () => {
        subscribed = true;
        return () => (subscribed = false);
      },
    };
    const config = { ...DEFAULTS, logDir: dir, policy: { ...DEFAULTS.policy, path: "none" } };
    const code = await runMonitor(config, ["server", "--stdio"], deps);

    equal(code, 0);
    equal(subscribed, false, "km still listens for signals after the session");
    assertEquals(JSON.parse(toClient), { jsonrpc: "2.0", id: 1, result: { tools: [] } });
    assertEquals(passedThrough, ["server ready\n"]);
    const [file] = [...Deno.readDirSync(dir)];
    const log = (await Deno.readTextFile(`${dir}/${file.name}`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const names = log.map((r) => r.event ?? `${r.type} ${r.direction ?? ""}`.trim());
    equal(names[0], "start");
    equal(names.at(-1), "shutdown");
    for (
      const name of [
        "message client_to_server",
        "message server_to_client",
        "stderr",
        "client_eof",
        "server_stdout_eof",
        "server_exit",
      ]
    ) ok(names.includes(name), `${name} is missing: ${names}`);
    ok(names.indexOf("message client_to_server") < names.indexOf("message server_to_client"));
    ok(names.indexOf("server_exit") < names.indexOf("shutdown"));
    assertEquals(log.map((r) => r.seq), log.map((_r, i) => i + 1));
    ok(log.every((r) => r.session_id === "0000bbbb-0000-0000-0000-000000000000"));
    assertEquals(log[0].server, {
      name: "server",
      command: ["server", "--stdio"],
      cwd: "/work",
      pid: 4242,
    });
    equal(log[0].policy, undefined);
    const shutdown = log.at(-1);
    assertEquals([shutdown.exit_code, shutdown.reason], [0, "exited with code 0"]);
    assertEquals(shutdown.messages, { client_to_server: 1, server_to_client: 1 });
    ok(text().includes("session 0000bbbb (server) ended after"), text());
    ok(text().includes("server stderr: 1 line"), text());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
