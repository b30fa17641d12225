/**
 * The envelope a row travels in. Users never see it, except in failed rows and run metadata.
 * @module
 */
import type { Permit } from './permit.ts';
import type { Row } from './row.ts';
import type { RowInfo } from './row-info.ts';

/** Shared by every copy of a row that `broadcast`/`route` sent to branches, so that `join` knows when all are in. */
export interface FanGroup {
  /** Copies still expected at the join (decremented by arrivals and by copies dropped or failed on the way). */
  pending: number;
  /** Copies that reached the join, with the branch each came from. */
  readonly arrived: Envelope[];
  /** Set by the join when the first copy arrives; called when `pending` reaches zero. */
  settle?: (group: FanGroup) => void;
}

export interface Envelope<R = Row> {
  /** Stable across runs: `source:position` for source records; children append `.i`. */
  readonly id: string;
  row: R;
  /** Ids of the source records this row descends from (more than one after an aggregate). */
  readonly lineage: readonly string[];
  permit: Permit;
  /** Branch path (`a`, `a/b`); decides the leaf (named output) the row is written to. */
  branch: string;
  /** Open fan-outs, innermost last; `join` closes the innermost. */
  fans: readonly FanGroup[];
}

/** Makes a child envelope that shares (and retains) the parent's permit. */
export function childOf<R>(parent: Envelope<unknown>, row: R, suffix: string | number): Envelope<R> {
  parent.permit.retain();
  return {
    id: `${parent.id}.${suffix}`,
    row,
    lineage: parent.lineage,
    permit: parent.permit,
    branch: parent.branch,
    fans: parent.fans,
  };
}

/** The leaf name a row is written to: its branch path, or `default`. */
export function leafOf(envelope: Envelope<unknown>): string {
  return envelope.branch === '' ? 'default' : envelope.branch;
}

/** What a user's function gets besides the row: its id and a signal, never the envelope itself. */
export function infoOf(envelope: Envelope<unknown>, ctx: { readonly signal: AbortSignal; readonly runDir?: string | undefined }): RowInfo {
  const runDir = ctx.runDir;
  return runDir === undefined ? { id: envelope.id, signal: ctx.signal } : { id: envelope.id, signal: ctx.signal, runDir };
}
