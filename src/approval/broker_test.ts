import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import {
  ApprovalBroker,
  type ApprovalChannel,
  type AskRequest,
  type AskResult,
  type ChannelName,
  type ChannelReply,
  type Pending,
  type Resolution,
} from "./broker.ts";
import { askRequest, FakeTimers } from "./_testing.ts";

/** A channel that either refuses with `refusal` or keeps the reply for the test to answer with. */
class FakeChannel implements ApprovalChannel {
  readonly replies = new Map<string, ChannelReply>();
  readonly ended: { id: string; resolution: Resolution }[] = [];
  opened = 0;

  constructor(readonly name: ChannelName, readonly refusal?: string) {}

  open(pending: Pending, reply: ChannelReply) {
    this.opened++;
    if (this.refusal !== undefined) return this.refusal;
    this.replies.set(pending.id, reply);
    return {
      end: (ended: Pending, resolution: Resolution) =>
        this.ended.push({ id: ended.id, resolution }),
    };
  }

  reply(id: string): ChannelReply {
    const reply = this.replies.get(id);
    ok(reply, `${this.name} was never asked about ${id}`);
    return reply;
  }
}

function setup(channels: ApprovalChannel[]) {
  const timers = new FakeTimers();
  const clock = { t: 1000 };
  const resolved: { id: string; resolution: Resolution }[] = [];
  const broker = new ApprovalBroker({
    session: "s",
    channels,
    now: () => clock.t,
    epochMs: () => 1_700_000_000_000 + clock.t,
    timers,
    onResolved: (pending, resolution) => void resolved.push({ id: pending.id, resolution }),
  });
  return { broker, timers, clock, resolved };
}

function held(result: AskResult): Extract<AskResult, { kind: "held" }> {
  equal(result.kind, "held");
  return result as Extract<AskResult, { kind: "held" }>;
}

Deno.test("ApprovalBroker lets the first answer win and ends the approval on every channel", async () => {
  const dashboard = new FakeChannel("dashboard");
  const client = new FakeChannel("client");
  const { broker, timers } = setup([dashboard, client]);
  const asked = held(broker.ask(askRequest()));
  equal(broker.size, 1);
  client.reply("s-a1").answer("approve", "the user in Claude");
  dashboard.reply("s-a1").answer("deny", "alice");
  const resolution = await asked.done;
  equal(resolution.outcome, "approve");
  equal(resolution.channel, "client");
  equal(resolution.by, "the user in Claude");
  equal(resolution.reason, undefined);
  assertEquals(resolution.channels, { client: "answered: approve" });
  assertEquals(dashboard.ended.map((e) => [e.id, e.resolution.outcome]), [["s-a1", "approve"]]);
  equal(client.ended.length, 1);
  equal(broker.size, 0);
  equal(timers.live.size, 0, "the timeout is cleared");
});

Deno.test("ApprovalBroker notes a channel that refuses and asks the next", async () => {
  const dashboard = new FakeChannel("dashboard", "no dashboard is running");
  const client = new FakeChannel("client");
  const { broker } = setup([dashboard, client]);
  const asked = held(broker.ask(askRequest()));
  client.reply("s-a1").answer("deny", "the user in Claude (declined)");
  const resolution = await asked.done;
  equal(resolution.outcome, "deny");
  equal(resolution.reason, "approval denied in the client by the user in Claude (declined)");
  assertEquals(resolution.channels, {
    dashboard: "no dashboard is running",
    client: "answered: deny",
  });
  equal(dashboard.ended.length, 0, "a channel that refused has nothing to end");
});

Deno.test("ApprovalBroker is unavailable when every channel refuses, naming each reason", () => {
  const { broker, timers, resolved } = setup([
    new FakeChannel("dashboard", "no dashboard is running"),
    new FakeChannel("client", "the client did not declare the elicitation capability"),
  ]);
  const result = broker.ask(askRequest());
  assertEquals(result, {
    kind: "unavailable",
    reason: "no approval channel could be used (dashboard: no dashboard is running; " +
      "client: the client did not declare the elicitation capability)",
  });
  equal(broker.size, 0);
  equal(timers.live.size, 0);
  equal(resolved.length, 0, "nothing was held, so nothing resolves");
  equal(broker.withdraw("client_to_server 7", "cancelled"), undefined);
});

