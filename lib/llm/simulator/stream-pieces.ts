/**
 * Cuts an answer into the pieces the simulator streams.
 * @module
 */

/** Most pieces one streamed answer is cut into: enough to look like a stream, few enough to stay cheap. */
const MAX_PIECES = 32;

/**
 * Cuts `text` into pieces of at least 16 characters (about four tokens), at most 32 pieces, which
 * joined give `text` back. An empty text gives no pieces.
 *
 * @example
 * ```ts
 * streamPieces('a'.repeat(40)); // ['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa', 'aaaaaaaa']
 * ```
 */
export function streamPieces(text: string): string[] {
  const size = Math.max(16, Math.ceil(text.length / MAX_PIECES));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
