import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { startViewer } from '../../lib/viewer/view-server.ts';
import { repoRoot, runCli } from '../helpers/run-cli.ts';
import { metricsLog } from '../../lib/cli/metrics-log.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Debian's Chromium on a closed network: no background connections, no sandbox as root. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DEFINITION = `name: viewed
steps:
  - parseJson: { column: text, as: parsed }
  - map: { name: note, set: { note: "<script>window.pwned = true</script>" } }
`;

describe('the viewer in a real browser', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (.ci/run installs Debian's chromium)` }, () => {
  it('shows the live row count, a failed row, and rows holding <script> as text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-view-browser-'));
    await writeFile(join(dir, 'viewed.yaml'), DEFINITION);
    const input = [
      '{"text":"{\\"a\\":1}"}',
      '{"text":"<script>window.pwned = true</script> is not JSON"}',
      '{"text":"[1, 2, 3]"}',
      '{"text":"{\\"b\\":2}"}',
    ].join('\n');
    const out = join(dir, 'out.jsonl');
    await writeFile(join(dir, 'in.jsonl'), `${input}\n`);
    const ran = await runCli(['run', join(dir, 'viewed.yaml'), '-i', join(dir, 'in.jsonl'), '-o', out, '--run-dir', join(dir, 'run'), '--keep', 'parseJson']);
    assert.equal(ran.code, 3, ran.stderr);

    const viewer = await startViewer({ runDir: join(dir, 'run'), pollMs: 50 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 0 });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
      // Wait for events only, however busy the machine: no time limit of Playwright's own.
      page.setDefaultTimeout(0);
      await page.goto(viewer.url);
      const outButton = page.locator('#files button', { hasText: 'out.jsonl' });
      await outButton.filter({ hasText: '(3)' }).waitFor();
      assert.equal((await readFile(out, 'utf8')).trim().split('\n').length, 3, 'the count on the page is the output file’s');
      await page.locator('#rows details').first().waitFor();
      assert.equal(await page.locator('#rows details').count(), 3);
      // The steps as a flow, with their counts.
      assert.deepEqual(await page.locator('#graph .node').allTextContents(), [
        'in.jsonlsource',
        'parseJsonparseJson · 4 in, 3 out, 1 failed',
        'notemap · 3 in, 3 out',
        '1 output(s)outputs',
      ]);
      // A row's note holds a script tag: it shows as text, and never runs.
      await page.locator('#rows details summary').first().click();
      assert.match((await page.locator('#rows details pre').first().textContent()) ?? '', /<script>window\.pwned = true<\/script>/);
      assert.equal(await page.evaluate('window.pwned'), undefined);
      // The row's story: the source record it came from.
      await page.locator('#rows details').first().locator('button.story').click();
      await page.locator('.storybox h4', { hasText: 'from source records in.jsonl:1' }).waitFor();
      assert.match((await page.locator('.storybox pre').first().textContent()) ?? '', /"text": "\{\\"a\\":1\}"/);
      if (process.env.SLUICE_SCREENSHOTS) await page.screenshot({ path: join(repoRoot, 'docs/viewer-rows.png'), fullPage: true });

      // Live: rows written by another process show up in the count.
      await appendFile(out, '{"text":"{}","parsed":{},"note":"late"}\n');
      await outButton.filter({ hasText: '(4)' }).waitFor();

      await page.locator('#files button', { hasText: 'kept: parseJson' }).click();
      await page.locator('#rows details').nth(2).waitFor();
      assert.match((await page.locator('#rows details summary').first().textContent()) ?? '', /"lineage":\["in\.jsonl:1"\]/);

      await page.locator('#files button', { hasText: 'failed rows' }).click();
      const failed = page.locator('#rows details summary.error');
      await failed.first().waitFor();
      assert.match((await failed.first().textContent()) ?? '', /\[parseJson\] SLUICE_JSON_NOT_FOUND/);
      await failed.first().click();
      assert.match((await page.locator('#rows details pre').first().textContent()) ?? '', /window\.pwned = true/);
      assert.equal(await page.evaluate('window.pwned'), undefined);
      if (process.env.SLUICE_SCREENSHOTS) await page.screenshot({ path: join(repoRoot, 'docs/viewer-failed.png'), fullPage: true });
    } finally {
      await browser.close();
      await viewer.close();
    }
  });

  it('draws the run’s counters over time: rows/s, requests/s, latency, 429s, tokens and cost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-view-charts-'));
    const sim = await startSimulator({ latencyMs: { min: 2, max: 10 }, rate429: 0.05 });
    const llm = createLlm({ name: 'writer', model: 'gpt-4o-mini', baseURL: sim.url, apiKey: 'sk-test', concurrency: 4 });
    const runDir = join(dir, 'run');
    const log = metricsLog(runDir);
    const handle = pipeline('charted')
      .from(fromIterable(Array.from({ length: 300 }, (_, i) => ({ q: `question ${i}` }))))
      .pipe(generate({ llm, prompt: '{{ q }}', as: 'a', metadata: false }))
      .to(toNdjsonFile(join(dir, 'out.jsonl')))
      .start({ runDir, cache: false, onEvent: log.onEvent });
    const stop = log.start(handle, 25);
    await handle.summary;
    await stop();
    await llm.close();
    await sim.close();

    const viewer = await startViewer({ runDir });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 0 });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      // Wait for events only, however busy the machine: no time limit of Playwright's own.
      page.setDefaultTimeout(0);
      await page.goto(viewer.url);
      await page.locator('#charts .uplot').nth(5).waitFor();
      const titles = await page.locator('#charts .u-title').allTextContents();
      assert.deepEqual(titles, [
        'rows/s (records done)',
        'LLM requests/s',
        'latency (ms), answers of each interval',
        '429s/s',
        'tokens (total)',
        'cost (USD, total)',
      ]);
      assert.equal(await page.locator('#charts canvas').count(), 6);
      if (process.env.SLUICE_SCREENSHOTS) await page.locator('#charts').screenshot({ path: join(repoRoot, 'docs/viewer-charts.png') });
    } finally {
      await browser.close();
      await viewer.close();
    }
  });
});
