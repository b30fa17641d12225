/**
 * The shape every simulator endpoint builds before the server decides how (or whether) to send it.
 * @module
 */

/** Per-request values the server hands to a reply builder. */
export interface ReplyContext {
  /** The response `id` (`chatcmpl-…`, `cmpl-…`). */
  readonly id: string;
  /** Unix seconds, for `created`. */
  readonly created: number;
  /** Dimensions of an embedding when the request names none. */
  readonly embeddingDimensions: number;
}

/** A built answer: the JSON body, the SSE events when streaming, and the token counts. */
export interface SimulatedReply {
  readonly model: string;
  /** The body of the JSON answer (also built when streaming, for its size and usage). */
  readonly body: Record<string, unknown>;
  /** When the request asked to stream: the `data:` payloads in order, without the final `[DONE]`. */
  readonly events?: readonly Record<string, unknown>[];
  readonly promptTokens: number;
  readonly completionTokens: number;
}
