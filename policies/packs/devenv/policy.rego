# devenv pack: a development-environment MCP server (files, terminal, git) kept to its workspace.
#
# For a WebContainer-style server exposing fs_read, fs_write, fs_list, terminal_exec, git_clone,
# git_commit and git_push (README.md beside this file has the design and the limits). Settings
# are in data.json (`data.devenv`): the workspace root, secret files and directories, shell
# profiles, protected branches, clone URL prefixes and the terminal's calls per minute.
#
# What it does, by rule id:
#   files     fs-invalid-path, fs-home-path, fs-traversal, fs-outside-workspace, fs-secret-dir,
#             fs-secret-file, fs-shell-profile (deny); fs-git-internals (ask);
#             fs-symlink-escape (deny when the path, following symlinks, lies outside the
#             workspace or in a secret place: before the call when the server shares km's
#             files (data.devenv.resolve_on_host), else in the server's answer);
#             fs-hardlink (deny writing a file with more than one hard link, on km's machine);
#             .env files are readable, with every value redacted from the answer.
#   terminal  cmd-invalid, cmd-rm-root, cmd-pipe-to-shell, cmd-reverse-shell, cmd-shell-profile,
#             cmd-ssh, cmd-cloud-credentials, cmd-secret-file, cmd-symlink-escape (deny);
#             terminal-rate-limit (deny past data.devenv.terminal_exec_per_minute).
#   git       git-push (ask for every push, tool or terminal), git-push-protected (ask, names the
#             protected branch), git-force-push-protected (deny), git-clone-url (deny).
#   results   credentials in any result of this server are redacted (the patterns of
#             policies/examples/redact-secrets).
#   batches   devenv-batch: a JSON-RPC batch of tool calls is denied (this pack judges calls one
#             by one); devenv-invalid-arguments: arguments that are not an object are denied.
# File names and commands are matched without case (case-insensitive file systems).
# Every tool call gets a risk (10 reads ... 70 pushes, 90 denials) and labels.
#
# Pattern matching on commands is a tripwire, not a sandbox: see README.md, "Limits".
package kilometers

import rego.v1

_cfg := data.devenv

_root := _segments(_cfg.workspace_root)

_root_text := concat("/", ["", concat("/", _root)])

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

_response if {
	input.kind == "response"
	input.method == "tools/call"
}

_tool := input.tool.name

_args := object.get(input.tool, "arguments", {})

# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------

_segments(p) := [s | some s in split(p, "/"); s != ""; s != "."]

# A path as absolute segments: relative paths are relative to the workspace (as the server
# resolves them), "." and empty segments dropped.
_abs(p) := _segments(p) if startswith(p, "/")

_abs(p) := array.concat(_root, _segments(p)) if not startswith(p, "/")

_shown(p) := concat("/", ["", concat("/", _abs(p))])

_inside(p) if {
	s := _abs(p)
	count(s) >= count(_root)
	array.slice(s, 0, count(_root)) == _root
}

_base(p) := s[count(s) - 1] if {
	s := _abs(p)
	count(s) > 0
}

_glob(patterns, name) if {
	some pattern in patterns
	glob.match(pattern, ["/"], name)
}

# File names are compared without case: on a case-insensitive file system (macOS, Windows)
# `.ENV`, `ID_RSA` and `.BashRC` are the files the lists name.
_name_glob(patterns, name) if _glob([lower(pattern) | some pattern in patterns], lower(name))

_secret_deny(p) if _name_glob(_cfg.secret_files.deny, _base(p))

_secret_redact(p) if {
	_name_glob(_cfg.secret_files.redact, _base(p))
	not _name_glob(_cfg.secret_files.allow, _base(p))
}

_in_secret_dir(p) := seg if {
	some seg in _abs(p)
	lower(seg) in {lower(d) | some d in _cfg.secret_dirs}
}

_shell_profile(p) if lower(_base(p)) in {lower(f) | some f in _cfg.shell_profiles}

# A path that the textual checks below can judge (the others are denied by the first rules).
_plain(p) if {
	is_string(p)
	not regex.match(`[\x00-\x1f\x7f]`, p)
	not startswith(p, "~")
	not ".." in split(p, "/")
}

# Path arguments of this call, as [argument, value].
_paths contains ["path", _args.path] if {
	_call
	_tool in {"fs_read", "fs_write", "fs_list"}
}

