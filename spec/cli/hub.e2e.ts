import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { type HubStandIn, startHubStandIn } from '../helpers/hub-stand-in.ts';
import { runCli } from '../helpers/run-cli.ts';

const TOKEN = 'hf_cliStandInSecret987654321';
let hub: HubStandIn;
let env: NodeJS.ProcessEnv;

before(async () => {
  hub = await startHubStandIn({ token: TOKEN });
  env = { ...process.env, HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN, SLUICE_LLM: 'simulated' };
  const topics = ['tides', 'bread', 'comets', 'moss', 'glass', 'owls'];
  const shard = (part: string[]) => Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'topic', data: part }] }));
  hub.seed('seeds/topics', {
    'data/train-00000-of-00001.parquet': shard(topics),
    'data/test-00000-of-00002.parquet': shard(['rain', 'salt']),
    'data/test-00001-of-00002.parquet': shard(['iron']),
  });
});
after(() => hub.close());

/** Every file under `dir`, as text, so that a test can say the token is in none of them. */
function allText(dir: string): string {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'latin1'))
    .join('\n');
}

const definition = `name: answers
llms:
  writer: { model: gpt-4o-mini }
steps:
  - generate: { name: answer, llm: writer, prompt: "Say one thing about {{ topic }}.", as: answer }
`;

