/**
 * Asking through the client in an MCP 2026-07-28 session, where a server (and so km) may not
 * send the client requests: km answers the held request with an `input_required` result whose
 * one input request is its elicitation, and the client retries the request with the person's
 * answer (`inputResponses`) and km's `requestState`. This file builds that result and reads the
 * retry: km's answer and state taken out, the rest of the request kept byte for byte. Pure.
 */
import { memberSpan, withoutMembers } from "../jsonrpc/members.ts";
import { isKmState, requestHash } from "./request_state.ts";

/** The name of km's question among the input requests. */
export const INPUT_KEY = "km_approval";

/** The methods whose results may be `input_required` (MCP 2026-07-28, basic/patterns/mrtr). */
export const INPUT_REQUIRED_METHODS: ReadonlySet<string> = new Set([
  "tools/call",
  "prompts/get",
  "resources/read",
]);

const RETRY_MEMBERS: ReadonlySet<string> = new Set(["requestState", "inputResponses"]);

/** The hash a retry must match: the method and params as written, less retry members. */
export function heldRequestHash(text: string, method: string): string | undefined {
  const params = memberSpan(text, "params");
  if (params === undefined) return requestHash(method, "");
  const stripped = withoutMembers(text, RETRY_MEMBERS, params.valueStart);
  return stripped === undefined ? undefined : requestHash(method, stripped);
}

/** km's answer to the held request: the response line, id as the client wrote it. */
export function inputRequiredResponse(
  idText: string,
  elicitation: Record<string, unknown>,
  requestState: string,
): string {
  const result = {
    resultType: "input_required",
    inputRequests: { [INPUT_KEY]: { method: "elicitation/create", params: elicitation } },
    requestState,
  };
  return `{"jsonrpc":"2.0","id":${idText},"result":${JSON.stringify(result)}}`;
}

/** A request that carries km's `requestState`, read. */
export interface Retry {
  /** km's state, as the client echoed it. */
  readonly state: string;
  /** The person's answer (an elicitation result), when the retry carries one. */
  readonly answer?: unknown;
  /** `requestHash` of the request less km's members: must match the state's. */
  readonly hash: string;
  /** The request as it goes to the server: the retry with km's members taken out. */
  readonly forward: string;
}

/**
 * Reads a client's request: undefined when it carries no `requestState` of km's (a server's
 * state passes through untouched), else the retry, or why km refuses it.
 */
export function readRetry(text: string, method: string): Retry | { error: string } | undefined {
  const params = memberSpan(text, "params");
  if (params === undefined) return undefined;
  const stateSpan = memberSpan(text, "requestState", params.valueStart);
  if (stateSpan === undefined) return undefined;
  const state = JSON.parse(text.slice(stateSpan.valueStart, stateSpan.end));
  if (!isKmState(state)) return undefined;
  const responsesSpan = memberSpan(text, "inputResponses", params.valueStart);
  const responses = responsesSpan &&
    JSON.parse(text.slice(responsesSpan.valueStart, responsesSpan.end));
  let answer: unknown;
  if (responses !== undefined && responses !== null) {
    if (typeof responses !== "object" || Array.isArray(responses)) {
      return { error: "its inputResponses is not an object" };
    }
    const others = Object.keys(responses).filter((k) => k !== INPUT_KEY);
    if (others.length > 0) {
      return {
        error: `it answers input requests km did not make (${
          others.map((k) => JSON.stringify(k)).join(", ")
        })`,
      };
    }
    answer = responses[INPUT_KEY];
  }
  const stripped = withoutMembers(text, RETRY_MEMBERS, params.valueStart)!;
  return {
    state,
    ...(answer === undefined ? {} : { answer }),
    hash: requestHash(method, stripped),
    forward: text.slice(0, params.valueStart) + stripped + text.slice(params.end),
  };
}
