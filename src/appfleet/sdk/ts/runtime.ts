/**
 * The appfleet client runtime, shared by every generated app package (hand-written; the
 * generated part is schema.d.ts): tokens in the app's own secure storage, a refresh on 401
 * that parallel requests share, retries with exponential backoff for idempotent requests and
 * for writes (each logical write carries one Idempotency-Key, reused on every retry, so the
 * server applies it once), typed errors from the error envelope, a reader for streamed
 * (server-sent) answers, and a WebSocket that reconnects and resumes.
 */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Where tokens live: Expo SecureStore, the keychain, or memory (MemoryTokenStore). */
export interface TokenStore {
  load(): Promise<Tokens | null>;
  save(tokens: Tokens | null): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private tokens: Tokens | null = null;

  async load(): Promise<Tokens | null> {
    return this.tokens;
  }

  async save(tokens: Tokens | null): Promise<void> {
    this.tokens = tokens;
  }
}

/** The body of every error answer (`{"error": {...}}`). */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  request_id?: string | null;
  timestamp?: string;
}

export class AppfleetError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = "AppfleetError";
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
    this.requestId = body.request_id ?? null;
  }

  /** The error an answer carries (its envelope, or what the status says). */
  static async of(response: Response): Promise<AppfleetError> {
    return AppfleetError.fromBody(response.status, await response.json().catch(() => null));
  }

  static fromBody(status: number, body: unknown): AppfleetError {
    const envelope = body as { error?: ErrorBody } | null;
    if (envelope && typeof envelope.error?.code === "string") {
      return new AppfleetError(status, envelope.error);
    }
    return new AppfleetError(status, { code: "HTTP_ERROR", message: `HTTP ${status}` });
  }
}

/** What a generated call returns (openapi-fetch): the data, or the error and the answer. */
export interface CallResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a call, or its typed error thrown. */
export function unwrap<T>(result: CallResult<T>): T {
  if (result.error !== undefined || result.data === undefined) {
    throw AppfleetError.fromBody(result.response.status, result.error ?? null);
  }
  return result.data;
}

export interface RuntimeOptions {
  /** Where appfleet answers, e.g. "https://api.example.com". */
  baseUrl: string;
  /** The app's name: requests go to `/api/v1/{app}`. */
  app: string;
  tokens?: TokenStore;
  fetch?: (request: Request) => Promise<Response>;
  /** Further attempts after the first (network errors, 408/429/502/503/504). */
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called once the refresh token stopped working: show the sign-in screen. */
  onSignedOut?: () => void;
  WebSocket?: WebSocketLike;
}

export interface ServerEvent {
  event: string;
  data: string;
  id?: string;
}

export interface RealtimeMessage {
  type: string;
  seq?: number;
  data?: unknown;
}

export interface RealtimeOptions {
  /** The socket's path under the app, e.g. "/chat/stream" (default "/realtime/ws"). */
  path?: string;
  topic?: string;
  onMessage: (message: RealtimeMessage) => void;
  onOpen?: () => void;
  onClose?: (code: number, reason: string) => void;
}

export interface RealtimeConnection {
  close(): void;
}

export type WebSocketLike = new (url: string) => {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  close(code?: number, reason?: string): void;
};

const WRITES = new Set(["POST", "PATCH"]);
const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);
const UNAUTHORIZED_CLOSE = 4401;

export class Runtime {
  /** `{baseUrl}/api/v1/{app}`. */
  readonly apiBase: string;
  readonly tokens: TokenStore;
  private readonly send: (request: Request) => Promise<Response>;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly onSignedOut?: () => void;
  private readonly socketClass?: WebSocketLike;
  private refreshing: Promise<Tokens | null> | null = null;

  constructor(options: RuntimeOptions) {
    this.apiBase = `${options.baseUrl.replace(/\/+$/, "")}/api/v1/${options.app}`;
    this.tokens = options.tokens ?? new MemoryTokenStore();
    this.send = options.fetch ?? ((request: Request) => fetch(request));
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 300;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.onSignedOut = options.onSignedOut;
    this.socketClass = options.WebSocket;
  }

