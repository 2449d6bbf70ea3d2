import { equal } from "node:assert/strict";
import { findOpa, opaExecutableName, type OpaLookup, toolsBinDir } from "./find_opa.ts";

function lookup(files: string[], path: string | undefined, os = "linux"): OpaLookup {
  const set = new Set(files);
  return { env: (name) => (name === "PATH" ? path : undefined), isFile: (p) => set.has(p), os };
}

Deno.test("findOpa prefers the pinned opa in <root>/.tools/bin over one on PATH", () => {
  const found = findOpa(lookup(["/km/.tools/bin/opa", "/usr/bin/opa"], "/usr/bin"), "/km/");
  equal(found, "/km/.tools/bin/opa");
});

Deno.test("findOpa searches PATH in order when .tools/bin has no opa", () => {
  const files = ["/b/opa", "/c/opa"];
  equal(findOpa(lookup(files, "/a:/b/:/c"), "/km"), "/b/opa");
});

Deno.test("findOpa skips empty PATH entries rather than searching the current directory", () => {
  equal(findOpa(lookup(["opa", "/opa"], "::"), "/km"), undefined);
});

Deno.test("findOpa returns undefined when there is no opa and no PATH", () => {
  equal(findOpa(lookup([], undefined), "/km"), undefined);
});

Deno.test("findOpa looks for opa.exe with ; separators on Windows", () => {
  const found = findOpa(lookup(["C:\\tools/opa.exe"], "C:\\bin;C:\\tools", "windows"), "C:/km");
  equal(found, "C:\\tools/opa.exe");
  equal(opaExecutableName("windows"), "opa.exe");
});

Deno.test("toolsBinDir is .tools/bin under the root, whatever its trailing slash", () => {
  equal(toolsBinDir("/km/"), "/km/.tools/bin");
  equal(toolsBinDir("/km"), "/km/.tools/bin");
});