_paths contains ["cwd", _args.cwd] if {
	_call
	_tool == "terminal_exec"
}

_paths contains ["path", _args.path] if {
	_call
	_tool == "git_clone"
}

# Without a path, git clones into a folder named after the URL (its last part, less ".git").
_paths contains ["folder (from the url)", _clone_folder(_args.url)] if {
	_call
	_tool == "git_clone"
	not "path" in object.keys(_args)
}

_clone_folder(url) := trim_suffix(parts[count(parts) - 1], ".git") if {
	is_string(url)
	parts := split(trim_right(url, "/"), "/")
}

_paths contains [$"files[{i}]", f] if {
	_call
	_tool == "git_commit"
	some i, f in _args.files
}

# Paths whose content is read or written (secret files matter there, not for a listing or a cwd).
_content_paths contains [key, p] if {
	some [key, p] in _paths
	_tool in {"fs_read", "fs_write", "git_commit"}
}

# Arguments the rules cannot read are not passed on: a server lenient about their shape could
# read a path or a command the rules never saw.
deny contains {"rule": "devenv-invalid-arguments", "reason": $"{_tool}: the arguments are not an object"} if {
	_call
	not is_object(_args)
}

deny contains {"rule": "fs-invalid-path", "reason": "git_commit: files is not a list of paths"} if {
	_call
	_tool == "git_commit"
	files := _args.files
	not is_array(files)
}

deny contains {"rule": "fs-invalid-path", "reason": $"{_tool}: {key} is not a string"} if {
	some [key, p] in _paths
	not is_string(p)
}

deny contains {"rule": "fs-invalid-path", "reason": $"{_tool}: {key} contains a control character"} if {
	some [key, p] in _paths
	is_string(p)
	regex.match(`[\x00-\x1f\x7f]`, p)
}

deny contains {"rule": "fs-home-path", "reason": $"{_tool}: {key} {p} points into a home directory, outside the workspace {_root_text}"} if {
	some [key, p] in _paths
	is_string(p)
	startswith(p, "~")
}

deny contains {"rule": "fs-traversal", "reason": $"{_tool}: {key} {p} climbs with '..' (path traversal); use a path inside {_root_text}"} if {
	some [key, p] in _paths
	is_string(p)
	".." in split(p, "/")
}

deny contains {"rule": "fs-outside-workspace", "reason": $"{_tool}: {key} {p} ({_shown(p)}) is outside the workspace {_root_text}"} if {
	some [key, p] in _paths
	_plain(p)
	not _inside(p)
}

deny contains {"rule": "fs-secret-dir", "reason": $"{_tool}: {key} {p} is in a credentials directory ({seg})"} if {
	some [key, p] in _paths
	_plain(p)
	seg := _in_secret_dir(p)
}

deny contains {"rule": "fs-secret-file", "reason": $"{_tool}: {key} {p} is a key or credentials file ({_base(p)})"} if {
	some [key, p] in _content_paths
	_plain(p)
	_secret_deny(p)
}

deny contains {"rule": "fs-shell-profile", "reason": $"{_tool}: {p} is a shell profile; writing it runs code in every new shell"} if {
	some [_, p] in _content_paths
	_tool == "fs_write"
	_plain(p)
	_shell_profile(p)
}

# Git runs hooks, and .git/config can name programs (core.sshCommand, core.hooksPath).
ask contains {"rule": "fs-git-internals", "reason": $"{_tool}: {p} changes git's hooks or configuration, which git runs or obeys"} if {
	some [_, p] in _content_paths
	_tool == "fs_write"
	_plain(p)
	_git_internal(_abs(p))
}

_git_internal(s) if {
	some i, seg in s
	lower(seg) == ".git"
	i + 1 < count(s)
	lower(s[i + 1]) in {"hooks", "config"}
}

labels contains "workspace-boundary" if {
	some r in deny
	startswith(r.rule, "fs-")
}

labels contains "secret-file" if {
	some [_, p] in _content_paths
	_plain(p)
	_secret_redact(p)
}

# A server on this machine (data.devenv.resolve_on_host): each path is also followed on disk,
# through every symbolic link, before the call runs (km.fs.realpath). A path that looks inside
# the workspace may lead out of it: `notes/x` where `notes` links to /etc, or a dangling link
# whose target a write would create. A file system km cannot read (the link loops, no
# permission) fails the evaluation, and the call is refused.
_on_host if _cfg.resolve_on_host == true

