import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DefinitionError } from '../../lib/config/definition-error.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';

// Somewhere to send requests, so that LLMs can be made; nothing is called in these tests.
const env = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };

/** Parses `text` and returns the DefinitionError it throws, as `code line:column message`. */
async function failure(text: string, options: Parameters<typeof parseDefinition>[1] = {}): Promise<string> {
  try {
    await parseDefinition(text, { env, path: 'qa.yaml', ...options });
  } catch (error) {
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${String(error)}`);
    assert.equal(error.file, options.path ?? 'qa.yaml');
    return `${error.code} ${error.line}:${error.column} ${error.message}`;
  }
  assert.fail('expected the definition to be refused');
}

describe('parseDefinition', () => {
  it('builds a pipeline whose steps have the names, kinds and params the definition gives', async () => {
    const p = await parseDefinition(
      [
        'name: clean',
        'run: { budget: 64, onError: skip }',
        'steps:',
        '  - filter: { name: has-text, column: text, nonEmpty: true }',
        '  - map: { trim: [text], set: { source: seed } }',
      ].join('\n'),
      { env },
    );
    assert.equal(p.name, 'clean');
    assert.deepEqual(p.defaults, { budget: 64, onError: 'skip' });
    assert.deepEqual(
      p.steps.map((s) => [s.name, s.kind, s.named]),
      [
        ['has-text', 'filter', true],
        ['map', 'map', false],
      ],
    );
    assert.deepEqual(p.steps[0]!.params, { column: 'text', nonEmpty: true });
    assert.deepEqual(p.steps[1]!.params, { trim: ['text'], set: { source: 'seed' } });
  });

  it('reads JSON as well (JSON is YAML)', async () => {
    const p = await parseDefinition('{ "name": "j", "steps": [ { "scatter": { "column": "xs", "as": "x" } } ] }', { env, path: 'j.json' });
    assert.deepEqual(
      p.steps.map((s) => [s.kind, s.params]),
      [['scatter', { column: 'xs', as: 'x', concurrency: 16 }]],
    );
  });

  describe('refuses with the line and column', () => {
    it('bad YAML syntax', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - generate: { prompt: "a",\n  bad: : x\n'),
        'SLUICE_DEFINITION_SYNTAX 4:3 Invalid YAML at line 4, column 3: Flow map in block collection must be sufficiently indented and end with a }.',
      );
    });

    it('bad JSON syntax, named as JSON', async () => {
      assert.equal(
        await failure('{ "name": "qa", "steps": [ }', { path: 'qa.json' }),
        'SLUICE_DEFINITION_SYNTAX 1:28 Invalid JSON at line 1, column 28: Flow sequence in block collection must be sufficiently indented and end with a ].',
      );
    });

    it('a key written twice', async () => {
      assert.equal(await failure('name: a\nname: b\nsteps: []\n'), 'SLUICE_DEFINITION_SYNTAX 2:1 Invalid YAML at line 2, column 1: Map keys must be unique.');
    });

    it('an unknown step kind, suggesting the closest registered ones', async () => {
      const text = [
        'name: qa',
        'llms:',
        '  writer: { model: m }',
        '',
        'steps:',
        '  - scatter: { column: xs }',
        '  - generat:',
        '      llm: writer',
        '      prompt: hi',
      ].join('\n');
      assert.equal(await failure(text), 'SLUICE_DEFINITION_UNKNOWN_STEP 7:5 Unknown step `generat` at line 7, column 5. Did you mean `generate`?');
      assert.equal(
        await failure('name: qa\nsteps:\n  - Scatter: {}\n'),
        'SLUICE_DEFINITION_UNKNOWN_STEP 3:5 Unknown step `Scatter` at line 3, column 5. Did you mean `scatter`?',
      );
    });

    it('an unknown step kind with nothing close, listing every kind', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - frobnicate: {}\n'),
        'SLUICE_DEFINITION_UNKNOWN_STEP 3:5 Unknown step `frobnicate` at line 3, column 5. Known steps: `generate`, `structured`, `complete`, `embed`, `scatter`, `filter`, `dedup`, `perplexity`, `map`, `parseJson`, `aggregate`, `batch`, `route`, `broadcast`, `join`, `combine`, `import`, `pipeline`, `textGeneration`, `textClassification`, `ultraFeedback`, `magpie`, `preferencePairs`, `pairwiseJudge`, `qualityScorer`, `complexityScorer`, `selfInstruct`, `genstruct`, `evolInstruct` and `evolQuality`.',
      );
    });

    it('a param of the wrong type', async () => {
      const text = [
        'name: qa',
        'llms:',
        '  writer: { model: m }',
        'steps:',
        '  - generate:',
        '      name: question',
        '      llm: writer',
        '      prompt: hi',
        '      concurrency: "many"',
      ].join('\n');
      assert.equal(
        await failure(text),
        'SLUICE_DEFINITION_INVALID 9:20 Expected `concurrency` to be an integer from 1 and up or `.inf`, got `"many"`, at line 9, column 20 (step `question`).',
      );
    });

    it('a missing required param, saying what it is', async () => {
      const text = ['name: qa', 'llms:', '  writer: { model: m }', 'steps:', '  - generate:', '      name: question', '      llm: writer'].join('\n');
      assert.equal(
        await failure(text),
        'SLUICE_DEFINITION_INVALID 6:7 Missing `prompt` at line 6, column 7 (step `question`): the user message, a liquid template over row columns: `Answer: {{ question }}`.',
      );
    });

    it('a misspelt param, suggesting the right one (before the missing one it causes)', async () => {
      assert.equal(
        await failure('name: qa\nllms: { writer: { model: m } }\nsteps:\n  - generate: { name: question, llm: writer, promt: hi }\n'),
        'SLUICE_DEFINITION_INVALID 4:46 Unknown key `promt` at line 4, column 46 (step `question`). Did you mean `prompt`?',
      );
      assert.equal(await failure('name: qa\nstepz: []\n'), 'SLUICE_DEFINITION_INVALID 2:1 Unknown key `stepz` at line 2, column 1. Did you mean `steps`?');
    });

    it('an unknown LLM, suggesting the declared ones', async () => {
      const text = 'name: qa\nllms:\n  writer: { model: m }\n  judge: { model: m }\nsteps:\n  - generate: { name: question, llm: writr, prompt: hi }\n';
      assert.equal(
        await failure(text),
        'SLUICE_DEFINITION_UNKNOWN_LLM 6:38 Unknown LLM `writr` at line 6, column 38 (step `question`). Did you mean `writer`?',
      );
      assert.equal(
        await failure(text.replace('writr', 'critic')),
        'SLUICE_DEFINITION_UNKNOWN_LLM 6:38 Unknown LLM `critic` at line 6, column 38 (step `question`). Declared LLMs: `writer` and `judge`.',
      );
      assert.equal(
        await failure('name: qa\nsteps:\n  - generate: { llm: writer, prompt: hi }\n'),
        'SLUICE_DEFINITION_UNKNOWN_LLM 3:22 Unknown LLM `writer` at line 3, column 22 (step `generate`). Declare it under `llms:`, such as `llms: { writer: { model: gpt-4o-mini } }`.',
      );
    });

    it('an API key in the file, saying where keys go', async () => {
      assert.equal(
        await failure('name: qa\nllms:\n  writer:\n    model: m\n    apiKey: sk-123\nsteps: []\n'),
        'SLUICE_DEFINITION_SECRET 5:5 `apiKey` at line 5, column 5 (LLM `writer`) does not belong in a definition, which gets shared and committed. Set OPENAI_API_KEY in the environment, or name the variable that holds the key with `apiKeyEnv`.',
      );
    });

    it('an unset ${VAR} without a default, naming the variable', async () => {
      assert.equal(
        await failure('name: qa\nllms:\n  writer: { model: "${SLUICE_TEST_MODEL}" }\nsteps: []\n', { env: {} }),
        'SLUICE_DEFINITION_ENV 3:21 Environment variable `SLUICE_TEST_MODEL` is not set (`${SLUICE_TEST_MODEL}` at line 3, column 21). Set it, or give a default: `${SLUICE_TEST_MODEL:-value}`.',
      );
    });

    it("a secret variable interpolated anywhere: the key, a name like *_TOKEN, an LLM's apiKeyEnv, SLUICE_SECRET_VARS", async () => {
      const secrets = { ...env, OPENAI_API_KEY: 'sk-live-1234567890', HF_TOKEN: 'hf_abc', MY_KEY_VAR: 'k', PLAIN: 'p', SLUICE_SECRET_VARS: 'PLAIN' };
      assert.equal(
        await failure('name: qa\nsteps:\n  - map: { set: { leak: "${OPENAI_API_KEY}" } }\n', { env: secrets }),
        'SLUICE_DEFINITION_SECRET 3:26 `${OPENAI_API_KEY}` at line 3, column 26 would write a secret into the pipeline: into its outputs, run.json and the request cache. LLM keys come from the environment by themselves (OPENAI_API_KEY, or the variable an LLM names in `apiKeyEnv`); remove the reference.',
      );
      assert.match(
        await failure('name: qa\nsteps:\n  - map: { set: { t: "x ${HF_TOKEN}" } }\n', { env: secrets }),
        /^SLUICE_DEFINITION_SECRET 3:.*`\$\{HF_TOKEN\}`/,
      );
      assert.match(await failure('name: qa\nsteps:\n  - map: { set: { t: "${PLAIN}" } }\n', { env: secrets }), /^SLUICE_DEFINITION_SECRET/);
      assert.match(
        await failure(
          'name: qa\nllms:\n  w: { model: m, baseURL: "http://127.0.0.1:9/v1", apiKeyEnv: MY_KEY_VAR }\nsteps:\n  - generate: { llm: w, prompt: "${MY_KEY_VAR} {{ q }}" }\n',
          { env: secrets },
        ),
        /^SLUICE_DEFINITION_SECRET 5:.*`\$\{MY_KEY_VAR\}`/,
      );
    });

    it('a billion-laughs expansion of aliases, as a definition error rather than a crash', async () => {
      const laughs = [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`),
        'name: laughs',
        'steps: []',
      ].join('\n');
      assert.match(
        await failure(laughs),
        /^SLUICE_DEFINITION_SYNTAX 1:1 The definition at line 1, column 1 uses YAML aliases \(`\*name`\) so often that expanding them would take unbounded memory/,
      );
    });

    it('an apiKeyEnv that is not set', async () => {
      assert.match(
        await failure('name: qa\nllms:\n  w: { model: m, baseURL: "http://127.0.0.1:8/v1", apiKeyEnv: TOGETHER_API_KEY }\nsteps: []\n').catch((e: unknown) =>
          String(e),
        ),
        /LLM `w` takes its key from `TOGETHER_API_KEY` \(`apiKeyEnv`\), which is not set/,
      );
    });

    it('a malformed ${…}', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - map: { set: { x: "a ${1X} b" } }\n'),
        'SLUICE_DEFINITION_ENV 3:25 Malformed `${1X}` at line 3, column 25: expected `${NAME}` or `${NAME:-default}`. Write `$${` for a literal `${`.',
      );
    });

    it('an LLM setting out of range', async () => {
      assert.equal(
        await failure('name: qa\nllms:\n  writer: { model: m, rpm: -5 }\nsteps: []\n'),
        'SLUICE_DEFINITION_INVALID 3:28 Expected `rpm` to be a number above 0 or `.inf`, got `-5`, at line 3, column 28 (LLM `writer`).',
      );
    });

    it('a step with its params at the wrong indentation', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - scatter:\n    column: x\n'),
        'SLUICE_DEFINITION_INVALID 3:5 Expected a step, a map with one key (its kind) such as `- generate: { … }`, got the keys `scatter` and `column` at line 3, column 5. Indent the params under the kind: `- generate: { name: …, prompt: … }`.',
      );
    });

    it('an error from the step builder, with the step', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - route: { name: pick, sample: { n: 3 }, leaves: [a, b] }\n'),
        'SLUICE_DEFINITION_INVALID 3:12 Expected `n` to be at most the number of branches (2), got `3`, at line 3, column 12 (step `pick`).',
      );
    });

    it('a step inside a branch, at its own line', async () => {
      const text = [
        'name: qa',
        'llms: { writer: { model: m } }',
        'steps:',
        '  - broadcast:',
        '      branches:',
        '        a:',
        '          - generate: { llm: writer, prompt: hi, n: 0 }',
      ].join('\n');
      assert.equal(
        await failure(text),
        'SLUICE_DEFINITION_INVALID 7:53 Expected `n` to be an integer from 1 and up, got `0`, at line 7, column 53 (step `generate`).',
      );
    });

    it('a filter with two tests', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - filter: { column: x, equals: 1, in: [1] }\n'),
        'SLUICE_DEFINITION_INVALID 3:13 Expected one test of `nonEmpty`, `exists`, `equals`, `in`, `matches` or `min`/`max` on `x`, got `equals` and `in`, at line 3, column 13 (step `filter`).',
      );
    });

    it('an empty file', async () => {
      assert.equal(
        await failure(''),
        'SLUICE_DEFINITION_SYNTAX 1:1 Expected the definition to be a map with `name` and `steps`, got an empty file. Start from `name: my-pipeline` and `steps: [ … ]`.',
      );
    });
  });

  describe('${ENV} interpolation', () => {
    it('fills ${VAR} and ${VAR:-default} in every string value, and types a lone unquoted reference', async () => {
      const p = await parseDefinition(
        [
          'name: ${PIPE:-fallback-name}',
          'llms:',
          '  writer:',
          '    model: "${MODEL}"',
          '    rpm: ${RPM:-500}',
          '    concurrency: ${CONC:-.inf}',
          'steps:',
          '  - generate: { llm: writer, prompt: "About ${TOPIC:-tides}: {{ q }}", as: "${COL}" }',
        ].join('\n'),
        { env: { ...env, MODEL: 'sim-large', COL: 'answer' }, llms: 'lazy' },
      );
      assert.equal(p.name, 'fallback-name');
      const step = p.steps[0]!;
      assert.deepEqual([step.params.model, step.params.prompt, step.params.as], ['sim-large', 'About tides: {{ q }}', 'answer']);
      const llm = step.resources!.llm as { options: Record<string, unknown> };
      assert.equal(llm.options.rpm, 500);
      assert.equal(llm.options.concurrency, Number.POSITIVE_INFINITY);
    });

    it('uses the default when the variable is set but empty, as the shell does', async () => {
      const p = await parseDefinition('name: "${N:-x}"\nsteps: []\n', { env: { N: '' } });
      assert.equal(p.name, 'x');
    });

    it('keeps a quoted lone reference as text', async () => {
      const p = await parseDefinition('name: qa\nsteps:\n  - map:\n      set:\n        n: "${N}"\n        m: ${N}\n', { env: { N: '7' } });
      assert.deepEqual(p.steps[0]!.params, { set: { n: '7', m: 7 } });
    });

    it('writes $${ as a literal ${, and never interpolates keys', async () => {
      const p = await parseDefinition('name: qa\nsteps:\n  - map: { set: { "${K}": "cost: $${PRICE} and ${K}" } }\n', { env: { K: 'k', PRICE: '3' } });
      assert.deepEqual(p.steps[0]!.params, { set: { '${K}': 'cost: ${PRICE} and k' } });
    });

    it("does not interpolate into a variable's value again", async () => {
      const p = await parseDefinition('name: "${A}"\nsteps: []\n', { env: { A: '${B}', B: 'no' } });
      assert.equal(p.name, '${B}');
    });
  });

  describe('a definition holds data, never code', () => {
    it('refuses !!js/function', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - map: !!js/function "function () { return 1 }"\n'),
        'SLUICE_DEFINITION_SYNTAX 3:10 Tag `!!js/function` at line 3, column 10 is not allowed: a definition holds data, never code. To run your own code, use an `import:` step.',
      );
    });

    it('refuses any tag beyond plain data: custom, !!binary, !!js/undefined', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - map: { set: { x: !custom 1 } }\n'),
        'SLUICE_DEFINITION_SYNTAX 3:22 Tag `!custom` at line 3, column 22 is not allowed: a definition holds data, never code. To run your own code, use an `import:` step.',
      );
      assert.match(await failure('name: qa\nsteps:\n  - map: { set: { x: !!binary aGk= } }\n'), /^SLUICE_DEFINITION_SYNTAX 3:22 Tag `!!binary` /);
      assert.match(await failure('name: !!js/undefined ~\nsteps: []\n'), /^SLUICE_DEFINITION_SYNTAX 1:7 Tag `!!js\/undefined` /);
    });

    it('accepts the plain data tags', async () => {
      const p = await parseDefinition('name: !!str 42\nsteps: !!seq []\n');
      assert.equal(p.name, '42');
    });

    it('refuses a __proto__ key', async () => {
      assert.equal(
        await failure('name: qa\nsteps:\n  - map: { set: { __proto__: { polluted: 1 } } }\n'),
        'SLUICE_DEFINITION_SYNTAX 3:19 Key `__proto__` at line 3, column 19 is not allowed in a definition.',
      );
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
});
