import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { DefinitionError } from '../../lib/config/definition-error.ts';
import { filterColumn } from '../../lib/config/filter-column.ts';
import { llmsOf } from '../../lib/config/llms-of.ts';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import { mapColumns } from '../../lib/config/map-columns.ts';
import { definitionOf, savePipeline } from '../../lib/config/save-definition.ts';
import { chain } from '../../lib/core/chain.ts';
import { type Pipeline, pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { complete } from '../../lib/llm/complete.ts';
import { embed } from '../../lib/llm/embed.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { structured } from '../../lib/llm/structured.ts';
import { aggregate } from '../../lib/operators/aggregate.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { filter } from '../../lib/operators/filter.ts';
import { join as joinStep } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { route } from '../../lib/operators/route.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

const topics = [{ topic: 'ocean tides' }, { topic: '' }, { topic: 'bread baking' }, { topic: 'lichens' }];

/** Rows as comparable values: without `_sluice` (ids and timings differ per request), groups' rows sorted. */
function comparable(rows: readonly Row[]): string[] {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const inner = value.map(strip);
      // Rows grouped by `aggregate` come in arrival order, which concurrency makes vary.
      return inner.every((v) => v !== null && typeof v === 'object') ? inner.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : inner;
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== '_sluice')
          .map(([key, inner]) => [key, strip(inner)]),
      );
    }
    return value;
  };
  return rows.map((row) => JSON.stringify(strip(row))).sort();
}

async function rowsOf(p: Pipeline<any>): Promise<string[]> {
  const out = toMemory();
  const failed = failedCollector();
  await p.run({ source: fromIterable(topics), sink: out, failed });
  assert.deepEqual(failed.rows, []);
  return comparable(out.rows);
}

