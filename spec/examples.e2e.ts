import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/run-cli.ts';

function lines(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/** Runs `examples/<name>.ts` and its YAML twin on the simulator; checks they give the same rows, and returns them. */
async function twinRows(name: string): Promise<Array<Record<string, any>>> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-${name}-`));
  const outputs: Array<Array<Record<string, any>>> = [];
  for (const extension of ['ts', 'yaml']) {
    const out = join(dir, `${extension}.jsonl`);
    const result = await runCli(['run', `examples/${name}.${extension}`, '--llm', 'simulated', '-o', out], '', {
      env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' },
    });
    assert.equal(result.code, 0, result.stderr);
    outputs.push(lines(await readFile(out, 'utf8')).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  }
  assert.deepEqual(outputs[0], outputs[1], 'the YAML twin gives the same rows');
  return outputs[0]!;
}

describe('examples, run exactly as the README says', () => {
  it('parameter-search.ts runs ten seeded experiments, the same serially and in parallel, keeps each result, and collects the best', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-search-'));
    const results: Array<Record<string, any>> = [];
    for (const concurrency of ['1', '4']) {
      const run = join(dir, `run-${concurrency}`);
      const out = join(dir, `best-${concurrency}.jsonl`);
      const result = await runCli(['run', 'examples/parameter-search.ts', '-o', out, '--run-dir', run, '--keep', 'train'], '', {
        env: { SEARCH_CONCURRENCY: concurrency },
      });
      assert.equal(result.code, 0, result.stderr);
      const [best] = lines(await readFile(out, 'utf8'));
      assert.equal(best!.experiments, 10);
      results.push(best!);
      const kept = await runCli(['inspect', run, '--step', 'train']);
      const trained = lines(kept.stdout).map((k) => k.row);
      assert.equal(trained.length, 10);
      assert.equal(Math.max(...trained.map((r) => r.score)), best!.best_score);
      // The second job saved a table and a chart of every result into the run directory.
      const csv = (await readFile(join(run, 'results.csv'), 'utf8')).trim().split('\n');
      assert.equal(csv[0], 'experiment,lr,backbone,score');
      assert.equal(csv.length, 11);
      assert.equal(csv[1]!.split(',')[0], String(best!.best_experiment));
      const svg = await readFile(join(run, 'scores.svg'), 'utf8');
      assert.match(svg, /^<svg /);
      const points = [...svg.matchAll(/aria-label="lr: [^;]+; score: ([^;]+); backbone: (\w+)"/g)];
      assert.equal(points.length, 10);
      assert.deepEqual(points.map((p) => Number(p[1])).sort(), trained.map((r) => r.score).sort());
    }
    assert.deepEqual(results[0], results[1], 'serial and parallel give the same best experiment');
  });

  it('clean.ts trims strings and drops empty texts, as a filter', async () => {
    const input = await readFile('examples/data/rows.jsonl', 'utf8');
    const result = await runCli(['run', 'examples/clean.ts'], input);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      lines(result.stdout).map((r) => r.text),
      ['The tide comes in twice a day.', 'La marée monte deux fois par jour.', 'Photosynthesis turns light into sugar.', 'Die Römer bauten Straßen.'],
    );
  });

  it('fanout.ts writes one file per named output, with the per-language counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-fanout-'));
    const result = await runCli(['run', 'examples/fanout.ts', '-i', 'examples/data/rows.jsonl', '-o', `${dir}/`]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['rows__en.jsonl', 'rows__other.jsonl', 'stats.jsonl']);
    const en = lines(await readFile(join(dir, 'rows__en.jsonl'), 'utf8'));
    assert.deepEqual(
      en.map((r) => [r.words, r.question]),
      [
        [7, false],
        [5, false],
      ],
    );
    const stats = lines(await readFile(join(dir, 'stats.jsonl'), 'utf8'));
    assert.deepEqual(
      stats.sort((a, b) => a.lang.localeCompare(b.lang)),
      [
        { lang: 'de', rows: 1, words: 4 },
        { lang: 'en', rows: 2, words: 12 },
        { lang: 'fr', rows: 1, words: 7 },
      ],
    );
  });

  it('qa-pairs.ts runs on the simulator: 5 topics, 3 subtopics each, 15 QA pairs marked simulated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-qa-'));
    const out = join(dir, 'qa.jsonl');
    const result = await runCli(['run', 'examples/qa-pairs.ts', '--llm', 'simulated', '-o', out], '', { env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' } });
    assert.equal(result.code, 0, result.stderr);
    const rows = lines(await readFile(out, 'utf8'));
    assert.equal(rows.length, 15);
    assert.equal(new Set(rows.map((r) => `${r.topic}|${r.subtopic}`)).size, 15);
    for (const row of rows) {
      assert.equal(typeof row.question, 'string');
      assert.equal(typeof row.answer, 'string');
      assert.deepEqual(Object.keys(row._sluice).sort(), ['answer', 'question', 'subtopics']);
      assert.equal(row._sluice.answer.simulated, true);
    }
    assert.match(result.stderr, /llm gpt-4o-mini \(SIMULATED: answers are not from a real model\): 35 requests/);
  });

  it('qa-curated.ts scatters, gathers each topic into one row for a curator, and scatters the kept questions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-qa-curated-'));
    const out = join(dir, 'qa.jsonl');
    const result = await runCli(['run', 'examples/qa-curated.ts', '--llm', 'simulated', '-o', out], '', { env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /per-topic\s+15\s+15\s+0\s+0\s+5\n/);
    const rows = lines(await readFile(out, 'utf8'));
    const topics = new Map<string, number>();
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), ['topic', 'question', 'answer']);
      assert.match(row.question, /Write one clear question about subtopic [1-3] of/);
      topics.set(row.topic, (topics.get(row.topic) ?? 0) + 1);
    }
    assert.equal(topics.size, 5);
    // Two kept per topic, fewer only when the curator named the same question twice.
    assert.ok([...topics.values()].every((n) => n >= 1 && n <= 2));
  });

  it('qa-pairs.ts without an endpoint or the switch fails and says how to fix it', async () => {
    const result = await runCli(['run', 'examples/qa-pairs.ts'], '', { env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', SLUICE_LLM: '' } });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /OPENAI_BASE_URL/);
    assert.match(result.stderr, /--llm simulated/);
  });

  it('generations.ts and its YAML twin: three LLMs answer every instruction, combined with their model names', async () => {
    const rows = await twinRows('generations');
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row).sort(), ['generations', 'instruction', 'model_names']);
      assert.deepEqual([...row.model_names].sort(), ['gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o-mini']);
      for (const [i, g] of (row.generations as string[]).entries()) assert.ok(g.startsWith(`[sim:${row.model_names[i]}]`), g);
    }
  });

  it('variations.ts and its YAML twin: three variations of each seed, parsed from a JSON list in free text', async () => {
    const rows = await twinRows('variations');
    assert.equal(rows.length, 12);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), ['seed', 'instruction']);
      assert.match(row.instruction, /^\[sim:gpt-4o-mini\] item [1-3] for: /);
    }
    assert.equal(new Set(rows.map((r) => r.seed)).size, 4);
  });

  it('tracked.ts keeps two steps as artifacts, captures the quiet step, and tracked-report.ts reads one back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-tracked-'));
    const run = join(dir, 'run');
    const env = { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', TRACKED_RUN_DIR: run };
    const first = await runCli(['run', 'examples/tracked.ts', '--llm', 'simulated', '--run-dir', run], '', { env });
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /cleaned \d+/, 'the quiet step prints nothing');
    assert.match(first.stderr, /kept: clean, label/);
    assert.equal((await readFile(join(run, 'console.log'), 'utf8')).trim().split('\n').length, 5);
    const label = lines((await runCli(['inspect', run, '--step', 'label'])).stdout);
    assert.equal(label.length, 5);
    for (const kept of label) {
      assert.ok(['positive', 'negative', 'neutral'].includes(kept.row.label));
      assert.deepEqual(kept.lineage, [kept.id]);
    }
    const counts = lines(await readFile('out/label-counts.jsonl', 'utf8'));
    assert.equal(
      counts.reduce((sum, c) => sum + c.reviews, 0),
      5,
    );
    const report = await runCli(['run', 'examples/tracked-report.ts'], '', { env });
    assert.equal(report.code, 0, report.stderr);
    const longest = lines(await readFile('out/longest-per-label.jsonl', 'utf8'));
    assert.deepEqual(longest.map((r) => [r.label, r.reviews]).sort(), counts.map((c) => [c.label, c.reviews]).sort());
    const runs = lines((await runCli(['runs', '--pipeline', 'tracked', '--json'])).stdout);
    assert.ok(
      runs.some((r) => resolve(r.runDir) === run),
      JSON.stringify(runs[0]),
    );
  });

  it('synth-flow.yaml reads with its own reader, writes with its own writer, names records by content, and drops a near-copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-synth-'));
    const run = join(dir, 'run');
    const result = await runCli(['run', 'examples/synth-flow.yaml', '--llm', 'simulated', '--run-dir', run], '', {
      env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /unique\s+6\s+5\s+1/);
    const rows = lines(await readFile('out/synth-chat.jsonl', 'utf8'));
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.deepEqual(
        row.messages.map((m: { role: string }) => m.role),
        ['user', 'assistant'],
      );
      assert.ok(row.messages.every((m: { content: unknown }) => typeof m.content === 'string' && m.content !== ''));
    }
    // Lineage names each record by a hash of its text, not its position.
    const [ids] = await readdir(join(run, 'written'));
    const written = (await readFile(join(run, 'written', ids!), 'utf8'))
      .trim()
      .split('\n')
      .filter((line) => line.includes('"ids"'));
    assert.equal(written.length, 5);
    for (const line of written) assert.match(line, /examples\/data\/notes\.txt:[0-9a-f]{16}/);
  });

  it('judge.ts sends each prompt to 2 of 3 writers, combines their answers, and has them rated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-judge-'));
    const run = async (name: string) => {
      const out = join(dir, name);
      const result = await runCli(['run', 'examples/judge.ts', '--llm', 'simulated', '-o', out], '', { env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' } });
      assert.equal(result.code, 0, result.stderr);
      return lines(await readFile(out, 'utf8'));
    };
    const rows = await run('a.jsonl');
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.equal(row.generations.length, 2);
      assert.equal(new Set(row.model_names).size, 2);
      assert.ok(row.model_names.every((m: string) => ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1-nano'].includes(m)));
      // The model name travels with its answer: the simulator signs each answer with its model.
      for (const [i, g] of (row.generations as string[]).entries()) assert.ok(g.startsWith(`[sim:${row.model_names[i]}]`), g);
      assert.equal(row.ratings.length, 2);
      assert.equal(row.rationales.length, 2);
      assert.equal(row._sluice.rate.simulated, true);
    }
    const again = await run('b.jsonl');
    const picks = (rs: Array<Record<string, any>>) => rs.map((r) => `${r.instruction}:${[...r.model_names].sort().join(',')}`).sort();
    assert.deepEqual(picks(again), picks(rows), 'the seeded draw picks the same writers on a rerun');
  });
});
