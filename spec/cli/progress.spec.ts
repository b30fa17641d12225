import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import type { RunHandle } from '../../lib/core/run-options.ts';
import type { SluiceEvent } from '../../lib/core/events.ts';
import { newStepStats } from '../../lib/core/step-stats.ts';
import { Progress } from '../../lib/cli/progress.ts';
import { cliMain, repoRoot, runCli } from '../helpers/run-cli.ts';

const slow = join(repoRoot, 'spec/fixtures/slow-pipeline.ts');
const PLAIN_LINE = /^sluice: [\d,]+ read, [\d,]+\/2,000 done, [\d.,]+ rows\/s, [\d,]+ in flight, \d+ failed(, ETA \d+:\d\d)?$/;

async function slowInput(rows: number): Promise<{ dir: string; input: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-progress-'));
  const input = join(dir, 'in.jsonl');
  await writeFile(input, `${Array.from({ length: rows }, (_, i) => JSON.stringify({ i })).join('\n')}\n`);
  return { dir, input };
}

/** A run handle with set counters, and a stream that keeps what is written. */
function fakeRun() {
  const counters = { read: 1234, skipped: 0, done: 1100, invalid: 0 };
  const step = { ...newStepStats(), in: 1150, out: 1090, failed: 3 };
  const usage = { requests: 1050, rateLimited: 12, cacheHits: 30, promptTokens: 10000, completionTokens: 2345, costUsd: 0.0123 };
  const events = new Subject<SluiceEvent>();
  const handle = {
    events,
    live: {
      steps: new Map([['answer', step]]),
      budget: { inFlight: 32 },
      failed: () => 3,
      source: () => counters,
      written: () => ({}),
      services: new Map<string, unknown>([['llm', { snapshot: () => ({ 'gpt-4o-mini': usage }) }]]),
    },
  } as unknown as Pick<RunHandle, 'live' | 'events'>;
  const written: string[] = [];
  const stream = { isTTY: false, columns: 80, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { handle, events, counters, step, stream, written };
}

describe('progress display', () => {
  it('formats the plain line: read, done/total, rows/s, in flight, failed, ETA, and the LLM counters', () => {
    const { handle, counters, stream } = fakeRun();
    const progress = new Progress(handle, { stream, tty: false, total: 5000, intervalMs: 60_000 });
    counters.done = 0;
    const t0 = Date.now();
    progress.start();
    counters.done = 1100;
    // 1,100 rows done in ~5 s.
    const line = progress.line(t0 + 5000);
    progress.stop();
    assert.match(
      line,
      /^sluice: 1,234 read, 1,100\/5,000 done, 2\d\d rows\/s, 32 in flight, 3 failed, ETA 0:1\d, llm 1,050 req, 12,345 tokens, 12 429s, 30 cache hits, \$0\.0123$/,
    );
  });

  it('draws the live block in place on a TTY and erases it on stop', () => {
    const { handle, stream, written } = fakeRun();
    const progress = new Progress(handle, { stream, tty: true, total: 5000, redrawMs: 60_000 });
    progress.start();
    progress.log('a message');
    progress.stop();
    progress.stop();
    const text = written.join('');
    // First frame, then the message (frame erased, message, frame drawn again), then the erase on stop.
    // Lines are cut to the 80 columns of the stream, so none wraps and throws off the cursor-up count.
    const frame =
      /\u001b\[2Ksluice run: 1,100\/5,000 records done, 1,234 read, 0 rows\/s, 32 in flight, 3 fa…\n\u001b\[2K {2}answer {2}1,093\/~4,660 {2}0 rows\/s {2}57 in flight {2}3 failed\n\u001b\[2K {2}llm gpt-4o-mini: 1,050 req, 12,345 tokens, \$0\.0123, 12 429s, 30 cache hits\n/;
    assert.match(text, new RegExp(`^${frame.source}\\u001b\\[3A\\u001b\\[0Ja message\\n${frame.source}\\u001b\\[3A\\u001b\\[0J$`));
  });

  it("counts cache hits per step from the run's events", () => {
    const { handle, events, stream } = fakeRun();
    const progress = new Progress(handle, { stream, tty: true, redrawMs: 60_000 });
    events.next({ type: 'cache', step: 'answer', hit: true });
    events.next({ type: 'cache', step: 'answer', hit: false });
    events.next({ type: 'cache', step: 'answer', hit: true });
    assert.match(progress.frame()[1]!, /^ {2}answer {2}1,093 {2}0 rows\/s {2}57 in flight {2}3 failed {2}2 cache hits$/);
    progress.stop();
    events.next({ type: 'cache', step: 'answer', hit: true });
    assert.match(progress.frame()[1]!, /2 cache hits$/, 'no longer listening once stopped');
  });

  it('writes a plain line every --progress-interval seconds on stderr when it is not a TTY, and nothing on stdout but rows', async () => {
    const { dir, input } = await slowInput(2000);
    const result = await runCli(['run', slow, '-i', input, '-o', '-', '--progress-interval', '0.2'], '', { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const stdout = result.stdout.trimEnd().split('\n');
    assert.equal(stdout.length, 2000);
    for (const line of stdout) assert.equal((JSON.parse(line) as { seen: boolean }).seen, true);
    const progress = result.stderr.split('\n').filter((line) => line.startsWith('sluice: ') && line.includes(' rows/s'));
    assert.ok(progress.length >= 1, result.stderr);
    for (const line of progress) assert.match(line, PLAIN_LINE);
    assert.doesNotMatch(result.stderr, /\u001b\[/, 'no ANSI codes when stderr is not a TTY');
    assert.match(result.stderr, /sluice: slow ok in [\d.]+ s\n {2}source in\.jsonl: 2000 read/);
  });

  it('is off with --no-progress, and with -q', async () => {
    const { dir, input } = await slowInput(300);
    for (const flag of ['--no-progress', '-q']) {
      const result = await runCli(['run', slow, '-i', input, '-o', join(dir, 'out.jsonl'), '--progress-interval', '0.05', flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /rows\/s/);
    }
  });

  it('redraws a live per-step display on a real pty (under `script`), then erases it before the summary', async (t) => {
    let script: string;
    try {
      script = execFileSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).trim();
    } catch {
      t.skip('no `script` (util-linux; `apt-get install -y bsdutils`) to give the CLI a pty');
      return;
    }
    const { dir, input } = await slowInput(2000);
    const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, '--conditions=sluice-source', cliMain, 'run', slow, '-i', input, '-o', join(dir, 'out.jsonl')].map(quote).join(' ');
    const child = spawn(script, ['-qfec', command, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, SLUICE_CACHE_DIR: join(dir, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    // Under a pty, lines end in \r\n.
    const text = output.replace(/\r\n/g, '\n');
    assert.match(
      text,
      /\u001b\[2A\u001b\[2Ksluice slow: [\d,]+\/2,000 records done, [\d,]+ read, [\d.,]+ rows\/s, [\d,]+ in flight, 0 failed/,
      'cursor-up redraw of the run line',
    );
    assert.match(text, /\u001b\[2K {2}wait {2}[\d,]+\/~2,000 {2,}[\d.,]+ rows\/s {2,}[\d,]+ in flight/, 'a per-step line with rows/s');
    assert.match(text, /\u001b\[2A\u001b\[0Jsluice: slow ok in [\d.]+ s\n/, 'the live block is erased before the summary');
    assert.doesNotMatch(text.slice(text.indexOf('sluice: slow ok')), /\u001b\[/, 'nothing is drawn after the summary');
  });
});
