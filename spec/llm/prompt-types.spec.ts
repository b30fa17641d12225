/**
 * Compile-time checks of prompts, typed sources and the `_sluice` column: `tsc -p spec/tsconfig.json`
 * fails if an `@ts-expect-error` below stops being an error. The runtime asserts check that the
 * steps built read the columns the types say.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { type Chain, chain } from '../../lib/core/chain.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { complete } from '../../lib/llm/complete.ts';
import { embed } from '../../lib/llm/embed.ts';
import { generate } from '../../lib/llm/generate.ts';
import type { SluiceMetadata } from '../../lib/llm/llm-output.ts';
import { structured } from '../../lib/llm/structured.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { jsonArrayFile } from '../../lib/sources/json-array-file.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';

type RowOf<C> = C extends Chain<infer R, any> ? R : never;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const llm = createLlm({ model: 'typed', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });

describe('prompt templates checked against the row type', () => {
  it('rejects a prompt that reads a column no step produced, naming it; accepts known columns and inputs', () => {
    const qa = chain<{ topic: string }>().pipe(
      generate({ llm, prompt: 'Ask one question about {{ topic | upcase }}.', as: 'question' }),
      generate({ llm, prompt: 'Answer {{ question }} (on {{ topic }}).', as: 'answer' }),
      // @ts-expect-error prompt reads column `questoin`, which the rows do not have
      generate({ llm, prompt: 'Judge {{ questoin }}: {{ answer }}', as: 'verdict' }),
    );
    chain<{ topic: string }>().pipe(generate({ llm, prompt: 'Answer {{ q }}', inputs: { q: 'topic' } }));
    // @ts-expect-error prompt reads column `nope`, which the rows do not have
    chain<{ topic: string }>().pipe(complete({ llm, prompt: '{{ nope }}' }));
    // @ts-expect-error prompt reads column `txt`, which the rows do not have
    chain<{ text: string }>().pipe(embed({ llm, text: '{{ txt }}' }));
    chain<{ topic: string }>().pipe(structured({ llm, prompt: 'Plan {{ topic }}', schema: z.object({ steps: z.array(z.string()) }) }));
    assert.deepEqual(
      qa.steps.map((s) => s.needs),
      [['topic'], ['question', 'topic'], ['questoin', 'answer']],
    );
  });

  it('leaves unchecked what it cannot know: open rows, non-literal prompts, templates with tags', () => {
    const prompt: string = 'Anything {{ goes }}';
    const built = chain<Record<string, unknown>>().pipe(generate({ llm, prompt: 'Answer {{ anything }}' }));
    chain<{ topic: string }>().pipe(generate({ llm, prompt }));
    chain<{ items: string[] }>().pipe(generate({ llm, prompt: '{% for item in items %}{{ item }}{% endfor %}' }));
    assert.deepEqual(built.steps[0]!.needs, ['anything']);
  });
});

describe('row types from sources, and the _sluice column', () => {
  it('takes a row type on every file source, and checks it with a schema', () => {
    const typed = pipeline('t').from(ndjsonFile<{ topic: string }>('topics.jsonl'));
    // @ts-expect-error `topics` is not a column of the source's rows
    typed.pipe(map((row) => ({ n: row.topics.length })));
    const checked = pipeline('c').from(jsonArrayFile('items.json', { schema: z.object({ id: z.number(), text: z.string() }) }));
    const next = checked.pipe(map((row) => ({ ...row, long: row.text.length > 80 })));
    assert.equal(typeof next.steps[0]!.operator, 'function');
    assert.deepEqual(checked.source?.columns, ['id', 'text'], 'a z.object tells validation the columns');
  });

  it('types `_sluice` on the rows of LLM steps while metadata is on, and not with metadata: false', () => {
    const on = chain<{ topic: string }>().pipe(generate({ llm, prompt: 'About {{ topic }}', as: 'text' }));
    const off = chain<{ topic: string }>().pipe(generate({ llm, prompt: 'About {{ topic }}', as: 'text', metadata: false }));
    const onOk: Equal<RowOf<typeof on>, { topic: string; text: string; _sluice: SluiceMetadata }> = true;
    const offOk: Equal<RowOf<typeof off>, { topic: string; text: string }> = true;
    assert.deepEqual([onOk, offOk], [true, true]);
  });
});
