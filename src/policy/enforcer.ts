/**
 * The policy applied to the relay: for each message, the input document, one evaluation, the
 * decision checked, and its effect: forward the bytes received, forward a transformed copy,
 * or block it and answer for the other side. Fails closed: an evaluation error or a malformed
 * decision blocks a request, and any other message unless its direction is configured open.
 */
import type { AskRequest, AskResult, Resolution } from "../approval/broker.ts";
import { argsHash } from "../approval/args_hash.ts";
import { appliedOf } from "../approval/records.ts";
import { JsonRpcError, RPC_CODES } from "../errors.ts";
import { type Correlation, type Direction, toolOf } from "../jsonrpc/correlation.ts";
import { idKeyOf, type Message } from "../jsonrpc/message.ts";
import { parseLineWhole, withoutTerminator } from "../jsonrpc/parse_line.ts";
import type { DecisionSummary } from "../decision_summary.ts";
import type { BatchItem, Gate, MessageEvent, Release, Verdict } from "../relay/events.ts";
import { type Action, type Decision, firedRules, readDecision, reasonTexts } from "./decision.ts";
import { cacheable, DecisionCache } from "./decision_cache.ts";
import { type PolicyInput, policyInput, type PolicyMode } from "./input.ts";
import { type Finding, integrityFindings, untolerated } from "./integrity.ts";
import type { LoadedPolicy } from "./build/load_policy.ts";
import type { SessionState } from "./session_state.ts";
import { applyTransform } from "./transform.ts";
import { ApprovedCalls } from "./approved_calls.ts";
import type { SessionPins } from "./session_pins.ts";

export interface EnforcerOptions {
  readonly loaded: LoadedPolicy;
  readonly state: SessionState;
  readonly mode: PolicyMode;
  /** Per direction: does an evaluation failure block messages other than requests too? */
  readonly failClosed: Readonly<Record<Direction, boolean>>;
  /** Monotonic milliseconds, to time evaluations. */
  readonly now: () => number;
  /** Who answers `ask`; without it, `ask` is a deny saying no approver is configured. */
  readonly approvals?: Approvals;
  /** The server's pinned definitions, compared on each listing (`input.pins`, `tool.pin`). */
  readonly pins?: SessionPins;
}

/** Human approval, as the enforcer uses it (the broker and the client channel). */
export interface Approvals {
  /** How long a held message waits when the policy does not say. */
  readonly timeoutMs: number;
  ask(request: AskRequest): AskResult;
  /** Ends the approval of the held message with this key; its id, or undefined if none. */
  withdraw(key: string, why: string): string | undefined;
  /** A client's answer to km's own approval request: a note when it was one (never sent on). */
  consume(event: MessageEvent): string | undefined;
  /**
   * A client's retry of a request km answered with its approval question (MCP 2026-07-28),
   * or undefined when the request is not one.
   */
  retried(event: MessageEvent): Retried | undefined;
}

/** A retry of km's approval question: what to send once the approval ends approved, or why not. */
export type Retried =
  | {
    readonly approvalId: string;
    /** The retry less km's members. */
    readonly forward: Uint8Array;
    readonly done: Promise<Resolution>;
  }
  | { readonly error: string };

/** The bounds on a policy's `approval_timeout`. */
const MIN_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 600_000;

const encoder = new TextEncoder();

/** A policy in force, with what is worked out once for it rather than for every message. */
interface InForce {
  readonly loaded: LoadedPolicy;
  /** The members of the input the policy reads; undefined: all of them. */
  readonly members: ReadonlySet<string> | undefined;
  /** Decisions remembered by input, when the policy's answers can repeat (decision_cache.ts). */
  readonly cache: DecisionCache | undefined;
}

function inForce(loaded: LoadedPolicy): InForce {
  const { members } = loaded.inputUse;
  return {
    loaded,
    members: members === undefined ? undefined : new Set(members),
    cache: cacheable(loaded.inputUse, loaded.policy.builtinNames) ? new DecisionCache() : undefined,
  };
}

