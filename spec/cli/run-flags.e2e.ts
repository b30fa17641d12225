import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliMain, repoRoot, runCli } from '../helpers/run-cli.ts';

const tidy = join(repoRoot, 'spec/fixtures/tidy.yaml');
const clean = join(repoRoot, 'examples/clean.ts');
const numbered = (n: number) => `${Array.from({ length: n }, (_, i) => JSON.stringify({ text: `row ${i + 1}` })).join('\n')}\n`;

function parsed(text: string): unknown[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

describe('sluice run flags', () => {
  it('--max-line-bytes (and maxLineBytes: in a definition) sets the longest line read; longer ones are failed rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-maxline-'));
    const long = JSON.stringify({ text: 'x'.repeat(100) });
    await writeFile(join(dir, 'in.jsonl'), `{"text":"a"}\n${long}\n`);
    const tight = await runCli([
      'run',
      'spec/fixtures/tidy.yaml',
      '-i',
      join(dir, 'in.jsonl'),
      '-o',
      join(dir, 'out.jsonl'),
      '--max-line-bytes',
      '50',
      '--no-progress',
      '--allow-failures',
    ]);
    assert.equal(tight.code, 0, tight.stderr);
    assert.match(await readFile(join(dir, 'out.failed.jsonl'), 'utf8'), /SLUICE_INPUT_LINE_TOO_LONG.*longer than `maxLineBytes` \(50 bytes\)/);
    await writeFile(join(dir, 'p.yaml'), `name: p\ninput: ${join(dir, 'in.jsonl')}\nmaxLineBytes: 50\nsteps: []\n`);
    const fromDefinition = await runCli(['run', join(dir, 'p.yaml'), '-o', join(dir, 'out2.jsonl'), '--no-progress']);
    assert.equal(fromDefinition.code, 3, fromDefinition.stderr);
    const roomy = await runCli([
      'run',
      join(dir, 'p.yaml'),
      '-i',
      join(dir, 'in.jsonl'),
      '-o',
      join(dir, 'out3.jsonl'),
      '--max-line-bytes',
      '500',
      '--no-progress',
    ]);
    assert.equal(roomy.code, 0, roomy.stderr);
  });

  it('refuses an output whose extension names a format it does not know, naming the ones it does, and creates nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-ext-'));
    for (const name of ['x.xlsx', 'x.txt']) {
      const result = await runCli(['run', 'spec/fixtures/tidy.yaml', '-o', join(dir, 'sub', name)], '{"text":"a"}\n');
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^sluice: \`.*${name.replace('.', '\\.')}\` ends in \`\\.${name.split('.')[1]}\`, a format Sluice does not know\\. It reads and writes \`\\.jsonl\`, \`\\.ndjson\`, \`\\.jsonlines\`, \`\\.json\`, \`\\.csv\`, \`\\.tsv\`, \`\\.parquet\``,
        ),
      );
    }
    const zipped = await runCli(['run', 'spec/fixtures/tidy.yaml', '-o', join(dir, 'sub', 'x.parquet.gz')], '{"text":"a"}\n');
    assert.equal(zipped.code, 2, zipped.stderr);
    assert.match(zipped.stderr, /a Parquet file compresses its columns inside; Sluice does not read or write it compressed again\. Use `x\.parquet`/);
    assert.equal(existsSync(join(dir, 'sub')), false);
    const ok = await runCli(['run', 'spec/fixtures/tidy.yaml', '-o', join(dir, 'x.ndjson'), '-q'], '{"text":"a"}\n');
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("refuses to let a definition's output overwrite a file outside the working directory, unless --force", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-force-'));
    await writeFile(join(dir, 'victim.jsonl'), 'keep me\n');
    await writeFile(join(dir, 'p.yaml'), `name: x\noutput: ${join(dir, 'victim.jsonl')}\nsteps: []\n`);
    const refused = await runCli(['run', join(dir, 'p.yaml'), '-q'], '{"a":1}\n');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /outside the working directory, over a file that exists\. Run with --force to overwrite it, or name the output with -o\./);
    assert.equal(await readFile(join(dir, 'victim.jsonl'), 'utf8'), 'keep me\n');
    const forced = await runCli(['run', join(dir, 'p.yaml'), '-q', '--force'], '{"a":1}\n');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await readFile(join(dir, 'victim.jsonl'), 'utf8'), '{"a":1}\n');
  });

  it('--limit 3 reads 3 records and writes their rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-flags-'));
    await writeFile(join(dir, 'in.jsonl'), numbered(10));
    const result = await runCli(['run', tidy, '-i', join(dir, 'in.jsonl'), '--limit', '3']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      parsed(result.stdout),
      ['row 1', 'row 2', 'row 3'].map((text) => ({ text, source: 'v1' })),
    );
    assert.match(result.stderr, /source in\.jsonl: 3 read, 0 invalid, 0 skipped, 3 done/);
  });

  it("--set changes a step param, typed by the step's schema (a number, a map), and may be repeated", async () => {
    const input = '{"text":"abc"}\n{"text":"abcdef"}\n';
    const result = await runCli(['run', tidy, '--set', 'short.max=3', '--set', 'stamp.set={"source":"v2","by":"cli"}'], input);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parsed(result.stdout), [{ text: 'abc', source: 'v2', by: 'cli' }]);
    assert.match(result.stderr, /short {7}2 {4}1 {9}1/);
  });

  it('--set on an unknown step or param exits 2 with a suggestion', async () => {
    const result = await runCli(['run', tidy, '--set', 'shrot.max=3'], '{"text":"a"}\n');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /No step `shrot` to set `max` on\. Did you mean `short`\?/);
    const param = await runCli(['run', tidy, '--set', 'short.mxa=3'], '{"text":"a"}\n');
    assert.equal(param.code, 2);
    assert.match(param.stderr, /Step `short` \(filter\) has no param `mxa`/);
  });

  it('accepts --concurrency, --budget, --no-cache and --cache-dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-flags-'));
    for (const flags of [['--concurrency', '2', '--budget', '4'], ['--no-cache'], ['--cache-dir', join(dir, 'cache')]]) {
      const result = await runCli(['run', tidy, ...flags], numbered(20));
      assert.equal(result.code, 0, `${flags.join(' ')}: ${result.stderr}`);
      assert.equal(parsed(result.stdout).length, 20);
    }
    const bad = await runCli(['run', tidy, '--concurrency', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Expected `--concurrency` to be an integer from 1 and up, got `0`/);
  });

  it('--run-dir records the run and the command line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-flags-'));
    const result = await runCli(['run', tidy, '-o', 'out.jsonl', '--run-dir', 'runs/tidy', '-q'], numbered(5), { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(await readFile(join(dir, 'runs/tidy/run.json'), 'utf8')) as { status: string; command: string[] };
    assert.equal(record.status, 'ok');
    assert.deepEqual(record.command, ['sluice', 'run', tidy, '-o', 'out.jsonl', '--run-dir', 'runs/tidy', '-q']);
    assert.equal((await readFile(join(dir, 'runs/tidy/done.log'), 'utf8')).trimEnd().split('\n').length, 5);
  });

  it('loads a YAML definition with an unknown step as a definition error: exit 2, where and what', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-flags-'));
    await writeFile(join(dir, 'bad.yaml'), 'name: bad\nsteps:\n  - mapp: { trim: [text] }\n');
    const result = await runCli(['run', join(dir, 'bad.yaml')], '{"text":"a"}\n');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /mapp/);
    assert.match(result.stderr, /Did you mean `map`\?/);
    assert.equal(result.stdout, '');
    const missing = await runCli(['run', join(dir, 'missing.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot find the pipeline definition `.*missing\.yaml`/);
  });

  it('does not load the YAML parser for a .ts pipeline', async () => {
    // A preload that reports, at exit, whether any module of the `yaml` package was loaded.
    const hook = [
      "import { registerHooks } from 'node:module';",
      'let yaml = false;',
      "registerHooks({ load(url, context, next) { if (url.includes('/node_modules/yaml/')) yaml = true; return next(url, context); } });",
      "process.on('exit', () => process.stderr.write(`yaml loaded: ${yaml}\\n`));",
    ].join('\n');
    const preload = `data:text/javascript,${encodeURIComponent(hook)}`;
    const run = (pipeline: string) =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=sluice-source', '--import', preload, cliMain, 'run', pipeline, '-q'], {
          cwd: repoRoot,
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('close', () => resolve(stderr));
        child.stdin.end('{"text":"a"}\n');
      });
    assert.match(await run(clean), /yaml loaded: false/);
    assert.match(await run(tidy), /yaml loaded: true/, 'the hook sees yaml when a definition is loaded');
    assert.equal(existsSync(join(repoRoot, 'failed.jsonl')), false);
  });
});
