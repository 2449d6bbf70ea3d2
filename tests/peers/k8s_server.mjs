/**
 * A stand-in for a Kubernetes resource-recommendation MCP server (the shape of a krr-based one:
 * scan_recommendations, preview_changes, apply_recommendations, rollback_changes,
 * get_execution_history), on the official TypeScript SDK (v1, or v2 with `--sdk v2`: see
 * server_sdk.mjs), for the end-to-end test of the policy pack policies/packs/k8s.
 * Plain ESM for Node: no build step.
 *
 * It behaves like the real thing without a cluster: workloads with per-container CPU and memory
 * requests in a few namespaces (shop, staging, payments, kube-system) are kept in memory, with a
 * recommendation for each (as krr would compute from usage). A change is {namespace, kind, name,
 * container, resource: "cpu"|"memory", from, to} with Kubernetes quantities ("500m", "1Gi").
 * `apply_recommendations` applies unless `dry_run` is true (the real server's default is to
 * apply), checking that each `from` is the current value; every real apply is an execution with
 * an id that `rollback_changes` reverts. The server does no policy of its own: that is km's job.
 *
 * Every executed tool call appends one JSON line, {"server": "k8s", "tool", "arguments"}, to the
 * file named by KM_TEST_EXEC_LOG before the result is returned, so a test proves that a call km
 * denied never ran (and sees the arguments a transformed call really had).
 *
 *   node tests/peers/k8s_server.mjs [--sdk v1|v2]
 */
import { McpServer, serve, z } from "./server_sdk.mjs";
import { execRecorder, failure, reply } from "./stand_in.mjs";

/** namespace/kind/name -> {container -> {cpu, memory}} (requests), and krr's recommendations. */
const workloads = new Map();
const recommended = new Map();
function workload(
  namespace,
  kind,
  name,
  container,
  cpu,
  memory,
  recCpu,
  recMemory,
) {
  const key = `${namespace}/${kind}/${name}`;
  workloads.set(key, { ...workloads.get(key), [container]: { cpu, memory } });
  recommended.set(`${key}/${container}`, { cpu: recCpu, memory: recMemory });
}
workload("shop", "Deployment", "api", "app", "500m", "512Mi", "700m", "640Mi");
workload(
  "shop",
  "Deployment",
  "worker",
  "worker",
  "250m",
  "256Mi",
  "1",
  "384Mi",
);
workload(
  "staging",
  "Deployment",
  "web",
  "nginx",
  "200m",
  "256Mi",
  "150m",
  "320Mi",
);
workload(
  "payments",
  "StatefulSet",
  "ledger",
  "ledger",
  "1",
  "2Gi",
  "800m",
  "2Gi",
);
workload(
  "kube-system",
  "Deployment",
  "coredns",
  "coredns",
  "100m",
  "70Mi",
  "50m",
  "64Mi",
);

const executions = [];

const record = execRecorder("k8s");

const Change = z.object({
  namespace: z.string(),
  kind: z.string().describe("Deployment, StatefulSet or DaemonSet"),
  name: z.string(),
  container: z.string(),
  resource: z.enum(["cpu", "memory"]),
  from: z.string().describe(
    "current request, a Kubernetes quantity (500m, 512Mi)",
  ),
  to: z.string().describe("new request"),
});

const describe = (c) =>
  `${c.namespace}/${c.kind.toLowerCase()}/${c.name} ${c.container} ${c.resource} ${c.from} -> ${c.to}`;

/** The current container requests a change applies to, or an error message. */
function target(c) {
  const containers = workloads.get(`${c.namespace}/${c.kind}/${c.name}`);
  if (!containers) return `${c.namespace}/${c.kind}/${c.name}: not found`;
  const requests = containers[c.container];
  if (!requests) {
    return `${c.namespace}/${c.kind}/${c.name}: no container ${c.container}`;
  }
  if (requests[c.resource] !== c.from) {
    return `${describe(c)}: the current ${c.resource} request is ${requests[c.resource]}`;
  }
  return requests;
}

const server = new McpServer({ name: "krr-k8s", version: "0.4.1" });

