import { deepStrictEqual as assertEquals, equal, match } from "node:assert/strict";
import { MONITOR_PATH } from "../approval/wire.ts";
import type { ApprovalDone } from "../approval/types.ts";
import type { ApprovalList } from "./api_types.ts";
import { type Dashboard, startDashboard } from "./server.ts";
import { pending, SESSION_A, SESSION_B } from "./_testing.ts";

const TOKEN = "k".repeat(43);

async function withDashboard(fn: (dashboard: Dashboard) => Promise<void>): Promise<void> {
  const logDir = await Deno.makeTempDir({ prefix: "km-ui-server-test-" });
  const dashboard = await startDashboard({
    logDir,
    port: 0,
    assets: { js: "", css: "", hash: "x" },
    isAlive: () => false,
    token: TOKEN,
  });
  try {
    await fn(dashboard);
  } finally {
    await dashboard.close();
    await Deno.remove(logDir, { recursive: true });
  }
}

/** A WebSocket to the monitor link, with the frames it received. */
async function connectMonitor(port: number, headers: Record<string, string>) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${MONITOR_PATH}`, { headers });
  const frames: unknown[] = [];
  const waiting: (() => void)[] = [];
  socket.onmessage = (event) => {
    frames.push(JSON.parse(event.data));
    waiting.shift()?.();
  };
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = (event) => reject(new Error((event as ErrorEvent).message));
  });
  return {
    socket,
    frames,
    closed,
    send: (frame: unknown) => socket.send(JSON.stringify(frame)),
    /** Waits for the next frame. */
    next: () => new Promise<unknown>((resolve) => waiting.push(() => resolve(frames.at(-1)))),
    async close() {
      socket.close();
      await closed;
    },
  };
}

/** Why a WebSocket to the monitor link failed to open. */
async function refusal(port: number, headers: Record<string, string>): Promise<string> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${MONITOR_PATH}`, { headers });
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  const message = await new Promise<string>((resolve) => {
    socket.onopen = () => resolve("opened");
    socket.onerror = (event) => resolve((event as ErrorEvent).message);
  });
  if (message === "opened") socket.close();
  await closed;
  return message;
}

/** The dashboard's event stream, read until a pattern shows up. */
async function events(base: string) {
  const response = await fetch(`${base}/api/events`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    /** The data of the first `event` after what was read so far whose data matches. */
    async until(event: string, data: RegExp): Promise<unknown> {
      while (true) {
        const found = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)]
          .find((m) => m[1] === event && data.test(m[2]));
        if (found) {
          text = text.slice(found.index + found[0].length);
          return JSON.parse(found[2]);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${event} ${data}: ${text}`);
        text += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("server: a monitor's approvals reach the page, the page's answer reaches the monitor", async () => {
  await withDashboard(async ({ port }) => {
    const base = `http://127.0.0.1:${port}`;
    const stream = await events(base);
    const list = async () => {
      const response = await fetch(`${base}/api/approvals`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return ((await response.json()) as ApprovalList).approvals.map((a) => a.id);
    };
    try {
      await stream.until("hello", /"records":0/);
      const monitor = await connectMonitor(port, { Authorization: `Bearer ${TOKEN}` });
      monitor.send({ type: "hello", session: SESSION_A, server: "files", pid: 1 });
      monitor.send({ type: "pending", approval: pending(SESSION_A, 1) });
      const id = `${SESSION_A}-a1`;
      assertEquals(await stream.until("approval", /./), pending(SESSION_A, 1));
      assertEquals(await list(), [id]);

      const answered = monitor.next();
      const response = await fetch(`${base}/api/approvals/${id}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          origin: base,
          "content-type": "application/json",
          "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        },
        body: JSON.stringify({ answer: "approve" }),
      });
      equal(response.status, 202);
      assertEquals(await response.json(), { id, answer: "approve" });
      assertEquals(await answered, {
        type: "answer",
        id,
        answer: "approve",
        by: `dashboard at 127.0.0.1:${port} (Firefox)`,
      });

      const done: ApprovalDone = {
        id,
        session: SESSION_A,
        outcome: "approve",
        channel: "dashboard",
        by: `dashboard at 127.0.0.1:${port} (Firefox)`,
        latencyMs: 40,
      };
      monitor.send({ type: "done", done });
      assertEquals(await stream.until("approval_done", /./), done);
      assertEquals(await list(), []);

      monitor.send({ type: "pending", approval: pending(SESSION_A, 2) });
      await stream.until("approval", new RegExp(`${SESSION_A}-a2`));
      await monitor.close();
      const closed = await stream.until("approval_done", /./) as ApprovalDone;
      assertEquals([closed.id, closed.outcome, closed.channel, closed.by], [
        `${SESSION_A}-a2`,
        "closed",
        "dashboard",
        `the km monitor of session ${SESSION_A} disconnected`,
      ]);
      assertEquals(await list(), []);
    } finally {
      await stream.cancel();
    }
  });
});

Deno.test("server: the monitor link refuses no token, a wrong token and an Origin", async () => {
  await withDashboard(async ({ port }) => {
    match(await refusal(port, {}), /Invalid status code: 401/);
    match(await refusal(port, { Authorization: "Bearer wrong" }), /Invalid status code: 401/);
    match(
      await refusal(port, { Authorization: `Bearer ${TOKEN}`, Origin: `http://127.0.0.1:${port}` }),
      /Invalid status code: 403/,
    );
    const plain = await fetch(`http://127.0.0.1:${port}${MONITOR_PATH}`, {
      headers: { authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" },
    });
    equal(plain.status, 403);
    match((await plain.json()).error, /Origin header/);
  });
});

Deno.test("server: closing the dashboard says goodbye to the monitors", async () => {
  let closed: Promise<CloseEvent> | undefined;
  await withDashboard(async ({ port }) => {
    const monitor = await connectMonitor(port, { Authorization: `Bearer ${TOKEN}` });
    monitor.send({ type: "hello", session: SESSION_B, server: "files", pid: 1 });
    closed = new Promise((resolve) => monitor.socket.addEventListener("close", resolve));
  });
  const event = await closed!;
  assertEquals([event.code, event.reason], [1001, "km ui is stopping"]);
});
