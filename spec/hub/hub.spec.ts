import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects, toJson } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parse } from 'yaml';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toFailedFile } from '../../lib/sinks/failed-rows.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import type { Row } from '../../lib/core/row.ts';
import type { Source, SourceItem } from '../../lib/core/source.ts';
import { writeDatasetCard } from '../../lib/hub/dataset-card.ts';
import { toDatasetFolder } from '../../lib/hub/dataset-folder.ts';
import { hubDataset } from '../../lib/hub/hub-dataset.ts';
import { toHubDataset } from '../../lib/hub/hub-dataset-sink.ts';
import { HubError } from '../../lib/hub/hub-error.ts';
import { parseHubLocation } from '../../lib/hub/hub-location.ts';
import { pushDataset } from '../../lib/hub/push-dataset.ts';
import { CONFORMANCE_LEAF, runSinkConformance } from '../conformance/sink.case.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { type HubStandIn, startHubStandIn } from '../helpers/hub-stand-in.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const TOKEN = 'hf_standInSecret0123456789';
let hub: HubStandIn;
const access = () => ({ hubUrl: hub.url, accessToken: TOKEN });
const anonymous = () => ({ hubUrl: hub.url });

before(async () => {
  hub = await startHubStandIn({ token: TOKEN, pageSize: 3, multipartFrom: 4096 });
});
after(() => hub.close());

const parquet = (rows: Row[], rowGroupSize = 4) =>
  Buffer.from(
    parquetWriteBuffer({ columnData: Object.keys(rows[0] ?? { n: 0 }).map((name) => ({ name, data: rows.map((row) => row[name] ?? null) })), rowGroupSize }),
  );
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ n: from + i, text: `row ${from + i}` }));

async function readAll(source: Source): Promise<{ rows: Row[]; positions: number[] }> {
  const rows: Row[] = [];
  const positions: number[] = [];
  for await (const batch of source.read(new AbortController().signal)) {
    for (const item of batch as SourceItem[]) {
      assert.ok(item.ok, item.ok ? '' : item.error.message);
      rows.push(item.row);
      positions.push(item.position);
    }
  }
  return { rows, positions };
}

let seeded = 0;
runSourceConformance(
  'hubDataset',
  async (rows) => {
    // Two shards: the rows split across them, read back as one stream.
    const id = `conformance/set${seeded++}`;
    const half = Math.ceil(rows.length / 2);
    const shards = [rows.slice(0, half), rows.slice(half)].filter((part) => part.length > 0);
    const names = ['n', 'text', 'nested'];
    const file = (part: Row[]) =>
      Buffer.from(
        parquetWriteBuffer({
          columnData: names.map((name) => ({ name, data: part.map((row) => row[name] ?? null), ...(name === 'nested' ? { type: 'JSON' as const } : {}) })),
          rowGroupSize: 7,
        }),
      );
    hub.seed(id, Object.fromEntries(shards.map((part, i) => [`data/train-0000${i}-of-0000${shards.length}.parquet`, file(part)])));
    if (shards.length === 0) hub.seed(id, { 'data/train-00000-of-00001.parquet': parquet([], 7) });
    return hubDataset(`hf://datasets/${id}`, { access: access() });
  },
  { restartable: true },
);

describe('hf:// locations', () => {
  it('parses owner, name, config and revision, and explains the form when it is wrong', () => {
    assert.deepEqual(parseHubLocation('hf://datasets/me/qa'), { repo: 'me/qa' });
    assert.deepEqual(parseHubLocation('hf://datasets/me/qa/en@refs/convert/parquet'), { repo: 'me/qa', config: 'en', revision: 'refs/convert/parquet' });
    assert.throws(() => parseHubLocation('hf://models/me/m'), /hf:\/\/datasets\/<owner>\/<name>/);
    assert.throws(() => parseHubLocation('hf://datasets/me'), /hf:\/\/datasets\/<owner>\/<name>/);
  });
});

