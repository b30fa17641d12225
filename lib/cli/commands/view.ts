/**
 * `sluice view <run-dir>`: the run's web page on 127.0.0.1, until Ctrl+C (see lib/viewer).
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startViewer } from '../../viewer/view-server.ts';
import { ExitCode } from '../exit-codes.ts';

export interface ViewFlags {
  port?: string;
}

export async function viewCommand(dir: string, flags: ViewFlags): Promise<number> {
  if (!existsSync(join(dir, 'run.json'))) {
    process.stderr.write(`sluice: \`${dir}\` is not a run directory (no run.json): give the --run-dir of a run (it may still be running).\n`);
    return ExitCode.usage;
  }
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`sluice: Expected \`--port\` to be an integer from 0 to 65535, got \`${flags.port}\`.\n`);
    return ExitCode.usage;
  }
  const viewer = await startViewer({ runDir: dir, port });
  // The URL on stdout, alone: a script can read it; the rest on stderr.
  process.stdout.write(`${viewer.url}\n`);
  process.stderr.write('sluice: serving the run on 127.0.0.1 only; the token in the URL is the key. Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await viewer.close();
  return ExitCode.ok;
}

export function registerView(program: Command, setExit: (code: number) => void): void {
  program
    .command('view')
    .summary("serve a run's rows, failed rows and counts as a local web page")
    .description(
      'Serve a web page over a run directory, on 127.0.0.1 only, behind a random token in the URL it prints: the run’s steps and counts, each output and the failed rows paged and searchable, live counts while another process is still running it. Nothing leaves the machine.',
    )
    .argument('<run-dir>', 'the run directory (--run-dir of a run, finished or running)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)')
    .addHelpText(
      'after',
      `
Examples:
  sluice view runs/qa
  sluice run qa.yaml --run-dir runs/qa & sluice view runs/qa

Exit codes: 0 stopped with Ctrl+C, 2 usage error.`,
    )
    .action(async (dir: string, flags: ViewFlags) => {
      setExit(await viewCommand(dir, flags));
    });
}
