import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/run-cli.ts';

/** Runs `code` as a module in a child Node and says which of `watched` packages it loaded. */
function loadedPackages(code: string, watched: readonly string[]): string[] {
  const hook = [
    "import { registerHooks } from 'node:module';",
    'const seen = new Set();',
    `const watched = ${JSON.stringify(watched)};`,
    "registerHooks({ load(url, context, next) { for (const name of watched) if (url.includes('/node_modules/' + name + '/')) seen.add(name); return next(url, context); } });",
    "process.on('exit', () => process.stderr.write('loaded: ' + JSON.stringify([...seen].sort()) + '\\n'));",
  ].join('\n');
  const result = spawnSync(
    process.execPath,
    ['--conditions=sluice-source', '--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', code],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(/loaded: (.*)/.exec(result.stderr)![1]!) as string[];
}

describe('the core loads nothing heavy', () => {
  it('import of sluice, and a run without LLM steps, load neither LMDB nor the OpenAI SDK nor the YAML parser, nor the Hub client or Parquet', () => {
    const index = pathToFileURL(`${repoRoot}lib/index.ts`).href;
    const loaded = loadedPackages(
      `
      const { pipeline, fromIterable, map, toMemory } = await import(${JSON.stringify(index)});
      const out = toMemory();
      await pipeline('p').from(fromIterable([{ n: 1 }])).pipe(map((r) => r)).to(out).run({ failed: { name: 'f', write: (_r, _l, d) => d(), close: async () => {} } });
    `,
      ['lmdb', 'openai', 'yaml', '@huggingface/hub', 'hyparquet'],
    );
    assert.deepEqual(loaded, []);
  });
});