describe('hubDataset', () => {
  it('streams the split’s shards in order, a row group at a time over range requests, listing every page', async () => {
    hub.seed('readers/plain', {
      'README.md': '# no front matter\n',
      'data/train-00000-of-00002.parquet': parquet(range(0, 10)),
      'data/train-00001-of-00002.parquet': parquet(range(10, 17)),
      'data/test-00000-of-00001.parquet': parquet(range(100, 103)),
      'notes/a.txt': 'x',
      'notes/b.txt': 'y',
    });
    const before = hub.requests.length;
    const { rows, positions } = await readAll(hubDataset('hf://datasets/readers/plain', { access: anonymous() }));
    assert.deepEqual(rows, range(0, 17));
    assert.deepEqual(
      positions,
      range(0, 17).map((r) => r.n),
    );
    const made = hub.requests.slice(before);
    assert.ok(made.filter((r) => r.path.includes('/tree/')).length >= 3, 'the listing has several pages of 3');
    assert.ok(made.some((r) => r.path.endsWith('/data/train-00001-of-00002.parquet')));
    assert.ok(!made.some((r) => r.path.includes('test-00000')), 'the test split is not read');
    const test = await readAll(hubDataset('hf://datasets/readers/plain', { split: 'test', columns: ['n'], access: anonymous() }));
    assert.deepEqual(test.rows, [{ n: 100 }, { n: 101 }, { n: 102 }]);
  });

  it('follows the card’s configs: a named config and split, and says which ones exist when asked for another', async () => {
    hub.seed('readers/carded', {
      'README.md':
        '---\nconfigs:\n- config_name: easy\n  data_files:\n  - split: train\n    path: easy/train-*.parquet\n- config_name: hard\n  data_files:\n  - split: train\n    path: "hard/**/a.parquet"\n  - split: eval\n    path: hard/eval.parquet\n---\n# Card\n',
      'easy/train-00000-of-00001.parquet': parquet(range(0, 3)),
      'hard/part/a.parquet': parquet(range(10, 12)),
      'hard/eval.parquet': parquet(range(20, 21)),
    });
    const hard = await readAll(hubDataset('hf://datasets/readers/carded/hard', { access: anonymous() }));
    assert.deepEqual(hard.rows, range(10, 12));
    const evaluation = await readAll(hubDataset('hf://datasets/readers/carded/hard', { split: 'eval', access: anonymous() }));
    assert.deepEqual(evaluation.rows, range(20, 21));
    await assert.rejects(readAll(hubDataset('hf://datasets/readers/carded', { access: anonymous() })), /several configs \(`easy`, `hard`\)/);
    await assert.rejects(
      readAll(hubDataset('hf://datasets/readers/carded/medium', { access: anonymous() })),
      /no config `medium`; its card lists `easy`, `hard`/,
    );
    await assert.rejects(readAll(hubDataset('hf://datasets/readers/carded/easy', { split: 'test', access: anonymous() })), /no split `test`.*it has `train`/);
  });

  it('reads the Hub’s Parquet copy (refs/convert/parquet) of a dataset kept as JSON Lines', async () => {
    hub.seed('readers/jsonl', { 'train.jsonl': '{"n":1}\n' });
    hub.seed(
      'readers/jsonl',
      { 'default/train/0000.parquet': parquet(range(0, 5)), 'default/test/0000.parquet': parquet(range(5, 6)) },
      { revision: 'refs/convert/parquet' },
    );
    assert.deepEqual((await readAll(hubDataset('hf://datasets/readers/jsonl', { access: anonymous() }))).rows, range(0, 5));
    assert.deepEqual((await readAll(hubDataset('hf://datasets/readers/jsonl@refs/convert/parquet', { split: 'test', access: anonymous() }))).rows, range(5, 6));
  });

  it('shuffles with a seed: by shard, then within the buffer; the same seed gives the same order', async () => {
    hub.seed(
      'readers/shuffled',
      Object.fromEntries([0, 1, 2, 3].map((i) => [`data/train-0000${i}-of-00004.parquet`, parquet(range(i * 25, i * 25 + 25), 10)])),
    );
    const read = (seed: number) => readAll(hubDataset('hf://datasets/readers/shuffled', { shuffle: { seed, bufferSize: 16 }, access: anonymous() }));
    const [a, b, c] = await Promise.all([read(7), read(7), read(8)]);
    assert.deepEqual(a.rows, b.rows);
    assert.notDeepEqual(a.rows, c.rows);
    assert.notDeepEqual(a.rows, range(0, 100));
    assert.deepEqual(
      [...a.rows].sort((x, y) => (x.n as number) - (y.n as number)),
      range(0, 100),
      'every row once',
    );
    assert.deepEqual(
      a.positions,
      range(0, 100).map((r) => r.n),
      'positions count rows as handed out',
    );
  });

  it('a private dataset needs the token; the error says so and never shows it', async () => {
    hub.seed('readers/private', { 'data/train-00000-of-00001.parquet': parquet(range(0, 2)) }, { private: true });
    const denied = await readAll(hubDataset('hf://datasets/readers/private', { access: anonymous() })).then(
      () => assert.fail('read a private dataset without a token'),
      (error: Error) => error,
    );
    assert.ok(denied instanceof HubError);
    assert.match(denied.message, /a private dataset also needs HF_TOKEN/);
    assert.deepEqual((await readAll(hubDataset('hf://datasets/readers/private', { access: access() }))).rows, range(0, 2));
    const wrong = await readAll(hubDataset('hf://datasets/readers/missing', { access: access() })).then(
      () => assert.fail('read a dataset that does not exist'),
      (error: Error) => error,
    );
    assert.match(wrong.message, /Listing hf:\/\/datasets\/readers\/missing@main failed/);
    assert.ok(!wrong.message.includes(TOKEN) && !String(wrong.stack).includes(TOKEN));
  });
});