server.registerTool("scan_recommendations", {
  title: "Scan for recommendations",
  description: "Compute CPU and memory request recommendations from the workloads' usage.",
  inputSchema: {
    namespace: z.string().optional().describe("only this namespace"),
  },
  annotations: { readOnlyHint: true },
}, ({ namespace }) => {
  record("scan_recommendations", namespace === undefined ? {} : { namespace });
  const recommendations = [];
  for (const [key, containers] of workloads) {
    const [ns, kind, name] = key.split("/");
    if (namespace !== undefined && ns !== namespace) continue;
    for (const [container, requests] of Object.entries(containers)) {
      const rec = recommended.get(`${key}/${container}`);
      for (const resource of ["cpu", "memory"]) {
        if (rec[resource] === requests[resource]) continue;
        recommendations.push({
          namespace: ns,
          kind,
          name,
          container,
          resource,
          from: requests[resource],
          to: rec[resource],
        });
      }
    }
  }
  return reply(
    recommendations.map(describe).join("\n") || "no recommendations",
    { recommendations },
  );
});

server.registerTool("preview_changes", {
  title: "Preview changes",
  description: "Show what applying these changes would do, without changing anything.",
  inputSchema: { changes: z.array(Change).min(1) },
  annotations: { readOnlyHint: true },
}, ({ changes }) => {
  record("preview_changes", { changes });
  const lines = changes.map((c) => {
    const t = target(c);
    return typeof t === "string" ? `! ${t}` : `~ ${describe(c)}`;
  });
  return reply(lines.join("\n"));
});

server.registerTool("apply_recommendations", {
  title: "Apply recommendations",
  description: "Patch the workloads' resource requests. Applies for real unless dry_run is true.",
  inputSchema: {
    changes: z.array(Change).min(1),
    dry_run: z.boolean().optional().describe(
      "only validate and report (default false)",
    ),
    reason: z.string().optional().describe("why, for the execution history"),
  },
  annotations: { destructiveHint: true },
}, (args) => {
  record("apply_recommendations", args);
  const targets = args.changes.map(target);
  const errors = targets.filter((t) => typeof t === "string");
  if (errors.length > 0) return failure(errors.join("\n"));
  if (args.dry_run === true) {
    return reply(
      `dry run: would apply\n${args.changes.map(describe).join("\n")}`,
      undefined,
    );
  }
  args.changes.forEach((c, i) => (targets[i][c.resource] = c.to));
  const id = `exec-${executions.length + 1}`;
  executions.push({
    id,
    type: "apply",
    changes: args.changes,
    reason: args.reason ?? "",
  });
  return reply(
    `applied ${args.changes.length} changes as ${id}\n` +
      args.changes.map(describe).join("\n"),
  );
});

server.registerTool("rollback_changes", {
  title: "Roll back",
  description: "Revert the changes of an earlier execution.",
  inputSchema: { execution_id: z.string() },
  annotations: { destructiveHint: true },
}, ({ execution_id }) => {
  record("rollback_changes", { execution_id });
  const done = executions.find((e) => e.id === execution_id && e.type === "apply");
  if (!done) return failure(`no execution ${execution_id}`);
  const reverted = done.changes.map((c) => ({ ...c, from: c.to, to: c.from }));
  for (const c of reverted) {
    workloads.get(
      `${c.namespace}/${c.kind}/${c.name}`,
    )[c.container][c.resource] = c.to;
  }
  const id = `exec-${executions.length + 1}`;
  executions.push({
    id,
    type: "rollback",
    of: execution_id,
    changes: reverted,
  });
  return reply(
    `rolled back ${execution_id} as ${id}\n${reverted.map(describe).join("\n")}`,
  );
});

server.registerTool("get_execution_history", {
  title: "Execution history",
  description: "The executions (applies and rollbacks) so far, oldest first.",
  inputSchema: {},
  annotations: { readOnlyHint: true },
}, () => {
  record("get_execution_history", {});
  return reply(
    executions.map((e) =>
      `${e.id} ${e.type}${e.of ? ` of ${e.of}` : ""}: ${e.changes.length} changes`
    )
      .join("\n") || "no executions",
    { executions },
  );
});

await serve(server);
