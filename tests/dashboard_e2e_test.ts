/**
 * The dashboard end to end: `km ui` in front of a real headless Chromium, fed by `km monitor`
 * sessions of the official SDK client against server-everything, with a real (opa-compiled)
 * policy that denies one tool. Also `km monitor --ui` starting and finding dashboards.
 */
import { equal, ok, rejects } from "node:assert/strict";
import type { Page } from "playwright-core";
import type { SessionList } from "../src/dashboard/api_types.ts";
import { launchChromium, startUi } from "./dashboard.ts";
import { alive, kmCommand, SERVER_EVERYTHING, wait } from "./helpers.ts";
import { connect } from "./sdk_client.ts";

const POLICY = `package kilometers

import rego.v1

deny contains {"rule": "no-env", "reason": "tool get-env is blocked: it reveals secrets"} if {
	input.kind == "request"
	input.tool.name == "get-env"
}

risk contains 9 if input.tool.name == "get-env"
`;

async function tempRoot(): Promise<{ root: string; data: string; policy: string }> {
  const root = await Deno.makeTempDir({ prefix: "km-ui-e2e-" });
  await Deno.mkdir(`${root}/policy`);
  await Deno.writeTextFile(`${root}/policy/policy.rego`, POLICY);
  return { root, data: `${root}/data`, policy: `${root}/policy` };
}

function monitorCommand(data: string, ...flags: string[]): string[] {
  return kmCommand(
    "monitor",
    "--quiet",
    "--data-dir",
    data,
    "--close-stdin-wait",
    "200ms",
    ...flags,
    "--",
    "node",
    ...SERVER_EVERYTHING,
  );
}

const rows = (page: Page) => page.locator('[data-testid="feed-row"]');

Deno.test("dashboard in Chromium: live records, filters, call detail, a denial, every view", async () => {
  const { root, data, policy } = await tempRoot();
  const ui = await startUi(["--data-dir", data, "--port", "0"]);
  const browser = await launchChromium();
  const shots = await Deno.makeTempDir({ prefix: "km-ui-shots-" });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    // What the page sends: the token in a header on every API call, never a cookie.
    page.on("request", async (r) => {
      if (!r.url().includes("/api/")) return;
      const headers = await r.allHeaders();
      if (headers.authorization !== `Bearer ${ui.token}`) problems.push(`no token: ${r.url()}`);
      if (headers.cookie !== undefined) problems.push(`a cookie was sent: ${r.url()}`);
      if (r.url().includes(ui.token)) problems.push(`the token in an address: ${r.url()}`);
    });

    // Signed out: the page loads, but the API and the live stream refuse it.
    const anonymous = await browser.newPage();
    await anonymous.goto(`${ui.base}/`);
    await anonymous.locator('[data-testid="live-indicator"][data-status="signed-out"]').waitFor();
    await anonymous.close();

    await page.goto(ui.url);
    equal(page.url(), `${ui.base}/#/`, "the token leaves the address bar");
    await page.locator('[data-testid="live-indicator"][data-status="open"]').waitFor();
    equal((await context.cookies()).length, 0, "no cookie: other local servers would get it");
    // Another tab of the same dashboard is signed in too (the token is kept for this origin).
    const other = await context.newPage();
    await other.goto(`${ui.base}/#/approvals`);
    await other.locator('[data-testid="live-indicator"][data-status="open"]').waitFor();
    await other.close();

    const session = await connect(monitorCommand(data, "--policy", policy));
    try {
      const tools = await session.client.listTools();
      ok(tools.tools.some((t) => t.name === "get-env"));
      await session.client.callTool({
        name: "echo",
        arguments: { message: "hello from the dashboard test" },
      });
      const shown = performance.now();
      await rows(page).filter({ hasText: "hello from the dashboard test" }).first().waitFor({
        timeout: 5000,
      });
      // deno-lint-ignore no-console -- a measurement for the notes, not an assertion
      console.error(
        `dashboard: a call appeared ${Math.round(performance.now() - shown)} ms after its answer`,
      );

      await rejects(
        session.client.callTool({ name: "get-env", arguments: {} }),
        /tool get-env is blocked/,
      );
      const denied = rows(page).and(page.locator('[data-action="deny"]'));
      await denied.first().waitFor({ timeout: 5000 });
      await page.screenshot({ path: `${shots}/activity.png` });

      // Filter to denials: only the denied call remains.
      await page.getByTestId("filter-decision").selectOption("deny");
      // Locators poll from Playwright's own world: a string predicate would be
      // evaluated in the page, where the dashboard's CSP forbids eval.
      await page.locator('[data-testid="feed-row"]:not([data-action="deny"])').first().waitFor({
        state: "detached",
        timeout: 5000,
      });
      await denied.first().waitFor({ timeout: 5000 });
      equal(await rows(page).count(), 1);
      ok(page.url().includes("decision=deny"), `filter in the address: ${page.url()}`);

      // Call detail: the decision with its reason and rule.
      await denied.first().click();
      const panel = page.getByTestId("decision-panel");
      await panel.waitFor();
      const decision = await panel.innerText();
      ok(/deny/i.test(decision), decision);
      ok(decision.includes("tool get-env is blocked: it reveals secrets"), decision);
      ok(decision.includes("no-env"), decision);
      ok((await page.getByTestId("detail-request").innerText()).includes("get-env"));
      // The response column shows km's own answer, recorded and paired with the call.
      const answer = await page.getByTestId("detail-response").innerText();
      ok(/km's answer/i.test(answer) && answer.includes("sent by km"), answer);
      ok(answer.includes("-32010") && answer.includes("Blocked by policy"), answer);
      await page.screenshot({ path: `${shots}/detail.png` });

      await page.getByTestId("nav-sessions").click();
      const sessionRow = page.getByTestId("session-row").first();
      await sessionRow.waitFor();
      const sessionText = await sessionRow.innerText();
      ok(sessionText.includes("server-everything"), sessionText);
      ok(sessionText.includes("km-e2e"), sessionText);

      await page.getByTestId("nav-stats").click();
      await page.getByTestId("stats-tools").filter({ hasText: "echo" }).waitFor();
      await page.getByTestId("chart-calls").waitFor();
      await page.getByTestId("chart-decisions").waitFor();
      await page.screenshot({ path: `${shots}/stats.png` });

      await page.getByTestId("nav-policy").click();
      await page.getByTestId("policy-sessions").filter({ hasText: policy }).waitFor();
    } finally {
      await session.client.close();
    }

    // The session ends: the dashboard learns it live.
    await page.getByTestId("nav-sessions").click();
    await page.getByTestId("session-row").filter({ hasNotText: /live/i }).first().waitFor({
      timeout: 10_000,
    });
    equal(problems.length, 0, `console errors (CSP violations included): ${problems.join("\n")}`);
  } finally {
    await browser.close();
    await ui.stop();
    await Deno.remove(shots, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

async function sessions(base: string, token: string): Promise<SessionList> {
  const response = await fetch(`${base}/api/sessions`, {
    headers: { authorization: `Bearer ${token}` },
  });
  equal(response.status, 200);
  return await response.json();
}

/** Runs `km monitor --ui` with a raw client until it printed the dashboard; returns its stderr. */
async function monitorStderr(data: string): Promise<string> {
  const [exec, ...args] = monitorCommand(data, "--ui", "--no-policy");
  const child = new Deno.Command(exec, {
    args,
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    }) + "\n",
  ));
  let text = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const drained = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  const deadline = Date.now() + 10_000;
  while (!text.includes("dashboard:") && Date.now() < deadline) await wait(20);
  await writer.close();
  await child.status;
  await drained;
  return text;
}

async function discovery(data: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return JSON.parse(await Deno.readTextFile(`${data}/ui.json`));
    } catch {
      await wait(50);
    }
  }
  throw new Error(`no ${data}/ui.json within ${timeoutMs} ms`);
}

