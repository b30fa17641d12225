/**
 * The shape of a pipeline for `sluice graph`: its steps (with the names the run gives them),
 * branches, the edges rows take, and the outputs (leaves) they end in. Both renderers, Mermaid and
 * the text tree, read this one model.
 * @module
 */
import type { Pipeline } from '../pipeline/pipeline.ts';
import { nameSteps } from '../core/step-names.ts';
import type { AnyStep } from '../core/step.ts';
import { branchPrefix } from '../core/branch-prefix.ts';

export interface GraphStep {
  /** The step's name within its branch. */
  readonly name: string;
  /** The name the run and the summary use (`broadcast/a/upper` inside branches). */
  readonly qualified: string;
  readonly kind: string;
  /** Branches, for steps that fan out (broadcast, route with branches). */
  readonly branches?: readonly GraphBranch[];
  /** Leaves a route without branches tags rows with (`*` when chosen by a function). */
  readonly leaves?: readonly string[];
}

export interface GraphBranch {
  readonly name: string;
  readonly steps: readonly GraphStep[];
}

export interface GraphOutput {
  /** The leaf (named output): a branch path, or `default`. */
  readonly leaf: string;
  /** Qualified names of the steps whose rows reach it (`''` for the source itself). */
  readonly from: readonly string[];
}

export interface PipelineGraph {
  readonly name: string;
  /** The pipeline's source, or `input` when the command line supplies it. */
  readonly source: string;
  readonly steps: readonly GraphStep[];
  /** Edges between steps by qualified name; `''` is the source. In the order rows meet them. */
  readonly edges: ReadonlyArray<readonly [string, string]>;
  readonly outputs: readonly GraphOutput[];
}

interface Exit {
  readonly node: string;
  readonly path: string;
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const childPath = (parent: string, name: string) => (parent === '' ? name : `${parent}/${name}`);

/** Leaves a route without branches can tag, from its params. */
function routeLeaves(step: AnyStep): string[] | undefined {
  if (step.kind !== 'route' || step.branches) return undefined;
  const params = step.params as { mode?: string; predicates?: unknown; otherwise?: unknown; leaves?: unknown };
  if (params.mode === 'when' && Array.isArray(params.predicates)) {
    return unique([...params.predicates.map(String), ...(typeof params.otherwise === 'string' ? [params.otherwise] : [])]);
  }
  if (params.mode === 'sample' && Array.isArray(params.leaves)) return params.leaves.map(String);
  return ['*'];
}

/**
 * Builds the graph of `pipeline`.
 * @example
 * graphOf(pipeline('p').pipe(map(f, { name: 'trim' }))).edges; // [['', 'trim']]
 */
export function graphOf(pipeline: Pipeline<any>): PipelineGraph {
  const taken = new Set<string>();
  const edges: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  const edge = (from: string, to: string) => {
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push([from, to]);
  };

  function walk(steps: readonly AnyStep[], prefix: string, incoming: readonly Exit[], fans: string[][]): { steps: GraphStep[]; exits: Exit[] } {
    // The same naming as the run, so the graph's names are the summary's.
    const names = nameSteps(steps, prefix, taken);
    const built: GraphStep[] = [];
    let exits: Exit[] = [...incoming];
    steps.forEach((step, i) => {
      const qualified = names[i]!;
      for (const node of unique(exits.map((e) => e.node))) edge(node, qualified);
      const paths = unique(exits.map((e) => e.path));
      const leaves = routeLeaves(step);
      if (step.branches) {
        const branches: GraphBranch[] = [];
        const next: Exit[] = [];
        for (const [branch, branchSteps] of Object.entries(step.branches)) {
          const inner = walk(
            branchSteps,
            branchPrefix(qualified, branch),
            paths.map((p) => ({ node: qualified, path: childPath(p, branch) })),
            [...fans, paths],
          );
          branches.push({ name: branch, steps: inner.steps });
          next.push(...inner.exits);
        }
        fans.push(paths);
        built.push({ name: qualified.slice(prefix.length), qualified, kind: step.kind, branches });
        exits = next;
        return;
      }
      if (step.kind === 'join') {
        // A join gives rows back the branch path they had before the innermost fan-out.
        const back = fans.pop() ?? paths;
        exits = back.map((path) => ({ node: qualified, path }));
      } else if (leaves) {
        exits = paths.flatMap((path) => leaves.map((leaf) => ({ node: qualified, path: childPath(path, leaf) })));
      } else {
        exits = paths.map((path) => ({ node: qualified, path }));
      }
      built.push({ name: qualified.slice(prefix.length), qualified, kind: step.kind, ...(leaves ? { leaves } : {}) });
    });
    return { steps: built, exits };
  }

  const { steps, exits } = walk(pipeline.steps, '', [{ node: '', path: '' }], []);
  const outputs = new Map<string, string[]>();
  for (const exit of exits) {
    const leaf = exit.path === '' ? 'default' : exit.path;
    const from = outputs.get(leaf) ?? [];
    if (!from.includes(exit.node)) from.push(exit.node);
    outputs.set(leaf, from);
  }
  return {
    name: pipeline.name,
    source: pipeline.source?.name ?? 'input',
    steps,
    edges,
    outputs: [...outputs].map(([leaf, from]) => ({ leaf, from })),
  };
}
