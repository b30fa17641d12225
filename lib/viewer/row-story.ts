/**
 * A row's story, from the run directory: the source records it came from (its lineage, kept in
 * `written/*.ids` line for line with each output), those records as they were read, the other
 * rows they became (siblings after a scatter), the rows kept of them at `--keep` steps, and their
 * failed rows. Every read is by line number or a bounded scan, never a whole output.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { keptSteps } from '../core/kept-steps.ts';
import { type LineCounter, readLinePage } from './line-pages.ts';

/** Lines either side of a row searched for its siblings: scatter children are written close together. */
const SIBLING_WINDOW = 500;
/** Lines of a kept step's file, or of the failed rows, searched for the record's rows. */
const SCAN_LIMIT = 200_000;

export interface RowStory {
  /** The source records the row came from (`topics.jsonl:3`). */
  readonly lineage: readonly string[];
  /** Each record as read, where its source is a local file named by position. */
  readonly sources: ReadonlyArray<{ readonly id: string; readonly row: unknown }>;
  /** Other rows of the same records in this output, near it. */
  readonly siblings: ReadonlyArray<{ readonly line: number; readonly row: unknown }>;
  /** Rows kept of these records at `--keep` steps, by step. */
  readonly kept: Readonly<Record<string, readonly unknown[]>>;
  /** Failed rows of these records. */
  readonly failed: readonly unknown[];
}

export class RowStories {
  readonly #runDir: string;
  readonly #counters: (path: string) => LineCounter;
  /** The lineage file of each output, by the output's path. */
  #sidecars: Map<string, string> | undefined;

  constructor(runDir: string, counters: (path: string) => LineCounter) {
    this.#runDir = runDir;
    this.#counters = counters;
  }

  /** The story of the row at byte `offset` of `output`, or undefined when no lineage was kept for it. */
  async of(output: string, offset: number, inputs: ReadonlyArray<{ path: string }>, failedPath: string | undefined): Promise<RowStory | undefined> {
    const line = await this.#counters(output).lineAt(offset);
    const sidecar = await this.#sidecarOf(output);
    if (line === undefined || sidecar === undefined) return undefined;
    const ids = this.#counters(sidecar);
    // The sidecar's first line names the output; line k of the output is its line k + 1.
    const lineage = parseIds(await ids.lineText(line + 1));
    if (!lineage) return undefined;
    const key = lineage.join('\n');
    const siblings: Array<{ line: number; row: unknown }> = [];
    const first = Math.max(0, line - SIBLING_WINDOW);
    const window = await ids.linesFrom(first + 1, 2 * SIBLING_WINDOW + 1);
    for (const [i, text] of window.entries()) {
      const other = first + i;
      if (other !== line && parseIds(text)?.join('\n') === key) siblings.push({ line: other, row: parse(await this.#counters(output).lineText(other)) });
    }
    return {
      lineage,
      sources: await this.#sources(lineage, inputs),
      siblings,
      kept: await this.#kept(lineage),
      failed: failedPath ? await scan(failedPath, (row) => belongs((row as { id?: string }).id, lineage)) : [],
    };
  }

  async #sidecarOf(output: string): Promise<string | undefined> {
    if (!this.#sidecars) {
      this.#sidecars = new Map();
      const folder = join(this.#runDir, 'written');
      for (const name of existsSync(folder) ? readdirSync(folder) : []) {
        const head = (await readLinePage(join(folder, name), 0, 1)).lines[0]?.text;
        const file = head ? (parse(head) as { file?: string } | undefined)?.file : undefined;
        if (file) this.#sidecars.set(file, join(folder, name));
      }
    }
    return this.#sidecars.get(output);
  }

  /** The source records, read from local files whose ids are `name:line`. */
  async #sources(lineage: readonly string[], inputs: ReadonlyArray<{ path: string }>): Promise<Array<{ id: string; row: unknown }>> {
    const out: Array<{ id: string; row: unknown }> = [];
    for (const id of lineage) {
      const match = /^(.*):(\d+)$/.exec(id);
      const input = match ? inputs.find((i) => i.path.endsWith(match[1]!)) : undefined;
      if (!match || !input || !existsSync(input.path)) continue;
      const text = await this.#counters(input.path).lineText(Number(match[2]) - 1);
      out.push({ id, row: parse(text) });
    }
    return out;
  }

  async #kept(lineage: readonly string[]): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const step of keptSteps.names(this.#runDir)) {
      const rows = await scan(keptSteps.path(this.#runDir, step), (kept) =>
        ((kept as { lineage?: string[] }).lineage ?? []).some((id) => lineage.includes(id)),
      );
      if (rows.length > 0) out[step] = rows.map((kept) => (kept as { row?: unknown }).row);
    }
    return out;
  }
}

/** The rows of a file that `keep` picks, among its first lines. */
async function scan(path: string, keep: (row: unknown) => boolean): Promise<unknown[]> {
  const found: unknown[] = [];
  let offset = 0;
  for (let read = 0; read < SCAN_LIMIT; ) {
    const page = await readLinePage(path, offset, 1000);
    if (page.lines.length === 0) break;
    for (const line of page.lines) {
      const row = parse(line.text);
      if (row !== undefined && keep(row)) found.push(row);
    }
    read += page.lines.length;
    offset = page.next;
  }
  return found;
}

/** Whether a failed row's id (`src:3`, a child `src:3.1`) descends from one of the records. */
function belongs(id: string | undefined, lineage: readonly string[]): boolean {
  return id !== undefined && lineage.some((root) => id === root || id.startsWith(`${root}.`) || id.startsWith(`${root}@`));
}

function parseIds(text: string | undefined): string[] | undefined {
  const value = parse(text) as { ids?: unknown } | undefined;
  return Array.isArray(value?.ids) ? (value.ids as string[]) : undefined;
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
