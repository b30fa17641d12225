/**
 * A latency-bound LLM step, in one process or handed to workers on Redis, all through the CLI:
 * `node … <rows> -` runs `sluice run workers-pipeline.ts` alone; `node … <rows> <redis-url> <n>`
 * starts n `sluice worker` processes and runs the same command with `--workers`. The figure is the
 * run's own wall time from its summary (Node's start-up left out). `SIM_URL` names the simulator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const [rowsArg = '3000', redis = '-', workersArg = '1'] = process.argv.slice(2);
const rows = Number(rowsArg);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-workers-'));
const input = join(dir, 'rows.jsonl');
writeFileSync(input, Array.from({ length: rows }, (_, i) => JSON.stringify({ i })).join('\n'));
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
const queue = `bench-${process.pid}`;
const pipelineFile = 'bench/variants/workers-pipeline.ts';
const workers =
  redis === '-'
    ? []
    : Array.from({ length: Number(workersArg) }, () =>
        spawn('dist/cli/main.js', ['worker', pipelineFile, '--redis', redis, '--queue', queue, '--no-cache'], { stdio: ['ignore', 'ignore', 'pipe'], env }),
      );
let workerErrors = '';
await Promise.all(
  workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          workerErrors += chunk;
          if (workerErrors.includes('waiting for a run')) resolve();
        });
        worker.once('exit', (code) => reject(new Error(`a worker exited with ${code}: ${workerErrors}`)));
      }),
  ),
);
const run = spawnSync(
  'dist/cli/main.js',
  [
    'run',
    pipelineFile,
    '-i',
    input,
    '-o',
    join(dir, 'out.jsonl'),
    '--no-cache',
    '--no-progress',
    ...(redis === '-' ? [] : ['--workers', redis, '--queue', queue]),
  ],
  { encoding: 'utf8', env },
);
for (const worker of workers) worker.kill('SIGTERM');
await Promise.all(workers.map((worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once('exit', resolve)))));
const wall = /ok in ([\d.]+) s/.exec(run.stderr);
const written = Number(/written: default (\d+)/.exec(run.stderr)?.[1]);
if (run.status !== 0 || !wall || written !== rows) throw new Error(`the run did not write ${rows} rows (exit ${run.status}): ${run.stderr}`);
process.stdout.write(`${JSON.stringify({ rows, ms: Number(wall[1]) * 1000, maxRssKB: 0 })}\n`);
