package kilometers_test

import rego.v1

import data.kilometers

call(name, args) := {"kind": "request", "method": "tools/call", "tool": {"name": name, "arguments": args}}

test_allows_everything if {
	kilometers.decision.action == "allow" with input as call("run_command", {"command": "rm -rf /"})
	kilometers.decision.action == "allow" with input as {"kind": "notification", "method": "notifications/progress"}
}

test_shell_and_infra if {
	d := kilometers.decision with input as call("run_command", {"command": "kubectl delete pod web"})
	d.labels == ["infra", "shell"]
	d.risk == 8
}

test_file_write if {
	d := kilometers.decision with input as call("write_file", {"path": "/tmp/x", "content": "y"})
	d.labels == ["file-write"]
	d.risk == 5
}

test_network_from_arguments if {
	d := kilometers.decision with input as call("lookup", {"target": "https://example.com"})
	d.labels == ["network"]
}

test_reads_are_unlabelled if {
	d := kilometers.decision with input as call("read_text_file", {"path": "/tmp/x"})
	d.labels == []
	d.risk == 0
}

test_responses_are_unlabelled if {
	d := kilometers.decision with input as {"kind": "response", "method": "tools/call", "tool": {"name": "run_command"}}
	d.labels == []
}