const folders = ndjsonTempDir('hub');

describe('resuming a run that reads from the Hub', () => {
  it('resumes while the dataset is unchanged, and refuses once its files changed', async () => {
    hub.seed('resume/topics', { 'data/train-00000-of-00001.parquet': parquet(range(0, 12)) });
    const runDir = folders.path('hub-run');
    const run = () =>
      pipeline('from-hub')
        .from(hubDataset('hf://datasets/resume/topics', { access: anonymous() }))
        .to(toNdjsonFile(folders.path('hub-run-out.jsonl')))
        .run({ runDir, cache: false, failed: toFailedFile(folders.path('hub-run-failed.jsonl')) });
    // As a run cut short leaves it: not finished.
    const unfinish = async () => {
      const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(runDir, 'run.json'), JSON.stringify({ ...record, status: 'running' }));
    };
    assert.equal((await run()).status, 'ok');
    const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { fingerprint: { inputs: { path: string; sha256: string }[] } };
    assert.equal(record.fingerprint.inputs[0]?.path, 'hf://datasets/resume/topics');
    await unfinish();
    const resumed = await run();
    assert.equal(resumed.source.skipped, 12, 'the done rows are skipped');
    await unfinish();
    hub.seed('resume/topics', { 'data/train-00000-of-00001.parquet': parquet(range(100, 112)) });
    await assert.rejects(run(), /the input hf:\/\/datasets\/resume\/topics changed/);
  });
});

/** The rows of every shard of a dataset folder's config, read with hyparquet, in file order. */
async function configRows(dir: string, config: string): Promise<Row[]> {
  if (!existsSync(join(dir, config))) return [];
  const rows: Row[] = [];
  for (const file of readdirSync(join(dir, config)).sort())
    rows.push(...(await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, config, file)) })).map((row) => toJson(row) as Row));
  return rows;
}

runSinkConformance(
  'toDatasetFolder',
  async ({ dir, broken }) => {
    if (!broken) return toDatasetFolder(join(dir, 'ds'), { chunkSize: 3000 });
    await writeFile(join(dir, 'blocker'), '');
    return toDatasetFolder(join(dir, 'blocker', 'ds'));
  },
  (dir) => configRows(join(dir, 'ds'), CONFORMANCE_LEAF),
);

