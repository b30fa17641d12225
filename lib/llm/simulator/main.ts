/**
 * Command line for the simulator: `node lib/llm/simulator/main.ts --port 8787 --latency 50`.
 * Prints the base URL on stdout and runs until SIGINT or SIGTERM.
 * @module
 */
import { parseArgs } from 'node:util';
import { SluiceConfigError } from '../../core/errors.ts';
import type { SimulatorOptions } from './simulator-options.ts';
import { startSimulator, type Simulator } from './simulator.ts';

const USAGE = `Usage: node lib/llm/simulator/main.ts [options]

Runs an OpenAI-compatible simulator on 127.0.0.1, prints its base URL on stdout,
and stops on Ctrl+C (SIGINT) or SIGTERM, printing its counters on stderr.

  --port N              port (default 0: any free port)
  --latency MS|MIN-MAX  wait before each answer, fixed or drawn per request (default 0)
  --seed N              seed of the fault and latency draws (default 1)
  --rate429 R           chance 0..1 of a 429 with retry-after (likewise --rate500, --rate503)
  --rate-reset R        chance of a connection reset
  --rate-hang R         chance of no answer at all
  --rate-malformed R    chance of a 200 whose body is not JSON
  --rate-truncated R    chance of a cut answer
  --retry-after S       retry-after of an injected 429, in seconds (default 1)
  --rpm N, --tpm N      requests and tokens allowed per window (default: no limit)
  --window-ms MS        rate-limit window (default 60000)
  --hide-limits         no x-ratelimit-* headers, and retry-after in whole seconds only
                        (a server that keeps its limits to itself)
  --dimensions N        embedding dimensions when a request names none (default 8)
  --models A,B          model ids that GET /v1/models lists
  --log-limit N         request-log entries kept in memory (default 10000)
  -h, --help            show this help
`;

const NUMBER_FLAGS = {
  port: 'port',
  seed: 'seed',
  rate429: 'rate429',
  rate500: 'rate500',
  rate503: 'rate503',
  'rate-reset': 'rateReset',
  'rate-hang': 'rateHang',
  'rate-malformed': 'rateMalformed',
  'rate-truncated': 'rateTruncated',
  'retry-after': 'retryAfterSeconds',
  rpm: 'rpm',
  tpm: 'tpm',
  'window-ms': 'windowMs',
  dimensions: 'embeddingDimensions',
  'log-limit': 'logLimit',
} as const satisfies Record<string, keyof SimulatorOptions>;

/**
 * Starts a simulator from command-line arguments, prints its URL on stdout and stops it on SIGINT
 * or SIGTERM. Resolves to the running simulator; bad arguments reject with a `SluiceConfigError`.
 *
 * @example
 * ```sh
 * node lib/llm/simulator/main.ts --port 8787 --latency 50 --rate429 0.2
 * # http://127.0.0.1:8787/v1
 * ```
 */
export async function main(argv: readonly string[]): Promise<Simulator | undefined> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        latency: { type: 'string' },
        models: { type: 'string' },
        'hide-limits': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SluiceConfigError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }

  // A long-running server keeps a bounded log unless told otherwise.
  const options: Record<string, unknown> = { logLimit: 10_000 };
  for (const [flag, option] of Object.entries(NUMBER_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') options[option] = toNumber(flag, text);
  }
  if (typeof values.latency === 'string') {
    const [min, max] = values.latency.split(/[-,]/);
    options.latencyMs = max === undefined ? toNumber('latency', values.latency) : { min: toNumber('latency', min ?? ''), max: toNumber('latency', max) };
  }
  if (values['hide-limits']) options.announceLimits = false;
  if (typeof values.models === 'string')
    options.models = values.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);

  const simulator = await startSimulator(options as SimulatorOptions);
  process.stdout.write(`${simulator.url}\n`);
  process.stderr.write(`Sluice simulator listening on ${simulator.url} (Ctrl+C to stop)\n`);
  const stop = () => {
    void simulator.close().then(() => {
      process.stderr.write(`Sluice simulator stopped: ${JSON.stringify(simulator.stats())}\n`);
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return simulator;
}

function toNumber(flag: string, text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(value)) throw new SluiceConfigError(`Expected \`--${flag}\` to be a number, got \`${text}\``);
  return value;
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
