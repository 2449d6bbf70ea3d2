import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { resolveConfig } from "../config/config.ts";
import { parseConfigFile } from "../config/load.ts";
import { bufferWriter } from "../diagnostics.ts";
import { parseJsonc } from "../jsonc.ts";
import { parseCases } from "../policy/build/cases.ts";
import { type InitIo, runInit } from "./init_command.ts";
import { TEMPLATES } from "./init_templates.ts";

function io(files: Record<string, string> = {}) {
  const out = bufferWriter();
  const init: InitIo = {
    out,
    cwd: "/proj",
    exists: (path) => path in files,
    writeFile: (path, text) => void (files[path] = text),
  };
  return { init, out, files };
}

const WRITTEN = [
  "/proj/km.jsonc",
  "/proj/policies/policy.rego",
  "/proj/policies/policy_test.rego",
  "/proj/policies/data.jsonc",
  "/proj/policies/cases.json",
];

Deno.test("km init writes km.jsonc and the starter policy, then the next steps", () => {
  const { init, out, files } = io();
  equal(runInit([], init), 0);
  assertEquals(Object.keys(files), WRITTEN);
  ok(out.text().startsWith("wrote km.jsonc, policies/policy.rego, "), out.text());
  ok(out.text().includes("km policy test policies"), out.text());
  ok(out.text().includes("km config trust km.jsonc"), out.text());
});

Deno.test("km init DIR writes there and names DIR in the next steps", () => {
  const { init, out, files } = io();
  equal(runInit(["sub"], init), 0);
  ok("/proj/sub/policies/cases.json" in files);
  ok(out.text().includes("km policy test sub/policies"), out.text());
  equal(runInit(["/abs/dir/"], init), 0);
  ok("/abs/dir/km.jsonc" in files);
});

Deno.test("km init refuses to replace files, naming them, unless --force", () => {
  const { init, files } = io({ "/proj/km.jsonc": "{}", "/proj/policies/policy.rego": "mine" });
  throws(() => runInit([], init), (e: Error & { hint?: string }) => {
    equal(
      e.message,
      "km init would replace 2 files already there: /proj/km.jsonc, /proj/policies/policy.rego",
    );
    ok(e.hint?.includes("--force"));
    return true;
  });
  equal(files["/proj/policies/policy.rego"], "mine");
  equal(runInit([".", "--force"], init), 0);
  equal(files["/proj/policies/policy.rego"], TEMPLATES[1].text);
  equal(runInit([], init, { force: true }), 0);
});

Deno.test("km init takes one folder", () => {
  throws(() => runInit(["a", "b"], io().init), { message: 'km init takes one folder, got "a b"' });
});

Deno.test("the km.jsonc km init writes is valid configuration, with the starter policy", () => {
  const text = TEMPLATES.find((t) => t.path === "km.jsonc")!.text;
  const values = parseConfigFile("km.jsonc", text);
  const config = resolveConfig([{ source: "km.jsonc", values }]);
  equal(config.policy.path, "./policies");
  equal(config.policy.mode, "enforce");
  ok(text.includes('// "logRetention": "30d"'));
});

Deno.test("the starter's data and decision cases parse", () => {
  const data = parseJsonc(TEMPLATES.find((t) => t.path === "policies/data.jsonc")!.text);
  assertEquals(data, { blocked_tools: ["execute_command"] });
  const cases = parseCases(TEMPLATES.find((t) => t.path === "policies/cases.json")!.text, "c");
  equal(cases.length, 3);
});
