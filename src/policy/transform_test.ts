import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { applyTransform, type Transform, type TransformResult } from "./transform.ts";

type Obj = Record<string, unknown>;

const NONE: Transform = { patch: [], redact: [], hide: [] };

function call(params: Obj): Obj {
  return { jsonrpc: "2.0", id: 1, method: "tools/call", params };
}

function response(result: Obj): Obj {
  return { jsonrpc: "2.0", id: 1, result };
}

function applied(result: TransformResult): { message: Obj; changes: number } {
  ok(result.ok, result.ok ? "" : result.error);
  return result;
}

function failed(result: TransformResult, pattern: RegExp) {
  ok(!result.ok, "expected the transform to fail");
  ok(pattern.test(result.error), result.error);
}

Deno.test("applyTransform with nothing to do reports no changes", () => {
  const message = call({ name: "x" });
  const { message: out, changes } = applied(applyTransform(message, "tools/call", NONE));
  equal(changes, 0);
  assertEquals(out, message);
});

Deno.test("applyTransform applies patch ops to params and counts them", () => {
  const message = call({ name: "run", arguments: { cmd: "rm -rf /" } });
  const { message: out, changes } = applied(applyTransform(message, "tools/call", {
    ...NONE,
    patch: [
      { op: "test", path: "/params/name", value: "run" },
      { op: "replace", path: "/params/arguments/cmd", value: "ls" },
      { op: "add", path: "/params/arguments/dryRun", value: true },
    ],
  }));
  assertEquals(out, call({ name: "run", arguments: { cmd: "ls", dryRun: true } }));
  equal(changes, 2, "a test op changes nothing");
});

Deno.test("applyTransform may replace the whole result", () => {
  const { message: out } = applied(applyTransform(response({ a: 1 }), "tools/call", {
    ...NONE,
    patch: [{ op: "replace", path: "/result", value: { content: [] } }],
  }));
  assertEquals(out, response({ content: [] }));
});

Deno.test("applyTransform refuses patch ops outside params and result", () => {
  const message = call({ name: "x" });
  for (const path of ["/id", "/method", "", "/paramsx", "/results/a"]) {
    failed(
      applyTransform(message, "tools/call", {
        ...NONE,
        patch: [{ op: "add", path, value: 1 }],
      }),
      /^patch op 0 \("add" .*\): "path" must be \/params, \/result or under them$/,
    );
  }
  failed(
    applyTransform(message, "tools/call", {
      ...NONE,
      patch: [{ op: "copy", from: "/method", path: "/params/m" }],
    }),
    /^patch op 0 \("copy" \/method to \/params\/m\): "from" must be/,
  );
  failed(
    applyTransform(message, "tools/call", {
      ...NONE,
      patch: [{ op: "move", from: "/params/name", path: "/jsonrpc" }],
    }),
    /"path" must be/,
  );
});

Deno.test("applyTransform refuses a patch that adds or removes a top-level member", () => {
  failed(
    applyTransform(response({}), "tools/list", {
      ...NONE,
      patch: [{ op: "add", path: "/params", value: {} }],
    }),
    /top-level members, but would add "params"$/,
  );
  failed(
    applyTransform(call({}), "tools/call", {
      ...NONE,
      patch: [{ op: "remove", path: "/params" }],
    }),
    /top-level members, but would remove "params"$/,
  );
  failed(
    applyTransform(call({}), "tools/call", {
      ...NONE,
      patch: [{ op: "move", from: "/params", path: "/result" }],
    }),
    /would add "result", remove "params"$/,
  );
});

Deno.test("applyTransform reports a patch op that does not apply, naming it", () => {
  const result = applyTransform(call({}), "tools/call", {
    ...NONE,
    patch: [{ op: "replace", path: "/params/x", value: 1 }],
  });
  assertEquals(result, {
    ok: false,
    error: 'patch op 0 ("replace" /params/x): path does not exist',
  });
  failed(
    applyTransform(call({}), "tools/call", { ...NONE, patch: [{ op: "nope", path: "/params" }] }),
    /"op" must be one of add, remove, replace, move, copy, test/,
  );
});

Deno.test("applyTransform redacts matches of a pattern in a string", () => {
  const message = response({ content: [{ type: "text", text: "key sk-abc123 and SK-DEF" }] });
  const { message: out, changes } = applied(applyTransform(message, "tools/call", {
    ...NONE,
    redact: [{ path: "/result/content/0/text", pattern: "(?i)sk-[a-z0-9]+" }],
  }));
  assertEquals(
    out,
    response({ content: [{ type: "text", text: "key [REDACTED] and [REDACTED]" }] }),
  );
  equal(changes, 1);
});

Deno.test("applyTransform redacts a whole string when there is no pattern", () => {
  for (
    const redaction of [{ path: "/params/arguments/token" }, {
      path: "/params/arguments/token",
      pattern: "",
    }]
  ) {
    const { message: out, changes } = applied(
      applyTransform(call({ arguments: { token: "secret", keep: "x" } }), "tools/call", {
        ...NONE,
        redact: [redaction],
      }),
    );
    assertEquals(out, call({ arguments: { token: "[REDACTED]", keep: "x" } }));
    equal(changes, 1);
  }
});

