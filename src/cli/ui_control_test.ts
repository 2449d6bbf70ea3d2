import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import type { Discovery } from "../discovery.ts";
import { type UiControlIo, uiStatus, uiStop } from "./ui_control.ts";

const FOUND: Discovery = {
  pid: 777,
  port: 7411,
  url: "http://127.0.0.1:7411/",
  token: "t0k",
  logDir: "/home/u/.local/share/km/logs",
  version: "1.2.3",
  startedAt: "2026-11-22T20:00:00.000Z",
};

function io(options: { found?: Discovery; answers?: boolean; diesAfter?: number }) {
  const out = bufferWriter();
  const err = bufferWriter();
  const calls: { gets: [string, string][]; kills: [number, Deno.Signal][] } = {
    gets: [],
    kills: [],
  };
  let checks = 0;
  const control: UiControlIo = {
    out,
    diagnostics: new Diagnostics(err),
    findDashboard: () => options.found,
    getJson: (url, token) => {
      calls.gets.push([url, token]);
      return Promise.resolve(
        options.answers ? { sessions: [{ live: true }, { live: false }] } : undefined,
      );
    },
    kill: (pid, signal) => void calls.kills.push([pid, signal]),
    isAlive: () => calls.kills.length === 0 || ++checks <= (options.diesAfter ?? 0),
    sleep: () => Promise.resolve(),
  };
  return { control, out, err, calls };
}

Deno.test("km ui --status: a running dashboard, asked with its token", async () => {
  const { control, out, calls } = io({ found: FOUND, answers: true });
  equal(await uiStatus("/data", control), 0);
  assertEquals(calls.gets, [["http://127.0.0.1:7411/api/sessions", "t0k"]]);
  ok(
    out.text().startsWith("dashboard running: http://127.0.0.1:7411/ (pid 777, km 1.2.3"),
    out.text(),
  );
  equal(out.text().split("\n")[2], "  sessions: 2 (1 live)");
  ok(!out.text().includes("t0k"), "the token is never printed");
});

Deno.test("km ui --status: none running, or one that does not answer, exits 1", async () => {
  const none = io({});
  equal(await uiStatus("/data", none.control), 1);
  equal(none.out.text(), "no dashboard is running (none in /data/ui.json)\n");
  const silent = io({ found: FOUND });
  equal(await uiStatus("/data", silent.control), 1);
  ok(silent.out.text().includes("(pid 777) does not answer at http://127.0.0.1:7411/"));
});

Deno.test("km ui stop: SIGTERM to the dashboard, then waits for it to go", async () => {
  const { control, out, calls } = io({ found: FOUND, answers: true, diesAfter: 2 });
  equal(await uiStop("/data", control), 0);
  assertEquals(calls.kills, [[777, "SIGTERM"]]);
  equal(out.text(), "stopped the dashboard (pid 777)\n");
});

Deno.test("km ui stop never signals a pid whose dashboard does not answer", async () => {
  const { control, err, calls } = io({ found: FOUND, answers: false });
  equal(await uiStop("/data", control), 1);
  assertEquals(calls.kills, []);
  ok(err.text().includes("km does not signal pid 777"), err.text());
});

Deno.test("km ui stop: nothing running is not an error; one that stays is", async () => {
  const none = io({});
  equal(await uiStop("/data", none.control), 0);
  equal(none.out.text(), "no dashboard is running\n");
  const stubborn = io({ found: FOUND, answers: true, diesAfter: Infinity });
  equal(await uiStop("/data", stubborn.control, 200), 1);
  ok(stubborn.err.text().includes("still running 0.2 s after SIGTERM"), stubborn.err.text());
});
