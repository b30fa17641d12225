/** A row: a plain JSON object. */
export type Row = Record<string, unknown>;

/** Flattens an intersection so editors show `{ a: string; b: number }` rather than `A & B`. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The column where steps keep per-step metadata (`row._sluice[step]`): merged, not overwritten, where branches join. */
export const METADATA_KEY = '_sluice';
