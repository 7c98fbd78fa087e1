/// <reference types="node" />
// The generated PennyWise SDK against a live appfleet (started by tests/sdk/test_typescript.py):
// sign-up and sign-in, typed errors, an expired token refreshed once for parallel requests, a
// failed refresh signing out, a write retried after a lost answer applied once, a chat answer
// streamed over SSE, and a realtime event over the WebSocket.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  AppfleetError,
  MemoryTokenStore,
  createPennywiseClient,
  unwrap,
  type RealtimeMessage,
} from "../src/index.js";

const BASE = process.env.APPFLEET_BASE_URL ?? "http://127.0.0.1:8000";
const TTL_S = Number(process.env.APPFLEET_ACCESS_TTL_S ?? "5");
const PASSWORD = "correct horse battery";
const API = "/api/v1/pennywise";
let people = 0;

function client(send?: (request: Request) => Promise<Response>) {
  const tokens = new MemoryTokenStore();
  const calls: string[] = [];
  let signedOut = 0;
  const { api, runtime } = createPennywiseClient({
    baseUrl: BASE,
    tokens,
    backoffMs: 50,
    onSignedOut: () => {
      signedOut++;
    },
    fetch: (request) => {
      calls.push(`${request.method} ${new URL(request.url).pathname}`);
      return (send ?? fetch)(request);
    },
  });
  return { api, runtime, tokens, calls, signedOut: () => signedOut };
}

type Client = ReturnType<typeof client>;

async function signUp(c: Client): Promise<string> {
  const email = `sdk${process.pid}.${people++}@example.com`;
  const made = unwrap(
    await c.api.POST("/api/v1/pennywise/auth/register", {
      body: { email, password: PASSWORD, name: "Sam" },
    }),
  );
  await c.runtime.signedIn(made);
  return email;
}

async function expense(c: Client, amount: string): Promise<void> {
  const categories = unwrap(await c.api.GET("/api/v1/pennywise/categories"));
  const food = categories.find((category) => category.name === "Food & Dining");
  assert.ok(food, "the default Food & Dining category");
  unwrap(
    await c.api.POST("/api/v1/pennywise/transactions", {
      body: { amount, type: "expense", category_id: food.id, description: "Lunch" },
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("signs up, signs in and reads the profile; errors are typed", async () => {
  const first = client();
  const email = await signUp(first);
  const second = client();
  const pair = unwrap(
    await second.api.POST("/api/v1/pennywise/auth/login", { body: { email, password: PASSWORD } }),
  );
  await second.runtime.signedIn(pair);
  const me = unwrap(await second.api.GET("/api/v1/pennywise/users/me"));
  assert.equal(me.email, email);

  const wrong = await second.api.POST("/api/v1/pennywise/auth/login", {
    body: { email, password: "not the password at all" },
  });
  assert.throws(
    () => unwrap(wrong),
    (error: unknown) =>
      error instanceof AppfleetError && error.status === 401 && error.code.length > 0,
  );
});

test("an expired access token is refreshed once for parallel requests", async () => {
  const c = client();
  await signUp(c);
  const before = await c.tokens.load();
  await sleep((TTL_S + 1) * 1000);
  c.calls.length = 0;
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => c.api.GET("/api/v1/pennywise/users/me")),
  );
  assert.deepEqual(
    answers.map((a) => a.response.status),
    [200, 200, 200, 200, 200],
  );
  assert.equal(c.calls.filter((call) => call === `POST ${API}/auth/refresh`).length, 1);
  const after = await c.tokens.load();
  assert.ok(after && before && after.refreshToken !== before.refreshToken);
});

test("a refresh that fails signs out", async () => {
  const c = client();
  await signUp(c);
  const pair = await c.tokens.load();
  assert.ok(pair);
  await c.tokens.save({ accessToken: `${pair.accessToken}x`, refreshToken: "not-a-token" });
  const answer = await c.api.GET("/api/v1/pennywise/users/me");
  assert.equal(answer.response.status, 401);
  assert.equal(c.signedOut(), 1);
  assert.equal(await c.tokens.load(), null);
});

test("a write whose answer was lost is retried with its key and applied once", async () => {
  const keys: string[] = [];
  let dropped = false;
  const c = client(async (request) => {
    const creating = request.method === "POST" && request.url.endsWith("/transactions");
    if (creating) keys.push(request.headers.get("Idempotency-Key") ?? "");
    const response = await fetch(request);
    if (creating && !dropped) {
      dropped = true;
      await response.text();
      throw new TypeError("the connection dropped before the answer arrived");
    }
    return response;
  });
  await signUp(c);
  await expense(c, "12.50");
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], "the retry carries the same Idempotency-Key");
  const listed = unwrap(await c.api.GET("/api/v1/pennywise/transactions"));
  assert.equal(listed.items.length, 1);
});

test("a chat answer streams token by token", async () => {
  const c = client();
  await signUp(c);
  await expense(c, "20.00");
  const events: string[] = [];
  let reply = "";
  for await (const event of c.runtime.stream("/chat/messages", {
    content: "How much did I spend on food this month?",
  })) {
    events.push(event.event);
    if (event.event === "reply") reply = String((JSON.parse(event.data) as { content: string }).content);
  }
  assert.equal(events[0], "message");
  assert.ok(events.filter((e) => e === "token").length > 1, events.join(","));
  assert.equal(events.at(-1), "reply");
  assert.match(reply, /20/);
});

test("a realtime event arrives over the WebSocket", async () => {
  const c = client();
  await signUp(c);
  const messages: RealtimeMessage[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const connection = c.runtime.connect({
    path: "/chat/stream",
    onOpen: () => opened(),
    onMessage: (message) => messages.push(message),
  });
  try {
    await open;
    await expense(c, "7.25");
    for (let waited = 0; waited < 5000 && !messages.some((m) => m.type === "balance.updated"); ) {
      await sleep(50);
      waited += 50;
    }
    const moved = messages.find((m) => m.type === "balance.updated");
    assert.ok(moved, JSON.stringify(messages));
    assert.deepEqual(moved.data, { delta: "-7.25", currency: (moved.data as { currency: string }).currency });
  } finally {
    connection.close();
  }
});
