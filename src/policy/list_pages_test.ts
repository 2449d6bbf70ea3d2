import { equal } from "node:assert/strict";
import type { PendingRequest } from "../jsonrpc/correlation.ts";
import { parseText, type RequestMessage } from "../jsonrpc/message.ts";
import { ListPages } from "./list_pages.ts";

const request = (id: number, method: string, params = "{}") =>
  parseText(
    `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${params}}`,
  ) as RequestMessage;
const pending = (m: RequestMessage): PendingRequest => ({
  id: m.id,
  seq: 1,
  method: m.method,
  startedAt: 0,
  cancelled: false,
});

Deno.test("ListPages: a first page, a next page (cursor), an unknown id, and other requests", () => {
  const pages = new ListPages((method) => method === "tools/list");
  const first = request(1, "tools/list");
  const next = request(2, "tools/list", '{"cursor":"c1"}');
  const call = request(3, "tools/call");
  for (const m of [first, next, call]) pages.requested(m);
  equal(pages.answered(pending(next)), true);
  equal(pages.answered(pending(first)), false);
  equal(pages.answered(pending(first)), false, "forgotten once answered: a first page");
  equal(pages.answered(pending(call)), undefined, "not a list request");
});
