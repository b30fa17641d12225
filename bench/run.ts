/**
 * `npm run bench`: measures Sluice against baselines measured in the same run.
 * Each variant runs in its own child process so its peak RSS and time are its own.
 *
 *   node bench/run.ts [--json] [--runs 3] [--only core,llm]
 *
 * With --json, prints one JSON object per figure per line on stdout:
 *   {"name","value","unit","baseline","ratio"}
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'core' },
  },
});
const runs = Number(args.runs);
const only = new Set(args.only.split(','));
const data = 'bench/.data';
mkdirSync(data, { recursive: true });

interface Measured { rows: number; ms: number; maxRssKB: number }
interface Figure { name: string; value: number; unit: string; baseline: number; ratio: number; target?: string }
const figures: Figure[] = [];

function variant(script: string, ...rest: string[]): Measured {
  const out = execFileSync(process.execPath, ['--conditions=sluice-source', `bench/variants/${script}`, ...rest], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a variant `runs` times; returns the median rows/s and the largest peak RSS (MB). */
function measure(script: string, ...rest: string[]): { rate: number; rssMB: number; rows: number } {
  const results = Array.from({ length: runs }, () => variant(script, ...rest));
  return {
    rate: median(results.map((r) => (r.rows / r.ms) * 1000)),
    rssMB: Math.max(...results.map((r) => r.maxRssKB / 1024)),
    rows: results[0]!.rows,
  };
}

function report(figure: Figure): void {
  figures.push(figure);
  if (args.json) {
    const { target: _t, ...line } = figure;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const value = figure.unit === 'rows/s' || figure.unit === 'req/s' ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(1);
    process.stderr.write(`${figure.name.padEnd(34)} ${value.padStart(12)} ${figure.unit.padEnd(7)} ratio ${figure.ratio.toFixed(2)}${figure.target ? `  (target ${figure.target})` : ''}\n`);
  }
}

function ensureRows(count: number): string {
  const path = `${data}/rows-${count}.jsonl`;
  if (!existsSync(path) || statSync(path).size === 0) {
    execFileSync(process.execPath, ['bench/variants/gen.ts', String(count), path]);
  }
  return path;
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

  const two = ensureRows(2_000_000);
  const slow2 = variant('sluice-slow.ts', two, out);
  report({ name: 'core.slow-2m.peak-rss', value: slow2.maxRssKB / 1024, unit: 'MB', baseline: 150, ratio: slow2.maxRssKB / 1024 / 150, target: '< 150 MB' });
  const four = ensureRows(4_000_000);
  const slow4 = variant('sluice-slow.ts', four, out);
  report({ name: 'core.slow-4m.peak-rss', value: slow4.maxRssKB / 1024, unit: 'MB', baseline: slow2.maxRssKB / 1024, ratio: slow4.maxRssKB / slow2.maxRssKB, target: 'ratio <= 1.05' });
  report({ name: 'core.slow-4m.rate', value: (slow4.rows / slow4.ms) * 1000, unit: 'rows/s', baseline: 64_000, ratio: (slow4.rows / slow4.ms) * 1000 / 64_000 });
}
