/** The official MCP SDK client, set up the way the end-to-end tests and real hosts use it. */
// The SDK's "./*" export points the types of `x.js` at `x.js.d.ts`, which does not exist;
// these hints give Deno the real declarations.
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** An SDK client and the messages it sent and received. */
export interface Counted {
  client: Client;
  transport: StdioClientTransport;
  sent: number;
  received: number;
}

/** Connects an SDK client to `command`, counting the messages it sends and receives. */
export async function connect(command: string[], env?: Record<string, string>): Promise<Counted> {
  const transport = new StdioClientTransport({
    command: command[0],
    args: command.slice(1),
    env,
    stderr: "pipe",
  });
  // Drain stderr so a chatty server never blocks.
  transport.stderr?.on("data", () => {});
  const client = new Client(
    { name: "km-e2e", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: "test-model",
    role: "assistant" as const,
    content: { type: "text" as const, text: "canned answer" },
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" as const }));
  client.setRequestHandler(
    ListRootsRequestSchema,
    () => ({ roots: [{ uri: "file:///tmp/project", name: "project" }] }),
  );
  const counted: Counted = { client, transport, sent: 0, received: 0 };
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    counted.sent++;
    return send(message);
  };
  await client.connect(transport);
  // The SDK sets onmessage during connect; wrap it afterwards.
  const onmessage = transport.onmessage!;
  transport.onmessage = (message) => {
    counted.received++;
    onmessage(message);
  };
  return counted;
}
