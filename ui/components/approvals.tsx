/**
 * The approvals view: one card per message km holds for a person's answer, oldest first, with
 * its arguments, the policy's reasons, a countdown and the three answers; below, the approvals
 * that ended recently and how. Everything here comes from the live list (`live.approvals`).
 */
import type { ApprovalAnswer, MaskedSecret, PendingApproval } from "../../src/approval/types.ts";
import {
  type AnswerState,
  answerText,
  type EndedApproval,
  RECENT_CAP,
} from "../approvals_state.ts";
import { directionLabel, formatClock, formatDuration, relativeTime, shortId } from "../format.ts";
import type { Live } from "../live.ts";
import { activityRoute, callRoute, formatRoute } from "../router.ts";
import { Chips, DirectionArrow, OutcomeBadge, RiskBadge } from "./badges.tsx";
import { Countdown } from "./countdown.tsx";
import { JsonTree } from "./json_tree.tsx";
import { ApiErrorBox, EmptyState, Loading } from "./notice.tsx";
import { visibleText } from "../../src/visible_text.ts";

/** The three answers, in the order shown: answer, test id, style. */
const ANSWER_BUTTONS: readonly (readonly [ApprovalAnswer, string, string])[] = [
  ["approve", "approve-once", "btn-approve"],
  ["approve_session", "approve-session", "btn-approve-session"],
  ["deny", "approval-deny", "btn-deny"],
];

const ANSWER_TITLES: Record<ApprovalAnswer, string> = {
  approve: "Forward this message once",
  approve_session: "Forward this message, and from now on the same tool with the same arguments " +
    "for the rest of this session without asking",
  deny: "Refuse this message: km answers the client with an error",
};

export function Approvals({ live, now }: { live: Live; now: number }) {
  const { approvals } = live;
  const { pending, recent } = approvals;
  return (
    <section class="view approvals" aria-label="Approvals" data-testid="approvals-view">
      {approvals.error !== undefined && (
        <ApiErrorBox error={approvals.error} onRetry={live.reloadApprovals} />
      )}
      {!approvals.loaded && approvals.error === undefined && <Loading what="approvals" />}
      {approvals.loaded && (
        <>
          <div class="toolbar">
            <span class="toolbar-text">
              {pending.length === 0
                ? "Nothing waiting"
                : `${pending.length} waiting for an answer · oldest first`}
            </span>
            {live.status !== "open" && (
              <span class="toolbar-note">
                The live stream is down: this list may be out of date until it reconnects.
              </span>
            )}
          </div>
          {pending.length === 0
            ? (
              <div data-testid="approvals-empty">
                <EmptyState title="No approvals pending">
                  <p>
                    When a policy answers <code>ask</code>, <code>km monitor</code>{" "}
                    holds the message and it appears here until someone approves or denies it, or
                    its time runs out. The count beside <em>Approvals</em>{" "}
                    in the header shows how many are waiting, on every page.
                  </p>
                </EmptyState>
              </div>
            )
            : (
              <div class="approval-list">
                {pending.map((a) => (
                  <ApprovalCard
                    key={a.id}
                    approval={a}
                    answer={approvals.answers[a.id]}
                    onAnswer={live.answer}
                  />
                ))}
              </div>
            )}
        </>
      )}
      {recent.length > 0 && <Recent recent={recent} now={now} />}
    </section>
  );
}

function ApprovalCard(
  { approval: a, answer, onAnswer }: {
    approval: PendingApproval;
    answer?: AnswerState;
    onAnswer(id: string, answer: ApprovalAnswer): void;
  },
) {
  const busy = answer?.status === "sending" || answer?.status === "sent" ||
    (answer?.status === "failed" && answer.gone === true);
  const heldHref = formatRoute(callRoute(a.session, a.requestSeq));
  const sessionHref = formatRoute(activityRoute({ session: a.session }));
  const direction = directionLabel(a.direction);
  return (
    <article
      class={`panel approval-card${busy ? " approval-card-answered" : ""}`}
      data-testid="approval-card"
      data-approval-id={a.id}
      data-answer={answer?.answer}
      data-answer-status={answer?.status}
      aria-label={`Approval for ${a.tool ?? a.method}`}
    >
      <header class="approval-head">
        <DirectionArrow direction={a.direction} />
        <span class="mono muted" title={direction.text}>{a.method}</span>
        <span class="mono approval-tool" data-testid="approval-tool">{a.tool ?? a.method}</span>
        <RiskBadge risk={a.risk} labels={a.labels} />
        {a.labels.length > 0 && <Chips items={a.labels} />}
        <span class="spacer" />
        <span class="faint small">time left</span>
        <Countdown deadline={a.expiresAt} testid="approval-countdown" label="Time to answer" />
      </header>
      <dl class="approval-facts">
        <div>
          <dt>Server</dt>
          <dd>{a.server}</dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            <a class="mono" href={sessionHref} title={`Show session ${a.session} in the feed`}>
              {shortId(a.session)}
            </a>
          </dd>
        </div>
        <div>
          <dt>Direction</dt>
          <dd>{direction.text}</dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>{formatClock(a.requestedAt)}</dd>
        </div>
        <div>
          <dt>Arguments hash</dt>
          <dd class="mono" title={`sha256 ${a.argsHash}`}>{a.argsHash.slice(0, 12)}</dd>
        </div>
        <div>
          <dt>Held message</dt>
          <dd>
            <a href={heldHref} data-testid="approval-record-link">
              #{a.requestSeq} →
            </a>
          </dd>
        </div>
      </dl>
      <div class="approval-body">
        <div class="approval-why" data-testid="approval-reasons">
          <div class="approval-label">Why the policy asks</div>
          {a.reasons.length > 0
            ? (
              <ul class="reasons reasons-ask">
                {a.reasons.map((r, i) => <li key={i}>{visibleText(r)}</li>)}
              </ul>
            )
            : <span class="faint">No reason given.</span>}
          {a.rules.length > 0 && (
            <div class="approval-rules">
              <span class="faint small">rules</span> <Chips items={a.rules} mono />
            </div>
          )}
        </div>
        <div class="approval-args" data-testid="approval-args">
          <div class="approval-label">
            {a.tool !== undefined ? "Arguments" : "Params"}
            <span class="faint small">exactly as km will send them</span>
          </div>
          <MaskedNotice masked={a.masked ?? []} />
          {a.arguments === undefined ? <span class="faint">None.</span> : (
            // A person must see all of what they approve: nothing folded, cut or invisible.
            <JsonTree
              value={a.arguments}
              whole
              label={a.tool !== undefined ? "Arguments" : "Params"}
            />
          )}
        </div>
      </div>
      <footer class="approval-actions">
        {ANSWER_BUTTONS.map(([choice, testid, kind]) => (
          <AnswerButton
            key={choice}
            id={a.id}
            answer={choice}
            testid={testid}
            kind={kind}
            busy={busy}
            current={answer}
            onAnswer={onAnswer}
          />
        ))}
        <AnswerStatus answer={answer} />
      </footer>
    </article>
  );
}

