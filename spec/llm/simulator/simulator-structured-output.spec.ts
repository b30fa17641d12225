import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { clientFor, simulatorFor } from './simulator-helpers.ts';

interface TreeNode {
  name: string;
  children: TreeNode[];
}
const Tree: z.ZodType<TreeNode> = z.object({ name: z.string(), children: z.lazy(() => z.array(Tree)) });

const shapes = {
  'nested objects with optional, nullable and bounded fields': z.object({
    article: z.object({ title: z.string().min(3).max(40), rating: z.number().min(1).max(5), pages: z.int().positive() }),
    subtitle: z.string().optional(),
    editor: z.string().nullable(),
  }),
  'an array of strings': z.array(z.string()),
  'enums and literals': z.object({ sentiment: z.enum(['positive', 'negative', 'neutral']), version: z.literal('v1') }),
  'numbers with exclusive bounds, multiples and tuples': z.object({
    score: z.int().gt(3).lt(7),
    weight: z.number().multipleOf(0.25).positive().max(10),
    below: z.number().max(-5),
    pair: z.tuple([z.string(), z.number()]),
  }),
  'a discriminated union': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('question'), text: z.string() }),
    z.object({ kind: z.literal('answer'), confidence: z.number().min(0).max(1) }),
  ]),
  'string formats': z.object({ email: z.email(), id: z.uuid(), at: z.iso.datetime(), day: z.iso.date(), link: z.url() }),
  'records, intersections and defaults': z.object({
    flags: z.record(z.enum(['a', 'b']), z.boolean()),
    counts: z.record(z.string(), z.int()),
    both: z.intersection(z.object({ x: z.string() }), z.object({ y: z.number() })),
    lang: z.string().default('en'),
  }),
  'a recursive schema through $ref': Tree,
  'a schema with $defs': z.object({ left: Tree, right: Tree }),
};

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('startSimulator: json_schema structured output', () => {
  for (const [shape, schema] of Object.entries(shapes)) {
    it(`answers JSON that the zod schema accepts, for ${shape}`, async (t) => {
      const client = clientFor(await simulatorFor(t));
      const jsonSchema = shape === 'a schema with $defs' ? z.toJSONSchema(schema, { reused: 'ref' }) : z.toJSONSchema(schema);
      const reply = await client.chat.completions.create({
        model: 'sim-small',
        messages: ask('Give me an example about rivers'),
        n: 3,
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: jsonSchema } },
      });

      assert.equal(reply.choices.length, 3);
      for (const choice of reply.choices) schema.parse(JSON.parse(choice.message.content ?? ''));
    });
  }

  it('answers an array of strings with three subtopics of the prompt, ready to scatter', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const reply = await client.chat.completions.create({
      model: 'sim-small',
      messages: ask('List subtopics of rivers'),
      response_format: { type: 'json_schema', json_schema: { name: 'subtopics', schema: z.toJSONSchema(z.array(z.string())) } },
    });

    assert.deepEqual(JSON.parse(reply.choices[0]?.message.content ?? ''), [
      'subtopic 1 of List subtopics of rivers',
      'subtopic 2 of List subtopics of rivers',
      'subtopic 3 of List subtopics of rivers',
    ]);
  });

  it("works with the SDK's own zodResponseFormat and parse()", async (t) => {
    const client = clientFor(await simulatorFor(t));
    const Review = z.object({ title: z.string(), stars: z.int().min(1).max(5), tags: z.array(z.string()) });
    const reply = await client.chat.completions.parse({
      model: 'sim-small',
      messages: ask('Review a book about rivers'),
      response_format: zodResponseFormat(Review, 'review'),
    });

    const parsed = reply.choices[0]?.message.parsed;
    assert.deepEqual(Review.parse(parsed), parsed);
    assert.deepEqual(parsed?.tags, ['tag 1 of Review a book about rivers', 'tag 2 of Review a book about rivers', 'tag 3 of Review a book about rivers']);
  });

  it('answers a plain prompt that asks for a JSON list with prose and a fenced list, as many items as it asks', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const reply = await client.chat.completions.create({ model: 'sim-small', messages: ask('Rewrite "Name a river" in 4 ways. Reply with a JSON list.') });
    const content = reply.choices[0]?.message.content ?? '';
    assert.match(content, /^Here is the list you asked for:\n\n```json\n/);
    const list = JSON.parse(content.slice(content.indexOf('['), content.lastIndexOf(']') + 1)) as string[];
    assert.equal(list.length, 4);
    assert.ok(list.every((item) => item.startsWith('[sim:sim-small] item ')));
    const plain = await client.chat.completions.create({ model: 'sim-small', messages: ask('Name a river.') });
    assert.match(plain.choices[0]?.message.content ?? '', /^\[sim:sim-small\] answer to: Name a river\. #[0-9a-f]{8}$/);
  });

  it('answers text that is not JSON when the prompt holds [[sim:invalid-json]]', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const reply = await client.chat.completions.create({
      model: 'sim-small',
      messages: ask('Rivers [[sim:invalid-json]]'),
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: z.toJSONSchema(z.object({ a: z.string() })) } },
    });

    const content = reply.choices[0]?.message.content ?? '';
    assert.throws(() => JSON.parse(content), SyntaxError);
    assert.equal(content, 'Sure! Here is the JSON you asked for: {"answer": Rivers');
  });

  it('answers JSON without the required fields when the prompt holds [[sim:wrong-schema]]', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const Answer = z.object({ title: z.string(), score: z.number(), note: z.string().optional() });
    const reply = await client.chat.completions.create({
      model: 'sim-small',
      messages: ask('Rivers [[sim:wrong-schema]]'),
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: z.toJSONSchema(Answer) } },
    });

    const value: unknown = JSON.parse(reply.choices[0]?.message.content ?? '');
    assert.deepEqual(Object.keys(value as object), ['note']);
    assert.deepEqual(
      Answer.safeParse(value).error?.issues.map((issue) => issue.path),
      [['title'], ['score']],
    );
  });

  it('answers a 400 naming response_format when the schema cannot be satisfied', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const error = await client.chat.completions
      .create({
        model: 'sim-small',
        messages: ask('Rivers'),
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } } } },
      })
      .catch((e: unknown) => e);

    assert.ok(error instanceof Error && 'status' in error);
    assert.equal(error.status, 400);
    assert.equal((error as { param?: unknown }).param, 'response_format');
    assert.match(error.message, /Invalid schema for response_format: Expected `\$ref` `#\/\$defs\/Missing` to point into the schema/);
  });

  it('answers json_object requests with {"answer": …}', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const reply = await client.chat.completions.create({ model: 'sim-small', messages: ask('Rivers'), response_format: { type: 'json_object' } });
    assert.match(JSON.parse(reply.choices[0]?.message.content ?? '').answer, /^\[sim:sim-small\] answer to: Rivers #[0-9a-f]{8}$/);
  });
});
