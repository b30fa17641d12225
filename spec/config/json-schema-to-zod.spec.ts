import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonSchemaToZod } from '../../lib/config/json-schema-to-zod.ts';

describe('jsonSchemaToZod', () => {
  it('reads what z.toJSONSchema emits: objects, arrays, enums, bounds, nullable types, anyOf', () => {
    const schema = jsonSchemaToZod({
      type: 'object',
      properties: {
        subtopics: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: 2 },
        level: { type: 'string', enum: ['easy', 'hard'] },
        score: { type: 'integer', minimum: 0, maximum: 10 },
        note: { type: ['string', 'null'] },
        answer: { anyOf: [{ type: 'number' }, { type: 'boolean' }] },
      },
      required: ['subtopics', 'level', 'score', 'note', 'answer'],
    });
    assert.equal(schema.safeParse({ subtopics: ['a'], level: 'easy', score: 3, note: null, answer: true }).success, true);
    for (const bad of [
      { subtopics: [], level: 'easy', score: 3, note: null, answer: 1 },
      { subtopics: ['a', 'b', 'c'], level: 'easy', score: 3, note: null, answer: 1 },
      { subtopics: ['a'], level: 'medium', score: 3, note: null, answer: 1 },
      { subtopics: ['a'], level: 'easy', score: 3.5, note: null, answer: 1 },
      { subtopics: ['a'], level: 'easy', score: 11, note: null, answer: 1 },
      { subtopics: ['a'], level: 'easy', score: 3, note: 4, answer: 1 },
      { subtopics: ['a'], level: 'easy', score: 3, note: null, answer: 'yes' },
      { subtopics: ['a'], level: 'easy', score: 3, answer: 1 },
    ]) {
      assert.equal(schema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('closes objects unless the schema opens them, as structured outputs need', () => {
    const closed = jsonSchemaToZod({
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } },
      required: ['a'],
    });
    assert.equal(closed.safeParse({ a: { b: 'x', c: 1 } }).success, false);
    const open = jsonSchemaToZod({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: true });
    assert.equal(open.safeParse({ a: 'x', c: 1 }).success, true);
  });

  it('says when it gets something that is not a schema', () => {
    assert.throws(() => jsonSchemaToZod('object'), {
      message: 'Expected `schema` to be a JSON Schema (a map such as `{ type: object, properties: … }`), got `"object"`',
    });
  });
});
