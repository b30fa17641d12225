import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as errors from '../../lib/core/errors.ts';
import { checkPositiveInt } from '../../lib/core/define-step.ts';
import { LlmRateLimitError, LlmError } from '../../lib/llm/llm-errors.ts';
import { repoRoot } from '../helpers/run-cli.ts';

describe('the error catalogue', () => {
  it('recognises errors made by another copy of the package, through instanceof and isInstance', async () => {
    // A second module instance, as when an app and a library each bring their own Sluice.
    const copy = (await import(`../../lib/core/errors.ts?copy=${Date.now()}`)) as typeof errors;
    assert.notEqual(copy.SluiceConfigError, errors.SluiceConfigError);
    const theirs = new copy.MissingColumnsError('answer', ['question'], ['prompt']);
    assert.ok(theirs instanceof errors.MissingColumnsError);
    assert.ok(theirs instanceof errors.SluiceConfigError);
    assert.ok(errors.SluiceError.isInstance(theirs));
    assert.ok(errors.SluiceConfigError.isInstance(theirs));
    assert.ok(!errors.NoProgressError.isInstance(theirs));
    assert.ok(!(new copy.SluiceError('x') instanceof errors.SluiceConfigError), 'a parent is not an instance of its subclass');
    assert.ok(!errors.SluiceError.isInstance(new Error('plain')));
    assert.ok(LlmError.isInstance(new LlmRateLimitError('slow down', {} as never)));
  });

  it('puts which option, what was expected and what was got on configuration errors', () => {
    assert.throws(
      () => checkPositiveInt('concurrency', 0),
      (error: unknown) => {
        assert.ok(errors.SluiceConfigError.isInstance(error));
        assert.deepEqual(
          [error.code, error.option, error.expected, error.received],
          ['SLUICE_CONFIG', 'concurrency', 'an integer from 1 and up or `Infinity`', 0],
        );
        return true;
      },
    );
  });

  it('lists in its code union every code the library sets', () => {
    const union = readFileSync(`${repoRoot}lib/core/error-codes.ts`, 'utf8');
    const listed = new Set([...union.matchAll(/'(SLUICE_[A-Z0-9_]+)'/g)].map((m) => m[1]));
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
        else if (entry.name.endsWith('.ts'))
          for (const m of readFileSync(`${dir}/${entry.name}`, 'utf8').matchAll(/code(?:: [A-Za-z|' ]+)? = '(SLUICE_[A-Z0-9_]+)'|code: '(SLUICE_[A-Z0-9_]+)'/g))
            used.add((m[1] ?? m[2])!);
      }
    };
    walk(`${repoRoot}lib`);
    assert.ok(used.size > 20, `found only ${used.size} codes`);
    assert.deepEqual(
      [...used].filter((code) => !listed.has(code)),
      [],
    );
  });
});

describe('configuration errors from any validator', () => {
  it('carry the option, the expectation and the value, read from the message where the thrower gave no data', async () => {
    const { createLlm } = await import('../../lib/llm/client.ts');
    assert.throws(
      () => createLlm({ model: 'x', concurrency: 0 }),
      (error: unknown) => {
        assert.ok(errors.SluiceConfigError.isInstance(error));
        assert.deepEqual([error.option, error.expected, error.received], ['concurrency', 'an integer from 1 and up or `Infinity`', 0]);
        return true;
      },
    );
    const plain = new errors.SluiceConfigError('Expected `size` to be an integer from 1 and up, got `-3`');
    assert.deepEqual([plain.option, plain.expected, plain.received], ['size', 'an integer from 1 and up', '-3']);
    const free = new errors.SluiceConfigError('Two steps are named `a`.');
    assert.deepEqual([free.option, free.expected, free.received], [undefined, undefined, undefined]);
  });
});
