import { equal } from "node:assert/strict";
import { ageProblem, parseAge, parseSince } from "./age.ts";

Deno.test("parseAge: a whole number and one unit", () => {
  equal(parseAge("30s"), 30_000);
  equal(parseAge("15m"), 900_000);
  equal(parseAge("1h"), 3_600_000);
  equal(parseAge("7d"), 604_800_000);
  equal(parseAge("2w"), 1_209_600_000);
  for (const bad of ["", "7", "0d", "1.5h", "7 d", "7D", "30 days", "-1d", "1y", "d7"]) {
    equal(parseAge(bad), undefined, bad);
  }
});

Deno.test("ageProblem says what was expected, and suggests for a spelled-out unit", () => {
  equal(ageProblem("7d"), undefined);
  equal(
    ageProblem("30 days"),
    'expected an age: a whole number and s, m, h, d or w (e.g. "30s", "15m", "1h", "7d"), ' +
      'got "30 days" (did you mean "30d"?)',
  );
  equal(ageProblem("2 Hours")?.endsWith('(did you mean "2h"?)'), true);
  equal(ageProblem("7D")?.endsWith('(did you mean "7d"?)'), true);
  equal(ageProblem("soon")?.endsWith('got "soon"'), true);
});

Deno.test("parseSince: an age back from now, or an ISO date", () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  equal(parseSince("1h", now), now - 3_600_000);
  equal(parseSince("2026-11-20", now), Date.UTC(2026, 10, 20));
  equal(parseSince("2026-11-20T08:30:00Z", now), Date.UTC(2026, 10, 20, 8, 30));
  equal(parseSince("2026-11-20T08:30:00.250+02:00", now), Date.UTC(2026, 10, 20, 6, 30, 0, 250));
  equal(parseSince("2026-11-20T08:30", now), new Date(2026, 10, 20, 8, 30).getTime());
  for (const bad of ["yesterday", "20261120", "2026-13-45", "1", "2026-11-20T8:30"]) {
    equal(parseSince(bad, now), undefined, bad);
  }
});