# Where the workspace root leads (it may itself be reached through a link, as /tmp is on some
# systems): where paths lead is compared with this.
_real_root := _segments(km.fs.realpath(_root_text)) if _on_host

_real_root := _root if not _on_host

# [argument, value, where it leads] for each plain path inside the workspace that a link leads
# somewhere else.
# Where each plain path inside the workspace leads on disk, looked up once per path.
_real_path[p] := km.fs.realpath(_shown(p)) if {
	_on_host
	some [_, p] in _paths
	_plain(p)
	_inside(p)
}

_leads contains [key, p, real] if {
	some [key, p] in _paths
	real := _real_path[p]
	_segments(real) != _abs(p)
}

_real_inside(real) if {
	s := _segments(real)
	count(s) >= count(_real_root)
	array.slice(s, 0, count(_real_root)) == _real_root
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: {key} {p} leads to {real} through a symbolic link, outside the workspace {_root_text}"} if {
	some [key, p, real] in _leads
	not _real_inside(real)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: {key} {p} leads to {real} through a symbolic link, into a credentials directory ({seg})"} if {
	some [key, p, real] in _leads
	seg := _in_secret_dir(real)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: {key} {p} leads to {real} through a symbolic link, a key or credentials file"} if {
	some [key, p, real] in _leads
	[key, p] in _content_paths
	_secret_deny(real)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: {key} {p} leads to {real} through a symbolic link, a shell profile"} if {
	some [key, p, real] in _leads
	[key, p] in _content_paths
	_tool == "fs_write"
	_shell_profile(real)
}

# A file with more than one hard link is the same file under another name, perhaps outside the
# workspace (`ln ~/project2/deploy.sh x`), which no path check can see: it is not written.
deny contains {"rule": "fs-hardlink", "reason": $"{_tool}: {key} {p} is a file with {info.links} hard links: writing it changes the same file under its other names, which may be outside the workspace"} if {
	_tool == "fs_write"
	some [key, p] in _content_paths
	info := km.fs.lstat(_real_path[p])
	info.type == "file"
	info.links > 1
}

# The answer: the server says where the path led (resolved_path, symlinks followed). A path that
# looked fine may lead out of the workspace through a symlink inside it; its answer is blocked.
_resolved := input.message.result.structuredContent.resolved_path if {
	_response
	_tool in {"fs_read", "fs_write", "fs_list"}
	is_string(input.message.result.structuredContent.resolved_path)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: the path resolved to {_resolved}, outside the workspace {_root_text} (a symlink leads out)"} if {
	not _real_inside(_resolved)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: the path resolved to {_resolved}, in a credentials directory ({seg})"} if {
	seg := _in_secret_dir(_resolved)
}

deny contains {"rule": "fs-symlink-escape", "reason": $"{_tool}: the path resolved to {_resolved}, a key or credentials file"} if {
	_tool != "fs_list"
	_secret_deny(_resolved)
}

# ---------------------------------------------------------------------------------------------
# Terminal
# ---------------------------------------------------------------------------------------------

_cmd := _args.command if {
	_call
	_tool == "terminal_exec"
	is_string(_args.command)
}

deny contains {"rule": "cmd-invalid", "reason": "terminal_exec: command is not a string"} if {
	_call
	_tool == "terminal_exec"
	not is_string(_args.command)
}

# A reason stays readable even for a long script.
_short(text) := text if count(text) <= 160

_short(text) := concat("", [substring(text, 0, 160), "..."]) if count(text) > 160

