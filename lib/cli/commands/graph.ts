/**
 * `sluice graph <pipeline>`: prints the pipeline's DAG as Mermaid, or as a plain-text tree.
 * @module
 */
import type { Command } from 'commander';
import { SluiceConfigError } from '../../core/errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { graphOf } from '../graph-model.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { toMermaid } from '../to-mermaid.ts';
import { toTextTree } from '../to-text-tree.ts';
import { addPipelineFlags } from './run.ts';

export interface GraphFlags {
  format?: string;
  set?: Record<string, string>;
  llm?: string;
}

export async function graphCommand(pipelinePath: string, flags: GraphFlags): Promise<number> {
  const format = flags.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'tree') {
    throw new SluiceConfigError(`Expected \`--format\` to be \`mermaid\` or \`tree\`, got \`${format}\``);
  }
  const llmMode = await enterLlmMode(flags.llm);
  try {
    const graph = graphOf(await loadPipeline(pipelinePath, { sets: flags.set ?? {}, llms: 'lazy' }));
    process.stdout.write(format === 'tree' ? toTextTree(graph) : toMermaid(graph));
    return ExitCode.ok;
  } finally {
    await llmMode.close();
  }
}

export function registerGraph(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('graph')
    .summary("print the pipeline's steps as a Mermaid flowchart or a text tree")
    .description("Print the pipeline's DAG: the source, every step, branches as subgraphs, joins, and the outputs (leaves). Nothing is run.")
    .argument('<pipeline>', 'a .ts/.js module or a .yaml/.json definition')
    .option('-f, --format <format>', '`mermaid` (a flowchart LR, the default) or `tree` (plain text)', 'mermaid');
  addPipelineFlags(command)
    .addHelpText(
      'after',
      `
Examples:
  sluice graph examples/fanout.ts > fanout.mmd
  sluice graph clean.yaml --format tree`,
    )
    .action(async (pipelinePath: string, flags: GraphFlags) => {
      setExit(await graphCommand(pipelinePath, flags));
    });
}
