/**
 * For `sluice run`: a step that waits 1 ms per row, at concurrency 64. Prints the CLI process's
 * peak RSS on stderr when it exits, as one JSON line.
 */
import { map, pipeline, type Row } from 'sluice';

process.on('exit', () => {
  process.stderr.write(`${JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS })}\n`);
});

export default pipeline<Row>('slow').pipe(map((row) => new Promise<Row>((resolve) => setTimeout(() => resolve(row), 1)), { concurrency: 64 }));