/**
 * What km masked in the arguments shown: only whole secret tokens of known formats (which cannot
 * hold a command), each named with where it is, so the person knows what they do not see.
 */
function MaskedNotice({ masked }: { masked: readonly MaskedSecret[] }) {
  if (masked.length === 0) return null;
  return (
    <div class="approval-masked" role="note" data-testid="approval-masked">
      <strong>
        {masked.length === 1 ? "1 secret token is" : `${masked.length} secret tokens are`} masked
      </strong>{" "}
      below (shown as <code>[masked …]</code>); everything else is exactly what will be sent:
      <ul>
        {masked.map((m, i) => (
          <li key={i}>
            <span class="mono">{m.kind}</span> in <span class="mono">{m.path}</span>{" "}
            <span class="faint">({m.chars} characters)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function AnswerButton(
  { id, answer, testid, kind, busy, current, onAnswer }: {
    id: string;
    answer: ApprovalAnswer;
    testid: string;
    kind: string;
    busy: boolean;
    current?: AnswerState;
    onAnswer(id: string, answer: ApprovalAnswer): void;
  },
) {
  const chosen = current?.answer === answer && current.status !== "failed";
  return (
    <button
      type="button"
      class={`btn ${kind}${chosen ? " btn-chosen" : ""}`}
      title={ANSWER_TITLES[answer]}
      disabled={busy}
      aria-pressed={chosen}
      data-testid={testid}
      onClick={() => onAnswer(id, answer)}
    >
      {answerText(answer)}
    </button>
  );
}

function AnswerStatus({ answer }: { answer?: AnswerState }) {
  if (answer === undefined) return null;
  const text = answerText(answer.answer);
  if (answer.status === "sending") {
    return (
      <span class="answer-status muted" role="status" data-testid="approval-answer-status">
        Sending “{text}”…
      </span>
    );
  }
  if (answer.status === "sent") {
    return (
      <span class="answer-status answer-sent" role="status" data-testid="approval-answer-status">
        Sent “{text}”. Waiting for km to apply it…
      </span>
    );
  }
  return (
    <span
      class={`answer-status ${answer.gone ? "answer-gone" : "answer-failed"}`}
      role="alert"
      data-testid="approval-answer-status"
    >
      {answer.gone ? answer.message : `Could not send “${text}”: ${answer.message}`}
    </span>
  );
}

function Recent({ recent, now }: { recent: readonly EndedApproval[]; now: number }) {
  return (
    <section class="panel" aria-label="Recently ended approvals">
      <h3 class="panel-title">
        Recently ended <span class="panel-sub">newest first · the last {RECENT_CAP}</span>
      </h3>
      <ul class="events">
        {recent.map((e) => {
          const a = e.approval;
          return (
            <li
              key={e.done.id}
              class="event recent-approval"
              data-testid="approval-recent"
              data-approval-id={e.done.id}
              data-outcome={e.done.outcome}
            >
              <OutcomeBadge outcome={e.done.outcome} />
              {a
                ? (
                  <>
                    <span class="mono strong">{a.tool ?? a.method}</span>
                    <span class="muted">{a.server}</span>
                  </>
                )
                : <span class="mono muted">{e.done.id}</span>}
              <span class="muted">
                via <span class="mono">{e.done.channel}</span>
                {e.done.by && ` · ${e.done.by}`}
              </span>
              <span class="muted" title="From the request to the answer">
                after {formatDuration(e.done.latencyMs) || "—"}
              </span>
              {e.sent && <span class="faint small">you sent “{answerText(e.sent)}”</span>}
              <span class="spacer" />
              {a && (
                <a href={formatRoute(callRoute(a.session, a.requestSeq))}>
                  Held message #{a.requestSeq} →
                </a>
              )}
              <span class="faint small" title={formatClock(e.at)}>{relativeTime(e.at, now)}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
