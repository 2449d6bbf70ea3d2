/**
 * The audit records of an approval: `approval_requested` when a message is held, and
 * `approval_resolved` when it ends. The held message's own record names the approval
 * (`result.approval_id`); both approval records name the message (`request_seq`).
 */
import type { Pending, Resolution } from "./broker.ts";

export function requestedFields(
  pending: Pending,
  channels: readonly string[],
): Record<string, unknown> {
  const r = pending.request;
  return {
    approval_id: pending.id,
    request_seq: r.requestSeq,
    direction: r.direction,
    method: r.method,
    ...(r.tool === undefined ? {} : { tool: r.tool }),
    args_hash: r.argsHash,
    reasons: r.reasons,
    rules: r.rules,
    risk: r.risk,
    timeout_ms: r.timeoutMs,
    expires_at: new Date(pending.expiresAt).toISOString(),
    channels,
  };
}

/** What km did with the held message once the approval ended. */
export function appliedOf(resolution: Resolution): "forward" | "block" | "none" {
  switch (resolution.outcome) {
    case "approve":
    case "approve_session":
      return "forward";
    case "withdrawn":
      return "none";
    default:
      return "block";
  }
}

export function resolvedFields(pending: Pending, resolution: Resolution): Record<string, unknown> {
  return {
    approval_id: pending.id,
    request_seq: pending.request.requestSeq,
    outcome: resolution.outcome,
    channel: resolution.channel,
    by: resolution.by,
    latency_ms: resolution.latencyMs,
    applied: appliedOf(resolution),
    ...(resolution.reason === undefined ? {} : { reason: resolution.reason }),
    channels: resolution.channels,
  };
}
