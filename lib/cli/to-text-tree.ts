/**
 * Renders a pipeline graph as a plain-text tree: the source, the steps in order, each branch under
 * the step that fans out, and the outputs.
 * @module
 */
import type { GraphStep, PipelineGraph } from './graph-model.ts';

interface TreeNode {
  readonly text: string;
  readonly children: readonly TreeNode[];
}

function stepNode(step: GraphStep): TreeNode {
  const kind = step.name === step.kind ? step.name : `${step.name} (${step.kind})`;
  const leaves = step.leaves ? ` → leaves ${step.leaves.join(', ')}` : '';
  return {
    text: `${kind}${leaves}`,
    // A nested pipeline's one unnamed branch: its steps hang from the step itself.
    children: (step.branches ?? []).flatMap((branch) =>
      branch.name === ''
        ? branch.steps.map(stepNode)
        : [{ text: `branch ${branch.name}${branch.steps.length === 0 ? ' (no steps)' : ''}`, children: branch.steps.map(stepNode) }],
    ),
  };
}

function render(nodes: readonly TreeNode[], prefix: string, out: string[]): void {
  nodes.forEach((node, i) => {
    const last = i === nodes.length - 1;
    out.push(`${prefix}${last ? '└── ' : '├── '}${node.text}`);
    render(node.children, `${prefix}${last ? '    ' : '│   '}`, out);
  });
}

/**
 * @example
 * console.log(toTextTree(graphOf(pipeline)));
 * // pipeline clean
 * // ├── source: input
 * // ├── trim (map)
 * // └── outputs: default
 */
export function toTextTree(graph: PipelineGraph): string {
  const out = [`pipeline ${graph.name}`];
  render(
    [
      { text: `source: ${graph.source}`, children: [] },
      ...graph.steps.map(stepNode),
      { text: `outputs: ${graph.outputs.map((o) => o.leaf).join(', ') || 'none'}`, children: [] },
    ],
    '',
    out,
  );
  return `${out.join('\n')}\n`;
}
