import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { Re2, re2Problem, Re2SyntaxError } from "./re2.ts";

function replaceAll(pattern: string, text: string, by = "X", flags = ""): string {
  return new Re2(pattern, flags).replaceAll(text, () => by);
}

Deno.test("patterns run on the linear-time engine", () => {
  assertEquals(new Re2("(a+)+$").engine, "re2js");
});

Deno.test("a pattern that backtracks catastrophically in JavaScript finishes on 100 KB", () => {
  // No time bound is asserted; with a backtracking engine these would not finish at all.
  const text = "a".repeat(100_000) + "b";
  assertEquals(new Re2("(a+)+$").test(text), false);
  assertEquals(new Re2("(a|aa)+$").test(text), false);
  assertEquals(new Re2("(.*a){12}$").test("a".repeat(100_000) + "b"), false);
  assertEquals(replaceAll("(a+)+$", text), text);
  assertEquals(replaceAll("(x+x+)+y", "x".repeat(100_000)), "x".repeat(100_000));
});

Deno.test("syntax is RE2's where JavaScript's differs", () => {
  assert(new Re2("a\\z").test("a"), "\\z is the end of the text");
  assert(!new Re2("a\\z").test("a\n"));
  assert(!new Re2("a$").test("a\n"), "$ without m is the end of the text");
  assert(new Re2("(?m)a$").test("a\nb"));
  assert(new Re2("(?i)abc").test("xABCx"), "inline flags at the start");
  assert(new Re2("a(?i:b)c").test("aBc"));
  assert(!new Re2("a(?i:b)c").test("aBC"));
  assert(new Re2("\\Qa.b*\\E").test("a.b*"), "\\Q...\\E quotes");
  assert(!new Re2("\\Qa.b*\\E").test("axbb"));
  assert(new Re2("^\\pL+$").test("été"), "one-letter Unicode class without braces");
  assert(new Re2("\\p{Greek}").test("λ"));
  assert(new Re2("^[[:alpha:]]+$").test("abc"), "POSIX classes");
  assert(!new Re2("^[[:alpha:]]+$").test("a:b"));
  assert(new Re2("\\x{1F600}").test("😀"), "\\x{...} code points");
  assert(!new Re2("^\\w$").test("é"), "\\w is ASCII");
  assert(!new Re2("^\\d$").test("٣"), "\\d is ASCII");
  assert(new Re2("^.$").test("😀"), ". is a code point");
  assert(!new Re2(".").test("\n"));
  assert(new Re2("(?s).").test("\n"));
  assertEquals(replaceAll("a+?", "aaa", "X", ""), "XXX");
  assertEquals(replaceAll("a+", "aaa", "X", "U"), "XXX", "U: ungreedy");
});

Deno.test("flags from configuration are RE2 flags; g and u change nothing", () => {
  assert(new Re2("abc", "i").test("ABC"));
  assert(new Re2("^b", "m").test("a\nb"));
  assert(new Re2("a.b", "s").test("a\nb"));
  assert(new Re2("abc", "gu").test("abc"));
  throws(
    () => new Re2("abc", "y"),
    (e) => e instanceof Re2SyntaxError && /flag "y" is not supported/.test(e.message),
  );
});

Deno.test("empty matches are replaced as Go's ReplaceAllString does", () => {
  assertEquals(replaceAll("a*", "baaac"), "XbXcX");
  assertEquals(replaceAll("", "ab"), "XaXbX");
  assertEquals(replaceAll("", "😀"), "X😀X", "steps over a whole code point");
  assertEquals(replaceAll("x*", ""), "X");
});

Deno.test("groups by number and name; a group that did not take part is undefined", () => {
  const re = new Re2("(?P<key>\\w+)=(?<value>\\d+)?");
  const seen: unknown[] = [];
  re.replaceAll("a=1 b=", (m) => {
    seen.push([
      m.start,
      m.end,
      m.group(0),
      m.group("key"),
      m.group(2),
      m.group("nope"),
      m.group(9),
    ]);
    return "";
  });
  assertEquals(seen, [
    [0, 3, "a=1", "a", "1", undefined, undefined],
    [4, 6, "b=", "b", undefined, undefined, undefined],
  ]);
});

Deno.test("features RE2 does not have are rejected, saying which", () => {
  const cases: [string, string][] = [
    ["(a)\\1", "backreferences are not supported"],
    ["(?<n>a)\\k<n>", "backreferences are not supported"],
    ["a(?=b)", "lookahead is not supported"],
    ["a(?!b)", "lookahead is not supported"],
    ["(?<=a)b", "lookbehind is not supported"],
    ["(?<!a)b", "lookbehind is not supported"],
    ["(?>a)", "atomic groups are not supported"],
    ["a++", "possessive quantifiers are not supported"],
    ["a\\Z", "use \\z"],
    ["(a", "missing closing )"],
    ["a{1001}", "invalid repeat count"],
  ];
  for (const [pattern, expected] of cases) {
    const problem = re2Problem(pattern);
    assert(problem?.startsWith(`${JSON.stringify(pattern)} is not a valid RE2 pattern: `), problem);
    assert(problem?.includes(expected), `${pattern}: ${problem}`);
  }
  assertEquals(re2Problem("(?P<keep>Bearer )\\S+"), undefined);
});
