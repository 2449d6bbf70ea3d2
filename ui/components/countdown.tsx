/**
 * Time left until a deadline, `mm:ss`, ticking once a second on the second boundary; urgent
 * under 10 s, `expired` at zero. Only this element re-renders each second, not its card.
 */
import { useEffect, useState } from "preact/hooks";
import { countdownLevel, formatCountdown } from "../approvals_state.ts";
import { formatClock } from "../format.ts";

export function Countdown(
  { deadline, testid, label = "Time left" }: {
    /** Epoch milliseconds. */
    deadline: number;
    testid?: string;
    label?: string;
  },
) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return;
    // The shown value (rounded up to whole seconds) changes when the remainder crosses a second.
    const id = setTimeout(() => setNow(Date.now()), (remaining % 1000 || 1000) + 5);
    return () => clearTimeout(id);
  }, [deadline, now]);
  const remaining = deadline - now;
  const level = countdownLevel(remaining);
  return (
    <span
      class={`countdown countdown-${level}`}
      title={`${label}: expires at ${formatClock(deadline)}`}
      data-testid={testid}
      data-level={level}
      role="timer"
    >
      {formatCountdown(remaining)}
    </span>
  );
}
