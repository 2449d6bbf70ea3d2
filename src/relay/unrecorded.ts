/**
 * What the relay does with a request whose audit record cannot be written
 * (`audit.onWriteFailure: block`): it is not forwarded, and its sender is told why. Pure.
 */
import type { Message, RequestMessage } from "../jsonrpc/message.ts";
import { JsonRpcError, RPC_CODES } from "../errors.ts";
import type { DecisionSummary } from "../decision_summary.ts";

const encoder = new TextEncoder();

/** The requests of a message: itself, or a batch's request elements. */
export function requestsOf(message: Message): RequestMessage[] {
  if (message.kind === "request") return [message];
  if (message.kind !== "batch") return [];
  return message.items.filter((item): item is RequestMessage => item.kind === "request");
}

/** km's answer to the requests of `message` (one line), and the decision it records. */
export function refusal(
  message: Message,
  failing: string | undefined,
): { bytes: Uint8Array; summary: DecisionSummary } {
  const error = new JsonRpcError(
    RPC_CODES.auditUnavailable,
    `Not forwarded: km cannot write its audit log (${failing ?? "the write failed"}), and ` +
      "it forwards no request it cannot record (audit.onWriteFailure: block)",
  );
  const answers = requestsOf(message).map((request) => error.toResponse(request.id.raw));
  return {
    bytes: encoder.encode((answers.length === 1 ? answers[0] : `[${answers.join(",")}]`) + "\n"),
    summary: {
      action: "error",
      applied: "block",
      reasons: [error.message],
      rules: [],
      risk: 0,
      labels: [],
      revision: "",
      evalUs: 0,
      error: error.message,
    },
  };
}