Deno.test("ApprovalBroker without channels says none is configured", () => {
  const { broker, timers } = setup([]);
  assertEquals(broker.ask(askRequest()), {
    kind: "unavailable",
    reason: "no approval channel is configured (approvals.channels)",
  });
  equal(timers.live.size, 0);
});

Deno.test("ApprovalBroker keeps waiting while a channel is left, and is unavailable after the last fails", async () => {
  const dashboard = new FakeChannel("dashboard");
  const client = new FakeChannel("client");
  const { broker, resolved } = setup([dashboard, client]);
  const asked = held(broker.ask(askRequest()));
  dashboard.reply("s-a1").fail("the dashboard went away");
  equal(broker.size, 1, "the client may still answer");
  equal(resolved.length, 0);
  client.reply("s-a1").fail("the client disconnected");
  const resolution = await asked.done;
  equal(resolution.outcome, "unavailable");
  equal(resolution.channel, "km");
  equal(
    resolution.reason,
    "no approval channel could be used (dashboard: the dashboard went away; " +
      "client: the client disconnected)",
  );
  equal(dashboard.ended.length, 0, "a failed channel is not told again");
  equal(client.ended.length, 0);
});

Deno.test("ApprovalBroker times out after the request's timeout and ends the approval on the channels", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, timers, clock } = setup([dashboard]);
  const asked = held(broker.ask(askRequest({ timeoutMs: 2000 })));
  assertEquals([...timers.live.values()].map((t) => t.ms), [2000]);
  clock.t += 2000;
  timers.fireAll();
  const resolution = await asked.done;
  equal(resolution.outcome, "timeout");
  equal(resolution.channel, "km");
  equal(resolution.by, "km");
  equal(resolution.reason, "approval timed out after 2 s");
  equal(resolution.latencyMs, 2000);
  assertEquals(dashboard.ended.map((e) => e.resolution.outcome), ["timeout"]);
  equal(broker.size, 0);
});

Deno.test("ApprovalBroker withdraws the approval of a cancelled message by its key", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, timers } = setup([dashboard]);
  const asked = held(broker.ask(askRequest({ key: "client_to_server 7" })));
  equal(broker.withdraw("client_to_server 8", "cancelled"), undefined);
  equal(broker.withdraw("client_to_server 7", "the sender cancelled the request"), "s-a1");
  const resolution = await asked.done;
  equal(resolution.outcome, "withdrawn");
  equal(resolution.reason, "the sender cancelled the request");
  equal(timers.live.size, 0);
  assertEquals(dashboard.ended.map((e) => e.resolution.outcome), ["withdrawn"]);
  equal(broker.withdraw("client_to_server 7", "again"), undefined, "already ended");
});

Deno.test("ApprovalBroker closes every pending approval", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, timers } = setup([dashboard]);
  const first = held(broker.ask(askRequest({ key: "client_to_server 1" })));
  const second = held(broker.ask(askRequest({ key: "client_to_server 2", argsHash: "h2" })));
  broker.closeAll("the session ended");
  for (const asked of [first, second]) {
    const resolution = await asked.done;
    equal(resolution.outcome, "closed");
    equal(resolution.reason, "the session ended");
  }
  equal(broker.size, 0);
  equal(timers.live.size, 0);
  equal(dashboard.ended.length, 2);
});

Deno.test("ApprovalBroker grants the same call for the session after approve_session, not other arguments", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, resolved } = setup([dashboard]);
  const asked = held(broker.ask(askRequest({ key: "client_to_server 1" })));
  dashboard.reply("s-a1").answer("approve_session", "alice");
  equal((await asked.done).outcome, "approve_session");
  assertEquals(broker.ask(askRequest({ key: "client_to_server 2" })), {
    kind: "granted",
    approvalId: "s-a1",
  });
  equal(dashboard.opened, 1, "a granted call asks nobody");
  equal(resolved.length, 1, "a granted call is no new approval");
  const other: AskRequest[] = [
    askRequest({ key: "client_to_server 3", argsHash: "h2" }),
    askRequest({ key: "client_to_server 4", tool: "rmdir" }),
    askRequest({ key: "server_to_client 5", direction: "server_to_client" }),
  ];
  assertEquals(other.map((r) => broker.ask(r).kind), ["held", "held", "held"]);
});

