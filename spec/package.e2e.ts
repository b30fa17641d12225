import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers/run-cli.ts';

// npm and the `sluice` bin run on the Node that runs the tests (24), whatever `node` the PATH has first.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

describe('the npm package', () => {
  it('packs, installs into a scratch project, imports, and runs its sluice binary', { timeout: 180_000 }, async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'sluice-pack-'));
    execFileSync('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = (await readdir(scratch)).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack made a tarball');
    const project = join(scratch, 'app');
    execFileSync('mkdir', ['-p', project]);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(scratch, tarball)], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    await writeFile(
      join(project, 'use.mjs'),
      `
import { pipeline, fromIterable, map, toMemory } from 'sluice';
const out = toMemory();
const summary = await pipeline('p').from(fromIterable([{ n: 1 }, { n: 2 }])).pipe(map((r) => ({ n: r.n * 10 }))).to(out).run();
console.log(JSON.stringify({ rows: out.rows, status: summary.status }));
`,
    );
    const used = execFileSync(process.execPath, ['use.mjs'], { cwd: project, env, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(used), { rows: [{ n: 10 }, { n: 20 }], status: 'ok' });

    await writeFile(
      join(project, 'upper.mjs'),
      `
import { map, pipeline } from 'sluice';
export default pipeline('upper').pipe(map((r) => ({ ...r, text: String(r.text).toUpperCase() })));
`,
    );
    const ran = execFileSync(join(project, 'node_modules/.bin/sluice'), ['run', 'upper.mjs', '-q'], {
      cwd: project,
      env,
      input: '{"text":"hi"}\n',
      encoding: 'utf8',
    });
    assert.equal(ran, '{"text":"HI"}\n');
    const help = execFileSync(join(project, 'node_modules/.bin/sluice'), ['--help'], { cwd: project, env, encoding: 'utf8' });
    assert.match(help, /Usage: sluice/);

    // An older Node on the machine (the system one here) gets one line saying what to do, not a crash in undici.
    const older = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((path) => {
      try {
        return Number(execFileSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim()) < 24;
      } catch {
        return false;
      }
    });
    if (older) {
      const refused = spawnSync(older, [join(project, 'node_modules/sluice/dist/cli/main.js'), 'run', 'upper.mjs'], {
        cwd: project,
        env,
        input: '{"text":"hi"}\n',
        encoding: 'utf8',
      });
      assert.equal(refused.status, 2);
      assert.equal(refused.stdout, '');
      assert.match(
        refused.stderr,
        /^sluice: needs Node 24 or later; this is Node \d+\.\d+\.\d+\. In your project: npm i -D node@24, then run it with npx sluice/,
      );
      assert.equal(refused.stderr.trim().split('\n').length, 1);
    }
  });
});
