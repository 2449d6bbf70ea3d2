# k8s pack: a Kubernetes resource-recommendation MCP server changes nothing a person did not see.
#
# For a krr-based server exposing scan_recommendations, preview_changes, apply_recommendations,
# rollback_changes and get_execution_history, where a change is {namespace, kind, name,
# container, resource: cpu|memory, from, to} with Kubernetes quantities. README.md beside this
# file has the design and the limits; settings are in data.json (`data.k8s`).
#
# What it does, by rule id:
#   k8s-invalid-change       deny   changes the policy cannot judge (missing fields, a resource
#                                   other than cpu/memory, a quantity it cannot read, from 0)
#   k8s-protected-namespace  deny   preview or apply in kube-system or data.k8s.protected_namespaces
#   k8s-change-too-large     deny   apply of a change above data.k8s.max_change_percent, up or down,
#                                   the numbers in the reason
#   k8s-apply, k8s-apply-change
#                            ask    apply_recommendations with `dry_run: false`: a real change; the
#                                   reasons are the summary (changes, namespaces) and one line per
#                                   change (before -> after, percentage)
#   (patch)                  transform  apply_recommendations without `dry_run: false` or true:
#                                   `dry_run: true` is added, so the server only rehearses
#   k8s-batch                deny   a JSON-RPC batch of tool calls
#   k8s-invalid-arguments    deny   a call whose arguments are not an object
# rollback_changes is allowed and labelled "rollback"; every call gets a risk score and labels.
package kilometers

import rego.v1

_cfg := data.k8s

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

_tool := input.tool.name

_args := object.get(input.tool, "arguments", {})

_protected := {"kube-system"} | {ns | some ns in _cfg.protected_namespaces}

# ---------------------------------------------------------------------------------------------
# Changes and their numbers
# ---------------------------------------------------------------------------------------------

_changes := _args.changes if {
	_call
	_tool in {"preview_changes", "apply_recommendations"}
}

_fields := ["namespace", "kind", "name", "container", "resource", "from", "to"]

# Kubernetes quantities: decimal (m, k, M, G, T) and binary (Ki, Mi, Gi, Ti) suffixes, read in
# thousandths of a unit (millicores for CPU), so that "500m" is a whole number (500), not 0.5
# with a binary fraction's rounding.
_units := {
	"": 1000, "m": 1, "k": 1000000, "M": 1000000000, "G": 1000000000000, "T": 1000000000000000,
	"Ki": 1024000, "Mi": 1048576000, "Gi": 1073741824000, "Ti": 1099511627776000,
}

_quantity(q) := to_number(m[1]) * _units[m[2]] if {
	is_string(q)
	[m] := regex.find_all_string_submatch_n(`^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`, q, 1)
}

# A change the policy can judge, with its numbers: [index, change, percent].
_judged contains [i, c, pct] if {
	some i, c in _changes
	is_object(c)
	every f in _fields {
		is_string(c[f])
	}
	c.resource in {"cpu", "memory"}
	from := _quantity(c.from)
	to := _quantity(c.to)
	from > 0
	pct := ((to - from) * 100) / from
}

_ok_indices := {i | some [i, _, _] in _judged}

# "+40%", "-62.5%": one decimal at most.
_percent(pct) := $"+{round(pct * 10) / 10}%" if pct > 0

_percent(pct) := $"{round(pct * 10) / 10}%" if pct <= 0

_line(c, pct) := $"{c.namespace}/{lower(c.kind)}/{c.name} container {c.container}: {c.resource} {c.from} -> {c.to} ({_percent(pct)})"

# Arguments the rules cannot read are not passed on (a lenient server could apply them unjudged).
deny contains {"rule": "k8s-invalid-arguments", "reason": $"{_tool}: the arguments are not an object"} if {
	_call
	not is_object(_args)
}

deny contains {"rule": "k8s-invalid-change", "reason": $"{_tool}: changes must be a non-empty list"} if {
	_call
	_tool in {"preview_changes", "apply_recommendations"}
	not _non_empty_list(object.get(_args, "changes", null))
}

_non_empty_list(x) if {
	is_array(x)
	count(x) > 0
}