Deno.test("ApprovalBroker grants identical pending calls together with approve_session", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker } = setup([dashboard]);
  const first = held(broker.ask(askRequest({ key: "client_to_server 1" })));
  const same = held(broker.ask(askRequest({ key: "client_to_server 2" })));
  const differs = held(broker.ask(askRequest({ key: "client_to_server 3", argsHash: "h2" })));
  dashboard.reply("s-a1").answer("approve_session", "alice");
  const resolution = await same.done;
  equal((await first.done).channel, "dashboard");
  equal(resolution.outcome, "approve_session");
  equal(resolution.channel, "session_grant");
  equal(resolution.by, "approval s-a1");
  equal(broker.size, 1);
  equal(differs.pending.id, "s-a3");
  equal(broker.withdraw("client_to_server 3", "cancelled"), "s-a3");
});

Deno.test("ApprovalBroker reports each approval once, before its promise resolves", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, timers, resolved } = setup([dashboard]);
  const asked = held(broker.ask(askRequest()));
  dashboard.reply("s-a1").answer("approve", "alice");
  const resolution = await asked.done;
  assertEquals(resolved, [{ id: "s-a1", resolution }]);
  // Nothing after the end counts again.
  dashboard.reply("s-a1").answer("deny", "bob");
  dashboard.reply("s-a1").fail("gone");
  timers.fireAll();
  broker.closeAll("bye");
  equal(broker.withdraw("client_to_server 7", "cancelled"), undefined);
  equal(resolved.length, 1);
  equal(dashboard.ended.length, 1);
});

Deno.test("ApprovalBroker measures latency on its clock and numbers approvals per session", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker, clock } = setup([dashboard]);
  const first = held(broker.ask(askRequest({ key: "client_to_server 1", timeoutMs: 45_000 })));
  equal(first.pending.id, "s-a1");
  equal(first.pending.session, "s");
  equal(first.pending.requestedAt, 1_700_000_001_000);
  equal(first.pending.expiresAt, 1_700_000_046_000);
  clock.t += 1234.56;
  const second = held(broker.ask(askRequest({ key: "client_to_server 2", argsHash: "h2" })));
  equal(second.pending.id, "s-a2");
  clock.t += 100;
  dashboard.reply("s-a1").answer("approve", "alice");
  dashboard.reply("s-a2").answer("approve", "alice");
  equal((await first.done).latencyMs, 1334.6);
  equal((await second.done).latencyMs, 100);
});

Deno.test("ApprovalBroker records what each channel noted", async () => {
  const dashboard = new FakeChannel("dashboard");
  const client = new FakeChannel("client");
  const { broker } = setup([dashboard, client]);
  const asked = held(broker.ask(askRequest()));
  dashboard.reply("s-a1").note("shown in the dashboard");
  client.reply("s-a1").note("asked (elicitation/create 1)");
  dashboard.reply("s-a1").answer("approve", "alice");
  client.reply("s-a1").note("too late");
  assertEquals((await asked.done).channels, {
    dashboard: "answered: approve",
    client: "asked (elicitation/create 1)",
  });
});

Deno.test("ApprovalBroker withdraws the newer of two held messages that reuse one id", async () => {
  const dashboard = new FakeChannel("dashboard");
  const { broker } = setup([dashboard]);
  const older = held(broker.ask(askRequest({ key: "client_to_server 5" })));
  const newer = held(broker.ask(askRequest({ key: "client_to_server 5", argsHash: "h2" })));
  dashboard.reply(older.pending.id).answer("approve", "alice");
  await older.done;
  equal(broker.withdraw("client_to_server 5", "cancelled"), newer.pending.id);
  equal((await newer.done).outcome, "withdrawn");
});

Deno.test("ApprovalBroker passes on a channel's answer to send now, and tells how an approval ended", async () => {
  const question = new Uint8Array([1, 2, 3]);
  const client: ApprovalChannel = {
    name: "client",
    open: () => ({ end: () => {}, answerNow: question }),
  };
  const dashboard = new FakeChannel("dashboard");
  const { broker } = setup([dashboard, client]);
  const asked = held(broker.ask(askRequest()));
  equal(asked.answerNow, question);
  const live = broker.outcome(asked.pending.id);
  ok(live);
  dashboard.reply(asked.pending.id).answer("approve", "alice");
  equal((await live).outcome, "approve");
  // After the end, a late retry still learns how it ended.
  equal((await broker.outcome(asked.pending.id)!).by, "alice");
  equal(broker.outcome("s-a99"), undefined);
});
