/**
 * The progress display of `sluice run`, always on stderr (stdout carries only rows).
 *
 * On a terminal it is a live block redrawn every ~200 ms in place (ANSI cursor-up and erase-line):
 * a line for the run (records done/total, rows/s, in flight, failed, ETA), one line per step
 * (done/estimated total, rows/s, in flight, ETA, cache hits) and one per LLM (requests, tokens,
 * cost, 429s, cache hits). Elsewhere (a pipe, a log file, CI) it writes one plain line every
 * `intervalMs`. `stop()` erases the live block, so the summary that follows starts on a clean line.
 * @module
 */
import type { Subscription } from 'rxjs';
import type { RunHandle } from '../core/run-options.ts';
import type { StepStats } from '../core/step-stats.ts';

export interface ProgressOptions {
  /** Where to draw. Default `process.stderr`. Never stdout: in filter mode it carries only NDJSON. */
  stream?: NodeJS.WriteStream;
  /** Live redrawn display (true) or plain periodic lines (false). Default: whether `stream` is a TTY. */
  tty?: boolean;
  /** Milliseconds between plain lines when not a TTY. Default 5000. */
  intervalMs?: number;
  /** Milliseconds between redraws on a TTY. Default 200. */
  redrawMs?: number;
  /** The pipeline's name, for the first line. */
  pipeline?: string;
  /** Source records in the input, when known (a counted file); enables done/total and ETA. */
  total?: number;
  /** Most records the run reads (`--limit`); caps the total. */
  limit?: number;
}

interface LlmCounters {
  requests: number;
  rateLimited: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  batch?: { answers: number; submitted: number; inProgress: number; completed: number; ended: number; resubmitted: number };
}

/** The batch API's part of an LLM's progress: batches submitted, in progress, completed, and answers. */
function batchText(batch: NonNullable<LlmCounters['batch']>): string {
  return `batches ${int(batch.submitted)} submitted, ${int(batch.inProgress)} in progress, ${int(batch.completed + batch.ended)} done (${int(batch.answers)} answers)`;
}

interface Sample {
  at: number;
  done: number;
  steps: Map<string, number>;
}

/** How far back rates look: long enough to be steady, short enough to follow a change of pace. */
const RATE_WINDOW_MS = 5000;

const ESC = '\u001b[';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : int(perSecond);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function settled(stats: StepStats): number {
  return stats.out + stats.filtered + stats.failed;
}

