# Unit tests of the k8s pack: reads pass, protected namespaces and oversized changes are denied
# with their numbers, a real apply is asked about with its summary, anything else is rehearsed.
package kilometers_test

import rego.v1

_call(tool, args) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "5",
	"message": {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": tool, "arguments": args}},
	"tool": {"name": tool, "arguments": args},
	"mode": "enforce",
}

_change(ns, name, resource, from, to) := {
	"namespace": ns, "kind": "Deployment", "name": name, "container": "app",
	"resource": resource, "from": from, "to": to,
}

_api_cpu := _change("shop", "api", "cpu", "500m", "700m")

_api_memory := _change("shop", "api", "memory", "512Mi", "640Mi")

_web_memory := _change("staging", "web", "memory", "256Mi", "320Mi")

_rules(d) := {r.rule | some r in array.concat(d.deny, d.ask)}

_dry_run_patch := {"op": "add", "path": "/params/arguments/dry_run", "value": true}

test_reads_pass_with_a_low_risk if {
	d := data.kilometers.decision with input as _call("scan_recommendations", {})
	d.action == "allow"
	d.risk == 5
	d.labels == ["k8s-read"]
	data.kilometers.decision.risk == 5 with input as _call("get_execution_history", {})
	p := data.kilometers.decision with input as _call("preview_changes", {"changes": [_api_cpu, _web_memory]})
	p.action == "allow"
	p.risk == 10
}

test_apply_without_dry_run_is_rehearsed if {
	d := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_api_cpu]})
	d.action == "transform"
	d.patch == [_dry_run_patch]
	d.labels == ["k8s-dry-run-forced"]
	d.risk == 30

	# Not a boolean: rehearsed too.
	s := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_api_cpu], "dry_run": "false"})
	s.patch == [_dry_run_patch]

	# Already a dry run: allowed as it is.
	t := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_api_cpu], "dry_run": true})
	t.action == "allow"
	t.labels == ["k8s-dry-run"]
}

test_a_real_apply_asks_with_the_summary if {
	d := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_api_cpu, _api_memory, _web_memory], "dry_run": false, "reason": "krr weekly"})
	d.action == "ask"
	{r | some r in d.ask} == {
		{"rule": "k8s-apply", "reason": "apply_recommendations: 3 changes in 2 namespaces (shop, staging), applied for real (dry_run false): krr weekly"},
		{"rule": "k8s-apply-change", "reason": "shop/deployment/api container app: cpu 500m -> 700m (+40%)"},
		{"rule": "k8s-apply-change", "reason": "shop/deployment/api container app: memory 512Mi -> 640Mi (+25%)"},
		{"rule": "k8s-apply-change", "reason": "staging/deployment/web container app: memory 256Mi -> 320Mi (+25%)"},
	}
	d.patch == []
	d.approval_timeout == 55
	d.labels == ["k8s-apply"]

	# 60 + 25 * 40 / 50
	d.risk == 80
	one := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_web_memory], "dry_run": false})
	some r in one.ask
	r.reason == "apply_recommendations: 1 change in 1 namespace (staging), applied for real (dry_run false)"
}

test_protected_namespaces_are_denied if {
	d := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_change("kube-system", "coredns", "cpu", "100m", "50m")], "dry_run": true})
	d.action == "deny"
	d.deny == [{"rule": "k8s-protected-namespace", "reason": "apply_recommendations: namespace kube-system is protected (kube-system/deployment/coredns)"}]
	d.labels == ["k8s-dry-run", "protected-namespace"]
	d.risk == 95
	_rules(data.kilometers.decision) == {"k8s-protected-namespace"} with input as _call("preview_changes", {"changes": [_change("payments", "ledger", "memory", "2Gi", "2Gi")]})

	# Protected namespaces come from data too.
	_rules(data.kilometers.decision) == {"k8s-apply", "k8s-apply-change"} with input as _call("apply_recommendations", {"changes": [_change("payments", "ledger", "cpu", "1", "900m")], "dry_run": false})
		with data.k8s.protected_namespaces as []
}