export class Enforcer implements Gate {
  readonly #options: EnforcerOptions;
  #policy: InForce;
  /** Ids (keys) of requests km blocked, per direction, so their cancellations are not sent on. */
  readonly #blocked: Record<Direction, Set<string>> = {
    client_to_server: new Set(),
    server_to_client: new Set(),
  };
  /** Calls a person approved: their answers and continuations are not asked about again. */
  readonly #approved = new ApprovedCalls();

  constructor(options: EnforcerOptions) {
    this.#options = options;
    this.#policy = inForce(options.loaded);
  }

  /** The policy in force. */
  get loaded(): LoadedPolicy {
    return this.#policy.loaded;
  }

  /**
   * Puts a newly loaded policy in force. Evaluation is synchronous, so no message is ever
   * decided half by one policy and half by the other.
   */
  swap(loaded: LoadedPolicy): void {
    this.#policy = inForce(loaded);
  }

  decide(event: MessageEvent, raw: Uint8Array): Verdict {
    const { state, approvals } = this.#options;
    const policy = this.#policy;
    state.introduce(event);
    this.#options.pins?.examine(event, raw);
    const consumed = approvals?.consume(event);
    if (consumed !== undefined) {
      return { summary: this.#summary("allow", "consume", 0, [consumed]) };
    }
    const cancelled = cancelledKey(event);
    if (cancelled !== undefined) {
      if (this.#blocked[event.direction].has(cancelled)) {
        return { summary: this.#summary("allow", "drop", 0, ["cancels a request km blocked"]) };
      }
      const withdrew = this.#options.approvals?.withdraw(
        heldKey(event.direction, cancelled),
        "the sender cancelled the request",
      );
      if (withdrew !== undefined) {
        return {
          summary: {
            ...this.#summary("allow", "drop", 0, [`withdraws the pending approval ${withdrew}`]),
            approvalId: withdrew,
          },
        };
      }
    }
    const findings = integrityFindings(event);
    // A doubted message is never taken as an answer: the policy path blocks it for its doubts.
    const retried = this.#options.mode === "enforce" && findings.length === 0
      ? approvals?.retried(event)
      : undefined;
    if (retried) {
      const verdict = this.#retry(event, retried);
      state.observe(event, verdict.forward !== undefined);
      return verdict;
    }
    if (event.message.kind === "batch") {
      const verdict = this.#decideBatch(event, raw, findings);
      state.observe(event, verdict.forward !== undefined);
      return verdict;
    }
    // The policy judges what the receiver will read: a large line whose skeleton had strings
    // cut is read whole when the policy looks at its content.
    const subject = event.elided > 0 && readsContent(policy.members, event.message.kind)
      ? wholeEvent(event, raw)
      : event;
    const { decision, failure, cached, evalUs } = this.#evaluate(subject, findings);
    const verdict = decision
      ? this.#judged(subject, raw, decision, findings, evalUs, cached)
      : this.#failed(subject, raw, failure!, evalUs, {}, findings);
    state.observe(event, verdict.forward !== undefined);
    return verdict;
  }

  /** A client's retry of km's approval question: held until the approval ends, then applied. */
  #retry(event: MessageEvent, retried: Retried): Verdict {
    if ("error" in retried) {
      const why = `km refused the retry of its approval question: ${retried.error}`;
      return this.#block(event, "deny", [why], 0, {});
    }
    const id = retried.approvalId;
    const required = `approval required (approval ${id})`;
    return {
      deferred: retried.done.then((resolution) =>
        this.#released(event, retried.forward, resolution, required, 0, {}, id)
      ),
      about: id,
      summary: {
        ...this.#summary("ask", "hold", 0, [`retry carrying the answer to approval ${id}`]),
        approvalId: id,
      },
    };
  }

  /** One evaluation of the policy in force. */
  #evaluate(subject: MessageEvent, findings: readonly Finding[]): Evaluation {
    const { state, mode, now } = this.#options;
    const policy = this.#policy;
    const started = now();
    try {
      const codes = findings.length > 0 ? [...new Set(findings.map((f) => f.code))] : undefined;
      const input = policyInput(subject, state, mode, policy.members, codes, this.#options.pins);
      const json = inputJson(subject, input);
      let decision = policy.cache?.get(json);
      const cached = decision !== undefined;
      if (!decision) {
        decision = readDecision(JSON.parse(policy.loaded.policy.evaluateJson(json)));
        policy.cache?.set(json, decision);
      }
      return { decision, cached, evalUs: Math.round((now() - started) * 1000) };
    } catch (error) {
      return {
        failure: `policy evaluation failed: ${(error as Error).message}`,
        cached: false,
        evalUs: Math.round((now() - started) * 1000),
      };
    }
  }

  /** The decision applied, unless km doubts the message and the policy does not tolerate it. */
  #judged(
    event: MessageEvent,
    raw: Uint8Array,
    decision: Decision,
    findings: readonly Finding[],
    evalUs: number,
    cached: boolean,
  ): Verdict {
    const doubts = untolerated(findings, decision.tolerate ?? []);
    if (doubts.length === 0) {
      return withIntegrity(this.#apply(event, raw, decision, evalUs, cached), findings);
    }
    const denied = decision.action === "deny" ? reasonTexts(decision) : [];
    const reasons = [...denied, ...doubts.map(doubtReason)];
    const extra = { rules: firedRules(decision), risk: decision.risk, labels: decision.labels };
    const verdict = this.#options.mode === "audit"
      ? { forward: raw, summary: this.#summary("deny", "audit", evalUs, reasons, extra) }
      : this.#block(event, "deny", reasons, evalUs, extra);
    return withIntegrity(verdict, findings);
  }

  /**
   * A batch (MCP 2025-03-26): each element is judged as the message it is. The batch goes on
   * as received only when every element is allowed as it is; otherwise none of it does, and
   * each request in it is answered with why.
   */
  #decideBatch(event: MessageEvent, raw: Uint8Array, findings: readonly Finding[]): Verdict {
    const items: readonly BatchItem[] = event.items ??
      (event.message.kind === "batch" ? event.message.items.map((message) => ({ message })) : []);
    const reasons: string[] = [];
    const rules = new Set<string>();
    const labels = new Set<string>();
    let risk = 0;
    let evalUs = 0;
    let action: Action | "error" = "allow";
    let tolerated: readonly string[] | undefined;
    for (const [index, item] of items.entries()) {
      const subject = itemEvent(event, item.message, item.correlation);
      const evaluation: Evaluation = subject
        ? this.#evaluate(subject, findings)
        : { failure: "the element cannot be read whole", cached: false, evalUs: 0 };
      evalUs += evaluation.evalUs;
      const d = evaluation.decision;
      if (!d) {
        action = "error";
        reasons.push(`element ${index}: ${evaluation.failure}`);
        continue;
      }
      const mine = d.tolerate ?? [];
      tolerated = tolerated?.filter((t) => mine.includes(t)) ?? mine;
      for (const rule of firedRules(d)) rules.add(rule);
      for (const label of d.labels) labels.add(label);
      risk = Math.max(risk, d.risk);
      if (d.action === "allow") continue;
      action = worse(action, d.action);
      const why = d.action === "transform"
        ? ["a batch cannot be transformed"]
        : d.action === "ask"
        ? reasonTexts(d).map((r) => `approval required (${r}); a batch cannot be held for approval`)
        : reasonTexts(d);
      reasons.push(...why.map((r) => `element ${index}: ${r}`));
    }
    const doubts = untolerated(findings, tolerated ?? []);
    if (doubts.length > 0) action = worse(action, "deny");
    reasons.push(...doubts.map(doubtReason));
    const extra = { rules: [...rules], risk, labels: [...labels] };
    if (action === "allow") {
      return withIntegrity(
        { forward: raw, summary: this.#summary("allow", "forward", evalUs, [], extra) },
        findings,
      );
    }
    const verdict = this.#options.mode === "audit"
      ? { forward: raw, summary: this.#summary(action, "audit", evalUs, reasons, extra) }
      : this.#block(event, action, reasons, evalUs, extra);
    return withIntegrity(verdict, findings);
  }

  #apply(
    event: MessageEvent,
    raw: Uint8Array,
    decision: Decision,
    evalUs: number,
    cached: boolean,
  ): Verdict {
    const audit = this.#options.mode === "audit";
    const extra: Partial<DecisionSummary> = {
      rules: firedRules(decision),
      risk: decision.risk,
      labels: decision.labels,
      ...(cached ? { cached: true } : {}),
    };
    const approvedBefore = this.#approvedBefore(event);
    if (decision.action === "ask" && !audit && approvedBefore && !decision.askAgain) {
      // Ask once per call: a person approved this call already (docs/approvals.md).
      return {
        forward: raw,
        summary: {
          ...this.#summary("ask", "forward", evalUs, [
            `${approvedBefore.what} approved by a person (approval ${approvedBefore.id}): not asked again`,
          ], extra),
          approvalId: approvedBefore.id,
        },
      };
    }
    if (decision.action === "ask" && !audit && this.#options.approvals) {
      return this.#ask(event, raw, decision, evalUs, extra);
    }
    switch (decision.action) {
      case "allow":
        return { forward: raw, summary: this.#summary("allow", "forward", evalUs, [], extra) };
      case "deny":
      case "ask": {
        const reasons = decision.action === "ask"
          ? reasonTexts(decision).map((r) => `approval required (${r}); no approver is configured`)
          : reasonTexts(decision);
        if (audit) {
          return {
            forward: raw,
            summary: this.#summary(decision.action, "audit", evalUs, reasons, extra),
          };
        }
        return this.#block(event, decision.action, reasons, evalUs, extra);
      }
      case "transform":
        return this.#transform(event, raw, decision, evalUs, extra);
    }
  }

  /** Holds the message until a person answers, unless the session already approved it. */
  #ask(
    event: MessageEvent,
    raw: Uint8Array,
    decision: Decision,
    evalUs: number,
    extra: Partial<DecisionSummary>,
  ): Verdict {
    const approvals = this.#options.approvals!;
    // The approver sees, and a session grant is keyed on, every byte that will run.
    if (event.elided > 0) event = wholeEvent(event, raw);
    const reasons = reasonTexts(decision);
    const required = `approval required (${reasons.join("; ") || "the policy asks for it"})`;
    const request = this.#askRequest(event, decision, reasons, extra, approvals.timeoutMs);
    if (!request) {
      return this.#block(
        event,
        "ask",
        [`${required}; a batch cannot be held for approval`],
        evalUs,
        extra,
      );
    }
    const asked = approvals.ask(request);
    switch (asked.kind) {
      case "granted":
        this.#approved.approved(event, asked.approvalId);
        return {
          forward: raw,
          summary: {
            ...this.#summary("ask", "forward", evalUs, [
              `approved for this session by approval ${asked.approvalId}`,
            ], extra),
            approvalId: asked.approvalId,
          },
        };
      case "unavailable":
        return this.#block(event, "ask", [`${required}; ${asked.reason}`], evalUs, extra);
      case "held": {
        if (asked.answerNow) {
          // MCP 2026-07-28: the question is km's answer; the retry brings the person's answer.
          return {
            replyToSender: asked.answerNow,
            answersRequest: true,
            about: asked.pending.id,
            summary: {
              ...this.#summary("ask", "input_required", evalUs, reasons, extra),
              approvalId: asked.pending.id,
            },
          };
        }
        // The relay reuses the bytes of a line once it is delivered: keep a copy.
        const kept = raw.slice();
        return {
          deferred: asked.done.then((resolution) =>
            this.#released(event, kept, resolution, required, evalUs, extra, asked.pending.id)
          ),
          about: asked.pending.id,
          summary: {
            ...this.#summary("ask", "hold", evalUs, reasons, extra),
            approvalId: asked.pending.id,
          },
        };
      }
    }
  }

  /** What the approval is about, or undefined for a message that cannot be held. */
  #askRequest(
    event: MessageEvent,
    decision: Decision,
    reasons: string[],
    extra: Partial<DecisionSummary>,
    defaultTimeoutMs: number,
  ): AskRequest | undefined {
    const m = event.message;
    let method: string;
    let args: unknown;
    const key = heldKey(event.direction, m.kind === "request" ? m.id.key : `seq ${event.seq}`);
    switch (m.kind) {
      case "request":
      case "notification":
        method = m.method;
        args = m.method === "tools/call"
          ? (m.params as { arguments?: unknown })?.arguments
          : m.params;
        break;
      case "response":
        method = event.correlation?.request.method ?? "(response)";
        args = m.result;
        break;
      case "error":
        method = event.correlation?.request.method ?? "(error)";
        args = m.error;
        break;
      default:
        return undefined;
    }
    const tool = m.kind === "request" || m.kind === "notification"
      ? toolOf(m.method, m.params) ?? event.tool
      : event.correlation?.request.tool;
    const policyMs = decision.approvalTimeoutS === undefined
      ? undefined
      : Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, decision.approvalTimeoutS * 1000));
    return {
      key,
      direction: event.direction,
      method,
      ...(tool === undefined ? {} : { tool }),
      ...(args === undefined ? {} : { arguments: args }),
      ...(m.kind === "request" && event.direction === "client_to_server"
        ? { wire: { idText: m.id.raw, text: event.text } }
        : {}),
      argsHash: argsHash(args),
      reasons,
      rules: extra.rules ?? [],
      risk: extra.risk ?? 0,
      labels: extra.labels ?? [],
      requestSeq: event.seq,
      timeoutMs: policyMs ?? defaultTimeoutMs,
    };
  }

  /** A held message once its approval ended: sent on, answered by km, or dropped. */
  #released(
    event: MessageEvent,
    raw: Uint8Array,
    resolution: Resolution,
    required: string,
    evalUs: number,
    extra: Partial<DecisionSummary>,
    approvalId: string,
  ): Release {
    // One mapping from outcome to effect, shared with the approval's audit record.
    switch (appliedOf(resolution)) {
      case "forward":
        // Only now is the request sent on: count it (a tools/call is a call) as decide() did not.
        if (event.message.kind === "request") {
          this.#options.state.observe(event, true);
          this.#approved.approved(event, approvalId);
        }
        return { forward: raw };
      case "none": {
        // The sender cancelled: it expects no answer, and the receiver never saw the request.
        const m = event.message;
        if (m.kind === "request") this.#blocked[event.direction].add(m.id.key);
        return { answersRequest: m.kind === "request" };
      }
      case "block": {
        const why = `${resolution.reason ?? resolution.outcome}; ${required}`;
        const { replyToSender, replyToReceiver, answersRequest } = this.#block(
          event,
          "ask",
          [why],
          evalUs,
          extra,
        );
        return { replyToSender, replyToReceiver, answersRequest };
      }
    }
  }

  /**
   * The approval a person already gave this call: the request a response answers, or the
   * request a 2026-07-28 retry continues. Read for every message, so the memory stays current.
   */
  #approvedBefore(event: MessageEvent): { id: string; what: string } | undefined {
    const answered = this.#approved.answered(event);
    if (answered !== undefined) return { id: answered, what: "its request was" };
    const continued = this.#approved.continued(event);
    if (continued === undefined) return undefined;
    this.#approved.approved(event, continued);
    return { id: continued, what: "the call it continues was" };
  }

  #transform(
    event: MessageEvent,
    raw: Uint8Array,
    decision: Decision,
    evalUs: number,
    extra: Partial<DecisionSummary>,
  ): Verdict {
    const message = event.message;
    if (message.kind === "batch" || message.kind === "invalid") {
      return this.#failed(event, raw, `a ${message.kind} cannot be transformed`, evalUs, extra);
    }
    const method = message.kind === "request" || message.kind === "notification"
      ? message.method
      : event.correlation?.request.method;
    // A large line was inspected through a skeleton with long strings cut: transform the
    // whole message, parsed now, or the cut copy would be forwarded.
    const target = event.elided > 0 ? wholeMessage(raw) : message.value;
    if (!target) {
      return this.#failed(event, raw, "the message could not be parsed whole", evalUs, extra);
    }
    const result = applyTransform(target, method, decision);
    if (!result.ok) {
      return this.#failed(event, raw, `policy transform failed: ${result.error}`, evalUs, extra);
    }
    if (this.#options.mode === "audit" || result.changes === 0) {
      const applied = this.#options.mode === "audit" ? "audit" : "forward";
      return { forward: raw, summary: this.#summary("transform", applied, evalUs, [], extra) };
    }
    const bytes = encoder.encode(JSON.stringify(result.message) + terminatorOf(raw));
    return { forward: bytes, summary: this.#summary("transform", "transform", evalUs, [], extra) };
  }

  /**
   * An evaluation that failed: closed for requests, and per direction for the rest. Of the
   * decision (`extra`, when there was one) only whether it was remembered is kept.
   */
  #failed(
    event: MessageEvent,
    raw: Uint8Array,
    error: string,
    evalUs: number,
    { cached }: Partial<DecisionSummary> = {},
    findings: readonly Finding[] = [],
  ): Verdict {
    // A doubtful message is closed whatever its kind: nothing tolerated its doubts.
    const closed = event.message.kind === "request" || findings.length > 0 ||
      this.#options.failClosed[event.direction];
    const kept = cached ? { cached } : {};
    if (!closed || this.#options.mode === "audit") {
      return withIntegrity({
        forward: raw,
        summary: { ...this.#summary("error", "forward", evalUs, [error], kept), error },
      }, findings);
    }
    const reasons = [error, ...findings.map(doubtReason)];
    const verdict = this.#block(event, "error", reasons, evalUs, kept);
    return withIntegrity({ ...verdict, summary: { ...verdict.summary, error } }, findings);
  }

  /** Blocks the message and says why to whoever waits for an answer. */
  #block(
    event: MessageEvent,
    action: Action | "error",
    reasons: string[],
    evalUs: number,
    extra: Partial<DecisionSummary>,
  ): Verdict {
    const summary = this.#summary(action, "block", evalUs, reasons, extra);
    const text = reasons.join("; ") || "no reason given";
    const message = event.message;
    const data = { reasons, rules: extra.rules ?? [] };
    switch (message.kind) {
      case "request":
        this.#blocked[event.direction].add(message.id.key);
        return {
          replyToSender: reply(
            message,
            new JsonRpcError(RPC_CODES.policyDenied, `Blocked by policy: ${text}`, data),
          ),
          answersRequest: true,
          summary,
        };
      case "response":
      case "error":
        // The requester is told its answer was withheld, rather than waiting for nothing; a
        // response that answers no pending request has nobody waiting for it.
        return message.id && event.correlation
          ? {
            replyToReceiver: reply(
              message,
              new JsonRpcError(RPC_CODES.policyDenied, `Response blocked by policy: ${text}`, data),
            ),
            summary,
          }
          : { summary };
      case "batch": {
        const error = new JsonRpcError(RPC_CODES.policyDenied, `Blocked by policy: ${text}`, data);
        const answers = message.items.flatMap((item) =>
          item.kind === "request" ? [error.toResponse(item.id.raw)] : []
        );
        for (const item of message.items) {
          if (item.kind === "request") this.#blocked[event.direction].add(item.id.key);
        }
        return answers.length > 0
          ? {
            replyToSender: encoder.encode(`[${answers.join(",")}]\n`),
            answersRequest: true,
            summary,
          }
          : { summary };
      }
      default:
        return { summary };
    }
  }

  #summary(
    action: Action | "error",
    applied: DecisionSummary["applied"],
    evalUs: number,
    reasons: string[],
    extra: Partial<DecisionSummary> = {},
  ): DecisionSummary {
    return {
      action,
      applied,
      reasons,
      rules: extra.rules ?? [],
      risk: extra.risk ?? 0,
      labels: extra.labels ?? [],
      revision: this.#policy.loaded.revision,
      evalUs,
      ...(extra.cached ? { cached: true as const } : {}),
    };
  }
}

