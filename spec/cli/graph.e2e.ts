import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const fixture = join(repoRoot, 'spec/fixtures/graph-pipeline.ts');

describe('sluice graph', () => {
  it('prints a broadcast and its join as a Mermaid flowchart, branches as subgraphs', async () => {
    const result = await runCli(['graph', fixture]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'flowchart LR',
        '  source(["input"])',
        '  s1["trim (map)"]',
        '  s2["non-empty (filter)"]',
        '  s3{{"fan (broadcast)"}}',
        '  subgraph s3_1 ["upper"]',
        '    s4["shout (map)"]',
        '  end',
        '  subgraph s3_2 ["size"]',
        '    s5["count (map)"]',
        '  end',
        '  s6["merge (join)"]',
        '  o1[/"default"/]',
        '  source --> s1',
        '  s1 --> s2',
        '  s2 --> s3',
        '  s3 --> s4',
        '  s3 --> s5',
        '  s4 --> s6',
        '  s5 --> s6',
        '  s6 --> o1',
        '',
      ].join('\n'),
    );
    assert.equal(result.stderr, '');
  });

  it('prints the same pipeline as a plain-text tree with --format tree', async () => {
    const result = await runCli(['graph', fixture, '--format', 'tree']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'pipeline features',
        '├── source: input',
        '├── trim (map)',
        '├── non-empty (filter)',
        '├── fan (broadcast)',
        '│   ├── branch upper',
        '│   │   └── shout (map)',
        '│   └── branch size',
        '│       └── count (map)',
        '├── merge (join)',
        '└── outputs: default',
        '',
      ].join('\n'),
    );
  });

  it('draws one output per leaf when branches are not joined', async () => {
    const result = await runCli(['graph', join(repoRoot, 'examples/fanout.ts')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /o1\[\/"rows\/\*"\/\]\n {2}o2\[\/"stats"\/\]/);
    assert.match(result.stdout, / {2}s8 --> o1\n {2}s9 --> o2\n$/);
  });

  it('rejects an unknown format with exit 2', async () => {
    const result = await runCli(['graph', fixture, '--format', 'dot']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Expected `--format` to be `mermaid` or `tree`, got `dot`/);
  });
});