test_changes_above_the_maximum_are_denied_with_the_numbers if {
	up := _change("shop", "worker", "cpu", "250m", "1")
	d := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_api_cpu, up], "dry_run": false})
	d.action == "deny"
	d.deny == [{"rule": "k8s-change-too-large", "reason": "apply_recommendations: shop/deployment/worker container app: cpu 250m -> 1 (+300%) changes cpu by more than the maximum of 50%"}]
	"change-over-limit" in d.labels
	down := data.kilometers.decision with input as _call("apply_recommendations", {"changes": [_change("shop", "api", "memory", "1Gi", "384Mi")]})
	down.deny == [{"rule": "k8s-change-too-large", "reason": "apply_recommendations: shop/deployment/api container app: memory 1Gi -> 384Mi (-62.5%) changes memory by more than the maximum of 50%"}]

	# Exactly the maximum is allowed; the limit is data.
	data.kilometers.decision.action == "allow" with input as _call("apply_recommendations", {"changes": [_change("shop", "w", "memory", "256Mi", "384Mi")], "dry_run": true})
	data.kilometers.decision.action == "deny" with input as _call("apply_recommendations", {"changes": [_api_cpu], "dry_run": true})
		with data.k8s.max_change_percent as 30

	# A preview of a large change is allowed (it changes nothing) and labelled.
	p := data.kilometers.decision with input as _call("preview_changes", {"changes": [up]})
	p.action == "allow"
	p.labels == ["change-over-limit", "k8s-read"]
}

test_quantities if {
	# In thousandths: millicores for CPU.
	data.kilometers._quantity("500m") == 500
	data.kilometers._quantity("2") == 2000
	data.kilometers._quantity("1.5") == 1500
	data.kilometers._quantity("512Mi") == 536870912000
	data.kilometers._quantity("1Gi") == 1073741824000
	data.kilometers._quantity("1G") == 1000000000000
	not data.kilometers._quantity("1.5 cores")
	not data.kilometers._quantity("-1")

	# Mixed units compare by value: 1Gi -> 1536Mi is +50%.
	data.kilometers.decision.action == "allow" with input as _call("apply_recommendations", {"changes": [_change("shop", "api", "memory", "1Gi", "1536Mi")], "dry_run": true})
}

test_changes_that_cannot_be_judged_are_denied if {
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": []})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": "all"})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": [object.remove(_api_cpu, ["container"])], "dry_run": true})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": [object.union(_api_cpu, {"resource": "gpu"})], "dry_run": true})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": [object.union(_api_cpu, {"to": "lots"})], "dry_run": true})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("apply_recommendations", {"changes": [object.union(_api_cpu, {"from": "0"})], "dry_run": true})
	_rules(data.kilometers.decision) == {"k8s-invalid-change"} with input as _call("preview_changes", {})
	"k8s-invalid-arguments" in _rules(data.kilometers.decision) with input as _call("apply_recommendations", [_api_cpu])
}

test_rollbacks_pass_labelled if {
	d := data.kilometers.decision with input as _call("rollback_changes", {"execution_id": "exec-1"})
	d.action == "allow"
	d.labels == ["rollback"]
	d.risk == 50
}

test_responses_are_not_patched if {
	resp := {
		"kind": "response", "method": "tools/call", "tool": {"name": "apply_recommendations"},
		"message": {"jsonrpc": "2.0", "id": 5, "result": {"content": [{"type": "text", "text": "dry run"}]}},
	}
	d := data.kilometers.decision with input as resp
	d.action == "allow"
	d.patch == []
}

test_batches_of_calls_are_denied if {
	batch := {"kind": "batch", "message": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "apply_recommendations", "arguments": {"changes": [_api_cpu], "dry_run": false}}}]}
	_rules(data.kilometers.decision) == {"k8s-batch"} with input as batch
}
