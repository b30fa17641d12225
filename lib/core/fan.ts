/**
 * Fan groups tie the copies of a row that went to several branches to the `join` that merges them.
 * @module
 */
import type { Envelope, FanGroup } from './envelope.ts';

/** Opens a fan group expecting `copies` copies. */
export function openFan(copies: number): FanGroup {
  return { pending: copies, arrived: [] };
}

/**
 * Tells the innermost open fan that one copy will never arrive (dropped or failed on its branch).
 * If that was the last copy and none arrived, the loss travels to the next outer fan.
 */
export function loseCopy(fans: readonly FanGroup[]): void {
  for (let depth = fans.length - 1; depth >= 0; depth--) {
    const fan = fans[depth]!;
    fan.pending--;
    if (fan.pending > 0) return;
    if (fan.arrived.length > 0) {
      fan.settle?.(fan);
      return;
    }
  }
}

/** Envelopes in a fan carry the fans stack; this returns the stack with the innermost closed. */
export function outerFans(envelope: Envelope<unknown>): readonly FanGroup[] {
  return envelope.fans.slice(0, -1);
}
