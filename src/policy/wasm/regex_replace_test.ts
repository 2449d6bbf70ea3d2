import { equal, throws } from "node:assert/strict";
import { regexReplace } from "./regex_replace.ts";

// Expected values are what Go's regexp.ReplaceAllString returns for the same arguments.
const CASES: [string, string, string, string][] = [
  ["foo bar", "o+", "0", "f0 bar"],
  ["sk-abc123 and sk-def", "sk-[a-z0-9]+", "[REDACTED]", "[REDACTED] and [REDACTED]"],
  ["2024-01-02", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1", "02/01/2024"],
  ["ab", "(a)", "$1x", "b"], // $1x names the (missing) group "1x"
  ["ab", "(a)", "${1}x", "axb"],
  ["ab", "(?P<first>a)", "<$first>", "<a>b"],
  ["ab", "(?P<first>a)", "$$1 $", "$1 $b"],
  ["ab", "(a)", "$01", "b"], // a leading zero makes it a name
  ["baaac", "a*", "X", "XbXcX"], // no empty match right after a match
  ["", "x*", "-", "-"],
  ["aé😀b", "", "|", "|a|é|😀|b|"],
  ["Hello HELLO", "(?i)hello", "hi", "hi hi"],
  ["a\nb", "(?s)a.b", "x", "x"],
  ["abc", "z", "y", "abc"],
  // Where RE2 and JavaScript's RegExp differ, RE2 wins.
  ["aaa", "(?U)a+", "b", "bbb"], // ungreedy flag
  ["a.b*c", "\\Qa.b*\\E", "x", "xc"], // \Q...\E quotes
  ["ab\nab", "b\\z", "X", "ab\naX"], // \z: the end of the text
  ["été ok", "\\pL+", "w", "w w"], // a one-letter Unicode class
  ["a1:b2", "[[:alpha:]]", "_", "_1:_2"], // POSIX class
  ["xAbCx", "a(?i)bc", "-", "xAbCx"], // a flag from its position on
  ["xabCx", "a(?i)bc", "-", "x-x"],
];

Deno.test("regexReplace matches Go's ReplaceAllString", () => {
  for (const [s, pattern, value, want] of CASES) {
    equal(regexReplace(s, pattern, value), want, `${s} ${pattern} ${value}`);
  }
});

Deno.test("regexReplace gives the same answer when a cached pattern is used again", () => {
  equal(regexReplace("aaa", "a", "b"), "bbb");
  equal(regexReplace("xax", "a", "b"), "xbx");
});

Deno.test("regexReplace throws on an invalid pattern, naming it and what RE2 lacks", () => {
  throws(() => regexReplace("a", "(", "b"), SyntaxError);
  throws(
    () => regexReplace("aa", "(a)\\1", "b"),
    /"\(a\)\\\\1" is not a valid RE2 pattern: .*backreferences are not supported/,
  );
  throws(() => regexReplace("ab", "a(?=b)", "x"), /lookahead is not supported/);
});

Deno.test("regexReplace runs on the linear engine: a catastrophic pattern over 100 KB", () => {
  // A backtracking engine tries every split of the a's, at each of 100 000 start positions.
  const text = "a".repeat(100_000) + "b";
  equal(regexReplace(text, "(a+)+$", "x"), text);
  equal(regexReplace(text, "(a|aa)+b", "x"), "x");
});