deny contains {"rule": "k8s-invalid-change", "reason": $"{_tool}: change {i} cannot be judged (it needs {concat(", ", _fields)}; resource cpu or memory; quantities such as 500m or 512Mi; from above 0)"} if {
	some i, _ in _changes
	not i in _ok_indices
}

# Protected namespaces: not even a preview (an agent should not plan changes there).
deny contains {"rule": "k8s-protected-namespace", "reason": $"{_tool}: namespace {c.namespace} is protected ({c.namespace}/{lower(c.kind)}/{c.name})"} if {
	some c in _changes
	is_object(c)
	c.namespace in _protected
}

deny contains {"rule": "k8s-change-too-large", "reason": $"{_tool}: {_line(c, pct)} changes {c.resource} by more than the maximum of {_cfg.max_change_percent}%"} if {
	_tool == "apply_recommendations"
	some [_, c, pct] in _judged
	abs(pct) > _cfg.max_change_percent
}

# ---------------------------------------------------------------------------------------------
# Apply: real only with a person's approval, a rehearsal otherwise
# ---------------------------------------------------------------------------------------------

_apply if {
	_call
	_tool == "apply_recommendations"
}

_real_apply if {
	_apply
	_args.dry_run == false
}

_dry_run if {
	_apply
	_args.dry_run == true
}

_namespaces := sort({c.namespace | some [_, c, _] in _judged})

ask contains {"rule": "k8s-apply", "reason": $"apply_recommendations: {_count(count(_changes), "change")} in {_count(count(_namespaces), "namespace")} ({concat(", ", _namespaces)}), applied for real (dry_run false){_why}"} if {
	_real_apply
}

_count(1, word) := $"1 {word}"

_count(n, word) := $"{n} {word}s" if n != 1

_why := $": {_args.reason}" if is_string(_args.reason)

default _why := ""

ask contains {"rule": "k8s-apply-change", "reason": _line(c, pct)} if {
	_real_apply
	some [_, c, pct] in _judged
}

approval_timeout contains _cfg.approval_timeout_seconds if _real_apply

# Neither dry_run true nor an explicit false (absent, or not a boolean): the server would apply
# for real by default, so the call is made a rehearsal. `add` sets the member whether or not it
# exists. Requests only (the response to the call has the tool's name too, and no params).
patch contains {"op": "add", "path": "/params/arguments/dry_run", "value": true} if {
	_apply
	is_object(_args)
	not _dry_run
	not _real_apply
}

labels contains "k8s-dry-run-forced" if count(patch) > 0

labels contains "k8s-dry-run" if _dry_run

labels contains "k8s-apply" if _real_apply

labels contains "protected-namespace" if {
	some r in deny
	r.rule == "k8s-protected-namespace"
}

labels contains "change-over-limit" if {
	_tool in {"preview_changes", "apply_recommendations"}
	some [_, c, pct] in _judged
	abs(pct) > _cfg.max_change_percent
}

# ---------------------------------------------------------------------------------------------
# Rollbacks, reads, batches, risk
# ---------------------------------------------------------------------------------------------

labels contains "rollback" if {
	_call
	_tool == "rollback_changes"
}

labels contains "k8s-read" if {
	_call
	_tool in {"scan_recommendations", "get_execution_history", "preview_changes"}
}

deny contains {"rule": "k8s-batch", "reason": "a JSON-RPC batch of tool calls: send the calls one by one"} if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
}

_base_risk := {
	"scan_recommendations": 5, "get_execution_history": 5, "preview_changes": 10,
	"rollback_changes": 50,
}

risk contains _base_risk[_tool] if _call

risk contains 30 if _dry_run

risk contains 30 if count(patch) > 0

# A real apply: 60, more for larger changes (up to 85 at the maximum change).
risk contains 60 + round((_largest * 25) / max([_cfg.max_change_percent, 1])) if {
	_real_apply
	_largest <= _cfg.max_change_percent
}

_largest := max([abs(pct) | some [_, _, pct] in _judged])

risk contains 95 if count(deny) > 0

# An unknown tool of this server: not judged, but visible.
risk contains 50 if {
	_call
	not _tool in {"scan_recommendations", "get_execution_history", "preview_changes", "apply_recommendations", "rollback_changes"}
}
