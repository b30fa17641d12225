import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chartSvg } from '../../lib/charts/chart-svg.ts';
import { writeRows } from '../../lib/formats/write-rows.ts';

const rows = [
  { lr: 0.1, score: 0.8, backbone: 'small' },
  { lr: 0.5, score: 0.9, backbone: 'wide' },
  { lr: 0.7, score: 0.6, backbone: 'wide' },
];

describe('chartSvg and writeRows', () => {
  it('draws one mark per row, coloured by a column, with the title, and loads nothing', async () => {
    const svg = await chartSvg(rows, { x: 'lr', y: 'score', color: 'backbone', title: 'Score <by> lr' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const labels = [...svg.matchAll(/aria-label="(lr: [^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(labels, ['lr: 0.1; score: 0.8; backbone: small', 'lr: 0.5; score: 0.9; backbone: wide', 'lr: 0.7; score: 0.6; backbone: wide']);
    assert.ok(svg.includes('Score &lt;by&gt; lr'), 'the title is escaped');
    const line = await chartSvg(rows, { mark: 'line', x: 'lr', y: 'score' });
    assert.match(line, /mark-line/);
    await assert.rejects(chartSvg(rows, { x: 'lr', y: 'score', vegaLite: { data: { url: 'http://127.0.0.1:9/rows.json' } } }), /inline rows only/);
    await assert.rejects(chartSvg(rows, {} as never), /`x` and `y`/);
  });

  it('writes rows to a file in the format its extension names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-write-rows-'));
    assert.equal(await writeRows(join(dir, 'r.csv'), rows), 3);
    assert.equal(await readFile(join(dir, 'r.csv'), 'utf8'), 'lr,score,backbone\n0.1,0.8,small\n0.5,0.9,wide\n0.7,0.6,wide\n');
    await writeRows(join(dir, 'r.jsonl'), rows);
    assert.deepEqual(
      (await readFile(join(dir, 'r.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      rows,
    );
  });
});
