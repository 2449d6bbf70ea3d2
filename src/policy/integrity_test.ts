import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseLine } from "../jsonrpc/parse_line.ts";
import { messageEvent } from "../relay/_testing.ts";
import { integrityFindings, MAX_DEPTH, untolerated } from "./integrity.ts";

const enc = new TextEncoder();

/** The codes of the findings for one line, read as the relay reads it. */
function codes(bytes: Uint8Array | string): string[] {
  const raw = typeof bytes === "string" ? enc.encode(bytes) : bytes;
  const { message, text, invalidUtf8 } = parseLine(raw);
  return integrityFindings(messageEvent("", { message, text, invalidUtf8 })).map((f) => f.code);
}

const CALL = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"shell"}}';

Deno.test("integrityFindings finds nothing in an ordinary request, or in junk without brackets", () => {
  assertEquals(codes(CALL), []);
  assertEquals(codes("server starting on port 3000"), []);
  assertEquals(codes(""), []);
});

Deno.test("integrityFindings doubts a line that is not valid UTF-8", () => {
  const bytes = enc.encode(CALL);
  assertEquals(codes(new Uint8Array([...bytes.subarray(0, 50), 0xc3, ...bytes.subarray(50)])), [
    "invalid_utf8",
  ]);
});

Deno.test("integrityFindings doubts a carriage return inside a line", () => {
  assertEquals(codes(`{"jsonrpc":"2.0","id":1,"method":"ping"}\r${CALL}`), [
    "bare_cr",
    "not_a_message",
  ]);
  assertEquals(codes(CALL.replace(",", ",\r")), ["bare_cr"]);
});

Deno.test("integrityFindings doubts brackets it cannot read as one message", () => {
  assertEquals(codes(`${CALL} ${CALL}`), ["not_a_message"]);
  assertEquals(codes('{"jsonrpc":"2.0","id":1,"Method":"tools/call"}'), ["not_a_message"]);
});

Deno.test("integrityFindings doubts duplicate and case-variant member names", () => {
  assertEquals(codes(CALL.replace('"name":"shell"', '"name":"echo","name":"shell"')), [
    "duplicate_member",
  ]);
  assertEquals(codes(CALL.replace('"name":"shell"', '"name":"echo","NAME":"shell"')), [
    "case_variant_members",
  ]);
});

Deno.test("integrityFindings doubts a message nested deeper than MAX_DEPTH", () => {
  const deep = `{"a":${"[".repeat(MAX_DEPTH)}${"]".repeat(MAX_DEPTH)}}`;
  assertEquals(codes(CALL.replace('"shell"', deep)), ["too_deep"]);
  const fine = `${"[".repeat(MAX_DEPTH - 3)}${"]".repeat(MAX_DEPTH - 3)}`;
  assertEquals(codes(CALL.replace('"shell"', fine)), []);
});

Deno.test("integrityFindings doubts a response that answers no pending request", () => {
  assertEquals(codes('{"jsonrpc":"2.0","id":5,"result":{}}'), ["unmatched_response"]);
  // An error about a message whose id could not be read answers nobody in particular.
  assertEquals(codes('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}'), []);
});

Deno.test("untolerated keeps the findings the policy does not tolerate", () => {
  const findings = [
    { code: "bare_cr" as const, detail: "" },
    { code: "invalid_utf8" as const, detail: "" },
  ];
  assertEquals(untolerated(findings, ["bare_cr"]).map((f) => f.code), ["invalid_utf8"]);
  assertEquals(untolerated(findings, ["bare_cr", "invalid_utf8"]), []);
});
