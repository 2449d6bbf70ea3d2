# redact-secrets: credentials in tool results never reach the model.
#
# Intent: tools read files, environments, logs and HTTP responses, and those often contain
# credentials (a .env file, `printenv`, a CI log, a kubeconfig). Once a secret is in the model's
# context it can end up anywhere: in a later tool call, in a commit, in the chat. This policy
# rewrites results (server to client) so that every match of a credential pattern becomes
# "[REDACTED]" before the client sees it.
#
# What is inspected: the result of a tools/call response (`/result/content`, and
# `/result/structuredContent` for tools with an output schema), and the contents of a
# resources/read response (`/result/contents`). km applies a `redact` entry to every string at or
# under its path, replacing the matches of its pattern.
#
# A redaction is only emitted when its pattern matches one of the strings under its path, so a
# clean result is forwarded untouched and recorded as "allow"; a redacted one is recorded as
# "transform" with labels naming the kinds of secret found ("secret:aws-access-key-id"...).
#
# Patterns are RE2 (as OPA's regex.match runs them) and must also be valid JavaScript (km
# applies redactions with JavaScript regular expressions, `u` flag, translating only a leading
# `(?i)`). Avoid look-arounds, `\Z`, possessive quantifiers, and flags anywhere but at the start.
#
# Limits:
# - Pattern matching finds well-formed, known credential formats. A password in free text
#   ("the password is hunter2") is not recognised; a generic rule catches the common
#   key=value and "key": "value" forms (DB_PASSWORD=..., "api_key": "...", SECRET_KEY_BASE=...),
#   and redacts the key's name along with the value.
# - Error responses cannot be transformed (km does not let policies change `error`), and request
#   arguments are not inspected: this policy protects the model from results, not servers from
#   clients.
# - This policy reads input.message, so km gives it every message whole, however large. Inputs
#   made elsewhere from km's audit skeleton (strings cut, marked "… more bytes not inspected by
#   km]") are labelled "secrets-not-fully-inspected" (with risk 60) so that they stand out.
package kilometers

import rego.v1

# Credential formats: kind -> RE2 pattern.
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

# Where results are, per method: the JSON Pointer km redacts under, and the matching member of
# the result (the policy looks for matches there before asking km to redact).
_scanned := {
	"tools/call": {"/result/content": "content", "/result/structuredContent": "structuredContent"},
	"resources/read": {"/result/contents": "contents"},
}

# [path, kind, pattern] for every pattern that matches a string under path.
_found contains [path, kind, pattern] if {
	input.kind == "response"
	some path, member in _scanned[input.method]
	body := input.message.result[member]
	some kind, pattern in _secret_patterns
	_matches(body, pattern)
}

_matches(body, pattern) if {
	walk(body, [_, value])
	is_string(value)
	regex.match(pattern, value)
}

redact contains {"path": path, "pattern": pattern} if some [path, _, pattern] in _found

labels contains $"secret:{kind}" if some [_, kind, _] in _found

risk contains 70 if count(_found) > 0

# km's marker for a string cut in an audit skeleton (see "Limits" above); never in km's own input.
labels contains "secrets-not-fully-inspected" if _elided

risk contains 60 if _elided

_elided if {
	input.kind == "response"
	some _, member in _scanned[input.method]
	walk(input.message.result[member], [_, value])
	is_string(value)
	contains(value, " more bytes not inspected by km]")
}
