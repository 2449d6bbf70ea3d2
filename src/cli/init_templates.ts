/**
 * What `km init` writes: a commented km.jsonc and a starter policy with its tests and decision
 * cases. Held here as text, so a compiled km carries them (it reads no file of its source
 * tree); tests/init_e2e_test.ts runs `km policy test` on what km init writes.
 */

export interface Template {
  /** Relative to the folder km init writes into, with "/" between folders. */
  readonly path: string;
  readonly text: string;
}

const KM_JSONC =
  `// km's settings for this project, written by \`km init\`. Every key and its default are in the
// README's Configuration section; what a project file may set, in docs/configuration.md.
//
// km applies a project's km.jsonc only as far as it tightens your own settings until you trust
// it: run \`km config trust\` once you have read it (any edit lapses the trust), or pass
// \`--config km.jsonc\`.
{
  "policy": {
    // The policy km enforces, relative to the folder km runs in: the starter in ./policies.
    // Test it with \`km policy test policies\`.
    "path": "./policies",
    // "enforce" applies the decisions; "audit" records what the policy would do, blocks nothing.
    "mode": "enforce"
  },
  // What the audit log keeps of each message: "full" (the body, redacted) or "metadata".
  "logBodies": "full",
  // Delete the logs of ended sessions last written longer ago than this, when km monitor starts.
  // "logRetention": "30d",
  "redaction": {
    // More field names whose values are secrets (compared ignoring case, "-" and "_").
    "fields": []
  },
  "approvals": {
    // How long a message the policy holds for approval waits for a person before it is denied.
    "timeout": "45s"
  }
}
`;

const POLICY =
  `# A starter policy, written by \`km init\`. km evaluates it on every message in both directions;
# see docs/policy.md for the input document and the rule sets, policies/examples for more.
#
# What it does:
# - denies calls to the tools listed in data.jsonc (the client gets JSON-RPC error -32010 and
#   the audit log records the rule "blocked-tool"), one by one inside a batch too;
# - hides those tools from tools/list, so the model does not try them;
# - labels calls to tools the server itself calls destructive, for the audit log and the
#   dashboard (uncomment the \`ask\` rule below to have a person approve them first).
#
# Test it with \`km policy test policies\` (opa test on policy_test.rego, and the decision cases
# of cases.json on OPA and on the WebAssembly km runs).
package kilometers

import rego.v1

# The deny-list, from data.jsonc. Without it, nothing is blocked.
_blocked := {name | some name in data.blocked_tools}

deny contains {"rule": "blocked-tool", "reason": $"tool {input.tool.name} is blocked by policy"} if {
	input.kind == "request"
	input.method == "tools/call"
	input.tool.name in _blocked
}

# A batch carries no input.tool: each call in it is looked at.
deny contains {"rule": "blocked-tool", "reason": $"batch calls blocked tool {name}"} if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
	name := item.params.name
	name in _blocked
}

# Hiding is a courtesy, not a control: the deny above still stops a call to an unlisted tool.
hide contains tool.name if {
	input.kind == "response"
	input.method == "tools/list"
	some tool in input.message.result.tools
	tool.name in _blocked
}

labels contains "destructive" if {
	input.kind == "request"
	input.method == "tools/call"
	input.tool.definition.annotations.destructiveHint == true
}

# Ask a person before a destructive call (answered in \`km ui\` or in the MCP client):
# ask contains {"rule": "confirm-destructive", "reason": $"{input.tool.name} is destructive"} if {
# 	"destructive" in labels
# }
`;

const POLICY_TEST =
  `# Tests of the starter policy, run by \`km policy test policies\` (with \`opa test\`).
package kilometers_test

import rego.v1

_call(name) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "1",
	"message": {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": {}}},
	"tool": {"name": name, "arguments": {}},
	"mode": "enforce",
}

_listing(names) := {
	"version": 1,
	"direction": "server_to_client",
	"kind": "response",
	"method": "tools/list",
	"id": "1",
	"message": {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": n} | some n in names]}},
	"mode": "enforce",
}

test_a_blocked_tool_is_denied if {
	d := data.kilometers.decision with input as _call("execute_command")
		with data.blocked_tools as ["execute_command"]
	d.action == "deny"
	d.deny == [{"rule": "blocked-tool", "reason": "tool execute_command is blocked by policy"}]
}

test_other_tools_are_allowed if {
	d := data.kilometers.decision with input as _call("read_file")
		with data.blocked_tools as ["execute_command"]
	d.action == "allow"
}

test_a_batch_with_a_blocked_call_is_denied if {
	batch := {
		"version": 1,
		"direction": "client_to_server",
		"kind": "batch",
		"message": [
			{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "read_file"}},
			{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "execute_command"}},
		],
		"mode": "enforce",
	}
	d := data.kilometers.decision with input as batch with data.blocked_tools as ["execute_command"]
	d.action == "deny"
}

test_blocked_tools_are_hidden_from_listings if {
	d := data.kilometers.decision with input as _listing(["read_file", "execute_command"])
		with data.blocked_tools as ["execute_command"]
	d.action == "transform"
	d.hide == ["execute_command"]
}

test_a_destructive_tool_is_labelled if {
	call := object.union(_call("wipe"), {"tool": {"name": "wipe", "definition": {"annotations": {"destructiveHint": true}}}})
	d := data.kilometers.decision with input as call with data.blocked_tools as []
	d.action == "allow"
	d.labels == ["destructive"]
}
`;

const DATA =
  `// The data the starter policy (policy.rego) decides with. JSONC: comments are allowed.
{
  // Tools no call may reach: exact, case-sensitive names as the server lists them.
  "blocked_tools": ["execute_command"]
}
`;

const CASES = `[
  {
    "note": "a call to a blocked tool is denied with its rule id",
    "input": {
      "version": 1,
      "direction": "client_to_server",
      "kind": "request",
      "method": "tools/call",
      "id": "3",
      "message": {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": { "name": "execute_command", "arguments": { "command": "ls" } }
      },
      "tool": { "name": "execute_command", "arguments": { "command": "ls" } },
      "mode": "enforce"
    },
    "want": {
      "action": "deny",
      "deny": [{ "rule": "blocked-tool", "reason": "tool execute_command is blocked by policy" }]
    }
  },
  {
    "note": "a call to another tool is allowed",
    "input": {
      "version": 1,
      "direction": "client_to_server",
      "kind": "request",
      "method": "tools/call",
      "id": "4",
      "message": {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/call",
        "params": { "name": "read_file", "arguments": { "path": "README.md" } }
      },
      "tool": { "name": "read_file", "arguments": { "path": "README.md" } },
      "mode": "enforce"
    },
    "want": { "action": "allow", "deny": [], "labels": [] }
  },
  {
    "note": "the blocked tool is hidden from the server's tool listing",
    "input": {
      "version": 1,
      "direction": "server_to_client",
      "kind": "response",
      "method": "tools/list",
      "id": "1",
      "message": {
        "jsonrpc": "2.0",
        "id": 1,
        "result": { "tools": [{ "name": "read_file" }, { "name": "execute_command" }] }
      },
      "mode": "enforce"
    },
    "want": { "action": "transform", "hide": ["execute_command"] }
  }
]
`;

/** Every file, in the order km init writes them. */
export const TEMPLATES: readonly Template[] = [
  { path: "km.jsonc", text: KM_JSONC },
  { path: "policies/policy.rego", text: POLICY },
  { path: "policies/policy_test.rego", text: POLICY_TEST },
  { path: "policies/data.jsonc", text: DATA },
  { path: "policies/cases.json", text: CASES },
];
