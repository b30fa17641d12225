/**
 * The CPU-bound work of the thread benchmark: FNV-1a over the row's text, repeated `ROUNDS`
 * times (about 2 ms on the 2-core machine the README's figures come from).
 */
export const ROUNDS = Number(process.env.SLUICE_BENCH_CPU_ROUNDS ?? 2200);

export function burn(row: { n: number }): { n: number; hash: number } {
  const text = `row ${row.n} `.repeat(20);
  let hash = 0x811c9dc5;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return { ...row, hash: hash >>> 0 };
}

/** The same work, a batch of rows at a time. */
export function burnRows(rows: { n: number }[]): { n: number; hash: number }[] {
  return rows.map(burn);
}