Deno.test("km monitor --ui starts a dashboard once, then finds it; the client never waits", async () => {
  const { root, data } = await tempRoot();
  let dashboardPid: number | undefined;
  try {
    // A stale discovery file from a dashboard that is gone is ignored.
    await Deno.mkdir(data, { recursive: true });
    await Deno.writeTextFile(
      `${data}/ui.json`,
      JSON.stringify({ pid: 2 ** 22 + 17, port: 1, url: "http://127.0.0.1:1/", logDir: "/x" }),
    );
    const first = await connect(monitorCommand(data, "--ui", "--no-policy"));
    const t = performance.now();
    await first.client.callTool({ name: "echo", arguments: { message: "one" } });
    ok(performance.now() - t < 5000);
    const found = await discovery(data);
    ok(found.pid !== 2 ** 22 + 17, "a new dashboard replaced the stale file");
    dashboardPid = found.pid;
    ok(alive(found.pid));
    equal(found.logDir, `${data}/logs`);
    const base = new URL(found.url).origin;
    const token = found.token;
    ok(!found.url.includes(token), "the plain address carries no token");
    equal(found.signIn, `${base}/#token=${token}`);
    equal((await Deno.stat(`${data}/ui.json`)).mode! & 0o777, 0o600);
    await first.client.close();

    // What km monitor --ui prints (an MCP client logs it): the address, never the token.
    const stderr = await monitorStderr(data);
    ok(
      stderr.includes(`dashboard: ${base}/ (to sign in: \`km ui --open --data-dir ${data}\`)`),
      stderr,
    );
    ok(!stderr.includes(token) && !stderr.includes("token="), stderr);

    const second = await connect(monitorCommand(data, "--ui", "--no-policy"));
    await second.client.callTool({ name: "echo", arguments: { message: "two" } });
    await second.client.close();
    equal(
      (await discovery(data)).pid,
      dashboardPid,
      "the second session found the first dashboard",
    );
    const deadline = Date.now() + 5000;
    let list = await sessions(base, token);
    while (list.sessions.some((s) => s.live || s.exitCode === undefined) && Date.now() < deadline) {
      await wait(50);
      list = await sessions(base, token);
    }
    equal(list.sessions.length, 3, "the two SDK sessions and the raw one");
    ok(list.sessions.every((s) => !s.live && typeof s.exitCode === "number"), JSON.stringify(list));
  } finally {
    if (dashboardPid !== undefined && alive(dashboardPid)) {
      Deno.kill(dashboardPid, "SIGTERM");
      const until = Date.now() + 5000;
      while (alive(dashboardPid) && Date.now() < until) await wait(20);
    }
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("km ui: a taken port falls back at once; the discovery file goes when it stops", async () => {
  const { root, data } = await tempRoot();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const ui = await startUi(["--data-dir", data, "--port", String(port)]);
    try {
      ok(ui.stderr().includes(`port ${port} is taken; using `), ui.stderr());
      const actual = Number(new URL(ui.url).port);
      ok(actual !== port);
      equal(JSON.parse(await Deno.readTextFile(`${data}/ui.json`)).port, actual);
      const foreign = await fetch(`${ui.base}/api/sessions`, {
        headers: { authorization: `Bearer ${ui.token}`, origin: "http://evil.example" },
      });
      equal(foreign.status, 403);
      await foreign.body?.cancel();
    } finally {
      await ui.stop();
    }
    await rejects(Deno.stat(`${data}/ui.json`), Deno.errors.NotFound);
  } finally {
    taken.close();
    await Deno.remove(root, { recursive: true });
  }
});