# id -> what it is, and RE2 patterns (any one matches). `(^|[^\w-])` before a command name is the
# start of the text or a separator, so that "/bin/rm" and "sudo rm" match and "farm" does not.
_command_forms := {
	"cmd-pipe-to-shell": {
		"what": "downloads a script and runs it",
		"patterns": [
			`(^|[^\w-])(curl|wget|fetch)\s[^;&]*\|\s*(sudo\s+)?(env\s+\S+\s+)?(ba|da|k|z|fi)?sh(\s|$|;)`,
			`(^|[^\w-])(curl|wget)\s[^;&]*\|\s*(sudo\s+)?(python[0-9.]*|perl|ruby|node|php)(\s|$|;)`,
			concat("", [`(^|[^\w-])(ba|da|k|z)?sh\s+(-c\s+)?["']?(\$\(|<\(|`, "`", `)\s*(curl|wget)\s`]),
		],
	},
	"cmd-reverse-shell": {
		"what": "opens a reverse shell",
		"patterns": [
			`/dev/(tcp|udp)/`,
			`(^|[^\w-])(nc|ncat|netcat)\s([^;&|]*\s)?-[a-zA-Z]*[ec](\s|$)`,
			`(^|[^\w-])socat\s[^;&|]*(exec|system):`,
			`(^|[^\w-])mkfifo\s.*(nc|ncat|netcat|telnet)\s`,
			`(?i)(^|[^\w-])(python[0-9.]*|perl|ruby|php)\s+-[a-z]*[ecr]\s.*socket.*(subprocess|exec|pty|/bin/(ba)?sh|spawn|dup2)`,
		],
	},
	"cmd-shell-profile": {
		"what": "edits a shell profile (runs in every new shell)",
		"patterns": [`(>>?|\btee\b[^;&|]*|\bsed\s+(-[a-zA-Z]*\s+)*-i[^;&|]*|\b(cp|mv|ln|install)\s[^;&|]*)\s*["']?(\S*/)?(\.bashrc|\.bash_profile|\.bash_login|\.profile|\.zshrc|\.zshenv|\.zprofile|\.zlogin|config\.fish|/etc/profile|/etc/bash\.bashrc)(["'\s;&|]|$)`],
	},
	"cmd-ssh": {
		"what": "reaches SSH keys or configuration",
		"patterns": [
			`(^|[\s"'=:~/}])\.ssh(/|["'\s;&|]|$)`,
			`(^|[^\w-])id_(rsa|dsa|ecdsa|ed25519)(\.pub)?(["'\s;&|]|$)`,
		],
	},
	"cmd-cloud-credentials": {
		"what": "reads cloud or registry credentials",
		"patterns": [
			`\.aws/(credentials|config)`,
			`\.kube/config`,
			`\.docker/config\.json`,
			`\.config/gcloud/`,
			`(^|[^\w-])aws\s+configure\s+(get|export-credentials)`,
		],
	},
}

# Commands are matched without case: on a case-insensitive file system `RM`, `CURL` and
# `~/.BASHRC` find the same programs and files.
deny contains {"rule": id, "reason": $"terminal_exec: {form.what}: {_short(_cmd)}"} if {
	some id, form in _command_forms
	some pattern in form.patterns
	regex.match(concat("", ["(?i)", pattern]), _cmd)
}

# A key or credentials file named in a command (cat ~/.netrc, cp ~/.git-credentials ., a hard
# link to one, openssl on a .pem): the words of the command, split at blanks, quotes and shell
# punctuation, whose file name is in data.devenv.secret_files.deny.
deny contains {"rule": "cmd-secret-file", "reason": $"terminal_exec: names a key or credentials file ({name}): {_short(_cmd)}"} if {
	some [word] in regex.find_all_string_submatch_n(`[^\s;&|<>()'"=,]+`, _cmd, -1)
	parts := split(word, "/")
	name := parts[count(parts) - 1]
	name != ""
	_name_glob(_cfg.secret_files.deny, name)
}

# rm -r aimed at /, the home directory or a top-level system directory. Cleaning the workspace
# (rm -rf node_modules, rm -rf /home/project/dist) is allowed.
_rm_recursive := `(?i)(^|[^\w-])rm\s([^;&|]*\s)?(-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)(\s|$)`

_rm_target := `(?i)(^|[^\w-])rm\s[^;&|]*\s["']?(/\*?|~/?\*?|\$\{?HOME\}?/?\*?|/(bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|sys|usr|var)/?\*?)["']?(\s|$|[;&|])`

deny contains {"rule": "cmd-rm-root", "reason": $"terminal_exec: deletes /, the home directory or a system directory: {_short(_cmd)}"} if {
	regex.match(_rm_recursive, _cmd)
	regex.match(_rm_target, _cmd)
}

deny contains {"rule": "cmd-rm-root", "reason": $"terminal_exec: rm --no-preserve-root: {_short(_cmd)}"} if {
	regex.match(`(?i)(^|[^\w-])rm\s[^;&|]*--no-preserve-root`, _cmd)
}

