/**
 * Pins under the default policy, end to end, with `km pins` between sessions: a server whose
 * definitions change (tests/fixtures/changing_server.mjs) behind km with no --policy, driven by
 * the official SDK client with no way to ask a person. First sight pinned; a harmless edit
 * passes with a record; an injected instruction is marked in the listing the model reads and its
 * call is asked about, so denied and never run; `km pins diff` shows the change and
 * `km pins accept --yes` makes it the pin, after which the call runs.
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { FIXTURES, kmCommand, readSessionLog } from "./helpers.ts";
import { INJECTED, tool } from "./changing_tools.ts";
import { connect } from "./sdk_client.ts";

type Rec = Record<string, unknown>;
type Client = Awaited<ReturnType<typeof connect>>["client"];

async function setup() {
  const root = await Deno.makeTempDir({ prefix: "km-pins-cli-e2e-" });
  const env = {
    ...Deno.env.toObject(),
    KM_TEST_TOOLS_FILE: `${root}/tools.json`,
    KM_TEST_EXEC_LOG: `${root}/exec.jsonl`,
  };
  let n = 0;
  return {
    root,
    tools: (list: unknown[]) => Deno.writeTextFile(`${root}/tools.json`, JSON.stringify(list)),
    executed: async () =>
      (await Deno.readTextFile(`${root}/exec.jsonl`).catch(() => "")).split("\n").filter(Boolean)
        .map((l) => JSON.parse(l).tool),
    /** One session under the default policy; a client that cannot be asked (no elicitation). */
    async session(body: (client: Client) => Promise<void>): Promise<Rec[]> {
      const logs = `${root}/logs-${++n}`;
      const { client } = await connect(
        kmCommand(
          "monitor",
          "--quiet",
          "--data-dir",
          `${root}/data`,
          "--log-dir",
          logs,
          "--",
          "node",
          `${FIXTURES}/changing_server.mjs`,
        ),
        env,
        false,
      );
      try {
        await body(client);
      } finally {
        await client.close();
      }
      return await readSessionLog(logs);
    },
    /** `km pins ...`: exit code and output. */
    async pins(...args: string[]) {
      const [cmd, ...rest] = kmCommand("pins", ...args, "--data-dir", `${root}/data`);
      const out = await new Deno.Command(cmd, { args: rest, env, stdin: "null" }).output();
      const text = new TextDecoder();
      return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

const lifecycle = (records: Rec[], event: string) =>
  records.filter((r) => r.type === "lifecycle" && r.event === event);

Deno.test("default policy: a risky change is marked and its call denied unasked until km pins accept; a harmless edit passes recorded", async () => {
  const t = await setup();
  try {
    // Session 1: first sight, pinned.
    await t.tools([tool("echo", "Retuns the text."), tool("add", "Adds two numbers.")]);
    let records = await t.session(async (client) => {
      await client.listTools();
      await client.callTool({ name: "echo", arguments: { text: "one" } });
    });
    equal(lifecycle(records, "definitions_pinned").length, 1);
    let listed = await t.pins("list");
    equal(listed.code, 0, listed.stderr);
    ok(listed.stdout.includes("km-test-changing"), listed.stdout);
    ok(listed.stdout.includes("pinned: 2 tools"), listed.stdout);

    // Session 2: a typo fixed: passes, with a record and no label added.
    await t.tools([tool("echo", "Returns the text."), tool("add", "Adds two numbers.")]);
    records = await t.session(async (client) => {
      const { tools } = await client.listTools();
      equal(tools[0].description, "Returns the text.", "a harmless edit is not marked");
      await client.callTool({ name: "echo", arguments: { text: "two" } });
    });
    const harmless = lifecycle(records, "definitions_changed");
    equal(harmless.length, 1);
    deepStrictEqual((harmless[0].changed as Rec[]).map((c) => [c.name, c.added_labels]), [
      ["echo", []],
    ]);
    deepStrictEqual(await t.executed(), ["echo", "echo"]);

    // Session 3: an injected instruction: marked in the listing, the call denied, never run.
    await t.tools([tool("echo", INJECTED), tool("add", "Adds two numbers.")]);
    records = await t.session(async (client) => {
      const { tools } = await client.listTools();
      equal(
        tools[0].description,
        `[km: changed since pinned: model_instruction, secret_reference] ${INJECTED}`,
      );
      equal(tools[1].description, "Adds two numbers.");
      await rejects(
        client.callTool({ name: "echo", arguments: { text: "three" } }),
        (e: Error & { code?: number }) => {
          equal(e.code, -32010);
          ok(e.message.includes("tool echo changed since it was pinned, adding"), e.message);
          return true;
        },
      );
      await client.callTool({ name: "add", arguments: { text: "1" } });
    });
    deepStrictEqual(await t.executed(), ["echo", "echo", "add"], "the held call never ran");
    const asked = records.find((r) =>
      r.type === "message" && r.method === "tools/call" && r.direction === "client_to_server" &&
      ((r.result as Rec)?.rules as string[] | undefined)?.includes("pin-changed-risky")
    );
    ok(asked, "the call's record names the rule");

    // km pins: list shows the change, diff shows it field by field with the labels added.
    listed = await t.pins("list", "--server", "km-test-changing");
    ok(listed.stdout.includes("changed since pinned: 1 tools"), listed.stdout);
    const diff = await t.pins("diff", "km-test-changing", "echo");
    equal(diff.code, 0, diff.stderr);
    ok(diff.stdout.includes("tool echo: pinned"), diff.stdout);
    ok(diff.stdout.includes("labels added: model_instruction, secret_reference"), diff.stdout);
    ok(diff.stdout.includes(`- "Retuns the text."`), diff.stdout);
    ok(diff.stdout.includes("Do not tell the user."), diff.stdout);
    // Without a terminal and without --yes, accept refuses and changes nothing.
    const refused = await t.pins("accept", "km-test-changing");
    equal(refused.code, 2);
    ok(refused.stderr.includes("stdin is not a terminal"), refused.stderr);
    const accepted = await t.pins("accept", "km-test-changing", "--yes");
    equal(accepted.code, 0, accepted.stderr);
    ok(accepted.stdout.includes("accepted tools echo"), accepted.stdout);

    // Session 4: the accepted definition is the pin: unmarked, the call runs, nothing recorded.
    records = await t.session(async (client) => {
      const { tools } = await client.listTools();
      equal(tools[0].description, INJECTED);
      await client.callTool({ name: "echo", arguments: { text: "four" } });
    });
    deepStrictEqual(lifecycle(records, "definitions_changed"), []);
    deepStrictEqual(await t.executed(), ["echo", "echo", "add", "echo"]);
    equal((await t.pins("diff", "km-test-changing")).stdout.includes("nothing changed"), true);

    // reset forgets the pins: the next session pins anew.
    const reset = await t.pins("reset", "km-test-changing", "--yes");
    equal(reset.code, 0, reset.stderr);
    ok(reset.stdout.includes("forgot 2 pins"), reset.stdout);
    equal((await t.pins("list")).stdout.includes("no server has pins"), true);
  } finally {
    await t.cleanup();
  }
});
