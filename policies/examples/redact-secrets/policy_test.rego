package kilometers_test

import rego.v1

# Fake credentials, assembled from pieces so that secret scanners do not flag this file.
_aws_id := concat("", ["AKIA", "IOSFODNN7EXAMPLE"])

_aws_secret := concat("", ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"])

_gh_token := concat("", ["ghp_", "EXAMPLE00000000000000000000000000000"])

_slack := concat("", ["xoxb", "-0000000000-EXAMPLE"])

_jwt := concat(".", ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJhbmEifQ", "c2lnbmF0dXJlLWV4YW1wbGU"])

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000005",
	"server": {"name": "server-everything", "command": ["npx", "-y", "@modelcontextprotocol/server-everything"]},
	"client": {},
}

_stats := {"tools": {"get-env": {"calls": 1, "last_minute": 1}}, "calls": 1, "last_minute": 1}

_response(method, result) := {
	"version": 1,
	"direction": "server_to_client",
	"kind": "response",
	"method": method,
	"id": "3",
	"message": {"jsonrpc": "2.0", "id": 3, "result": result},
	"tool": {"name": "get-env"},
	"request": {"method": method, "id": "3", "tool": "get-env", "seq": 5, "latency_ms": 4.2},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_tool_result(text) := _response("tools/call", {"content": [{"type": "text", "text": text}]})

# The kinds of secret a decision reports. (Test helpers take the decision rather than evaluating
# it themselves: a function whose body uses `with` makes `opa build -t wasm` fail on this file.)
_kinds(d) := {trim_prefix(l, "secret:") | some l in d.labels; startswith(l, "secret:")}

test_aws_key_in_a_tool_result_is_redacted if {
	d := data.kilometers.decision with input as _tool_result($"AWS_ACCESS_KEY_ID={_aws_id}")
	d.action == "transform"
	d.redact == [{"path": "/result/content", "pattern": data.kilometers._secret_patterns["aws-access-key-id"]}]
	d.labels == ["secret:aws-access-key-id"]
	d.risk == 70
}

test_each_kind_is_recognised if {
	_kinds(data.kilometers.decision) == {"aws-access-key-id"} with input as _tool_result($"key {_aws_id}")
	_kinds(data.kilometers.decision) == {"aws-secret-access-key", "password-assignment"} with input as _tool_result($"aws_secret_access_key = {_aws_secret}")
	_kinds(data.kilometers.decision) == {"github-token"} with input as _tool_result($"cloned with {_gh_token}")
	_kinds(data.kilometers.decision) == {"github-token"} with input as _tool_result(concat("", ["github_pat_", "11EXAMPLE0000000000000000000000"]))
	_kinds(data.kilometers.decision) == {"slack-token"} with input as _tool_result($"SLACK={_slack}")
	_kinds(data.kilometers.decision) == {"openai-anthropic-key"} with input as _tool_result(concat("", ["OPENAI_KEY=", "sk-proj-", "EXAMPLEexample0123456789"]))
	_kinds(data.kilometers.decision) == {"google-api-key"} with input as _tool_result(concat("", ["AIza", "SyEXAMPLE00000000000000000000000000"]))
	_kinds(data.kilometers.decision) == {"npm-token"} with input as _tool_result(concat("", ["npm_", "EXAMPLE00000000000000000000000000000"]))
	_kinds(data.kilometers.decision) == {"bearer-token"} with input as _tool_result("Authorization: Bearer abcdefghijklmnop0123")
	_kinds(data.kilometers.decision) == {"jwt"} with input as _tool_result($"id_token {_jwt}")
	_kinds(data.kilometers.decision) == {"private-key"} with input as _tool_result(concat("\n", ["-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA", "-----END OPENSSH PRIVATE KEY-----"]))
	_kinds(data.kilometers.decision) == {"password-assignment"} with input as _tool_result("DB_PASSWORD=correct-horse-battery")
	_kinds(data.kilometers.decision) == {"password-assignment"} with input as _tool_result(`{"api_key": "0123456789abcdef"}`)
	_kinds(data.kilometers.decision) == {"url-credentials"} with input as _tool_result("DATABASE_URL=postgres://app:s3cr3t-pw@db:5432/app")
}

test_overlapping_patterns_are_all_reported if {
	_kinds(data.kilometers.decision) == {"bearer-token", "jwt"} with input as _tool_result($"Authorization: Bearer {_jwt}")
	_kinds(data.kilometers.decision) == {"github-token", "password-assignment"} with input as _tool_result($"GITHUB_TOKEN={_gh_token}")
}

test_clean_result_is_allowed_untouched if {
	d := data.kilometers.decision with input as _tool_result("The sum of 1 and 2 is 3.")
	d.action == "allow"
	d.redact == []
	d.labels == []
	d.risk == 0
}

test_near_misses_are_not_secrets if {
	_kinds(data.kilometers.decision) == set() with input as _tool_result("AKIA is a prefix")
	_kinds(data.kilometers.decision) == set() with input as _tool_result("password: short")
	_kinds(data.kilometers.decision) == set() with input as _tool_result("max_tokens: 4096")
	_kinds(data.kilometers.decision) == set() with input as _tool_result("https://example.com/path@v2")
	_kinds(data.kilometers.decision) == set() with input as _tool_result("the bearer of bad news")
}

test_secrets_deep_in_structured_content_are_found if {
	inp := _response("tools/call", {
		"content": [{"type": "text", "text": "see structured content"}],
		"structuredContent": {"env": [{"name": "GH", "value": _gh_token}]},
	})
	d := data.kilometers.decision with input as inp
	d.redact == [{"path": "/result/structuredContent", "pattern": data.kilometers._secret_patterns["github-token"]}]
}

test_resources_read_contents_are_redacted if {
	inp := object.remove(_response("resources/read", {"contents": [{"uri": "file:///app/.env", "mimeType": "text/plain", "text": $"slack: {_slack}"}]}), ["tool"])
	d := data.kilometers.decision with input as inp
	d.redact == [{"path": "/result/contents", "pattern": data.kilometers._secret_patterns["slack-token"]}]
}

test_requests_and_errors_are_not_inspected if {
	req := {
		"version": 1,
		"direction": "client_to_server",
		"kind": "request",
		"method": "tools/call",
		"id": "3",
		"message": {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "echo", "arguments": {"message": _gh_token}}},
		"tool": {"name": "echo", "arguments": {"message": _gh_token}},
		"session": _session,
		"stats": _stats,
		"mode": "enforce",
	}
	data.kilometers.decision.action == "allow" with input as req

	err := object.union(_tool_result("x"), {"kind": "error", "message": {"jsonrpc": "2.0", "id": 3, "error": {"code": -32603, "message": _gh_token}}})
	data.kilometers.decision.action == "allow" with input as err
}

test_elided_results_are_flagged if {
	d := data.kilometers.decision with input as _tool_result("aaaa…[2097152 more bytes not inspected by km]")
	d.action == "allow"
	d.labels == ["secrets-not-fully-inspected"]
	d.risk == 60
}
