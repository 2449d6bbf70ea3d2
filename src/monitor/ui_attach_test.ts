import { deepStrictEqual as assertEquals, equal, match, ok } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import type { Discovery } from "../discovery.ts";
import { attachUi, type UiAttachIo } from "./ui_attach.ts";

const dashboard = (logDir: string): Discovery => ({
  pid: 42,
  port: 7411,
  url: "http://127.0.0.1:7411/",
  token: "s3cr3t-token",
  signIn: "http://127.0.0.1:7411/#token=s3cr3t-token",
  logDir,
  version: "0.1.0",
  startedAt: "2026-11-22T10:00:00Z",
});

function fakeIo(found: (calls: number) => Discovery | undefined) {
  const out = bufferWriter();
  const started: (readonly string[])[] = [];
  let lookups = 0;
  const io: UiAttachIo = {
    diagnostics: new Diagnostics(out),
    findDashboard: () => found(lookups++),
    startDashboard: (args) => started.push(args),
    sleep: () => Promise.resolve(),
  };
  return { io, out, started };
}

Deno.test("attachUi: a running dashboard over the same logs is announced, none started", async () => {
  const { io, out, started } = fakeIo(() => dashboard("/data/logs/"));
  await attachUi({ dataDir: "/data", logDir: "/data/logs", port: 7411 }, io);
  equal(started.length, 0);
  equal(
    out.text().trim(),
    "km: dashboard: http://127.0.0.1:7411/ (to sign in: `km ui --open --data-dir /data`)",
  );
});

Deno.test("attachUi never prints the access token: MCP clients keep stderr in their logs", async () => {
  // A discovery file of an older km ui carried the token in the url's query.
  const older = { ...dashboard("/data/logs"), url: "http://127.0.0.1:7411/?token=s3cr3t-token" };
  for (const found of [dashboard("/data/logs"), older, dashboard("/elsewhere")]) {
    const { io, out } = fakeIo(() => found);
    await attachUi({ dataDir: "/data", logDir: "/data/logs", port: 7411 }, io);
    ok(!out.text().includes("s3cr3t"), out.text());
    ok(!out.text().includes("token="), out.text());
    match(out.text(), /http:\/\/127\.0\.0\.1:7411\//);
  }
  const { io, out } = fakeIo(() => dashboard("/my logs"));
  await attachUi({ dataDir: "/d", logDir: "/my logs", port: 7411 }, io);
  match(out.text(), /to sign in: `km ui --open --data-dir \/d --log-dir '\/my logs'`/);
});

Deno.test("attachUi: a dashboard over other logs is named, with the command that would help", async () => {
  const { io, out, started } = fakeIo(() => dashboard("/elsewhere"));
  await attachUi({ dataDir: "/data", logDir: "/data/logs", port: 7411 }, io);
  equal(started.length, 0);
  match(out.text(), /shows "\/elsewhere", not this session's log folder "\/data\/logs"/);
  match(out.text(), /km ui --log-dir \/data\/logs/);
});

Deno.test("attachUi: without a dashboard, km ui is started and its address printed", async () => {
  const { io, out, started } = fakeIo((n) => n >= 3 ? dashboard("/data/logs") : undefined);
  await attachUi({ dataDir: "/data", logDir: "/data/logs", port: 9000 }, io);
  assertEquals(started, [[
    "ui",
    "--data-dir",
    "/data",
    "--log-dir",
    "/data/logs",
    "--port",
    "9000",
  ]]);
  match(out.text(), /dashboard: http/);
});

Deno.test("attachUi: a dashboard that never comes up, or cannot start, is a warning only", async () => {
  const never = fakeIo(() => undefined);
  await attachUi({ dataDir: "/d", logDir: "/d/logs", port: 1, waitMs: 500 }, never.io);
  match(never.out.text(), /did not start within 0.5 s; run `km ui` to see why/);
  const broken = fakeIo(() => undefined);
  const io = {
    ...broken.io,
    startDashboard: () => {
      throw new Error("no such file");
    },
  };
  await attachUi({ dataDir: "/d", logDir: "/d/logs", port: 1 }, io);
  match(broken.out.text(), /cannot start the dashboard: no such file/);
  const noData = fakeIo(() => undefined);
  await attachUi({ dataDir: undefined, logDir: "/logs", port: 1 }, noData.io);
  match(noData.out.text(), /--ui needs km's data folder/);
});