/** The id key a `notifications/cancelled` names, when the message is one. */
function cancelledKey(event: MessageEvent): string | undefined {
  const m = event.message;
  if (m.kind !== "notification" || m.method !== "notifications/cancelled") return undefined;
  return idKeyOf((m.params as { requestId?: unknown } | undefined)?.requestId);
}

/** How the broker knows a held message: what a cancellation from its sender would name. */
function heldKey(direction: Direction, idKey: string): string {
  return `${direction} ${idKey}`;
}

function reply(
  message: Exclude<Message, { kind: "batch" | "invalid" | "notification" }>,
  error: JsonRpcError,
) {
  return encoder.encode(error.toResponse(message.id!.raw) + "\n");
}

/**
 * The input document as JSON. The message goes in as the text it was parsed from, so the
 * biggest part of the document is never serialised again (the rest is small).
 */
function inputJson(event: MessageEvent, input: Partial<PolicyInput>): string {
  const kind = event.message.kind;
  if (kind === "invalid" || event.text === "" || !("message" in input)) {
    return JSON.stringify(input);
  }
  const rest = JSON.stringify({ ...input, message: undefined });
  return `${rest.slice(0, -1)}${rest === "{}" ? "" : ","}"message":${event.text}}`;
}

/** The full message of a large line (its skeleton was what the policy saw). */
function wholeMessage(raw: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(raw));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The received line's terminator, so a transformed line ends the same way. */
function terminatorOf(raw: Uint8Array): string {
  const n = raw.length;
  if (n > 0 && raw[n - 1] === 0x0a) return n > 1 && raw[n - 2] === 0x0d ? "\r\n" : "\n";
  return "";
}

