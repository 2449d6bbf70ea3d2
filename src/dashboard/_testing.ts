/** Test helpers: audit records shaped as km writes them (docs/audit-log.md). Not part of km. */
import type { PendingApproval } from "../approval/types.ts";

export const SESSION_A = "aaaaaaaa-1111-4111-8111-111111111111";
export const SESSION_B = "bbbbbbbb-2222-4222-8222-222222222222";
export const T0 = Date.parse("2026-11-22T10:00:00.000Z");

/** One record of `session` at `T0 + ms`. */
export function rec(
  session: string,
  seq: number,
  ms: number,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return {
    schema: "km.audit/v1",
    session_id: session,
    seq,
    timestamp: new Date(T0 + ms).toISOString(),
    ...fields,
  };
}

/** A short session: start, initialize, a tools/call answered, one denied, stderr, shutdown. */
export function sessionRecords(session: string, server: string, at = 0): Record<string, unknown>[] {
  const msg = (direction: string, kind: string, extra: Record<string, unknown>) => ({
    type: "message",
    direction,
    kind,
    forwarded: true,
    ...extra,
  });
  const allow = { action: "allow", applied: "forward", reasons: [], rules: [], risk: 0 };
  return [
    rec(session, 1, at, {
      type: "lifecycle",
      event: "start",
      km: { version: "0.1.0", pid: 999_999_999 },
      server: { name: server, command: ["node", `${server}.js`], cwd: "/tmp", pid: 2 },
      settings: { log_bodies: "full" },
      policy: { source: "policies/x", revision: "0123456789abcdef", mode: "enforce" },
    }),
    rec(
      session,
      2,
      at + 10,
      msg("client_to_server", "request", {
        method: "initialize",
        id: "0",
        size: 120,
        result: allow,
        message: {
          jsonrpc: "2.0",
          id: 0,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", clientInfo: { name: "claude", version: "1.2" } },
        },
      }),
    ),
    rec(
      session,
      3,
      at + 20,
      msg("server_to_client", "response", {
        method: "initialize",
        id: "0",
        request_seq: 2,
        latency_ms: 10,
        size: 90,
        result: allow,
        message: { jsonrpc: "2.0", id: 0, result: { protocolVersion: "2025-06-18" } },
      }),
    ),
    rec(
      session,
      4,
      at + 1000,
      msg("client_to_server", "request", {
        method: "tools/call",
        id: "1",
        tool: "echo",
        size: 100,
        result: { ...allow, risk: 2, labels: ["echo"] },
        message: {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "echo", arguments: { message: "hello world" } },
        },
      }),
    ),
    rec(session, 5, at + 1500, { type: "stderr", text: "echo called" }),
    rec(
      session,
      6,
      at + 1004,
      msg("server_to_client", "response", {
        method: "tools/call",
        id: "1",
        tool: "echo",
        request_seq: 4,
        latency_ms: 4,
        size: 400,
        result: allow,
        message: {
          jsonrpc: "2.0",
          id: 1,
          result: { content: [{ type: "text", text: "Echo: hi" }] },
        },
      }),
    ),
    rec(
      session,
      7,
      at + 2000,
      msg("client_to_server", "request", {
        method: "tools/call",
        id: "2",
        tool: "run_shell",
        size: 110,
        forwarded: false,
        result: {
          action: "deny",
          applied: "block",
          reasons: ["shell commands are not allowed"],
          rules: ["block_shell"],
          risk: 8,
          labels: ["shell"],
        },
        message: {
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: { name: "run_shell", arguments: { command: "rm -rf /" } },
        },
      }),
    ),
    rec(session, 8, at + 3000, {
      type: "lifecycle",
      event: "policy_reload_failed",
      source: "policies/x",
      error: "1 error occurred: policy.rego:3: rego_parse_error: unexpected eof",
      kept: "0123456789abcdef",
    }),
    rec(session, 9, at + 4000, {
      type: "lifecycle",
      event: "shutdown",
      exit_code: 0,
      reason: "exited with code 0",
      duration_ms: 4000,
      messages: { client_to_server: 3, server_to_client: 2 },
    }),
  ];
}