Deno.test("applyTransform redacts every string inside an object, nested arrays included", () => {
  const message = response({
    content: [
      { type: "text", text: "a 4111-1111 b" },
      { type: "list", items: [["4222-2222", 7, null], { deep: ["x 4333-3333"] }] },
    ],
    isError: false,
  });
  const { message: out, changes } = applied(applyTransform(message, "tools/call", {
    ...NONE,
    redact: [{ path: "/result", pattern: "\\d{4}-\\d{4}" }],
  }));
  assertEquals(
    out,
    response({
      content: [
        { type: "text", text: "a [REDACTED] b" },
        { type: "list", items: [["[REDACTED]", 7, null], { deep: ["x [REDACTED]"] }] },
      ],
      isError: false,
    }),
  );
  equal(changes, 3, "only strings that changed are counted");
});

Deno.test("applyTransform finds nothing to redact at a path that does not exist", () => {
  const message = call({ arguments: { list: ["a"] } });
  for (const path of ["/params/missing", "/params/arguments/list/5", "/params/arguments/list/-"]) {
    const { message: out, changes } = applied(applyTransform(message, "tools/call", {
      ...NONE,
      redact: [{ path, pattern: "a" }],
    }));
    equal(changes, 0, path);
    assertEquals(out, message);
  }
});

Deno.test("applyTransform refuses a redaction outside params and result or with a bad pattern", () => {
  failed(
    applyTransform(call({}), "tools/call", { ...NONE, redact: [{ path: "/method" }] }),
    /^redact 0 \(\/method\): "path" must be \/params, \/result or under them$/,
  );
  // Reported even though there is nothing at the path to redact.
  failed(
    applyTransform(call({}), "tools/call", {
      ...NONE,
      redact: [{ path: "/params/x" }, { path: "/params/y", pattern: "(" }],
    }),
    /^redact 1 \(\/params\/y\): invalid pattern "\("/,
  );
  failed(
    applyTransform(call({}), "tools/call", { ...NONE, redact: [{ path: "/params/a~2" }] }),
    /^redact 0 \(\/params\/a~2\): "path" .*"~" not followed by 0 or 1/,
  );
});

const LISTS: [string, string, Obj[], string[], Obj[]][] = [
  ["tools/list", "tools", [{ name: "a" }, { name: "b" }, { name: "c" }], ["b", "z"], [
    { name: "a" },
    { name: "c" },
  ]],
  ["prompts/list", "prompts", [{ name: "a" }, { name: "b" }], ["a"], [{ name: "b" }]],
  [
    "resources/list",
    "resources",
    [{ name: "a", uri: "file:///a" }, { name: "b", uri: "file:///b" }, { name: "c", uri: "x:c" }],
    ["a", "file:///b"],
    [{ name: "c", uri: "x:c" }],
  ],
  [
    "resources/templates/list",
    "resourceTemplates",
    [{ name: "a", uriTemplate: "file:///{p}" }, { name: "b", uriTemplate: "db://{t}" }],
    ["db://{t}"],
    [{ name: "a", uriTemplate: "file:///{p}" }],
  ],
];

Deno.test("applyTransform hides entries from all four list results", () => {
  for (const [method, member, entries, hide, want] of LISTS) {
    const message = response({ [member]: entries, nextCursor: "n" });
    const { message: out, changes } = applied(applyTransform(message, method, { ...NONE, hide }));
    assertEquals(out, response({ [member]: want, nextCursor: "n" }), method);
    equal(changes, entries.length - want.length, method);
  }
});

Deno.test("applyTransform hide does nothing for other methods or other lists", () => {
  const message = response({ tools: [{ name: "a" }] });
  for (const method of [undefined, "tools/call", "prompts/list"]) {
    const { message: out, changes } = applied(
      applyTransform(message, method, { ...NONE, hide: ["a"] }),
    );
    equal(changes, 0, String(method));
    assertEquals(out, message);
  }
});

Deno.test("applyTransform patches, then redacts, then hides", () => {
  const message = response({ tools: [{ name: "a", description: "uses key k1" }] });
  const { message: out, changes } = applied(applyTransform(message, "tools/list", {
    patch: [{ op: "add", path: "/result/tools/-", value: { name: "b", description: "k2" } }],
    redact: [{ path: "/result/tools", pattern: "k\\d" }],
    hide: ["b"],
  }));
  assertEquals(out, response({ tools: [{ name: "a", description: "uses key [REDACTED]" }] }));
  equal(changes, 1 + 2 + 1);
});

Deno.test("applyTransform never mutates the message or the transform", () => {
  const message = response({
    tools: [{ name: "a", description: "secret" }, { name: "b", description: "x" }],
  });
  const before = structuredClone(message);
  const transform: Transform = {
    patch: [{ op: "add", path: "/result/extra", value: { note: "secret" } }],
    redact: [{ path: "/result", pattern: "secret" }],
    hide: ["b"],
  };
  const transformBefore = structuredClone(transform);
  const { message: out, changes } = applied(applyTransform(message, "tools/list", transform));
  assertEquals(message, before);
  assertEquals(transform, transformBefore);
  assertEquals(
    out,
    response({
      tools: [{ name: "a", description: "[REDACTED]" }],
      extra: { note: "[REDACTED]" },
    }),
  );
  equal(changes, 1 + 2 + 1);
  ok(out !== message && out.result !== message.result);
});
