/**
 * `npm run bench`: measures Sluice against baselines measured in the same run.
 * Each variant runs in its own child process so its peak RSS and time are its own.
 *
 *   node bench/run.ts [--json] [--runs 3] [--only core,llm,cache,formats,broker,workers,threads,throttle]
 *
 * With --json, prints one JSON object per figure per line on stdout:
 *   {"name","value","unit","baseline","ratio"}
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'core' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    [
      'Usage: npm run bench -- [--only core,llm,cache,formats,broker,workers,threads,throttle] [--runs 3] [--json]',
      '',
      'Measures Sluice against baselines measured in the same run, each variant in its own process.',
      '  --only <groups>  the groups to run (default: core)',
      '  --runs <n>       runs per figure; the median is reported (default: 3)',
      '  --json           one {"name","value","unit","baseline","ratio"} object per line on stdout',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const runs = Number(args.runs);
const only = new Set(args.only.split(','));
const data = 'bench/.data';
mkdirSync(data, { recursive: true });

interface Measured {
  rows: number;
  ms: number;
  maxRssKB: number;
  cpuMs?: number;
  requestsSent?: number;
  errors?: number;
}
interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target?: string;
}
const figures: Figure[] = [];

function variant(script: string, ...rest: string[]): Measured {
  const out = execFileSync(process.execPath, [`bench/variants/${script}`, ...rest], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

/** Runs the slow pipeline with `sluice run` (dist/cli/main.js, shebang flags included); its peak RSS comes on stderr. */
function viaCli(input: string, output: string): Measured {
  const started = performance.now();
  const result = spawnSync(
    'dist/cli/main.js',
    ['run', 'bench/variants/slow-pipeline.ts', '-i', input, '-o', output, '--budget', '256', '--no-cache', '-q', '--no-progress'],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    },
  );
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`sluice run failed: ${result.stderr}`);
  const { maxRssKB } = JSON.parse(result.stderr.trim().split('\n').pop()!) as { maxRssKB: number };
  const rows = Number(/written: default (\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
  return { rows, ms, maxRssKB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a variant `runs` times; returns the median rows/s, the largest peak RSS (MB), and the median one. */
function measure(script: string, ...rest: string[]): { rate: number; rssMB: number; medianRssMB: number; rows: number } {
  const results = Array.from({ length: runs }, () => variant(script, ...rest));
  return {
    rate: median(results.map((r) => (r.rows / r.ms) * 1000)),
    rssMB: Math.max(...results.map((r) => r.maxRssKB / 1024)),
    medianRssMB: median(results.map((r) => r.maxRssKB / 1024)),
    rows: results[0]!.rows,
  };
}

function report(figure: Figure): void {
  figures.push(figure);
  if (args.json) {
    const { target: _t, ...line } = figure;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const value =
      figure.unit === 'rows/s' || figure.unit === 'req/s'
        ? Math.round(figure.value).toLocaleString('en-US')
        : figure.value.toFixed(figure.unit === 'ms/req' ? 3 : 1);
    process.stderr.write(
      `${figure.name.padEnd(34)} ${value.padStart(12)} ${figure.unit.padEnd(7)} ratio ${figure.ratio.toFixed(2)}${figure.unit === 'MB' ? `  (baseline ${figure.baseline.toFixed(1)} MB)` : ''}${figure.target ? `  (target ${figure.target})` : ''}\n`,
    );
  }
}

function ensureRows(count: number): string {
  const path = `${data}/rows-${count}.jsonl`;
  if (!existsSync(path) || statSync(path).size === 0) {
    execFileSync(process.execPath, ['bench/variants/gen.ts', String(count), path]);
  }
  return path;
}

/** The same rows in another format, converted once by Sluice (not measured). */
function ensureFormat(count: number, extension: string): string {
  const path = `${data}/rows-${count}${extension}`;
  if (!existsSync(path) || statSync(path).size === 0) {
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `
      const { pipeline, sinkFor, sourceFor, toFailedFile } = await import('sluice');
      await pipeline('prep').from(sourceFor(${JSON.stringify(ensureRows(count))})).to(sinkFor(${JSON.stringify(path)})).run({ cache: false, failed: toFailedFile('/dev/null') });
    `,
    ]);
  }
  return path;
}

if (only.has('formats')) {
  for (const extension of ['.csv', '.parquet']) {
    const input = ensureFormat(1_000_000, extension);
    const out = `${data}/out${extension}`;
    const hand = measure('formats-hand.ts', input, out);
    report({ name: `formats${extension}.libraries-by-hand`, value: hand.rate, unit: 'rows/s', baseline: hand.rate, ratio: 1 });
    const sluice = measure('formats-sluice.ts', input, out);
    report({
      name: `formats${extension}.sluice-1-map`,
      value: sluice.rate,
      unit: 'rows/s',
      baseline: hand.rate,
      ratio: sluice.rate / hand.rate,
      target: '>= 0.7',
    });
  }
  // Peak RSS of a Parquet write: 4,000,000 rows against 2,000,000 (NDJSON in).
  const two = measure('formats-sluice.ts', ensureRows(2_000_000), `${data}/out-2m.parquet`);
  const four = measure('formats-sluice.ts', ensureRows(4_000_000), `${data}/out-4m.parquet`);
  // The median run against the median run; the largest against the largest too, as a longer run has more
  // collections in which to reach a higher peak, which the largest of a few runs favours.
  report({
    name: 'formats.parquet-write.rss-4m',
    value: four.medianRssMB,
    unit: 'MB',
    baseline: two.medianRssMB,
    ratio: four.medianRssMB / two.medianRssMB,
    target: '<= 1.0 (no larger than 2M)',
  });
  report({ name: 'formats.parquet-write.rss-4m-largest', value: four.rssMB, unit: 'MB', baseline: two.rssMB, ratio: four.rssMB / two.rssMB });
}

if (only.has('core')) {
  const million = ensureRows(1_000_000);
  const out = `${data}/out.jsonl`;
  const hand = measure('hand-loop.ts', million, out);
  report({ name: 'core.hand-loop', value: hand.rate, unit: 'rows/s', baseline: hand.rate, ratio: 1 });
  const one = measure('sluice-maps.ts', million, out, '1');
  report({ name: 'core.sluice-1-map', value: one.rate, unit: 'rows/s', baseline: hand.rate, ratio: one.rate / hand.rate, target: '>= 0.60' });
  const ten = measure('sluice-maps.ts', million, out, '10');
  report({ name: 'core.sluice-10-maps', value: ten.rate, unit: 'rows/s', baseline: hand.rate, ratio: ten.rate / hand.rate, target: '>= 0.50' });
  const nd = measure('ndjson-package.ts', million, out);
  report({ name: 'core.ndjson-package', value: nd.rate, unit: 'rows/s', baseline: hand.rate, ratio: nd.rate / hand.rate });
  report({ name: 'core.hand-loop.peak-rss', value: hand.rssMB, unit: 'MB', baseline: hand.rssMB, ratio: 1 });
  report({ name: 'core.sluice-1-map.peak-rss', value: one.rssMB, unit: 'MB', baseline: hand.rssMB, ratio: one.rssMB / hand.rssMB });

  // (iii) runs through the `sluice` binary, as a user would run a pipeline file to file.
  const two = ensureRows(2_000_000);
  const slow2 = viaCli(two, out);
  report({ name: 'core.slow-2m.peak-rss', value: slow2.maxRssKB / 1024, unit: 'MB', baseline: 150, ratio: slow2.maxRssKB / 1024 / 150, target: '< 150 MB' });
  const four = ensureRows(4_000_000);
  const slow4 = viaCli(four, out);
  report({
    name: 'core.slow-4m.peak-rss',
    value: slow4.maxRssKB / 1024,
    unit: 'MB',
    baseline: slow2.maxRssKB / 1024,
    ratio: slow4.maxRssKB / slow2.maxRssKB,
    target: 'ratio <= 1.05',
  });
  // The same pipeline as a library call, on Node's default heap settings.
  const library2 = variant('sluice-slow.ts', two, out);
  report({
    name: 'core.slow-2m.library.peak-rss',
    value: library2.maxRssKB / 1024,
    unit: 'MB',
    baseline: slow2.maxRssKB / 1024,
    ratio: library2.maxRssKB / slow2.maxRssKB,
  });
  report({
    name: 'core.slow-4m.rate',
    value: (4_000_000 / slow4.ms) * 1000,
    unit: 'rows/s',
    baseline: 64_000,
    ratio: ((4_000_000 / slow4.ms) * 1000) / 64_000,
  });
}

/** Starts the simulator in its own process (client and server must not share a thread). */
async function startSimulatorProcess(latency: number | string, ...flags: string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['lib/llm/simulator/main.ts', '--latency', String(latency), '--log-limit', '1000', ...flags], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

function medianOf(runsOf: Measured[], pick: (m: Measured) => number): number {
  return median(runsOf.map(pick));
}

if (only.has('broker')) {
  // The per-row cost of Redis streams: a no-op map from one stream to another (consumer group,
  // acks, deletes), against the same pipeline in one process. Needs `redis-server` (Debian's).
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-redis-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
  try {
    for (let tries = 0; spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; tries++) {
      if (tries > 200) throw new Error('redis-server did not start');
      execFileSync('sleep', ['0.05']);
    }
    const rows = '100000';
    const alone = measure('broker-stream.ts', '-', rows);
    report({ name: 'broker.one-process', value: alone.rate, unit: 'rows/s', baseline: alone.rate, ratio: 1 });
    const streams = measure('broker-stream.ts', `redis://127.0.0.1:${port}`, rows);
    report({ name: 'broker.redis-streams', value: streams.rate, unit: 'rows/s', baseline: alone.rate, ratio: streams.rate / alone.rate });
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has('workers')) {
  // A latency-bound LLM step (simulator latency 50 ms, concurrency 16 per process): in one
  // process, then handed to 1 and to 3 `sluice worker` processes through Redis.
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-redis-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
  const sim = await startSimulatorProcess(50);
  process.env.SIM_URL = sim.url;
  try {
    for (let tries = 0; spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; tries++) {
      if (tries > 200) throw new Error('redis-server did not start');
      execFileSync('sleep', ['0.05']);
    }
    const redis = `redis://127.0.0.1:${port}`;
    const rows = '4000';
    const alone = measure('workers-llm.ts', rows, '-');
    report({ name: 'workers.none', value: alone.rate, unit: 'rows/s', baseline: alone.rate, ratio: 1 });
    const one = measure('workers-llm.ts', rows, redis, '1');
    report({ name: 'workers.1-worker', value: one.rate, unit: 'rows/s', baseline: alone.rate, ratio: one.rate / alone.rate, target: '>= 0.9' });
    const three = measure('workers-llm.ts', rows, redis, '3');
    report({ name: 'workers.3-workers', value: three.rate, unit: 'rows/s', baseline: one.rate, ratio: three.rate / one.rate, target: '>= 2.7 (vs 1 worker)' });
  } finally {
    sim.stop();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has('threads')) {
  // A CPU-bound map (~2 ms of hashing per row): on the main thread, then on 2 worker threads.
  const rows = '3000';
  const main = measure('cpu-steps.ts', '0', rows);
  report({ name: 'threads.map-main-thread', value: main.rate, unit: 'rows/s', baseline: main.rate, ratio: 1 });
  const two = measure('cpu-steps.ts', '2', rows);
  report({ name: 'threads.threadmap-2-threads', value: two.rate, unit: 'rows/s', baseline: main.rate, ratio: two.rate / main.rate, target: '>= 1.8' });
}

if (only.has('throttle')) {
  // A server that admits 100 requests per second (sliding window), answers 429 with
  // `retry-after: 1` past that, and does not announce its limit; 1,500 requests.
  const limit = 100;
  const n = 1500;
  const throttled = async (script: string, concurrency: number, ...rest: string[]): Promise<Measured> => {
    const sim = await startSimulatorProcess('20-80', '--rpm', String(limit), '--window-ms', '1000', '--hide-limits');
    try {
      return variant(script, sim.url, String(n), String(concurrency), ...rest);
    } finally {
      sim.stop();
    }
  };
  const rounds: Record<string, Measured[]> = { sdk: [], ai: [], langchain: [], sluice64: [], sluice256: [] };
  for (let round = 0; round < runs; round++) {
    rounds.sdk!.push(await throttled('throttle-sdk-pool.ts', 64));
    rounds.ai!.push(await throttled('throttle-ai-sdk.ts', 64));
    rounds.langchain!.push(await throttled('throttle-langchain.ts', 64));
    rounds.sluice64!.push(await throttled('throttle-sluice.ts', 64, 'plain'));
    rounds.sluice256!.push(await throttled('throttle-sluice.ts', 256, 'plain'));
  }
  const goodput = (m: Measured) => (m.rows / m.ms) * 1000;
  const names: [string, string][] = [
    ['sdk', 'throttle.sdk-promise-pool@64'],
    ['ai', 'throttle.ai-sdk-p-map@64'],
    ['langchain', 'throttle.langchain-batch@64'],
    ['sluice64', 'throttle.sluice@64'],
    ['sluice256', 'throttle.sluice@256'],
  ];
  for (const [key, name] of names) {
    const measured = rounds[key]!;
    const worst = Math.max(...measured.map((m) => m.errors ?? 0));
    report({
      name: `${name}.goodput`,
      value: medianOf(measured, goodput),
      unit: 'req/s',
      baseline: limit,
      ratio: medianOf(measured, goodput) / limit,
      ...(key.startsWith('sluice') ? { target: '>= 0.90 of the limit' } : {}),
    });
    report({ name: `${name}.failed`, value: worst, unit: 'rows', baseline: n, ratio: worst / n, ...(key.startsWith('sluice') ? { target: '0' } : {}) });
  }

  // The fault mix: 20% 429 (retry-after 1 s), 5% 500, 2% resets, 2% malformed 200s; 600 rows from
  // a scatter. Latency 100-300 ms makes a clean run take about 2 s, as in the run the issue reports.
  const faulty = async (faults: boolean): Promise<Measured> => {
    const sim = await startSimulatorProcess(
      '100-300',
      ...(faults ? ['--rate429', '0.2', '--rate500', '0.05', '--rate-reset', '0.02', '--rate-malformed', '0.02'] : []),
    );
    try {
      return variant('throttle-sluice.ts', sim.url, '600', '64', 'scatter');
    } finally {
      sim.stop();
    }
  };
  const clean: Measured[] = [];
  const mixed: Measured[] = [];
  for (let round = 0; round < runs; round++) {
    clean.push(await faulty(false));
    mixed.push(await faulty(true));
  }
  const wall = (m: Measured) => m.ms;
  report({
    name: 'faults.sluice.wall',
    value: medianOf(mixed, wall) / 1000,
    unit: 's',
    baseline: medianOf(clean, wall) / 1000,
    ratio: medianOf(mixed, wall) / medianOf(clean, wall),
    target: '<= 5x a clean run',
  });
  const worst = Math.max(...mixed.map((m) => m.errors ?? 0));
  report({ name: 'faults.sluice.failed', value: worst, unit: 'rows', baseline: 600, ratio: worst / 600, target: '0' });
}

if (only.has('llm') || only.has('cache')) {
  const latency = 50;
  const n = 20_000;
  const concurrency = 256;
  const sim = await startSimulatorProcess(latency);
  try {
    const ideal = concurrency / (latency / 1000);
    const rounds: Record<string, Measured[]> = { sdk: [], pool: [], sluice: [], cached: [] };
    for (let round = 0; round < runs; round++) {
      rounds.pool!.push(variant('llm-undici-pool.ts', sim.url, String(n), String(concurrency)));
      rounds.sdk!.push(variant('llm-sdk-pool.ts', sim.url, String(n), String(concurrency)));
      rounds.sluice!.push(variant('llm-sluice.ts', sim.url, String(n), String(concurrency), '-'));
      const cacheDir = mkdtempSync(join(tmpdir(), 'sluice-bench-cache-'));
      rounds.cached!.push(variant('llm-sluice.ts', sim.url, String(n), String(concurrency), cacheDir));
      rmSync(cacheDir, { recursive: true, force: true });
    }
    const rate = (m: Measured) => (m.rows / m.ms) * 1000;
    const cpuPer = (m: Measured) => (m.cpuMs ?? 0) / m.rows;
    const sdk = medianOf(rounds.sdk!, rate);
    const pool = medianOf(rounds.pool!, rate);
    const sluice = medianOf(rounds.sluice!, rate);
    const cached = medianOf(rounds.cached!, rate);
    if (only.has('llm')) {
      report({ name: 'llm.ideal', value: ideal, unit: 'req/s', baseline: ideal, ratio: 1 });
      report({ name: 'llm.undici-pool', value: pool, unit: 'req/s', baseline: ideal, ratio: pool / ideal });
      report({ name: 'llm.sdk-promise-pool', value: sdk, unit: 'req/s', baseline: ideal, ratio: sdk / ideal });
      report({ name: 'llm.sluice', value: sluice, unit: 'req/s', baseline: sdk, ratio: sluice / sdk, target: '>= 0.95 of the SDK pool' });
      report({ name: 'llm.sluice-vs-undici-pool', value: sluice, unit: 'req/s', baseline: pool, ratio: sluice / pool, target: '>= 0.70' });
      report({ name: 'llm.sluice-vs-ideal', value: sluice, unit: 'req/s', baseline: ideal, ratio: sluice / ideal });
      const sdkCpu = medianOf(rounds.sdk!, cpuPer);
      const poolCpu = medianOf(rounds.pool!, cpuPer);
      const sluiceCpu = medianOf(rounds.sluice!, cpuPer);
      report({ name: 'llm.undici-pool.cpu', value: poolCpu, unit: 'ms/req', baseline: poolCpu, ratio: 1 });
      report({ name: 'llm.sdk-promise-pool.cpu', value: sdkCpu, unit: 'ms/req', baseline: poolCpu, ratio: sdkCpu / poolCpu });
      report({ name: 'llm.sluice.cpu', value: sluiceCpu, unit: 'ms/req', baseline: sdkCpu, ratio: sluiceCpu / sdkCpu });
      const rss = (m: Measured) => m.maxRssKB / 1024;
      report({
        name: 'llm.sdk-promise-pool.peak-rss',
        value: medianOf(rounds.sdk!, rss),
        unit: 'MB',
        baseline: medianOf(rounds.pool!, rss),
        ratio: medianOf(rounds.sdk!, rss) / medianOf(rounds.pool!, rss),
      });
      report({
        name: 'llm.sluice.peak-rss',
        value: medianOf(rounds.sluice!, rss),
        unit: 'MB',
        baseline: medianOf(rounds.sdk!, rss),
        ratio: medianOf(rounds.sluice!, rss) / medianOf(rounds.sdk!, rss),
      });
    }
    if (only.has('cache')) {
      report({ name: 'cache.miss-cost', value: cached, unit: 'req/s', baseline: sluice, ratio: cached / sluice, target: '>= 0.95' });
      // Rerun a finished 10,000-row pipeline with two LLM steps from the cache.
      const cacheDir = mkdtempSync(join(tmpdir(), 'sluice-bench-rerun-'));
      const first = variant('llm-sluice.ts', sim.url, '10000', String(concurrency), cacheDir, '2');
      const reruns = Array.from({ length: runs }, () => variant('llm-sluice.ts', sim.url, '10000', String(concurrency), cacheDir, '2'));
      rmSync(cacheDir, { recursive: true, force: true });
      const rerunMs = medianOf(reruns, (m) => m.ms);
      report({ name: 'cache.rerun-speedup', value: first.ms / rerunMs, unit: 'x', baseline: first.ms, ratio: first.ms / rerunMs, target: '>= 20' });
      // The store behind the cache: LMDB against the file-per-entry layout it replaced.
      const store = execFileSync(process.execPath, ['bench/cache-store.ts', '20000', '--json'], { encoding: 'utf8' });
      for (const line of store.trim().split('\n')) report(JSON.parse(line) as Figure);
      report({
        name: 'cache.rerun-requests-sent',
        value: Math.max(...reruns.map((m) => m.requestsSent ?? -1)),
        unit: 'requests',
        baseline: first.requestsSent ?? 0,
        ratio: 0,
        target: '0',
      });
    }
  } finally {
    sim.stop();
  }
}
