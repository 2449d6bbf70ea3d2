/**
 * The dashboard's tool catalogue, end to end: two sessions of a server whose definitions change
 * (tests/fixtures/changing_server.mjs) through km, the second with an instruction injected into
 * a tool's description; `km ui` over the same data folder and a real headless Chromium on the
 * Tools view sees the change, its labels and the fields side by side, clicks Accept, and the
 * pin file then holds the new definition. A POST without an Origin is refused.
 */
import { equal, ok } from "node:assert/strict";
import { parsePinDocument } from "../src/pins/pin_file.ts";
import { launchChromium, startUi } from "./dashboard.ts";
import { FIXTURES, kmCommand } from "./helpers.ts";
import { INJECTED, tool } from "./changing_tools.ts";
import { connect } from "./sdk_client.ts";

async function pinFile(data: string): Promise<string> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${data}/pins`)) {
    if (/^[0-9a-f]{32}\.json$/.test(e.name)) names.push(e.name);
  }
  equal(names.length, 1, names.join(", "));
  return `${data}/pins/${names[0]}`;
}

Deno.test("tool catalogue in Chromium: a changed tool shows its diff and labels; Accept pins it", async () => {
  const root = await Deno.makeTempDir({ prefix: "km-pins-ui-e2e-" });
  const data = `${root}/data`;
  const env = { ...Deno.env.toObject(), KM_TEST_TOOLS_FILE: `${root}/tools.json` };
  const session = async () => {
    const { client } = await connect(
      kmCommand(
        "monitor",
        "--quiet",
        "--data-dir",
        data,
        "--",
        "node",
        `${FIXTURES}/changing_server.mjs`,
      ),
      env,
      false,
    );
    try {
      await client.listTools();
    } finally {
      await client.close();
    }
  };
  try {
    const tools = (list: unknown[]) =>
      Deno.writeTextFile(`${root}/tools.json`, JSON.stringify(list));
    await tools([tool("echo", "Returns the text."), tool("add", "Adds two numbers.")]);
    await session();
    await tools([tool("echo", INJECTED), tool("add", "Adds two numbers.")]);
    await session();
    const path = await pinFile(data);
    equal(parsePinDocument(await Deno.readTextFile(path)).seen.tools.size, 1);

    const ui = await startUi(["--data-dir", data, "--port", "0"]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(ui.url);
      await page.getByTestId("nav-tools").click();
      await page.getByTestId("pins-servers").waitFor();
      ok((await page.getByTestId("pins-servers").textContent())?.includes("km-test-changing"));

      const echo = page.locator('[data-testid="pin-item"][data-name="echo"]');
      await echo.and(page.locator('[data-changed="true"]')).waitFor({ timeout: 5000 });
      const added = await echo.getByTestId("pin-added-labels").textContent() ?? "";
      ok(added.includes("model_instruction"), added);
      ok(added.includes("secret_reference"), added);
      const diff = echo.getByTestId("pin-diff");
      equal(await diff.locator(".pin-before").textContent(), "Returns the text.");
      equal(await diff.locator(".pin-after").textContent(), INJECTED);
      equal(
        await page.locator('[data-testid="pin-item"][data-name="add"]').getAttribute(
          "data-changed",
        ),
        "false",
      );

      // A write without an Origin (not the page's own) is refused and changes nothing.
      const id = path.slice(path.lastIndexOf("/") + 1, -".json".length);
      const refused = await fetch(`${ui.base}/api/pins/${id}/accept`, {
        method: "POST",
        headers: { authorization: `Bearer ${ui.token}`, "content-type": "application/json" },
        body: "{}",
      });
      equal(refused.status, 403);
      ok((await refused.json()).error.includes("Origin header is required"));
      equal(parsePinDocument(await Deno.readTextFile(path)).seen.tools.size, 1);

      await echo.getByTestId("pin-accept").click();
      await echo.and(page.locator('[data-changed="false"]')).waitFor({ timeout: 5000 });
      const doc = parsePinDocument(await Deno.readTextFile(path));
      equal(doc.pins.tools.get("echo")?.definition?.description, INJECTED);
      equal(doc.seen.tools.size, 0);
      equal(doc.pins.tools.get("add")?.definition?.description, "Adds two numbers.");
      equal(await page.getByTestId("pin-accept-all").count(), 0);
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await browser.close();
      await ui.stop();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
