import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { bufferDiagnostics } from "./_testing.ts";
import { sessionPipes } from "./pipes.ts";

function pipes(clientStdout: WritableStream<Uint8Array>) {
  const events: unknown[] = [];
  const { diagnostics, text } = bufferDiagnostics();
  let stdinClosed = false;
  let afterClosed!: () => void;
  const stopped = new Promise<void>((r) => (afterClosed = r));
  const p = sessionPipes({
    serverStdin: new WritableStream({ close: () => void (stdinClosed = true) }),
    clientStdout,
    lifecycle: (event, fields) => events.push([event, fields]),
    diagnostics,
    verbose: true,
    clientLeft: (reason) => events.push(["left", reason]),
    afterStdinClosed: () => {
      events.push(["stop"]);
      afterClosed();
    },
  });
  return { p, events, text, stopped, stdinClosed: () => stdinClosed };
}

Deno.test("pipes: the client closing its end lets go of what it held and stops the server", async () => {
  const t = pipes(new WritableStream());
  t.p.clientEnded({});
  await t.stopped;
  equal(t.stdinClosed(), true);
  assertEquals(t.events, [["client_eof", {}], ["left", "the client closed its end"], ["stop"]]);
});

Deno.test("pipes: a client that stops reading is gone: recorded once, and its EOF is not", async () => {
  const t = pipes(new WritableStream({ write: () => Promise.reject(new Error("EPIPE")) }));
  equal(t.p.sendToClient(new TextEncoder().encode("{}\n")), true);
  await t.stopped;
  equal(t.p.sendToClient(new Uint8Array(1)), false, "written to a client that is gone");
  t.p.clientEnded({});
  assertEquals(t.events, [
    ["client_gone", { error: "EPIPE" }],
    ["left", "the client disconnected"],
    ["stop"],
  ]);
  equal(t.text(), "km: the client stopped reading (EPIPE); stopping the server\n");
});