let pushes = 0;
runSinkConformance(
  'toHubDataset (pushed when it closes)',
  async ({ dir, broken }) => {
    const repo = `conformance/pushed${pushes++}`;
    await writeFile(join(dir, 'repo'), repo);
    if (!broken) return toHubDataset(`hf://datasets/${repo}`, { staging: join(dir, 'staging'), chunkSize: 4000, access: access() });
    await writeFile(join(dir, 'blocker'), '');
    return toHubDataset(`hf://datasets/${repo}`, { staging: join(dir, 'blocker', 'staging'), access: access() });
  },
  // What the Hub holds after the push, read back from it.
  async (dir) => {
    const repo = readFileSync(join(dir, 'repo'), 'utf8');
    if (!hub.repo(repo)) return [];
    return (await readAll(hubDataset(`hf://datasets/${repo}/${CONFORMANCE_LEAF}`, { access: access() }))).rows;
  },
);

async function writeLeaves(dir: string, leaves: Record<string, Row[]>, chunkSize?: number): Promise<void> {
  const sink = toDatasetFolder(dir, chunkSize ? { chunkSize } : {});
  await sink.open?.();
  const dones: Promise<void>[] = [];
  for (const [leaf, rows] of Object.entries(leaves)) {
    for (const row of rows) dones.push(new Promise((resolve, reject) => sink.write(row, leaf, (error) => (error ? reject(error) : resolve()))));
  }
  await Promise.all(dones);
  await sink.close();
}

describe('toDatasetFolder and its card', () => {
  it('writes one config per leaf in Parquet shards, and a card whose configs: list each split', async () => {
    const dir = folders.path('leaves');
    await writeLeaves(dir, { good: range(0, 5), 'judged/bad': range(5, 7) }, 2);
    assert.deepEqual(readdirSync(join(dir, 'good')), ['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet', 'train-00002-of-00003.parquet']);
    assert.deepEqual(readdirSync(join(dir, 'judged__bad')), ['train-00000-of-00001.parquet']);
    assert.deepEqual(await configRows(dir, 'good'), range(0, 5));
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    const front = parse(/^---\n([\s\S]*?)\n---/.exec(card)![1]!) as { configs: unknown };
    assert.deepEqual(front.configs, [
      { config_name: 'good', data_files: [{ split: 'train', path: 'good/train-*.parquet' }] },
      { config_name: 'judged__bad', data_files: [{ split: 'train', path: 'judged__bad/train-*.parquet' }] },
    ]);
    assert.match(card, /\| good \| train \| 5 \| 3 \|/);
    // A second run into the same folder: what the first left beside its shards goes.
    await writeFile(join(dir, 'pipeline.yaml'), 'name: old\n');
    await writeLeaves(dir, { good: range(0, 1) });
    assert.deepEqual(readdirSync(dir).sort(), ['README.md', 'good']);
    assert.deepEqual(readdirSync(join(dir, 'good')), ['train-00000-of-00001.parquet']);
  });

  it('adds the run’s summary and pipeline.yaml when the run has ended', async () => {
    const dir = folders.path('summary');
    await writeLeaves(dir, { '': range(0, 3) });
    const summary = {
      pipeline: 'qa',
      status: 'failed-rows' as const,
      startedAt: '2026-12-01T00:00:00.000Z',
      endedAt: '2026-12-01T00:01:00.000Z',
      wallMs: 60000,
      source: { name: 'in', read: 4, invalid: 0, skipped: 0, done: 4 },
      steps: {},
      written: { '': 3 },
      failed: 1,
      llm: { default: { model: 'gpt-4o-mini', promptTokens: 100, completionTokens: 50, costUsd: 0.0123, priced: true } },
    };
    await writeDatasetCard(dir, { repo: 'me/qa', summary, pipelineYaml: 'name: qa\n' });
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.match(card, /config_name: default/);
    assert.match(card, /\| 4 \| 3 \| 1 \| 150 \| 0\.0123 \|/);
    assert.match(card, /\| default \| gpt-4o-mini \| 100 \| 50 \|/);
    assert.match(card, /load_dataset\("me\/qa", "default", split="train"\)/);
    assert.equal(readFileSync(join(dir, 'pipeline.yaml'), 'utf8'), 'name: qa\n');
    assert.equal(JSON.parse(readFileSync(join(dir, 'sluice-summary.json'), 'utf8')).failed, 1);
  });
});