  /** Keep the pair a sign-in, sign-up or refresh answered. */
  async signedIn(pair: { access_token: string; refresh_token: string }): Promise<void> {
    await this.tokens.save({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
  }

  async signOut(): Promise<void> {
    await this.tokens.save(null);
  }

  /** The fetch generated clients call: auth, one refresh on 401, retries, idempotency keys. */
  readonly fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const template = new Request(input, init);
    if (WRITES.has(template.method) && !template.headers.has("Idempotency-Key")) {
      template.headers.set("Idempotency-Key", newKey());
    }
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const tokens = await this.tokens.load();
      const request = template.clone();
      if (tokens && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
      }
      let response: Response;
      try {
        response = await this.send(request);
      } catch (error) {
        if (attempt >= this.retries) throw error;
        await sleep(this.delay(attempt, null));
        continue;
      }
      if (response.status === 401 && tokens && !refreshed && !isAuthPath(template.url)) {
        refreshed = true;
        if ((await this.refresh(tokens)) === null) return response; // signed out: say why
        await response.body?.cancel();
        attempt--; // a retry with the new token is not a failed attempt
        continue;
      }
      if (RETRY_STATUSES.has(response.status) && attempt < this.retries) {
        const wait = this.delay(attempt, response.headers.get("Retry-After"));
        await response.body?.cancel();
        await sleep(wait);
        continue;
      }
      return response;
    }
  };

  /** A new pair for `stale`, shared by every request that found it expired meanwhile; null
   * when the refresh token no longer works (the tokens are dropped, `onSignedOut` called). */
  refresh(stale: Tokens): Promise<Tokens | null> {
    if (this.refreshing === null) {
      this.refreshing = this.exchange(stale).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async exchange(stale: Tokens): Promise<Tokens | null> {
    const current = await this.tokens.load();
    if (current === null) return null;
    if (current.accessToken !== stale.accessToken) return current; // refreshed meanwhile
    const response = await this.send(
      new Request(`${this.apiBase}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      }),
    );
    if (response.status === 401 || response.status === 400) {
      await this.tokens.save(null);
      this.onSignedOut?.();
      return null;
    }
    if (!response.ok) throw await AppfleetError.of(response);
    const pair = (await response.json()) as { access_token: string; refresh_token: string };
    const next = { accessToken: pair.access_token, refreshToken: pair.refresh_token };
    await this.tokens.save(next);
    return next;
  }

  /** POST `path` (under the app) asking for server-sent events: each event as it arrives. */
  async *stream(path: string, body: unknown): AsyncGenerator<ServerEvent> {
    const response = await this.fetch(`${this.apiBase}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await AppfleetError.of(response);
    yield* readEvents(response);
  }

  /** A socket on the caller's realtime channel that reconnects with backoff, refreshes the
   * token when the server closes with 4401, and resumes after the last event it received. */
  connect(options: RealtimeOptions): RealtimeConnection {
    const Socket = this.socketClass ?? (globalThis as { WebSocket?: WebSocketLike }).WebSocket;
    if (Socket === undefined) throw new Error("No WebSocket: pass one in RuntimeOptions");
    let since: number | undefined;
    let failures = 0;
    let closed = false;
    let socket: InstanceType<WebSocketLike> | null = null;
    const open = async (): Promise<void> => {
      const tokens = await this.tokens.load();
      if (closed) return;
      if (tokens === null) {
        options.onClose?.(UNAUTHORIZED_CLOSE, "signed_out");
        return;
      }
      const url = new URL(`${this.apiBase}${options.path ?? "/realtime/ws"}`);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("access_token", tokens.accessToken);
      if (since !== undefined) url.searchParams.set("since", String(since));
      if (options.topic) url.searchParams.set("topic", options.topic);
      socket = new Socket(url.toString());
      socket.binaryType = "arraybuffer"; // JSON may come as binary frames: decoded below
      socket.onopen = () => {
        failures = 0;
        options.onOpen?.();
      };
      socket.onmessage = (event) => {
        const text =
          event.data instanceof ArrayBuffer ? new TextDecoder().decode(event.data) : String(event.data);
        const message = JSON.parse(text) as RealtimeMessage;
        if (typeof message.seq === "number") since = message.seq;
        options.onMessage(message);
      };
      socket.onclose = (event) => {
        if (closed) return;
        options.onClose?.(event.code, event.reason);
        void (async () => {
          if (event.code === UNAUTHORIZED_CLOSE && (await this.refresh(tokens)) === null) return;
          await sleep(this.delay(failures++, null));
          await open();
        })();
      };
    };
    void open();
    return {
      close: () => {
        closed = true;
        socket?.close(1000, "closed by the app");
      },
    };
  }

  private delay(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, this.maxBackoffMs);
    const ceiling = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2); // jitter: retries do not arrive together
  }
}

/** The events of a `text/event-stream` answer. */
export async function* readEvents(response: Response): AsyncGenerator<ServerEvent> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n"), id };
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue; // a comment: the server's keep-alive
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  }
}

function isAuthPath(url: string): boolean {
  return /\/auth\/(login|register|refresh|token|anonymous|apple|google|mfa\/verify)$/.test(
    new URL(url).pathname,
  );
}

function newKey(): string {
  return globalThis.crypto.randomUUID();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