describe('saving pipelines and loading them back', () => {
  let sim: Simulator;
  let writer: Llm;
  let judge: Llm;
  let dir: string;
  const env = () => ({ OPENAI_API_KEY: 'sk-test-SECRET' });

  before(async () => {
    sim = await startSimulator();
    writer = createLlm({ name: 'writer', model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test-SECRET', concurrency: 8, params: { temperature: 0.5 } });
    judge = createLlm({ name: 'judge', model: 'sim-large', baseURL: sim.url, apiKey: 'sk-test-SECRET', rpm: 6000, timeoutMs: 30_000 });
    dir = await mkdtemp(join(tmpdir(), 'sluice-save-'));
  });
  after(async () => {
    await writer.close();
    await judge.close();
    await sim.close();
  });

  /** A pipeline of every built-in kind that TS can build without code. */
  const built = () =>
    pipeline('round-trip', { budget: 128 }).pipe(
      filterColumn({ name: 'has-topic', column: 'topic', nonEmpty: true }),
      structured({
        llm: writer,
        name: 'plan',
        prompt: 'List subtopics of {{ topic }}.',
        schema: z.object({ subtopics: z.array(z.string()).min(1).max(3), level: z.enum(['easy', 'hard']), note: z.string().nullable() }),
        as: 'plan',
      }),
      mapColumns({ name: 'unpack', pick: { subtopics: 'plan.subtopics', level: 'plan.level' }, drop: ['plan'] }),
      scatter('subtopics', { as: 'subtopic', concurrency: 4 }),
      broadcast(
        {
          small: chain<any>().pipe(
            generate({
              llm: writer,
              name: 'ask',
              prompt: 'Ask about {{ subtopic }} (costs ${price}).',
              as: 'generation',
              params: { max_tokens: 50 },
              concurrency: 16,
            }),
          ),
          large: chain<any>().pipe(
            generate({
              llm: judge,
              name: 'ask',
              system: 'Be brief.',
              prompt: 'Ask about {{ subtopic }}.',
              as: 'generation',
              metadata: false,
              inputs: { subtopic: 'subtopic' },
              cache: false,
            }),
          ),
        },
        { name: 'fan' },
      ),
      joinStep({ name: 'merge', combine: { generation: 'generations' }, branchesAs: 'models' }),
      route.sample(
        1,
        {
          keep: chain<any>().pipe(mapColumns({ set: { picked: 'keep' } })),
          other: chain<any>().pipe(
            mapColumns({ set: { picked: 'other' } }),
            complete({ llm: judge, prompt: '{{ subtopic }}:', as: 'more', params: { max_tokens: 20 } }),
          ),
        },
        { seed: 7, name: 'pick' },
      ),
      joinStep({ name: 'back' }),
      embed({ llm: writer, text: '{{ subtopic }}', size: 3, dimensions: 4, name: 'vector' }),
      aggregate({ key: 'topic', name: 'by-topic', onError: 'fail' }),
    );

  it('writes the definition of a pipeline of built-in steps, without defaults or keys', () => {
    const definition = definitionOf(built());
    assert.deepEqual(definition.llms, {
      writer: { model: 'sim-small', baseURL: sim.url, params: { temperature: 0.5 }, concurrency: 8 },
      judge: { model: 'sim-large', baseURL: sim.url, rpm: 6000, timeoutMs: 30000 },
    });
    assert.deepEqual(definition.run, { budget: 128 });
    assert.deepEqual(definition.steps.slice(0, 4), [
      { filter: { name: 'has-topic', column: 'topic', nonEmpty: true } },
      {
        structured: {
          name: 'plan',
          llm: 'writer',
          prompt: 'List subtopics of {{ topic }}.',
          as: 'plan',
          schema: {
            type: 'object',
            properties: {
              subtopics: { minItems: 1, maxItems: 3, type: 'array', items: { type: 'string' } },
              level: { type: 'string', enum: ['easy', 'hard'] },
              note: { type: ['string', 'null'] },
            },
            required: ['subtopics', 'level', 'note'],
            additionalProperties: false,
          },
        },
      },
      { map: { name: 'unpack', pick: { subtopics: 'plan.subtopics', level: 'plan.level' }, drop: ['plan'] } },
      { scatter: { column: 'subtopics', as: 'subtopic', concurrency: 4 } },
    ]);
    assert.deepEqual(definition.steps.slice(4), [
      {
        broadcast: {
          name: 'fan',
          branches: {
            small: [
              { generate: { name: 'ask', llm: 'writer', prompt: 'Ask about {{ subtopic }} (costs ${price}).', params: { max_tokens: 50 }, concurrency: 16 } },
            ],
            large: [
              {
                generate: {
                  name: 'ask',
                  llm: 'judge',
                  prompt: 'Ask about {{ subtopic }}.',
                  system: 'Be brief.',
                  metadata: false,
                  inputs: { subtopic: 'subtopic' },
                  cache: false,
                },
              },
            ],
          },
        },
      },
      { join: { name: 'merge', combine: { generation: 'generations' }, branchesAs: 'models' } },
      {
        route: {
          name: 'pick',
          sample: { n: 1, seed: 7 },
          branches: {
            keep: [{ map: { set: { picked: 'keep' } } }],
            other: [{ map: { set: { picked: 'other' } } }, { complete: { llm: 'judge', prompt: '{{ subtopic }}:', as: 'more', params: { max_tokens: 20 } } }],
          },
        },
      },
      { join: { name: 'back' } },
      { embed: { name: 'vector', llm: 'writer', text: '{{ subtopic }}', size: 3, dimensions: 4 } },
      { aggregate: { name: 'by-topic', key: 'topic', onError: 'fail' } },
    ]);
    assert.doesNotMatch(JSON.stringify(definition), /SECRET|apiKey/);
  });

  for (const format of ['yaml', 'json'] as const) {
    it(`saves to ${format.toUpperCase()} and loads back the same definition, which gives the same rows on the simulator`, async () => {
      const original = built();
      const path = join(dir, `round-trip.${format}`);
      await savePipeline(original, path);
      const text = await readFile(path, 'utf8');
      if (format === 'json') assert.equal(JSON.parse(text).name, 'round-trip');
      else assert.match(text, /^name: round-trip\n/);
      // A literal `${` is escaped, so that loading does not read it as a variable.
      assert.match(text, /costs \$\$\{price\}/);
      assert.doesNotMatch(text, /SECRET/);

      const loaded = await loadDefinition(path, { env: env() });
      try {
        assert.deepEqual(definitionOf(loaded), definitionOf(original));
        const rows = await rowsOf(original);
        // Three topics with text, one group each, every subtopic asked twice and picked once.
        assert.equal(rows.length, 3);
        assert.match(rows[0]!, /"models":\["small","large"\]/);
        assert.deepEqual(await rowsOf(loaded), rows);
      } finally {
        await Promise.all(llmsOf(loaded).map((llm) => llm.close()));
      }
    });
  }

  it('pipeline.save(path) writes the same file as savePipeline', async () => {
    await built().save(join(dir, 'method.yaml'));
    await savePipeline(built(), join(dir, 'function.yaml'));
    assert.equal(await readFile(join(dir, 'method.yaml'), 'utf8'), await readFile(join(dir, 'function.yaml'), 'utf8'));
  });

  it('saves the source and sink set in code as input and output, into a folder it creates', async () => {
    const { ndjsonFile } = await import('../../lib/sources/ndjson-file.ts');
    const { toNdjsonFile } = await import('../../lib/sinks/ndjson-file.ts');
    const { toNdjsonDir } = await import('../../lib/sinks/ndjson-dir.ts');
    const target = join(dir, 'not', 'yet', 'there.yaml');
    await pipeline('io')
      .from(ndjsonFile('data/in.jsonl'))
      .pipe(mapColumns({ trim: ['text'] }))
      .to(toNdjsonFile('out/rows.jsonl'))
      .save(target);
    const saved = await readFile(target, 'utf8');
    assert.match(saved, /^input: data\/in\.jsonl$/m);
    assert.match(saved, /^output: out\/rows\.jsonl$/m);
    assert.equal(definitionOf(pipeline('dir').from(ndjsonFile('a.jsonl')).to(toNdjsonDir('leaves'))).output, 'leaves/');
  });

  it('keeps input, output, route.when conditions and filter tests through a load and a save', async () => {
    const yaml = [
      'name: routes',
      'input: examples/data/rows.jsonl',
      'output: out/routes/',
      'steps:',
      '  - filter: { column: lang, in: [en, fr], not: true }',
      '  - route:',
      '      name: size',
      '      when:',
      '        short: { column: text, max: 40 }',
      '        question: { column: text, matches: "\\\\?$" }',
      '      otherwise: long',
      '  - map: { keep: [text, lang], rename: { lang: language }, trim: [text] }',
    ].join('\n');
    await writeFile(join(dir, 'routes.yaml'), yaml);
    const first = await loadDefinition(join(dir, 'routes.yaml'));
    await savePipeline(first, join(dir, 'routes-saved.yaml'));
    const second = await loadDefinition(join(dir, 'routes-saved.yaml'));
    assert.deepEqual(definitionOf(second), definitionOf(first));
    assert.deepEqual(definitionOf(first), {
      name: 'routes',
      input: 'examples/data/rows.jsonl',
      output: 'out/routes/',
      steps: [
        { filter: { column: 'lang', in: ['en', 'fr'], not: true } },
        { route: { name: 'size', when: { short: { column: 'text', max: 40 }, question: { column: 'text', matches: '\\?$' } }, otherwise: 'long' } },
        { map: { keep: ['text', 'lang'], rename: { lang: 'language' }, trim: ['text'] } },
      ],
    });
  });

  it('refuses a step built with your own code, naming it and saying to use `import:`', () => {
    const p = pipeline('custom').pipe(mapColumns({ set: { a: 1 } }), broadcast({ a: chain<any>().pipe(filter((row: Row) => row.a === 1)) }, { name: 'fan' }));
    assert.throws(
      () => definitionOf(p),
      (error: unknown) => {
        assert.ok(error instanceof DefinitionError);
        assert.equal(error.code, 'SLUICE_DEFINITION_UNSAVEABLE');
        assert.equal(
          error.message,
          'Cannot save step `fan/a/filter`: it is a `filter` built with your own code, which a definition cannot hold. Use a declarative step instead (`mapColumns`, `filterColumn`; in YAML `map: { pick, rename, … }`, `filter: { column, … }`), or put the code in a module next to the definition and name it with an `import:` step.',
        );
        return true;
      },
    );
    assert.throws(
      () => definitionOf(pipeline('m').pipe(map((row: Row) => row, { name: 'unpack' }))),
      /^DefinitionError: Cannot save step `unpack`: it is a `map` built with your own code/,
    );
    assert.throws(
      () => definitionOf(pipeline('a').pipe(aggregate({ count: 2, reduce: (rows) => ({ n: rows.length }) }))),
      /^DefinitionError: Cannot save step `aggregate`: it is a `aggregate` built with your own code/,
    );
  });

  it('refuses two different LLMs with one name', () => {
    const other = createLlm({ name: 'writer', model: 'sim-large', baseURL: sim.url });
    const p = pipeline('two').pipe(generate({ llm: writer, prompt: 'a' }), generate({ llm: other, prompt: 'b', name: 'second' }));
    assert.throws(() => definitionOf(p), {
      name: 'DefinitionError',
      message:
        'Cannot save pipeline `two`: two different LLMs are named `writer` (step `second` uses one). Give them distinct names with `createLlm({ name })`.',
    });
    void other.close();
  });

  it('refuses JSON for infinite numbers, which only YAML can hold', async () => {
    const p = pipeline('inf').pipe(scatter('xs' as never, { concurrency: Number.POSITIVE_INFINITY }));
    await assert.rejects(savePipeline(p, join(dir, 'inf.json')), {
      message:
        'Cannot save pipeline `inf` as JSON: `steps[0].scatter.concurrency` is infinite, which JSON cannot hold. Save it as YAML (`.yaml`), where it is `.inf`.',
    });
    await savePipeline(p, join(dir, 'inf.yaml'));
    assert.match(await readFile(join(dir, 'inf.yaml'), 'utf8'), /concurrency: \.inf/);
    assert.equal((await loadDefinition(join(dir, 'inf.yaml'))).steps[0]!.params.concurrency, Number.POSITIVE_INFINITY);
  });
});
