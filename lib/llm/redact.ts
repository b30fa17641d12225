/**
 * Keeps API keys out of error messages, logs and events.
 *
 * Servers and proxies sometimes echo request headers into error bodies, and the SDK puts
 * error bodies into its messages, so any text that came back from the network is scrubbed
 * before Sluice stores or prints it.
 * @module
 */

const REDACTED = '[REDACTED]';
// `Authorization: Bearer <token>`, as echoed by servers, in any letter case.
const BEARER = /\b(bearer)\s+(?!\[REDACTED\])[^\s"',;}\]]+/gi;
// OpenAI-style secret keys (sk-…, sk-proj-…), in case a key other than ours shows up.
const OPENAI_KEY = /\bsk-[A-Za-z0-9_-]{16,}/g;
// Secrets shorter than this are not searched for: redacting every "x" helps nobody.
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces each secret, any `Bearer …` credential and anything shaped like an OpenAI key
 * with `[REDACTED]`.
 *
 * @param text - text that may contain a secret.
 * @param secrets - literal secrets to remove (undefined and short entries are ignored).
 * @example
 * ```ts
 * redact('401: bad key sk-abc123 (Authorization: Bearer sk-abc123)', ['sk-abc123']);
 * // '401: bad key [REDACTED] (Authorization: Bearer [REDACTED])'
 * ```
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out.replace(BEARER, `$1 ${REDACTED}`).replace(OPENAI_KEY, REDACTED);
}

/**
 * A copy of an error that is safe to keep, log or serialise: its name, scrubbed message,
 * a few primitive fields (`code`, `status`, `type`, `errno`, `syscall`) and a scrubbed
 * copy of its `cause` chain. Response bodies, headers and stacks are left behind.
 *
 * @example
 * ```ts
 * throw new LlmHttpError(message, { llm: 'judge', cause: scrubError(sdkError, [apiKey]) });
 * ```
 */
export function scrubError(error: unknown, secrets: readonly (string | undefined)[] = [], depth = 0): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error), secrets));
  const copy = new Error(redact(error.message, secrets));
  copy.name = error.name;
  // The stack holds the message too, and the frames are ours, not the caller's: drop it.
  copy.stack = `${copy.name}: ${copy.message}`;
  const source = error as unknown as Record<string, unknown>;
  for (const field of ['code', 'status', 'type', 'errno', 'syscall']) {
    const value = source[field];
    if (typeof value === 'number') Object.assign(copy, { [field]: value });
    else if (typeof value === 'string') Object.assign(copy, { [field]: redact(value, secrets) });
  }
  // Causes can loop; five levels is more than any real chain here.
  if (error.cause !== undefined && depth < 5) copy.cause = scrubError(error.cause, secrets, depth + 1);
  return copy;
}

/**
 * `value` (a parsed answer) with every literal occurrence of a secret in its strings replaced by
 * `[REDACTED]`; `value` itself when there is none, so the common case copies nothing. Only the
 * secrets themselves: an answer that talks about `sk-…` keys in general is left as it is.
 *
 * @example
 * ```ts
 * redactAnswer({ choices: [{ message: { content: 'your key is sk-abc123' } }] }, ['sk-abc123']);
 * // { choices: [{ message: { content: 'your key is [REDACTED]' } }] }
 * ```
 */
export function redactAnswer<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const live = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH);
  if (live.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!live.some((secret) => node.includes(secret))) return node;
      let text = node;
      for (const secret of live) text = text.split(secret).join(REDACTED);
      return text;
    }
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      node.forEach((item, i) => {
        const next = walk(item);
        if (next !== item) (copy ??= [...node])[i] = next;
      });
      return copy ?? node;
    }
    if (node !== null && typeof node === 'object') {
      let copy: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(node)) {
        const next = walk(item);
        if (next !== item) (copy ??= { ...(node as Record<string, unknown>) })[key] = next;
      }
      return copy ?? node;
    }
    return node;
  };
  return walk(value) as T;
}
