/**
 * An agent session through `km monitor --policy <pack>` for the policy packs' end-to-end tests
 * (tests/packs_*_e2e_test.ts): the dashboard (`km ui`), the official TypeScript SDK client, the
 * stand-in server's exec log, and the audit log, with the assertions those tests share. Not part
 * of km.
 */
import { deepStrictEqual, equal, match, ok, rejects } from "node:assert/strict";
import { startUi } from "./dashboard.ts";
import { finishedSessionLog, kmCommand, ROOT } from "./helpers.ts";
import { readExecLog } from "./sdk_servers.ts";
import { connect } from "./sdk_client.ts";

export const PACKS = `${ROOT}policies/packs`;
export const DEVENV_SERVER = ["node", `${ROOT}tests/peers/devenv_server.mjs`];
export const POLICY_DENIED = -32010;

export type AuditRecord = Record<string, unknown>;
export type Answer = "accept" | "decline" | "dashboard";
export type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

export interface Result {
  action: string;
  applied: string;
  reasons: string[];
  rules: string[];
  risk?: number;
  labels?: string[];
  approval_id?: string;
}

/**
 * One agent session: the dashboard (`km ui`), and the SDK client through km to `server` with
 * the pack. The client answers km's elicitations with the answer queued by `expect`; a
 * "dashboard" answer leaves the client's prompt open until the dashboard has answered (km then
 * withdraws the client's question).
 */
export async function agentSession(name: string, policy: string, server: string[]) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: `km-pack-${name}-` }));
  const logDir = `${dir}/logs`;
  const dataDir = `${dir}/data`;
  const execLog = `${dir}/exec.jsonl`;
  const ui = await startUi(["--data-dir", dataDir, "--log-dir", logDir, "--port", "0"]);
  const answers: Answer[] = [];
  const elicitations: string[] = [];
  const headers = { Authorization: `Bearer ${ui.token}` };
  let connected: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    connected = await connect(
      kmCommand(
        "monitor",
        "--quiet",
        "--policy",
        policy,
        "--log-dir",
        logDir,
        "--data-dir",
        dataDir,
        "--env",
        `KM_TEST_EXEC_LOG=${execLog}`,
        "--",
        ...server,
      ),
      undefined,
      (request, extra) => {
        elicitations.push(String(request.params.message));
        const answer = answers.shift();
        if (answer === "accept") return { action: "accept", content: { scope: "once" } };
        if (answer === "decline") return { action: "decline" };
        // Left to the dashboard: wait until km withdraws the question.
        return new Promise((resolve) => {
          extra.signal.addEventListener("abort", () => resolve({ action: "cancel" }));
        });
      },
    );
  } catch (error) {
    await ui.stop();
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const client = connected.client;

  /** The pending approval the dashboard lists for `tool`, once it is there. */
  async function pendingInDashboard(tool: string) {
    for (const deadline = Date.now() + 10_000;;) {
      const { approvals } = await (await fetch(`${ui.base}/api/approvals`, { headers })).json();
      const found = (approvals as { id: string; tool?: string; reasons: string[] }[])
        .find((a) => a.tool === tool);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no approval for ${tool} in the dashboard`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  return {
    client,
    elicitations,
    /** Queues the client's answer to the next elicitation. */
    expect(answer: Answer) {
      answers.push(answer);
    },
    pendingInDashboard,
    /** Answers the pending approval of `tool` in the dashboard, as its page does. */
    async answerInDashboard(tool: string, answer: "approve" | "deny") {
      const pending = await pendingInDashboard(tool);
      const posted = await fetch(`${ui.base}/api/approvals/${pending.id}`, {
        method: "POST",
        headers: { ...headers, Origin: ui.base, "Content-Type": "application/json" },
        body: JSON.stringify({ answer }),
      });
      ok(posted.ok, `the dashboard refused the answer: ${posted.status} ${await posted.text()}`);
      return pending;
    },
    /** Every call the server executed, in order. */
    executed: () => readExecLog<{ tool: string; arguments: Record<string, unknown> }>(execLog),
    /** Ends the session (km and the server exit) and returns every audit record. */
    async close(): Promise<AuditRecord[]> {
      await client.close();
      const records = await finishedSessionLog(logDir, 10_000);
      const copy = Deno.env.get("KM_PACKS_LOG_COPY");
      if (copy) {
        await Deno.mkdir(copy, { recursive: true });
        await Deno.writeTextFile(
          `${copy}/${name}.jsonl`,
          records.map((r) => JSON.stringify(r)).join("\n") + "\n",
        );
      }
      return records;
    },
    async end() {
      await client.close().catch(() => {});
      await ui.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The text of a tool result's content. */
export function text(result: unknown): string {
  return (result as ToolResult).content.map((c) => c.text).join("");
}

/** Asserts that `call` was refused by km (-32010) with these rules, and returns the message. */
export async function refused(call: Promise<unknown>, rules: string[], message?: RegExp) {
  let got = "";
  await rejects(call, (e: Error & { code?: number; data?: { rules?: string[] } }) => {
    equal(e.code, POLICY_DENIED, e.message);
    deepStrictEqual([...new Set(e.data?.rules ?? [])].sort(), [...rules].sort(), e.message);
    if (message) match(e.message, message);
    got = e.message;
    return true;
  });
  return got;
}

/** The tools/call request records, in order. */
export function calls(records: AuditRecord[]): AuditRecord[] {
  return records.filter((r) =>
    r.type === "message" && r.kind === "request" && r.method === "tools/call" &&
    r.origin !== "km"
  );
}

/** The server's answer to a request record. */
export function answerTo(records: AuditRecord[], request: AuditRecord): AuditRecord | undefined {
  return records.find((r) =>
    r.type === "message" && r.direction === "server_to_client" && r.request_seq === request.seq &&
    r.origin !== "km"
  );
}

/** Each approval's tool (from approval_requested), outcome and channel, in order. */
export function approvals(records: AuditRecord[]): unknown[][] {
  const tools = new Map(
    records.filter((r) => r.event === "approval_requested").map((r) => [r.approval_id, r.tool]),
  );
  return records.filter((r) => r.event === "approval_resolved")
    .map((r) => [tools.get(r.approval_id), r.outcome, r.channel]);
}

export function result(record: AuditRecord | undefined): Result {
  ok(record, "no such record");
  return record.result as Result;
}

/** Asserts the members of `want` on a record's decision. */
export function decision(record: AuditRecord | undefined, want: Partial<Result>): void {
  const got = result(record);
  const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Result]]));
  deepStrictEqual(picked, want, `seq ${record!.seq}: ${JSON.stringify(got)}`);
}
