import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { waitFor } from '../../helpers/wait-for.ts';

const MAIN = fileURLToPath(new URL('../../../lib/llm/simulator/main.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('simulator CLI (main.ts)', () => {
  it('prints the URL on stdout, serves with the given settings, and stops cleanly on SIGTERM', async () => {
    const { child, exited, output } = run(['--latency', '5-10', '--rate500', '1', '--models', 'a,b']);
    await waitFor(() => output().stdout.includes('\n'));
    const url = output().stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);

    const models = await fetch(`${url}/models`);
    assert.equal(models.headers.get('x-sluice-simulated'), '1');
    assert.deepEqual(
      ((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id),
      ['a', 'b'],
    );
    const chat = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'a', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(chat.status, 500);
    await chat.arrayBuffer();

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output().stderr, /Sluice simulator stopped: \{"requests":2,"byStatus":\{"200":1,"500":1\}/);
  });

  it('exits 2 with a message on a bad flag value', async () => {
    const { exited, output } = run(['--rate429', 'often']);
    assert.equal(await exited, 2);
    assert.equal(output().stderr, 'Expected `--rate429` to be a number, got `often`\n');
    assert.equal(output().stdout, '');
  });
});
