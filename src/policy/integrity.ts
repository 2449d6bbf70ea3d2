/**
 * Integrity: can km be sure the receiver reads a message as km did? The policy decides on
 * km's reading; MCP peers read leniently and differently (docs/security.md): SDKs decode
 * invalid UTF-8 as U+FFFD, the Python SDK splits lines on a bare `\r`, the Go SDK reads JSON
 * values back to back, parsers disagree on duplicate member names and some match them
 * case-insensitively, and requesters match response ids loosely. Each doubt is a finding;
 * under `enforce` a message with a finding the policy does not `tolerate` is blocked.
 *
 * Pure: it looks at the relay's event only.
 */
import type { Message } from "../jsonrpc/message.ts";
import { scanStructure } from "../jsonrpc/structure.ts";
import type { MessageEvent } from "../relay/events.ts";

/** The kinds of doubt, as `input.integrity` lists them and `tolerate` names them. */
export type IntegrityCode =
  | "invalid_utf8"
  | "bare_cr"
  | "duplicate_member"
  | "case_variant_members"
  | "too_deep"
  | "not_a_message"
  | "unmatched_response";

export interface Finding {
  readonly code: IntegrityCode;
  /** What km saw, for the reason and the audit record. */
  readonly detail: string;
}

/**
 * The deepest nesting km accepts as unambiguous. Parsers give up at different depths (Go's MCP
 * SDK at 1000, Python's pydantic at a few hundred); real MCP messages nest a few dozen levels.
 */
export const MAX_DEPTH = 128;

/** Every doubt about one received line (a batch's items included). */
export function integrityFindings(event: MessageEvent): Finding[] {
  const findings: Finding[] = [];
  const { message, text } = event;
  if (event.invalidUtf8) {
    findings.push({
      code: "invalid_utf8",
      detail: "the line is not valid UTF-8, and receivers decode it in different ways",
    });
  }
  if (text.includes("\r")) {
    findings.push({
      code: "bare_cr",
      detail: "a carriage return inside the line, where some receivers end a line",
    });
  }
  if (message.kind === "invalid") {
    // A line without a bracket can never be read as a message, so it is harmless junk.
    if (text.includes("{") || text.includes("[")) {
      findings.push({
        code: "not_a_message",
        detail: `km cannot read it as one JSON-RPC message (${message.reason}), ` +
          "but a lenient receiver may read one or more messages in it",
      });
    }
    if (message.value === undefined) return findings;
  }
  const structure = scanStructure(text);
  if (structure.depth > MAX_DEPTH) {
    findings.push({
      code: "too_deep",
      detail: `nested ${structure.depth} levels deep, more than the ${MAX_DEPTH} km accepts`,
    });
  }
  if (structure.duplicate !== undefined) {
    findings.push({
      code: "duplicate_member",
      detail: `an object names the member ${quote(structure.duplicate)} twice, ` +
        "and receivers disagree on which one counts",
    });
  }
  if (structure.caseVariants) {
    const [a, b] = structure.caseVariants;
    findings.push({
      code: "case_variant_members",
      detail: `an object has members ${quote(a)} and ${quote(b)}, ` +
        "which some receivers match case-insensitively",
    });
  }
  const items = event.items ?? [{ message, correlation: event.correlation }];
  for (const item of items) {
    const unmatched = unmatchedResponse(item.message, item.correlation !== undefined);
    if (unmatched) findings.push(unmatched);
  }
  if (event.items?.some((item) => item.message.kind === "invalid")) {
    findings.push({
      code: "not_a_message",
      detail: "an element of the batch is not a JSON-RPC message",
    });
  }
  return findings;
}

/** A response km cannot tie to a request, so cannot judge as the answer its receiver sees. */
function unmatchedResponse(message: Message, matched: boolean): Finding | undefined {
  if (matched || (message.kind !== "response" && message.kind !== "error") || !message.id) {
    return undefined;
  }
  return {
    code: "unmatched_response",
    detail: `the response's id ${message.id.raw} answers no pending request`,
  };
}

/** The codes of `findings` that `tolerated` does not cover. */
export function untolerated(findings: readonly Finding[], tolerated: readonly string[]): Finding[] {
  return findings.filter((f) => !tolerated.includes(f.code));
}

function quote(name: string): string {
  const json = JSON.stringify(name);
  return json.length > 80 ? `${json.slice(0, 77)}…"` : json;
}
