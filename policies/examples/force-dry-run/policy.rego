# force-dry-run: tools that can rehearse a change are only ever allowed to rehearse it.
#
# Intent: let an agent explore what a change would do (a diff, a plan, a validation) without
# letting it make the change. Instead of denying the call, the policy rewrites it (`patch`, RFC
# 6902 operations on the JSON-RPC message) so that the server receives a dry run:
#   - tools named in data.dry_run_arguments get that argument forced to true
#     (server-filesystem's edit_file takes `dryRun`: it then returns the diff and writes
#     nothing);
#   - any tool whose listed input schema has a `dry_run` or `dryRun` property gets it forced to
#     true, whether or not it is in data (km knows the schema from the server's tools/list);
#   - kubectl tools (data.kubectl_tools) that take an argv list (`args`) get `--dry-run=server`
#     for subcommands that change the cluster; an explicit `--dry-run=none` (or `=false`) is
#     replaced. `--dry-run=server` sends the request to the API server, which validates and
#     runs admission but persists nothing.
# The client is not told: it receives the server's (dry-run) answer. The audit log records the
# decision as "transform" with the label "dry-run-forced".
#
# Requests only: `input.tool.name` is also set on the *response* to a call, which has no
# `params`; a patch of /params/... on a response would fail, and km, failing closed, would block
# the response. Every rule here therefore starts from `_call` (kind "request").
#
# Patch ops form a set, applied in OPA's sorted order, so no op may depend on another: each rule
# below produces independent ops (distinct members or array indices).
package kilometers

import rego.v1

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

# The argument names to force to true for this call.
_flags contains name if {
	_call
	name := data.dry_run_arguments[input.tool.name]
}

_flags contains name if {
	_call
	some name in ["dry_run", "dryRun"]
	name in object.keys(input.tool.definition.inputSchema.properties)
}

_args_object if is_object(input.tool.arguments)

# `add` on an object member sets it, whether or not it exists (RFC 6902), and its value is
# replaced even when the client sent "dryRun": false. Names go into a JSON Pointer unescaped:
# keep "/" and "~" out of data.dry_run_arguments.
patch contains {"op": "add", "path": $"/params/arguments/{name}", "value": true} if {
	_args_object
	some name in _flags
	not input.tool.arguments[name] == true
}

# A call without an arguments object: adding a member under it would fail (and fail closed, as a
# deny), so the whole object is added instead, in one op.
patch contains {"op": "add", "path": "/params/arguments", "value": {name: true | some name in _flags}} if {
	_call
	count(_flags) > 0
	not _args_object
}

# kubectl subcommands that change the cluster and accept --dry-run.
_kubectl_mutating := {
	"annotate", "apply", "autoscale", "cordon", "create", "delete", "drain", "expose", "label",
	"patch", "replace", "run", "scale", "set", "taint", "uncordon",
}

_kubectl_args := input.tool.arguments.args if {
	_call
	input.tool.name in {name | some name in data.kubectl_tools}
	is_array(input.tool.arguments.args)
}

# Flags go before a `--`, after which the arguments belong to a container's command
# (`kubectl run debug --image=busybox -- sh`).
_kubectl_end := min({i | some i, a in _kubectl_args; a == "--"} | {count(_kubectl_args)})

_kubectl_flags := array.slice(_kubectl_args, 0, _kubectl_end)

_kubectl_mutation if {
	some a in _kubectl_flags
	a in _kubectl_mutating
}

# Indices of --dry-run flags, and of those that disable it.
_dry_run_at := {i | some i, a in _kubectl_flags; startswith(a, "--dry-run")}

_dry_run_off := {i | some i, a in _kubectl_flags; a in {"--dry-run=none", "--dry-run=false"}}

patch contains {"op": "add", "path": path, "value": "--dry-run=server"} if {
	_kubectl_mutation
	count(_dry_run_at) == 0
	path := _kubectl_insert_path
}

_kubectl_insert_path := "/params/arguments/args/-" if _kubectl_end == count(_kubectl_args)

_kubectl_insert_path := $"/params/arguments/args/{_kubectl_end}" if _kubectl_end < count(_kubectl_args)

patch contains {"op": "replace", "path": $"/params/arguments/args/{i}", "value": "--dry-run=server"} if {
	_kubectl_mutation
	some i in _dry_run_off
}

labels contains "dry-run-forced" if count(patch) > 0
