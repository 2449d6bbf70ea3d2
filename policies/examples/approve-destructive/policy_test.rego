package kilometers_test

import rego.v1

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000003",
	"server": {"name": "shell", "command": ["uvx", "mcp-shell-server"]},
	"client": {},
}

_call(name, args) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "8",
	"message": {"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": name, "arguments": args}},
	"tool": {"name": name, "arguments": args},
	"session": _session,
	"stats": {"tools": {}, "calls": 0, "last_minute": 0},
	"mode": "enforce",
}

_shell(command) := _call("run_command", {"command": command})

# The rule ids of a decision's asks. (Test helpers take the decision rather than evaluating it
# themselves: a function whose body uses `with` makes `opa build -t wasm` fail on this file.)
_rules(d) := {r.rule | some r in d.ask}

test_rm_rf_asks_with_rule_and_reason if {
	d := data.kilometers.decision with input as _shell("rm -rf /var/lib/app")
	d.action == "ask"
	d.ask == [{"rule": "destructive-rm", "reason": "recursive or forced rm in run_command: rm -rf /var/lib/app"}]
	d.labels == ["destructive"]
	d.risk == 90
}

test_each_destructive_form_is_recognised if {
	_rules(data.kilometers.decision) == {"destructive-rm"} with input as _shell("sudo rm -r build/")
	_rules(data.kilometers.decision) == {"destructive-rm"} with input as _shell("/bin/rm --recursive --force dist")
	_rules(data.kilometers.decision) == {"destructive-rm"} with input as _shell("cd /srv && rm -f *.db")
	_rules(data.kilometers.decision) == {"destructive-mkfs"} with input as _shell("mkfs.ext4 /dev/sdb1")
	_rules(data.kilometers.decision) == {"destructive-mkfs"} with input as _shell("wipefs -a /dev/sdb")
	_rules(data.kilometers.decision) == {"destructive-dd"} with input as _shell("dd if=/dev/zero of=/dev/sda bs=1M")
	_rules(data.kilometers.decision) == {"destructive-kubectl-delete"} with input as _shell("kubectl delete namespace prod")
	_rules(data.kilometers.decision) == {"destructive-kubectl-delete"} with input as _shell("kubectl -n prod delete pod web-0")
	_rules(data.kilometers.decision) == {"destructive-terraform-destroy"} with input as _shell("terraform destroy -auto-approve")
	_rules(data.kilometers.decision) == {"destructive-terraform-destroy"} with input as _shell("terraform apply -destroy")
	_rules(data.kilometers.decision) == {"destructive-git-force-push"} with input as _shell("git push --force origin main")
	_rules(data.kilometers.decision) == {"destructive-git-force-push"} with input as _shell("git push -f")
	_rules(data.kilometers.decision) == {"destructive-git-reset-hard"} with input as _shell("git reset --hard HEAD~3")
	_rules(data.kilometers.decision) == {"destructive-sql-drop"} with input as _shell(`psql -c "DROP TABLE users"`)
	_rules(data.kilometers.decision) == {"destructive-sql-delete-all"} with input as _shell(`mysql -e "delete from sessions;"`)
}

test_harmless_commands_are_allowed if {
	every command in [
		"ls -la",
		"rm notes.txt",
		"docker run --rm -it alpine sh",
		"git push origin main",
		"git reset HEAD~1",
		"kubectl get pods",
		"kubectl describe deployment delete-me",
		"terraform plan",
		"dd if=/dev/sda bs=512 count=1",
		"echo farm -rf",
		`psql -c "DELETE FROM sessions WHERE expires < now()"`,
	] {
		data.kilometers.decision.action == "allow" with input as _shell(command)
	}
}

test_two_forms_in_one_command_give_two_reasons if {
	d := data.kilometers.decision with input as _shell("git reset --hard && rm -rf node_modules")
	d.action == "ask"
	{r.rule | some r in d.ask} == {"destructive-git-reset-hard", "destructive-rm"}
}

test_argv_forms if {
	# command as an array
	d1 := data.kilometers.decision with input as _call("exec", {"command": ["rm", "-rf", "/tmp/x"]})
	d1.ask == [{"rule": "destructive-rm", "reason": "recursive or forced rm in exec: rm -rf /tmp/x"}]

	# command + args
	d2 := data.kilometers.decision with input as _call("exec", {"command": "terraform", "args": ["destroy"]})
	d2.ask == [{"rule": "destructive-terraform-destroy", "reason": "terraform destroy in exec: terraform destroy"}]

	# args only: the tool's name is the program
	d3 := data.kilometers.decision with input as _call("kubectl", {"args": ["delete", "pod", "web-0"]})
	d3.ask == [{"rule": "destructive-kubectl-delete", "reason": "kubectl delete in kubectl: kubectl delete pod web-0"}]
}

test_sql_arguments if {
	d := data.kilometers.decision with input as _call("execute_sql", {"sql": "drop table orders"})
	d.ask == [{"rule": "destructive-sql-drop", "reason": "SQL DROP/TRUNCATE in execute_sql: drop table orders"}]
	data.kilometers.decision.action == "ask" with input as _call("postgres_query", {"query": "TRUNCATE TABLE audit"})

	# "query" on a tool that is not a database is not SQL.
	data.kilometers.decision.action == "allow" with input as _call("web_search", {"query": "drop table syntax"})
}

test_long_commands_are_shortened_in_the_reason if {
	long := concat("", ["rm -rf /data/", concat("", [x | some _ in numbers.range(1, 200); x := "a"])])
	d := data.kilometers.decision with input as _shell(long)
	count(d.ask[0].reason) == count("recursive or forced rm in run_command: ") + 163
	endswith(d.ask[0].reason, "aaa...")
}

test_batch_calls_are_inspected if {
	inp := {
		"version": 1,
		"direction": "client_to_server",
		"kind": "batch",
		"message": [
			{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "run_command", "arguments": {"command": "ls"}}},
			{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "run_command", "arguments": {"command": "mkfs /dev/sdc"}}},
		],
		"session": _session,
		"stats": {"tools": {}, "calls": 0, "last_minute": 0},
		"mode": "enforce",
	}
	d := data.kilometers.decision with input as inp
	d.ask == [{"rule": "destructive-mkfs", "reason": "filesystem format or wipe in run_command: mkfs /dev/sdc"}]
}

test_responses_are_not_inspected if {
	inp := {
		"version": 1,
		"direction": "server_to_client",
		"kind": "response",
		"method": "tools/call",
		"id": "8",
		"message": {"jsonrpc": "2.0", "id": 8, "result": {"content": [{"type": "text", "text": "rm -rf / done"}]}},
		"tool": {"name": "run_command"},
		"request": {"method": "tools/call", "id": "8", "tool": "run_command", "seq": 4, "latency_ms": 12.5},
		"session": _session,
		"stats": {"tools": {"run_command": {"calls": 1, "last_minute": 1}}, "calls": 1, "last_minute": 1},
		"mode": "enforce",
	}
	data.kilometers.decision.action == "allow" with input as inp
}

test_destructive_hint_only_raises_risk if {
	call := _call("write_file", {"path": "/tmp/a", "content": "x"})
	d := data.kilometers.decision with input as object.union(call, {"tool": {"definition": {"annotations": {"destructiveHint": true}}}})
	d.action == "allow"
	d.risk == 50
	d.labels == []
}

test_kubectl_changes_get_a_longer_approval_timeout if {
	data.kilometers.decision.approval_timeout == 55 with input as _shell("kubectl delete namespace prod")
	data.kilometers.decision.approval_timeout == 0 with input as _shell("rm -rf build")
}
