/** Shared by the LLM bench variants: the request every client sends, and the result line. */
export const REQUEST_TEXT = 'What is the capital of France? Answer in one sentence.';

export function report(requests: number, started: number, cpuStart: NodeJS.CpuUsage, errors = 0, extra: Record<string, unknown> = {}): void {
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(
    `${JSON.stringify({ rows: requests, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKB: process.resourceUsage().maxRSS, errors, ...extra })}\n`,
  );
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once. */
export async function promisePool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let errors = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        await task(i);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}