/** Aligns cells in columns (the first left, the others right), leaving out columns empty in every row. */
function pad(cells: string[][]): string[] {
  const widths: number[] = [];
  for (const row of cells)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return cells.map((row) =>
    row
      .flatMap((cell, i) => (widths[i] === 0 ? [] : [i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)]))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * @example
 * const handle = pipeline.start({ source, sink });
 * const progress = new Progress(handle, { pipeline: pipeline.name, total: await countLines(input) });
 * progress.start();
 * try { await handle.summary; } finally { progress.stop(); }
 */
export class Progress {
  readonly #live: RunHandle['live'];
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #everyMs: number;
  readonly #pipeline: string;
  readonly #limit: number | undefined;
  #total: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #events: Subscription | undefined;
  #samples: Sample[] = [];
  /** Lines of the live block on screen now (TTY), to move back over on the next redraw. */
  #drawn = 0;
  #stopped = false;
  readonly #cacheHits = new Map<string, number>();

  constructor(handle: Pick<RunHandle, 'live' | 'events'>, options: ProgressOptions = {}) {
    this.#live = handle.live;
    this.#stream = options.stream ?? process.stderr;
    this.#tty = options.tty ?? this.#stream.isTTY === true;
    this.#everyMs = this.#tty ? (options.redrawMs ?? 200) : (options.intervalMs ?? 5000);
    this.#pipeline = options.pipeline ?? 'run';
    this.#total = options.total;
    this.#limit = options.limit;
    // Per-step cache hits come as events; the step's own counters do not have them.
    this.#events = handle.events.subscribe((event) => {
      if (event.type === 'cache' && event.hit) this.#cacheHits.set(event.step, (this.#cacheHits.get(event.step) ?? 0) + 1);
    });
  }

  /** Starts drawing (TTY) or logging (plain lines). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#sample(Date.now());
    this.#timer = setInterval(() => this.#tick(), this.#everyMs);
    // The display never keeps the process alive on its own.
    this.#timer.unref();
    if (this.#tty) this.#tick();
  }

  /** Sets the number of source records, once counted. */
  setTotal(total: number | undefined): void {
    this.#total = total;
  }

  /** Writes a message on its own lines without breaking the live display. */
  log(message: string): void {
    const text = message.endsWith('\n') ? message : `${message}\n`;
    if (!this.#tty || this.#drawn === 0 || this.#stopped) {
      this.#stream.write(text);
      return;
    }
    this.#stream.write(`${this.#erase()}${text}`);
    this.#drawn = 0;
    this.#draw(Date.now());
  }

  /** Stops and erases the live block (on a TTY), leaving the cursor at the start of a clean line. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#events?.unsubscribe();
    if (this.#tty && this.#drawn > 0) this.#stream.write(this.#erase());
    this.#drawn = 0;
  }

  /** The records the run will read, when known: the counted lines, capped by `--limit` after skipped ones. */
  #effectiveTotal(): number | undefined {
    if (this.#total === undefined) return undefined;
    if (this.#limit === undefined) return this.#total;
    return Math.min(this.#total, this.#live.source().skipped + this.#limit);
  }

  #tick(): void {
    if (this.#stopped) return;
    const now = Date.now();
    this.#sample(now);
    if (this.#tty) this.#draw(now);
    else this.#stream.write(`${this.line(now)}\n`);
  }

  #sample(now: number): void {
    const steps = new Map<string, number>();
    for (const [name, stats] of this.#live.steps) steps.set(name, settled(stats));
    this.#samples.push({ at: now, done: this.#live.source().done, steps });
    // Keep one sample older than the window, so the rate always spans at least the window (or the run).
    while (this.#samples.length > 2 && this.#samples[1]!.at <= now - RATE_WINDOW_MS) this.#samples.shift();
  }

  /** Per-second change of `value` since the oldest kept sample. */
  #rate(now: number, current: number, then: (sample: Sample) => number): number {
    const oldest = this.#samples[0];
    if (!oldest || now - oldest.at < 50) return 0;
    return ((current - then(oldest)) * 1000) / (now - oldest.at);
  }

  #llms(): Array<[string, LlmCounters]> {
    const service = this.#live.services.get('llm') as { snapshot?: () => Record<string, LlmCounters> } | undefined;
    if (!service || typeof service.snapshot !== 'function') return [];
    return Object.entries(service.snapshot());
  }

  /** The plain progress line (non-TTY mode). */
  line(now = Date.now()): string {
    const source = this.#live.source();
    const total = this.#effectiveTotal();
    const perSecond = this.#rate(now, source.done, (s) => s.done);
    const parts = [
      `${int(source.read)} read`,
      `${int(source.done)}${total !== undefined ? `/${int(total - source.skipped)}` : ''} done`,
      `${rate(perSecond)} rows/s`,
      `${int(this.#live.budget.inFlight)} in flight`,
      `${int(this.#live.failed())} failed`,
    ];
    if (total !== undefined && perSecond > 0) parts.push(`ETA ${duration((total - source.skipped - source.done) / perSecond)}`);
    const llms = this.#llms().map(([, u]) => u);
    if (llms.length > 0) {
      const sum = (pick: (u: LlmCounters) => number) => llms.reduce((n, u) => n + pick(u), 0);
      parts.push(
        `llm ${int(sum((u) => u.requests))} req`,
        `${int(sum((u) => u.promptTokens + u.completionTokens))} tokens`,
        `${int(sum((u) => u.rateLimited))} 429s`,
        `${int(sum((u) => u.cacheHits))} cache hits`,
        `$${sum((u) => u.costUsd).toFixed(4)}`,
      );
      for (const u of llms) if (u.batch) parts.push(batchText(u.batch));
    }
    return `sluice: ${parts.join(', ')}`;
  }

  /** The live block (TTY mode): the run, then one line per step, then one per LLM. */
  frame(now = Date.now()): string[] {
    const source = this.#live.source();
    const total = this.#effectiveTotal();
    const perSecond = this.#rate(now, source.done, (s) => s.done);
    const remaining = total === undefined ? undefined : total - source.skipped - source.done;
    const head = [
      `sluice ${this.#pipeline}: ${int(source.done)}${total !== undefined ? `/${int(total - source.skipped)}` : ''} records done`,
      `${int(source.read)} read`,
      `${rate(perSecond)} rows/s`,
      `${int(this.#live.budget.inFlight)} in flight`,
      `${int(this.#live.failed())} failed`,
      ...(remaining !== undefined && perSecond > 0 ? [`ETA ${duration(remaining / perSecond)}`] : []),
    ];
    const cells: string[][] = [];
    for (const [name, stats] of this.#live.steps) {
      const done = settled(stats);
      const stepRate = this.#rate(now, done, (s) => s.steps.get(name) ?? 0);
      // A step's total is projected from the share of records read so far: exact for 1:1 steps.
      const projected = total !== undefined && source.read > 0 ? Math.max(done, Math.round((stats.in * (total - source.skipped)) / source.read)) : undefined;
      const hits = this.#cacheHits.get(name) ?? 0;
      cells.push([
        `  ${name}`,
        `${int(done)}${projected !== undefined ? `/~${int(projected)}` : ''}`,
        `${rate(stepRate)} rows/s`,
        `${int(Math.max(0, stats.in - done))} in flight`,
        projected !== undefined && stepRate > 0 && projected > done ? `ETA ${duration((projected - done) / stepRate)}` : '',
        stats.failed > 0 ? `${int(stats.failed)} failed` : '',
        hits > 0 ? `${int(hits)} cache hits` : '',
      ]);
    }
    const lines = [head.join(', '), ...pad(cells)];
    for (const [name, u] of this.#llms()) {
      lines.push(
        `  llm ${name}: ${int(u.requests)} req, ${int(u.promptTokens + u.completionTokens)} tokens, $${u.costUsd.toFixed(4)}, ` +
          `${int(u.rateLimited)} 429s, ${int(u.cacheHits)} cache hits${u.batch ? `, ${batchText(u.batch)}` : ''}`,
      );
    }
    return lines;
  }

  #erase(): string {
    return `${ESC}${this.#drawn}A${ESC}0J`;
  }

  #draw(now: number): void {
    // A pty with no size set (under `script`, some CI runners) reports 0 columns: assume 120.
    const columns = this.#stream.columns > 0 ? this.#stream.columns : 120;
    const width = Math.max(20, columns - 1);
    // Lines are cut to the terminal width: a wrapped line would throw off the cursor-up count.
    const lines = this.frame(now).map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    let out = this.#drawn > 0 ? `${ESC}${this.#drawn}A` : '';
    for (const line of lines) out += `${ESC}2K${line}\n`;
    if (lines.length < this.#drawn) out += `${ESC}0J`;
    this.#stream.write(out);
    this.#drawn = lines.length;
  }
}
