/**
 * Renders a pipeline graph as a Mermaid flowchart (`flowchart LR`): the source, the steps,
 * branches as subgraphs, joins merging them back, and one node per output (leaf).
 * @module
 */
import type { GraphStep, PipelineGraph } from './graph-model.ts';

function quote(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

function label(step: GraphStep): string {
  return step.name === step.kind ? step.name : `${step.name} (${step.kind})`;
}

/**
 * Node ids are `source`, `s1`, `s2`… in pipeline order and `o1`, `o2`… for outputs, so the text is
 * stable for the same pipeline. Edges come last, outside every subgraph: an edge written inside a
 * subgraph would pull the nodes it names into it.
 * @example
 * console.log(toMermaid(graphOf(pipeline)));
 */
export function toMermaid(graph: PipelineGraph): string {
  const ids = new Map<string, string>([['', 'source']]);
  const lines = ['flowchart LR', `  source([${quote(graph.source)}])`];

  function declare(steps: readonly GraphStep[], indent: string): void {
    for (const step of steps) {
      const id = `s${ids.size}`;
      ids.set(step.qualified, id);
      if (!step.branches) {
        lines.push(`${indent}${id}[${quote(label(step))}]`);
        continue;
      }
      lines.push(`${indent}${id}{{${quote(label(step))}}}`);
      step.branches.forEach((branch, i) => {
        // A nested pipeline's one branch has no name: label it with the step's.
        lines.push(`${indent}subgraph ${id}_${i + 1} [${quote(branch.name || step.name)}]`);
        declare(branch.steps, `${indent}  `);
        lines.push(`${indent}end`);
      });
    }
  }
  declare(graph.steps, '  ');

  const outputs = graph.outputs.map((output, i) => ({ ...output, id: `o${i + 1}` }));
  for (const output of outputs) lines.push(`  ${output.id}[/${quote(output.leaf)}/]`);
  for (const [from, to] of graph.edges) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
  for (const output of outputs) {
    for (const from of output.from) lines.push(`  ${ids.get(from)} --> ${output.id}`);
  }
  return `${lines.join('\n')}\n`;
}
