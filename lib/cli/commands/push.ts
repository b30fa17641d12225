/**
 * `sluice push <folder|run-dir> <owner>/<name>`: uploads a dataset folder (or a finished run's
 * outputs, laid out as one) to the Hugging Face Hub.
 * @module
 */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_PLACEHOLDER } from '../../hub/dataset-card.ts';
import { checkDatasetFolder, pushDataset } from '../../hub/push-dataset.ts';
import { ExitCode } from '../exit-codes.ts';
import { datasetFromRunDirectory, isRunDirectory } from '../run-dir-dataset.ts';

export interface PushFlags {
  private?: boolean;
  revision?: string;
  message?: string;
  quiet?: boolean;
}

export async function pushCommand(folder: string, repo: string, flags: PushFlags): Promise<number> {
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  let dir = folder;
  if (isRunDirectory(folder)) {
    say(`sluice: laying out the outputs of the run in ${folder} as a dataset`);
    dir = await datasetFromRunDirectory(folder);
  }
  await checkDatasetFolder(dir);
  // The card's loading example names the repository once it is known; the rest, edits included, stays.
  const card = join(dir, 'README.md');
  writeFileSync(card, readFileSync(card, 'utf8').replaceAll(REPO_PLACEHOLDER, repo));
  const pushed = await pushDataset(dir, repo, {
    ...(flags.private ? { private: true } : {}),
    ...(flags.revision ? { revision: flags.revision } : {}),
    ...(flags.message ? { message: flags.message } : {}),
    onPhase: (phase) => say(`sluice: push: ${phase}`),
  });
  say(`sluice: pushed ${pushed.uploaded} files${pushed.deleted ? ` (and deleted ${pushed.deleted} left by an earlier push)` : ''} to ${pushed.url}`);
  process.stdout.write(`${JSON.stringify({ url: pushed.url, commit: pushed.commit, uploaded: pushed.uploaded, deleted: pushed.deleted })}\n`);
  return ExitCode.ok;
}

export function registerPush(program: Command, setExit: (code: number) => void): void {
  program
    .command('push')
    .summary('upload a dataset folder, or a finished run, to the Hugging Face Hub')
    .description(
      'Upload a dataset folder (written with `-o out/ --format hf`), or the outputs of a finished run directory, to a dataset repository on the Hugging Face Hub, as one commit. The repository (and the branch) is created when missing; shards an earlier push left in the same configs are deleted. The token comes from HF_TOKEN and is sent to the Hub only; HF_ENDPOINT points to another Hub. The failed-rows file is not uploaded.',
    )
    .argument('<folder>', 'a dataset folder, or a run directory (--run-dir) of a finished run')
    .argument('<repo>', 'the dataset repository, as <owner>/<name>')
    .option('--private', 'create the repository private (an existing one keeps its visibility)')
    .option('--revision <branch>', 'commit to this branch (made from main when missing)')
    .option('-m, --message <title>', 'the commit title')
    .option('-q, --quiet', 'no messages on stderr')
    .addHelpText(
      'after',
      `
Examples:
  sluice run qa.yaml -i topics.jsonl -o out/ --format hf && HF_TOKEN=hf_… sluice push out/ me/qa-pairs
  sluice push runs/qa me/qa-pairs --private --revision v2

Prints {"url", "commit", "uploaded", "deleted"} on stdout. Exit codes: 0 pushed, 1 the Hub refused or could not be reached, 2 not a dataset folder or bad arguments.`,
    )
    .action(async (folder: string, repo: string, flags: PushFlags) => {
      setExit(await pushCommand(folder, repo, flags));
    });
}