describe('sluice and the Hugging Face Hub (HF_ENDPOINT: a loopback stand-in)', () => {
  it('reads a split from hf://, writes a dataset folder with its card, and pushes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-hub-cli-'));
    await writeFile(join(dir, 'answers.yaml'), definition);
    const run = await runCli(
      ['run', 'answers.yaml', '-i', 'hf://datasets/seeds/topics', '--split', 'test', '-o', 'out/', '--format', 'hf', '--no-progress'],
      '',
      {
        cwd: dir,
        env,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['README.md', 'default', 'pipeline.yaml', 'sluice-summary.json']);
    const card = readFileSync(join(dir, 'out', 'README.md'), 'utf8');
    assert.match(card, /config_name: default\n\s+data_files:\n\s+- split: train\n\s+path: default\/train-\*\.parquet/);
    assert.match(card, /\| default \| train \| 3 \| 1 \|/);
    assert.match(card, /\| 3 \| 3 \| 0 \| \d+ \|/, 'the run: 3 read, 3 written, 0 failed, its tokens');
    assert.match(card, /\| writer \| gpt-4o-mini \(simulated\) \|/);
    assert.match(readFileSync(join(dir, 'out', 'pipeline.yaml'), 'utf8'), /generate:/);
    assert.match(card, /npx sluice run pipeline\.yaml -i hf:\/\/datasets\/seeds\/topics --split test -o out\/ --format hf/);

    await writeFile(join(dir, 'out', 'README.md'), `${card}\nChecked by hand.\n`);
    const push = await runCli(['push', 'out/', 'me/answers', '--private'], '', { cwd: dir, env });
    assert.equal(push.code, 0, push.stderr);
    const pushed = JSON.parse(push.stdout) as { url: string; uploaded: number };
    assert.equal(pushed.url, `${hub.url}/datasets/me/answers`);
    assert.deepEqual(hub.paths('me/answers'), ['README.md', 'default/train-00000-of-00001.parquet', 'pipeline.yaml', 'sluice-summary.json']);
    const pushedCard = hub.file('me/answers', 'README.md')!.toString();
    assert.match(pushedCard, /load_dataset\("me\/answers", "default", split="train"\)/);
    assert.match(pushedCard, /Checked by hand\.\n$/, 'the card as the user left it, with the repository filled in');
    assert.match(pushedCard, /--split test -o out\/ --format hf/);
    assert.equal(hub.repo('me/answers')?.private, true);

    // And back: the pushed dataset is an input like any other.
    const back = await runCli(['run', 'answers.yaml', '-i', 'hf://datasets/me/answers', '-o', 'back.jsonl', '--no-progress'], '', { cwd: dir, env });
    assert.equal(back.code, 0, back.stderr);
    const topics = readFileSync(join(dir, 'back.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { topic: string }).topic);
    assert.deepEqual(topics, ['rain', 'salt', 'iron']);
    for (const output of [run, push, back]) assert.ok(!`${output.stdout}${output.stderr}`.includes(TOKEN));
    assert.ok(!allText(dir).includes(TOKEN), 'no file holds the token');
  });

  it('output: hf://datasets/… in a definition pushes when the run ends, with --limit and --shuffle on the input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-hub-cli-'));
    await writeFile(join(dir, 'direct.yaml'), `${definition}input: hf://datasets/seeds/topics\noutput: hf://datasets/me/direct\n`);
    const run = await runCli(['run', 'direct.yaml', '--limit', '4', '--shuffle', '11', '--no-progress'], '', { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /pushed 4 files to .*\/datasets\/me\/direct/);
    const again = await runCli(['run', 'direct.yaml', '--limit', '4', '--shuffle', '11', '-o', 'again.jsonl', '--no-progress'], '', { cwd: dir, env });
    assert.equal(again.code, 0, again.stderr);
    const shuffled = readFileSync(join(dir, 'again.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { topic: string }).topic);
    assert.equal(shuffled.length, 4);
    assert.notDeepEqual(shuffled, ['tides', 'bread', 'comets', 'moss'], 'seed 11 reorders the rows');
    assert.ok(hub.file('me/direct', 'default/train-00000-of-00001.parquet'));
    assert.ok(!allText(dir).includes(TOKEN));
  });

  it('with --run-dir, -o hf://… writes its dataset folder in the run directory, and pushes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-hub-cli-'));
    await writeFile(join(dir, 'direct.yaml'), `${definition}input: hf://datasets/seeds/topics\n`);
    const command = ['run', 'direct.yaml', '-o', 'hf://datasets/me/resumed', '--run-dir', 'runs/h', '--no-progress'];
    const run = await runCli(command, '', { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /pushed 4 files to .*\/datasets\/me\/resumed/);
    assert.equal(existsSync(join(dir, 'runs', 'h', 'hub-dataset')), false, 'the folder is removed once pushed');
    // The folder is the same on every run of that directory, so a stopped run resumes into it (as `-o out/ --format hf` does).
    const record = JSON.parse(readFileSync(join(dir, 'runs', 'h', 'run.json'), 'utf8')) as { outputs: Record<string, string> };
    assert.deepEqual(Object.values(record.outputs), [`${join(dir, 'runs', 'h', 'hub-dataset')}/`.replace(`${dir}/`, '')]);
    assert.ok(hub.file('me/resumed', 'default/train-00000-of-00001.parquet'));
  });

  it('sluice push <run-dir> lays the run’s outputs out as a dataset; without HF_TOKEN it exits 2 and says what to set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-hub-cli-'));
    await writeFile(join(dir, 'answers.yaml'), definition);
    await writeFile(join(dir, 'topics.jsonl'), '{"topic":"tea"}\n{"topic":"kites"}\n');
    const run = await runCli(['run', 'answers.yaml', '-i', 'topics.jsonl', '-o', 'answers.jsonl', '--run-dir', 'runs/a', '--no-progress'], '', {
      cwd: dir,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const { HF_TOKEN: _, ...withoutToken } = env;
    const refused = await runCli(['push', 'runs/a', 'me/from-run'], '', { cwd: dir, env: withoutToken });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /set HF_TOKEN to a token with write access/);
    const push = await runCli(['push', 'runs/a', 'me/from-run', '--revision', 'v1'], '', { cwd: dir, env });
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual(hub.paths('me/from-run', 'v1'), ['README.md', 'default/train-00000-of-00001.parquet', 'pipeline.yaml', 'sluice-summary.json']);
    assert.match(hub.file('me/from-run', 'README.md', 'v1')!.toString(), /\| default \| train \| 2 \| 1 \|/);
    const misplaced = await runCli(['run', 'answers.yaml', '-i', 'topics.jsonl', '--split', 'test', '--no-progress'], '', { cwd: dir, env });
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /`--split` and `--shuffle` choose and order the rows of a Hub dataset/);
    // Chunk files of one leaf are one config; a dataset folder output is pushed as it is, with its card.
    const chunked = await runCli(
      ['run', 'answers.yaml', '-i', 'topics.jsonl', '-o', 'chunks/', '--format', 'parquet', '--chunk-size', '1', '--run-dir', 'runs/c', '--no-progress'],
      '',
      { cwd: dir, env },
    );
    assert.equal(chunked.code, 0, chunked.stderr);
    assert.equal((await runCli(['push', 'runs/c', 'me/from-chunks'], '', { cwd: dir, env })).code, 0);
    assert.deepEqual(hub.paths('me/from-chunks'), ['README.md', 'default/train-00000-of-00001.parquet', 'pipeline.yaml', 'sluice-summary.json']);
    assert.match(hub.file('me/from-chunks', 'README.md')!.toString(), /\| default \| train \| 2 \| 1 \|/);
    const folder = await runCli(['run', 'answers.yaml', '-i', 'topics.jsonl', '-o', 'ds/', '--format', 'hf', '--run-dir', 'runs/d', '--no-progress'], '', {
      cwd: dir,
      env,
    });
    assert.equal(folder.code, 0, folder.stderr);
    assert.equal((await runCli(['push', 'runs/d', 'me/from-folder'], '', { cwd: dir, env })).code, 0);
    assert.deepEqual(hub.paths('me/from-folder'), ['README.md', 'default/train-00000-of-00001.parquet', 'pipeline.yaml', 'sluice-summary.json']);
    assert.match(hub.file('me/from-folder', 'README.md')!.toString(), /--format hf/, 'the card the run wrote');
    const notADataset = await runCli(['push', '.', 'me/x'], '', { cwd: dir, env });
    assert.equal(notADataset.code, 2);
    assert.match(notADataset.stderr, /is not a dataset folder.*--format hf/);
    assert.ok(!allText(dir).includes(TOKEN));
  });
});