# ln -s TARGET: a link to a place outside the workspace, made now and followed later by fs_read.
deny contains {"rule": "cmd-symlink-escape", "reason": $"terminal_exec: links to {target}, outside the workspace {_root_text}: {_short(_cmd)}"} if {
	some m in regex.find_all_string_submatch_n(`(?i)(?:^|[^\w-])ln\s+((?:-[a-zA-Z-]+\s+)*)["']?([^\s"';&|]+)`, _cmd, -1)
	regex.match(`(^|\s)(-[a-zA-Z]*s[a-zA-Z]*|--symbolic)(\s|$)`, m[1])
	target := m[2]
	_link_escapes(target)
}

_link_escapes(target) if startswith(target, "~")

_link_escapes(target) if startswith(target, "$")

_link_escapes(target) if ".." in split(target, "/")

_link_escapes(target) if {
	startswith(target, "/")
	not _inside(target)
}

# Too many commands too fast: a loop, or a model steered to hammer the machine. Counts are of
# forwarded calls before this one, so the (limit+1)th call in a minute is denied.
deny contains {"rule": "terminal-rate-limit", "reason": $"terminal_exec: limit of {limit} commands a minute reached"} if {
	_call
	_tool == "terminal_exec"
	limit := _cfg.terminal_exec_per_minute
	object.get(input.stats, ["tools", "terminal_exec", "last_minute"], 0) >= limit
}

labels contains "dangerous-command" if {
	some r in deny
	startswith(r.rule, "cmd-")
}

labels contains "rate-limited" if {
	some r in deny
	r.rule == "terminal-rate-limit"
}

# ---------------------------------------------------------------------------------------------
# Git
# ---------------------------------------------------------------------------------------------

# Pushes this call makes, as {"remote", "branch" ("" when not named), "force", "how"}.
_pushes contains {
	"remote": object.get(_args, "remote", "origin"),
	"branch": object.get(_args, "branch", ""),
	"force": _force_arg,
	"how": "git_push",
} if {
	_call
	_tool == "git_push"
}

# git_push's force: anything but false or absent counts (a lenient server may read 1 or "yes"
# as true).
default _force_arg := true

_force_arg := false if object.get(_args, "force", false) in {false, null}

# `git push [flags] [remote [refspec...]]` in a terminal command.
_pushes contains push if {
	some m in regex.find_all_string_submatch_n(`(?i)(?:^|[^\w-])git\s+(?:[^;&|]*\s)?push((?:[ \t]+[^\s;&|]+)*)`, _cmd, -1)
	words := [w | some w in split(replace(m[1], "\t", " "), " "); w != ""]
	flags := [w | some w in words; startswith(w, "-")]
	positional := [w | some w in words; not startswith(w, "-")]
	# Forcing, and what also overwrites or deletes remote branches: --mirror, --delete (-d),
	# --prune.
	force := count([f | some f in flags; regex.match(`^(--force(-with-lease|-if-includes)?(=.*)?|--mirror|--delete|--prune|-[a-zA-Z]*[fd][a-zA-Z]*)$`, f)]) > 0
	some push in _terminal_pushes(positional, force)
}

_terminal_pushes(positional, force) := [{"remote": _first(positional), "branch": "", "force": force, "how": "terminal"}] if {
	count(positional) <= 1
}

_terminal_pushes(positional, force) := [_refspec_push(positional[0], ref, force) | some ref in array.slice(positional, 1, count(positional))] if {
	count(positional) > 1
}

_first(list) := list[0] if count(list) > 0

_first(list) := "origin" if count(list) == 0

# "+src:dst" forces, ":dst" deletes; the branch pushed to is dst (or src), without refs/heads/.
_refspec_push(remote, ref, force) := {
	"remote": remote,
	"branch": trim_prefix(_dst(trim_prefix(ref, "+")), "refs/heads/"),
	"force": _forced(force, ref),
	"how": "terminal",
}

_forced(force, _) if force

_forced(_, ref) if startswith(ref, "+")

# ":branch" pushes nothing to it: it deletes it.
_forced(_, ref) if startswith(ref, ":")

default _forced(_, _) := false

_dst(ref) := parts[count(parts) - 1] if parts := split(ref, ":")

_branch_text(push) := push.branch if push.branch != ""

_branch_text(push) := "(current branch)" if push.branch == ""

_protected(push) if _glob(_cfg.protected_branches, push.branch)

ask contains {"rule": "git-push", "reason": $"{_tool}: push to {push.remote} {_branch_text(push)} publishes commits"} if {
	some push in _pushes
	not push.force
}