/** What one evaluation gave: a decision, or why there is none. */
interface Evaluation {
  readonly decision?: Decision;
  readonly failure?: string;
  readonly cached: boolean;
  readonly evalUs: number;
}

/** Does the policy read the content of a message of this kind (so it must see all of it)? */
function readsContent(members: ReadonlySet<string> | undefined, kind: Message["kind"]): boolean {
  if (members === undefined || members.has("message")) return true;
  if (kind === "response" && members.has("result_labels")) return true;
  return (kind === "request" || kind === "notification") && members.has("tool");
}

/** The event of a large line, parsed whole rather than through its skeleton. */
function wholeEvent(event: MessageEvent, raw: Uint8Array): MessageEvent {
  const { message, text } = parseLineWhole(withoutTerminator(raw));
  return { ...event, message, text, elided: 0 };
}

/** A batch element as an event of its own, for the policy; undefined if it cannot be. */
function itemEvent(
  event: MessageEvent,
  message: Message,
  correlation: Correlation | undefined,
): MessageEvent | undefined {
  if (!("value" in message)) return undefined;
  let text: string;
  try {
    text = JSON.stringify(message.value);
  } catch {
    return undefined; // nested too deep to write out again
  }
  return { ...event, message, text, elided: 0, items: undefined, correlation };
}

const SEVERITY: Record<Action | "error", number> = {
  allow: 0,
  transform: 1,
  ask: 2,
  deny: 3,
  error: 4,
};

function worse(a: Action | "error", b: Action | "error"): Action | "error" {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** The reason a doubt gives for blocking a message. */
function doubtReason(finding: Finding): string {
  return `km cannot be sure the receiver reads this message as km does (${finding.code}: ` +
    `${finding.detail})`;
}

/** The verdict, with the doubts there were (blocking or tolerated) in its summary. */
function withIntegrity(verdict: Verdict, findings: readonly Finding[]): Verdict {
  if (findings.length === 0) return verdict;
  const integrity = [...new Set(findings.map((f) => f.code))];
  return { ...verdict, summary: { ...verdict.summary, integrity } };
}
