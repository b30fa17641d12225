import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../../lib/core/errors.ts';
import { sampleJsonSchema } from '../../../lib/llm/simulator/sample-json-schema.ts';

describe('sampleJsonSchema', () => {
  it('names array items after their property, in the singular, with their ordinal and the topic', () => {
    const schema = { type: 'object', properties: { keywords: { type: 'array', items: { type: 'string' }, maxItems: 2 } }, required: ['keywords'] };
    assert.deepEqual(sampleJsonSchema(schema, { topic: 'rivers' }), { keywords: ['keyword 1 of rivers', 'keyword 2 of rivers'] });
  });

  it('gives the same value for the same key, and other choices for another key', () => {
    const schema = {
      type: 'object',
      properties: { label: { enum: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }, n: { type: 'integer' }, note: { type: 'string' } },
    };
    const one = sampleJsonSchema(schema, { key: 'k1' });
    assert.deepEqual(sampleJsonSchema(schema, { key: 'k1' }), one);
    assert.notDeepEqual(sampleJsonSchema(schema, { key: 'k2' }), one);
  });

  it('reads draft-7 schemas: definitions, tuple items arrays and nullable type arrays', () => {
    const schema = {
      definitions: {
        Point: {
          type: 'array',
          items: [
            { type: 'number', minimum: 10, maximum: 10 },
            { type: 'string', const: 'y' },
          ],
          additionalItems: false,
        },
      },
      type: 'object',
      properties: { at: { $ref: '#/definitions/Point' }, note: { type: ['null', 'string'], maxLength: 4 } },
      required: ['at', 'note'],
    };
    assert.deepEqual(sampleJsonSchema(schema), { at: [10, 'y'], note: 'note' });
  });

  it('merges allOf and keeps keywords that sit beside anyOf', () => {
    const schema = {
      allOf: [
        { type: 'object', properties: { a: { const: 1 } }, required: ['a'] },
        { properties: { b: { const: 2 } }, required: ['b'] },
      ],
    };
    assert.deepEqual(sampleJsonSchema(schema), { a: 1, b: 2 });
    const beside = { type: 'object', properties: { shared: { const: true } }, anyOf: [{ properties: { only: { const: 'x' } }, required: ['only'] }] };
    assert.deepEqual(sampleJsonSchema(beside), { shared: true, only: 'x' });
  });

  it('picks the non-null branch of a nullable anyOf, and pads to minLength', () => {
    const value = sampleJsonSchema({ anyOf: [{ type: 'null' }, { type: 'string', minLength: 30 }] }, { topic: 'x' });
    assert.equal(typeof value, 'string');
    assert.match(value as string, /^answer about x #[0-9a-f]{4}\.{10}$/);
  });

  it('ends recursive schemas: past two $ref hops arrays take their minimum length', () => {
    const schema = { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#' } } }, required: ['kids'] };
    const count = (node: { kids: unknown[] }): number => 1 + node.kids.reduce<number>((sum, kid) => sum + count(kid as { kids: unknown[] }), 0);
    assert.equal(count(sampleJsonSchema(schema) as { kids: unknown[] }), 1 + 3 + 9);
  });

  it('leaves out the required properties with omitRequired, or gives another type when there are none', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer', minimum: 4, maximum: 4 } }, required: ['a'] };
    assert.deepEqual(sampleJsonSchema(schema, { omitRequired: true }), { b: 4 });
    assert.deepEqual(sampleJsonSchema({ type: 'array', items: { type: 'string' } }, { omitRequired: true }), { sim: 'wrong-schema' });
    assert.deepEqual(sampleJsonSchema({ type: 'object' }, { omitRequired: true }), ['wrong-schema']);
  });

  it('throws a SluiceConfigError for schemas no value satisfies', () => {
    assert.throws(() => sampleJsonSchema({ type: 'integer', minimum: 1.2, maximum: 1.8 }), SluiceConfigError);
    assert.throws(() => sampleJsonSchema({ type: 'object', properties: { me: { $ref: '#' } }, required: ['me'] }), {
      name: 'SluiceConfigError',
      message: /still recurses/,
    });
    assert.throws(() => sampleJsonSchema({ $ref: 'https://example.com/schema.json' }), { message: /Expected a local `\$ref`/ });
  });
});
