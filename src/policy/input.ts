/**
 * The policy input document (`input` in Rego), version 1: one per message, built from the
 * relay's event and what the session has shown so far. Documented field by field in
 * `docs/policy.md`; a change that removes or retypes a member bumps `POLICY_INPUT_VERSION`.
 *
 * The document shares objects with the event (the parsed message, learned definitions): it is
 * read-only, and goes to the engine as JSON.
 */
import { type Correlation, type Direction, toolOf } from "../jsonrpc/correlation.ts";
import type { MessageKind } from "../jsonrpc/message.ts";
import type { MessageEvent } from "../relay/events.ts";
import type { CallCount, SessionFacts, SessionState } from "./session_state.ts";
import type { ItemPin } from "../pins/compare.ts";
import { scanValue } from "../pins/detectors.ts";
import type { PolicyPins, SessionPins } from "./session_pins.ts";

export const POLICY_INPUT_VERSION = 1;

export type PolicyMode = "enforce" | "audit";

type Obj = Record<string, unknown>;

/** `input.tool`: the tool a `tools/call` request calls, or its response answers. */
export interface PolicyTool {
  readonly name: string;
  /** Requests only: a response does not carry its request's arguments. */
  readonly arguments?: unknown;
  /** The tool as the server last listed it; absent when it never did. */
  readonly definition?: Obj;
  /** The tool's definition compared with its pin (src/pins/); absent when it was never listed. */
  readonly pin?: ItemPin;
}

/** `input.request`: for a response or error, the request it answers. */
export interface PolicyRequest {
  readonly method: string;
  /** The id's JSON text. */
  readonly id: string;
  readonly tool?: string;
  /** Audit `seq` of the request's record. */
  readonly seq: number;
  readonly latency_ms: number;
  /** Present (true) when the requester sent `notifications/cancelled` for it. */
  readonly cancelled?: true;
}

export interface PolicySession {
  readonly id: string;
  /** As the session state knows it (the same members and names). */
  readonly server: SessionFacts["server"];
  readonly client: {
    readonly info?: Obj;
    readonly capabilities?: Obj;
    readonly protocol_version?: string;
  };
  readonly protocol_version?: string;
}

export interface PolicyCallCount {
  readonly calls: number;
  readonly last_minute: number;
}

export interface PolicyStats extends PolicyCallCount {
  readonly tools: Readonly<Record<string, PolicyCallCount>>;
}

export interface PolicyInput {
  readonly version: typeof POLICY_INPUT_VERSION;
  readonly direction: Direction;
  readonly kind: MessageKind;
  readonly method?: string;
  /** The id's JSON text (`"0"`, `"\"abc\""`), so integers beyond 2^53 keep every digit. */
  readonly id?: string;
  /** The parsed message; for an invalid line `{raw, reason}`; for a batch the array. */
  readonly message: unknown;
  readonly tool?: PolicyTool;
  readonly request?: PolicyRequest;
  readonly session: PolicySession;
  /** Counts before this message: a call sees the calls that came before it. */
  readonly stats: PolicyStats;
  readonly mode: PolicyMode;
  /**
   * Why km cannot be sure the receiver reads this message as km did (integrity.ts codes, e.g.
   * `invalid_utf8`); absent when there is no doubt. km blocks such a message under `enforce`
   * unless the decision's `tolerate` names every code.
   */
  readonly integrity?: readonly string[];
}

/**
 * Members of the input added with pins (docs/policy.md), built only for a policy that reads
 * them. `km policy eval`'s list of members (src/cli/input_members.ts) names them too.
 */
export interface PinInputMembers {
  /** List responses: the listing compared with the server's pins. */
  readonly pins?: PolicyPins;
  /** Responses to a tool's call: what the detectors found in its result; absent when nothing. */
  readonly result_labels?: readonly string[];
}

/** Characters of a result the detectors read, at most (beyond, `scan_truncated`): about 6 ms. */
export const MAX_RESULT_SCAN_CHARS = 256 * 1024;

/**
 * The input for `event`. Call it before `state.observe(event, …)`, so that `stats` describe
 * the traffic before this message. A batch is described as a whole: `message` is the array and
 * the per-message members (`method`, `id`, `tool`, `request`) are absent.
 *
 * With `members` (what the policy reads, see input_use.ts), only those members are built: the
 * session and its counters cost nothing for a policy that never looks at them.
 */
