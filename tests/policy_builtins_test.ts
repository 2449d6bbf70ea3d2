import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { loadRego, requireOpa } from "../src/policy/_testing.ts";
import { KM_BUILTINS } from "../src/policy/wasm/builtins.ts";
import { KmError } from "../src/errors.ts";

function evalFailed(pattern: RegExp) {
  return (e: unknown) => {
    ok(e instanceof KmError, String(e));
    equal(e.code, "POLICY_EVAL_FAILED");
    ok(pattern.test(e.message), e.message);
    return true;
  };
}

Deno.test("time.now_ns reads the injected clock once per evaluation", async () => {
  let calls = 0;
  const policy = await loadRego(
    `package kilometers
a := time.now_ns()
b := time.now_ns()
decision := {"a": a, "same": a == b, "age_s": (a - input.since_ns) / 1e9}`,
    { nowNs: () => 1_000_000_000n * BigInt(1 + calls++) },
  );
  assertEquals(policy.evaluate({ since_ns: 0 }), [{
    result: { a: 1_000_000_000, same: true, age_s: 1 },
  }]);
  assertEquals(policy.evaluate({ since_ns: 0 })[0].result, { a: 2e9, same: true, age_s: 2 });
  equal(calls, 2);
});

Deno.test("time.now_ns keeps every digit of a real epoch time in nanoseconds", async () => {
  const ns = 1_763_850_000_123_456_789n; // beyond 2^53: a JS number would round it
  const policy = await loadRego(`package kilometers\ndecision := time.now_ns()`, {
    nowNs: () => ns,
  });
  equal(policy.evaluateJson(undefined), `[{"result":${ns}}]`);
});

Deno.test("regex.replace redacts with Go replacement syntax", async () => {
  const policy = await loadRego(`package kilometers
decision := regex.replace(input.text, "(sk|pk)-[A-Za-z0-9]{8,}", "$1-[REDACTED]")`);
  assertEquals(policy.evaluate({ text: "key sk-abcdefgh12 and pk-ZZZZZZZZZ, not sk-short" }), [{
    result: "key sk-[REDACTED] and pk-[REDACTED], not sk-short",
  }]);
});

Deno.test("crypto.sha256 hashes the UTF-8 bytes of a string to lowercase hex", async () => {
  const policy = await loadRego(`package kilometers
decision := {"abc": crypto.sha256("abc"), "input": crypto.sha256(input.s)}`);
  assertEquals(policy.evaluate({ s: "é" })[0].result, {
    abc: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    input: "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c", // c3 a9
  });
});

Deno.test("km.fs.realpath follows this machine's links; a loop fails the evaluation", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/ws`);
    await Deno.symlink("/etc", `${dir}/ws/notes`);
    await Deno.symlink("loop", `${dir}/ws/loop`);
    const policy = await loadRego(`package kilometers
decision := km.fs.realpath(input.path)`);
    equal(policy.evaluate({ path: `${dir}/ws/notes/x` })[0].result, "/etc/x");
    equal(policy.evaluate({ path: `${dir}/ws/new/file` })[0].result, `${dir}/ws/new/file`);
    throws(
      () => policy.evaluate({ path: `${dir}/ws/loop/x` }),
      evalFailed(/built-in km\.fs\.realpath: .*\/ws\/loop\/x: more than 40 symbolic links/),
    );
    throws(() => policy.evaluate({ path: "ws/x" }), evalFailed(/ws\/x is not an absolute path/));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a built-in that throws fails the evaluation, naming the built-in", async () => {
  const policy = await loadRego(`package kilometers
decision := regex.replace(input.s, input.pattern, "x")`);
  throws(
    () => policy.evaluate({ s: 42, pattern: "a" }),
    evalFailed(/built-in regex\.replace: operand 1 must be a string, got number/),
  );
  throws(
    () => policy.evaluate({ s: "a", pattern: "(" }),
    evalFailed(/built-in regex\.replace: "\(" is not a valid RE2 pattern: missing closing \)/),
  );
  for (let i = 0; i < 1000; i++) throws(() => policy.evaluate({ s: 42, pattern: "a" }));
  assertEquals(policy.evaluate({ s: "abc", pattern: "b" }), [{ result: "axc" }]);
});

Deno.test("a built-in that returns undefined makes the call undefined in Rego", async () => {
  const policy = await loadRego(
    `package kilometers
default decision := "fallback"
decision := crypto.sha256(input.s)`,
    { builtins: { ...KM_BUILTINS, "crypto.sha256": { fn: () => undefined } } },
  );
  assertEquals(policy.evaluate({ s: "x" }), [{ result: "fallback" }]);
});

Deno.test("km's built-ins agree with OPA's own implementations (opa eval)", async () => {
  const rego = `package kilometers
decision := {
  "replace": [regex.replace(s, p, v) | some [s, p, v] in input.replace],
  "sha256": [crypto.sha256(s) | some s in input.sha256],
}`;
  const input = {
    replace: [
      ["baaac", "a*", "X"],
      ["2024-01-02", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1"],
      ["ab", "(a)", "$1x"],
      ["ab", "(?P<first>a)", "<${first}>$$"],
      ["aé😀b", "", "|"],
      ["Hello HELLO", "(?i)hello", "hi"],
      ["token=abc&x=1", "token=[^&]*", "token=***"],
      // RE2 syntax JavaScript's RegExp lacks or reads differently.
      ["aaa", "(?U)a+", "b"],
      ["a.b*c", "\\Qa.b*\\E", "x"],
      ["ab\nab", "b\\z", "X"],
      ["été ok", "\\pL+", "w"],
      ["a1:b2", "[[:alpha:]]", "_"],
      ["xabCx AbC", "a(?i)bc", "-"],
    ],
    sha256: ["", "abc", "é😀", "x".repeat(1000)],
  };
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/policy.rego`, rego);
    await Deno.writeTextFile(`${dir}/input.json`, JSON.stringify(input));
    const { stdout, success } = await new Deno.Command(requireOpa(), {
      args: [
        "eval",
        "-f",
        "json",
        "-d",
        `${dir}/policy.rego`,
        "-i",
        `${dir}/input.json`,
        "data.kilometers.decision",
      ],
    }).output();
    ok(success);
    const want = JSON.parse(new TextDecoder().decode(stdout)).result[0].expressions[0].value;
    const policy = await loadRego(rego);
    assertEquals(policy.evaluate(input), [{ result: want }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