export const jsonl = (records: readonly unknown[]) =>
  records.map((r) => JSON.stringify(r)).join("\n") + "\n";

/** A PendingApproval of `session`, as a monitor reports it. */
export function pending(session: string, n: number, at = T0): PendingApproval {
  return {
    id: `${session}-a${n}`,
    session,
    server: "files",
    direction: "client_to_server",
    method: "tools/call",
    tool: "write_file",
    arguments: { path: "/etc/hosts", content: "x" },
    argsHash: "ab".repeat(32),
    reasons: ["writes outside the project"],
    rules: ["ask_write"],
    risk: 6,
    labels: ["write"],
    requestSeq: 10 + n,
    requestedAt: at,
    expiresAt: at + 45_000,
  };
}

/**
 * Records of session `session` (after `sessionRecords`) with approvals: a write_file call held
 * (seq 10) and approved for the session in the dashboard, an identical call forwarded under that
 * grant (seq 14), and a client's answer to km's own elicitation, consumed (seq 15).
 */
export function approvalRecords(session: string, at = 5000): Record<string, unknown>[] {
  const id = `${session}-a1`;
  const call = (seq: number, ms: number, result: Record<string, unknown>) =>
    rec(session, seq, at + ms, {
      type: "message",
      direction: "client_to_server",
      kind: "request",
      method: "tools/call",
      id: String(seq),
      tool: "write_file",
      size: 150,
      forwarded: result.applied !== "hold",
      result,
      message: {
        jsonrpc: "2.0",
        id: seq,
        method: "tools/call",
        params: { name: "write_file", arguments: { path: "/etc/hosts", content: "x" } },
      },
    });
  const ask = {
    action: "ask",
    reasons: ["writes outside the project"],
    rules: ["ask_write"],
    risk: 6,
    labels: ["write"],
    approval_id: id,
  };
  return [
    call(10, 0, { ...ask, applied: "hold" }),
    rec(session, 11, at + 1, {
      type: "lifecycle",
      event: "approval_requested",
      approval_id: id,
      request_seq: 10,
      direction: "client_to_server",
      method: "tools/call",
      tool: "write_file",
      args_hash: "ab".repeat(32),
      reasons: ["writes outside the project"],
      rules: ["ask_write"],
      risk: 6,
      timeout_ms: 45_000,
      expires_at: new Date(T0 + at + 45_001).toISOString(),
      channels: ["dashboard", "client"],
    }),
    rec(session, 12, at + 1201, {
      type: "lifecycle",
      event: "approval_resolved",
      approval_id: id,
      request_seq: 10,
      outcome: "approve_session",
      channel: "dashboard",
      by: "dashboard at 127.0.0.1:7411 (Firefox)",
      latency_ms: 1200,
      applied: "forward",
      channels: { dashboard: "answered", client: "withdrawn" },
    }),
    rec(session, 13, at + 1300, {
      type: "message",
      direction: "server_to_client",
      kind: "response",
      method: "tools/call",
      id: "10",
      tool: "write_file",
      request_seq: 10,
      latency_ms: 1300,
      size: 80,
      result: { action: "allow", applied: "forward", reasons: [], rules: [], risk: 0 },
      message: { jsonrpc: "2.0", id: 10, result: { content: [{ type: "text", text: "ok" }] } },
    }),
    call(14, 2000, { ...ask, applied: "forward" }),
    rec(session, 15, at + 3000, {
      type: "message",
      direction: "client_to_server",
      kind: "response",
      id: '"km-1"',
      size: 60,
      forwarded: false,
      result: { action: "allow", applied: "consume", reasons: [], rules: [], risk: 0 },
      message: { jsonrpc: "2.0", id: "km-1", result: { action: "accept" } },
    }),
  ];
}
