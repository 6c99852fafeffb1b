// The employee's week as a TypeScript app would run it: a client generated
// by openapi-typescript from the server's own document, called through
// openapi-fetch, type-checked with `tsc --strict` and then run with node
// against a real server (tests/integration/test_typescript_client.py).
// The annotations below compile only while the document says what they
// say: option keys, states and reasons are closed sets; null is a type.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
type OptionKey = "A" | "B" | "C" | "D";

// Node's one global this program uses (no @types/node needed).
declare const process: { argv: string[] };
const base = process.argv[2];
let checked = 0;

function must<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  checked += 1;
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(`${result.response.url}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

function instant(value: string): Date {
  // Whole seconds in UTC with Z: what Swift's .iso8601 and Java's Instant.parse read.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) throw new Error(`not an instant: ${value}`);
  return new Date(value);
}

async function week(): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl: base, headers: { "Accept-Language": "en" } });
  const registered = must(
    await anonymous.POST("/api/v1/installations", { body: { platform: "ios", locale: "en" } }),
    201,
  );
  const me = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${registered.token}` } });
  const settings: Schemas["InstallationOut"] = must(await me.GET("/api/v1/installations/me"), 200);
  const locale: "nl" | "en" = settings.locale;
  if (locale !== "en") throw new Error("the locale did not stick");
  must(
    await me.PATCH("/api/v1/installations/me", { body: { notifications: { weekly: true, reminders: true } } }),
    200,
  );

  const current = must(await me.GET("/api/v1/dilemmas/current"), 200);
  const unanswered: OptionKey | null = current.my_answer;
  if (unanswered !== null) throw new Error("answered before answering");
  const option: OptionKey = current.options[1].key;
  const results = must(
    await me.PUT("/api/v1/dilemmas/{dilemma_id}/answer", {
      params: { path: { dilemma_id: current.id } },
      body: { option, mode: "alone", difficulty: 3, prediction: { A: 30, B: 40, C: 20, D: 10 } },
    }),
    200,
  );
  if (results.my_answer !== option) throw new Error("the answer did not stick");
  const guessed: { [key: string]: number } | null = results.prediction;
  if (guessed === null || guessed.B !== 40) throw new Error("the prediction did not stick");
  const everyone = results.scopes[0];
  const reason: "too_few_answers" | "week_open" | null = everyone.reason;
  const counts: Schemas["OptionCountOut"][] | null = everyone.options;
  // Mid-week the live figure of the days before counts nobody yet: too few to show.
  if (reason === null || counts !== null) throw new Error("counts of too few answers shown while the week is open");

  const archive = must(await me.GET("/api/v1/dilemmas", { params: { query: { answered: true } } }), 200);
  if (!archive.some((item) => item.id === current.id)) throw new Error("the archive misses the answer");
  const code = must(await me.GET("/api/v1/code"), 200);
  const section = code.chapters[0].sections[0];
  must(await me.GET("/api/v1/code/sections/{ref}", { params: { path: { ref: section.ref } } }), 200);
  must(await me.GET("/api/v1/organisation"), 200);
  must(await me.GET("/api/v1/categories"), 200);

  // A problem is typed too, and named by its cause.
  const refused = await me.GET("/api/v1/dilemmas/{dilemma_id}", { params: { path: { dilemma_id: 2147483647 } } });
  checked += 1;
  const problem: Schemas["Problem"] | undefined = refused.error;
  if (refused.response.status !== 404 || problem?.type !== "/problems/not-found") throw new Error("no 404 problem");
  if (refused.response.headers.get("Content-Language") !== "en") throw new Error("not in the installation's language");

  // A team and a meeting: states, roles and null as types; the ETag for polling.
  const team = must(
    await me.POST("/api/v1/teams", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { name: "Team TypeScript" },
    }),
    201,
  );
  const role: "lead" | "member" = team.role;
  const meeting = must(
    await me.POST("/api/v1/teams/{team_id}/sessions", {
      params: { path: { team_id: team.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { dilemma_id: current.id },
    }),
    201,
  );
  const state: "open" | "revealed" | "revoting" | "closed" = meeting.state;
  const consensus: Schemas["ConsensusOut"] | null = meeting.consensus;
  // @ts-expect-error a session's state is a closed set
  const paused: typeof meeting.state = "paused";
  if (role !== "lead" || state !== "open" || consensus !== null || paused === meeting.state) {
    throw new Error("an unexpected meeting");
  }
  if (instant(meeting.expires_at).getTime() <= Date.now() - 366 * 86400e3) throw new Error("expired already");
  const first = await me.GET("/api/v1/sessions/{session_id}", { params: { path: { session_id: meeting.id } } });
  const etag = first.response.headers.get("ETag");
  if (etag === null) throw new Error("no ETag");
  const again = await me.GET("/api/v1/sessions/{session_id}", {
    params: { path: { session_id: meeting.id }, header: { "If-None-Match": etag } },
  });
  checked += 2;
  if (again.response.status !== 304) throw new Error(`polling: ${again.response.status}`);
  // The outcome, read back as after a look-back push: the push names the meeting, never a text.
  must(
    await me.PUT("/api/v1/sessions/{session_id}/outcome", {
      params: { path: { session_id: meeting.id } },
      body: { agreements: ["We ask first."], look_back_on: null },
    }),
    200,
  );
  const push: Schemas["PushLookback"] = { type: "lookback", week: current.week, meeting_id: String(meeting.id) };
  const outcome = must(
    await me.GET("/api/v1/sessions/{session_id}/outcome", {
      params: { path: { session_id: Number(push.meeting_id) } },
    }),
    200,
  );
  const agreed: Schemas["ConsensusOut"] | null = outcome.consensus;
  const lookBack: string | null = outcome.look_back_on;
  if (outcome.agreements[0] !== "We ask first." || agreed !== null || lookBack !== null) {
    throw new Error("the outcome did not come back");
  }
  must(await me.POST("/api/v1/sessions/{session_id}/close", { params: { path: { session_id: meeting.id } } }), 200);

  // A field's message is in the installation's language too.
  const invalid = await me.PUT("/api/v1/dilemmas/{dilemma_id}/answer", {
    params: { path: { dilemma_id: current.id } },
    body: { option, mode: "alone", difficulty: 9 },
  });
  checked += 1;
  const messages: string[] | undefined = invalid.error?.errors?.difficulty;
  if (invalid.response.status !== 422 || messages?.[0] !== "Must be greater than or equal to 1 and less than or equal to 5.") {
    throw new Error(`the field's message is not in English: ${JSON.stringify(invalid.error)}`);
  }

  const erased = await me.DELETE("/api/v1/installations/me");
  const gone = await me.GET("/api/v1/installations/me");
  checked += 2;
  if (erased.response.status !== 204 || gone.error?.type !== "/problems/token-unknown") {
    throw new Error("erasure did not end the token");
  }
  console.log(JSON.stringify({ ok: true, responses: checked }));
}

await week();
