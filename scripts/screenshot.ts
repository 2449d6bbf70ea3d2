// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * docs/img/dashboard.png: km ui in headless Chromium over real sessions. server-everything is
 * driven through km monitor by the SDK client, under a policy that denies one tool and asks for
 * approval of another, so the page shows what a security engineer would see.
 */
import { launchChromium, startUi } from "../tests/dashboard.ts";
import { kmCommand, ROOT, SERVER_EVERYTHING } from "../tests/helpers.ts";
import { connect } from "../tests/sdk_client.ts";

const POLICY = `package kilometers

import rego.v1

deny contains {"rule": "no-env", "reason": "get-env reveals the server's secrets"} if {
	input.kind == "request"
	input.tool.name == "get-env"
}

ask contains {"rule": "sampling-review", "reason": "sampling spends the user's tokens"} if {
	input.kind == "request"
	input.tool.name == "trigger-sampling-request"
}

risk contains 9 if input.tool.name == "get-env"

risk contains 6 if input.tool.name == "trigger-sampling-request"

labels contains "secrets" if input.tool.name == "get-env"
`;

const root = await Deno.makeTempDir({ prefix: "km-screenshot-" });
await Deno.mkdir(`${root}/policy`);
await Deno.writeTextFile(`${root}/policy/policy.rego`, POLICY);
const data = `${root}/data`;
const ui = await startUi(["--data-dir", data, "--port", "0"]);
const browser = await launchChromium();
try {
  for (let s = 0; s < 2; s++) {
    const session = await connect(
      kmCommand(
        "monitor",
        "--quiet",
        "--data-dir",
        data,
        "--policy",
        `${root}/policy`,
        "--close-stdin-wait",
        "100ms",
        "--",
        "node",
        ...SERVER_EVERYTHING,
      ),
      undefined,
      // The first client declines approvals itself; the second cannot be asked, so its held
      // call waits in the dashboard's Approvals view.
      s === 0 ? undefined : false,
    );
    const { client } = session;
    await client.listTools();
    for (let i = 0; i < 4; i++) {
      await client.callTool({ name: "echo", arguments: { message: `deploy check ${i}` } });
      await client.callTool({ name: "get-sum", arguments: { a: i, b: 40 } });
    }
    await client.callTool({ name: "get-env", arguments: {} }).catch(() => {});
    await client.readResource({ uri: "demo://resource/static/document/architecture.md" })
      .catch(() => {});
    const held = client.callTool({
      name: "trigger-sampling-request",
      arguments: { prompt: "Summarise the release notes" },
    }).catch(() => {});
    if (s === 0) {
      await held;
      await client.close();
    }
  }
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(ui.url);
  await page.locator('[data-testid="feed-row"][data-action="deny"]').first().waitFor();
  await Deno.mkdir(`${ROOT}docs/img`, { recursive: true });
  await page.screenshot({ path: `${ROOT}docs/img/dashboard.png` });
  await page.locator('[data-testid="feed-row"][data-action="deny"]').first().click();
  await page.getByTestId("decision-panel").waitFor();
  await page.screenshot({ path: `${ROOT}docs/img/call-detail.png` });
  await page.getByTestId("nav-stats").click();
  await page.getByTestId("chart-calls").waitFor();
  await page.screenshot({ path: `${ROOT}docs/img/statistics.png` });
  await page.getByTestId("nav-approvals").click();
  await page.getByTestId("approval-card").first().waitFor();
  await page.screenshot({ path: `${ROOT}docs/img/approvals.png` });
  await page.getByTestId("approval-card").first().getByTestId("approve-once").click();
  await page.getByTestId("approvals-empty").waitFor();
  console.log("wrote docs/img/dashboard.png, call-detail.png, statistics.png, approvals.png");
} finally {
  await browser.close();
  await ui.stop();
  await Deno.remove(root, { recursive: true });
}
Deno.exit(0);