export function policyInput(
  event: MessageEvent,
  state: SessionState,
  mode: PolicyMode,
): PolicyInput;
export function policyInput(
  event: MessageEvent,
  state: SessionState,
  mode: PolicyMode,
  members: ReadonlySet<string> | undefined,
  integrity?: readonly string[],
  pins?: SessionPins,
): Partial<PolicyInput> & PinInputMembers;
export function policyInput(
  event: MessageEvent,
  state: SessionState,
  mode: PolicyMode,
  members?: ReadonlySet<string>,
  integrity?: readonly string[],
  pins?: SessionPins,
): Partial<PolicyInput> & PinInputMembers {
  const { message } = event;
  const want = (member: keyof (PolicyInput & PinInputMembers)) =>
    members === undefined || members.has(member);
  let method: string | undefined;
  let id: string | undefined;
  let body: unknown;
  let tool: PolicyTool | undefined;
  let request: PolicyRequest | undefined;
  switch (message.kind) {
    case "request":
    case "notification": {
      method = message.method;
      body = message.value;
      if (message.kind === "request") id = message.id.raw;
      // A `tools/call` sent as a notification gets its tool too: no SDK runs one today, but a
      // rule on the tool must not depend on the receiver refusing it.
      // A task's requests and notifications (tasks/get…) get the tool of the call that created
      // the task, without arguments: they carry none of the call's.
      const called = want("tool") ? toolOf(message.method, message.params) : undefined;
      const name = want("tool") ? called ?? event.tool : undefined;
      if (name !== undefined) {
        const params = message.params as Obj;
        tool = {
          name,
          ...(called !== undefined && "arguments" in params ? { arguments: params.arguments } : {}),
          ...definitionOf(state, name, pins),
        };
      }
      break;
    }
    case "response":
    case "error": {
      id = message.id?.raw;
      body = message.value;
      const correlation = event.correlation;
      if (!correlation) break;
      method = correlation.request.method;
      if (want("request")) request = requestOf(correlation);
      const name = correlation.request.tool;
      // A task's answers (tasks/get, tasks/result…) are about the call that created the task.
      if (name !== undefined && want("tool")) {
        tool = { name, ...definitionOf(state, name, pins) };
      }
      break;
    }
    case "batch":
      body = message.value;
      break;
    case "invalid":
      body = { raw: message.text, reason: message.reason };
      break;
  }
  return {
    ...(want("version") ? { version: POLICY_INPUT_VERSION } : {}),
    ...(want("direction") ? { direction: event.direction } : {}),
    ...(want("kind") ? { kind: message.kind } : {}),
    ...(method === undefined || !want("method") ? {} : { method }),
    ...(id === undefined || !want("id") ? {} : { id }),
    ...(want("message") ? { message: body } : {}),
    ...(tool === undefined ? {} : { tool }),
    ...(request === undefined ? {} : { request }),
    ...(want("session") ? { session: sessionOf(state) } : {}),
    ...(want("stats") ? { stats: statsOf(state) } : {}),
    ...(want("mode") ? { mode } : {}),
    ...(integrity?.length && want("integrity") ? { integrity } : {}),
    ...(pins && want("pins") ? pinsOf(pins, message) : {}),
    ...(want("result_labels") ? resultLabelsOf(event) : {}),
  };
}

function definitionOf(
  state: SessionState,
  name: string,
  pins: SessionPins | undefined,
): { definition?: Obj; pin?: ItemPin } {
  const definition = state.toolDefinition(name);
  const pin = pins?.tool(name);
  return {
    ...(definition === undefined ? {} : { definition }),
    ...(pin === undefined ? {} : { pin }),
  };
}

function pinsOf(pins: SessionPins, message: MessageEvent["message"]): { pins?: PolicyPins } {
  const listing = pins.listing(message);
  return listing === undefined ? {} : { pins: listing };
}

/** The detectors' labels of a tool's result (a response that answers a call of a tool). */
function resultLabelsOf(event: MessageEvent): { result_labels?: readonly string[] } {
  const { message } = event;
  if (message.kind !== "response" || event.correlation?.request.tool === undefined) return {};
  const { labels, truncated } = scanValue(message.result, { budget: MAX_RESULT_SCAN_CHARS });
  const all: string[] = truncated ? [...labels, "scan_truncated"] : labels;
  return all.length === 0 ? {} : { result_labels: all };
}

function requestOf({ request, latencyMs }: Correlation): PolicyRequest {
  return {
    method: request.method,
    id: request.id.raw,
    ...(request.tool === undefined ? {} : { tool: request.tool }),
    seq: request.seq,
    // Microseconds are plenty, and the audit record rounds the same way.
    latency_ms: Math.round(latencyMs * 1000) / 1000,
    ...(request.cancelled ? { cancelled: true as const } : {}),
  };
}

function sessionOf(state: SessionState): PolicySession {
  const { id, server, client, protocolVersion } = state.snapshot();
  return {
    id,
    server,
    client: {
      ...(client.info === undefined ? {} : { info: client.info }),
      ...(client.capabilities === undefined ? {} : { capabilities: client.capabilities }),
      ...(client.protocolVersion === undefined ? {} : { protocol_version: client.protocolVersion }),
    },
    ...(protocolVersion === undefined ? {} : { protocol_version: protocolVersion }),
  };
}

function statsOf(state: SessionState): PolicyStats {
  const { total, tools } = state.callStats();
  const count = ({ calls, lastMinute }: CallCount) => ({ calls, last_minute: lastMinute });
  return {
    // fromEntries defines own members, so a tool named "__proto__" is a member like any other.
    tools: Object.fromEntries([...tools].map(([name, c]) => [name, count(c)])),
    ...count(total),
  };
}