ask contains {"rule": "git-push", "reason": $"{_tool}: force-push to {push.remote} {push.branch} overwrites the remote branch"} if {
	some push in _pushes
	push.force
	push.branch != ""
	not _protected(push)
}

ask contains {"rule": "git-push-protected", "reason": $"{_tool}: {push.branch} is a protected branch"} if {
	some push in _pushes
	not push.force
	_protected(push)
}

deny contains {"rule": "git-force-push-protected", "reason": $"{_tool}: force-push to {push.remote} {_branch_text(push)} is not allowed (protected, or the branch is not named)"} if {
	some push in _pushes
	push.force
	_force_forbidden(push)
}

_force_forbidden(push) if _protected(push)

_force_forbidden(push) if push.branch == ""

labels contains "git-push" if count(_pushes) > 0

labels contains "protected-branch" if {
	some push in _pushes
	_protected(push)
}

# git_clone: only URLs with an allowed prefix. Others include ext:: (runs a command), file://
# and local paths (copies from the machine), and "-..." (read as an option by git).
deny contains {"rule": "git-clone-url", "reason": $"git_clone: {url} is not an allowed repository URL (allowed: {concat(", ", _cfg.clone_url_prefixes)})"} if {
	_call
	_tool == "git_clone"
	url := _args.url
	is_string(url)
	not _clone_allowed(url)
}

_clone_allowed(url) if {
	some prefix in _cfg.clone_url_prefixes
	startswith(url, prefix)
	not regex.match(`[\s\x00-\x1f]`, url)
}

# ---------------------------------------------------------------------------------------------
# Results: credentials never reach the model
# ---------------------------------------------------------------------------------------------

# The patterns of policies/examples/redact-secrets (kind -> RE2).
_secret_patterns := {
	"aws-access-key-id": `\b(AKIA|ASIA)[0-9A-Z]{16}\b`,
	"aws-secret-access-key": `(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}`,
	"github-token": `\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b`,
	"slack-token": `\bxox[abposr]-[A-Za-z0-9-]{10,}`,
	"openai-anthropic-key": `\bsk-(proj-|ant-)?[A-Za-z0-9_-]{20,}`,
	"google-api-key": `\bAIza[0-9A-Za-z_-]{35}`,
	"bearer-token": `(?i)\bbearer\s+[A-Za-z0-9._~+/-]{16,}=*`,
	"jwt": `\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
	"private-key": `-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)`,
	"npm-token": `\bnpm_[A-Za-z0-9]{36}\b`,
	"password-assignment": `(?i)(password|passwd|secret|api_?key|token)\w*["']?\s*[:=]\s*["']?[^\s"',;]{6,}`,
	"url-credentials": `\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`,
}

_result_members := {"/result/content": "content", "/result/structuredContent": "structuredContent"}

_found contains [path, kind, pattern] if {
	_response
	some path, member in _result_members
	body := input.message.result[member]
	some kind, pattern in _secret_patterns
	_matches(body, pattern)
}

# An .env file read: every value goes, whatever it looks like ("PORT=[REDACTED]" keeps the name).
_dotenv_value := `=[^\n]+`

_found contains [path, "dotenv-value", _dotenv_value] if {
	_response
	_tool == "fs_read"
	_secret_redact(_resolved)
	some path, member in _result_members
	_matches(input.message.result[member], _dotenv_value)
}

_matches(body, pattern) if {
	walk(body, [_, value])
	is_string(value)
	regex.match(pattern, value)
}

redact contains {"path": path, "pattern": pattern} if some [path, _, pattern] in _found

labels contains $"secret:{kind}" if some [_, kind, _] in _found

# ---------------------------------------------------------------------------------------------
# Batches, risk
# ---------------------------------------------------------------------------------------------

deny contains {"rule": "devenv-batch", "reason": "a JSON-RPC batch of tool calls: send the calls one by one"} if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
}

_base_risk := {
	"fs_list": 10, "fs_read": 10, "git_commit": 30, "fs_write": 30, "git_clone": 30,
	"terminal_exec": 40, "git_push": 70,
}

risk contains _base_risk[_tool] if _call

risk contains 90 if count(deny) > 0

risk contains 70 if count(ask) > 0

risk contains 80 if count(_found) > 0

risk contains 60 if "secret-file" in labels