describe('pushDataset', () => {
  it('creates the repository, uploads shards through LFS (basic and multipart) in one commit, and reads back the same rows', async () => {
    const dir = folders.path('push');
    // Hashes: text snappy cannot shrink, so that the shard passes the multipart size (4 KiB here).
    const big = Array.from({ length: 400 }, (_, i) => ({ n: i, text: createHash('sha256').update(String(i)).digest('hex') }));
    await writeLeaves(dir, { '': big, small: range(0, 3) });
    await writeDatasetCard(dir, { repo: 'pusher/qa', pipelineYaml: 'name: qa\n' });
    await writeFile(join(dir, 'failed.jsonl'), '{"reason":"kept local"}\n');
    const pushed = await pushDataset(dir, 'pusher/qa', { private: true, access: access() });
    assert.deepEqual(hub.paths('pusher/qa'), ['README.md', 'default/train-00000-of-00001.parquet', 'pipeline.yaml', 'small/train-00000-of-00001.parquet']);
    assert.equal(hub.repo('pusher/qa')?.private, true);
    assert.equal(hub.repo('pusher/qa')?.commits, 1);
    assert.equal(pushed.uploaded, 4);
    assert.ok(
      hub.requests.some((r) => /\/lfs-storage\/[0-9a-f]{64}\/2$/.test(r.path)),
      'the big shard went up in parts',
    );
    assert.ok(
      hub.requests.some((r) => /\/lfs-storage\/[0-9a-f]{64}$/.test(r.path)),
      'the small shard went up whole',
    );
    assert.equal(hub.lfsObjects.size >= 2, true);
    assert.ok(!hub.requests.some((r) => r.path.startsWith('/lfs-storage') && r.authorized), 'storage URLs never get the token');
    const back = await readAll(hubDataset('hf://datasets/pusher/qa', { access: access() }));
    assert.deepEqual(back.rows, big);
    assert.deepEqual((await readAll(hubDataset('hf://datasets/pusher/qa/small', { access: access() }))).rows, range(0, 3));
  });

  it('a second push with fewer shards deletes the ones it no longer has, and can go to a branch', async () => {
    const dir = folders.path('repush');
    await writeLeaves(dir, { '': range(0, 6) }, 2);
    await writeDatasetCard(dir);
    await pushDataset(dir, 'pusher/again', { access: access() });
    assert.equal(hub.paths('pusher/again').filter((p) => p.endsWith('.parquet')).length, 3);
    const fewer = folders.path('repush2');
    await writeLeaves(fewer, { '': range(0, 6) }, 3);
    await writeDatasetCard(fewer);
    const second = await pushDataset(fewer, 'pusher/again', { access: access() });
    assert.equal(second.deleted, 3);
    assert.deepEqual(hub.paths('pusher/again'), ['README.md', 'default/train-00000-of-00002.parquet', 'default/train-00001-of-00002.parquet']);
    assert.deepEqual((await readAll(hubDataset('hf://datasets/pusher/again', { access: access() }))).rows, range(0, 6));
    await pushDataset(dir, 'pusher/again', { revision: 'v2', access: access() });
    assert.equal(hub.paths('pusher/again', 'v2').filter((p) => p.endsWith('.parquet')).length, 3);
    assert.equal(hub.paths('pusher/again').filter((p) => p.endsWith('.parquet')).length, 2, 'main is untouched');
  });

  it('refuses without a token, or a folder that is not a dataset, saying what to do', async () => {
    const dir = folders.path('refused');
    await mkdir(dir, { recursive: true });
    await assert.rejects(pushDataset(dir, 'pusher/x', { access: anonymous() }), /set HF_TOKEN to a token with write access/);
    await assert.rejects(pushDataset(dir, 'pusher/x', { access: access() }), /is not a dataset folder.*--format hf/);
    const denied = await pushDataset(folders.path('push'), 'pusher/x', { access: { hubUrl: hub.url, accessToken: 'hf_wrongToken' } }).then(
      () => assert.fail('pushed with a wrong token'),
      (error: Error) => error,
    );
    assert.match(denied.message, /the token in HF_TOKEN has no write access/);
    assert.ok(!denied.message.includes('hf_wrongToken'));
    assert.ok(!(await readFile(join(folders.path('push'), 'README.md'), 'utf8')).includes(TOKEN));
  });
});
