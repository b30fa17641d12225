/**
 * A parameter search, as a job tool's pipeline runs one: ten seeded draws of a config become ten
 * jobs, run four at a time (`SEARCH_CONCURRENCY=1` runs them one after another, same result),
 * collected into one row, and a second job over all the results saves a table (`results.csv`) and
 * a chart (`scores.svg`) into the run directory and picks the best experiment. The job here is a
 * stand-in for a training run: a score computed from the parameters.
 *
 *   npx sluice run examples/parameter-search.ts -o best.jsonl --run-dir runs/search --keep train
 *   npx sluice inspect runs/search --step train      # each experiment's result
 *   ls runs/search                                   # … results.csv and scores.svg among the run's record
 *
 * The chart needs Vega-Lite: `npm i vega vega-lite` (a clone of Sluice has them).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aggregate, map, parameterGrid, pipeline, writeRows } from 'sluice';
import { chartSvg } from 'sluice/charts';

type Result = { experiment: number; lr: number; backbone: string; score: number };

/** Stands in for a training run: a score that peaks at lr 0.3 and prefers the wider backbone. */
async function train(row: { experiment: number; lr: number; backbone: string }): Promise<Result> {
  const score = 1 - Math.abs(row.lr - 0.3) + (row.backbone === 'wide_resnet50' ? 0.1 : 0);
  return { ...row, score: Math.round(score * 1000) / 1000 };
}

export default pipeline('parameter-search')
  .from(parameterGrid({ experiments: 10, seed: 7, params: { lr: [0.1, 0.99], backbone: ['resnet18', 'wide_resnet50'] } }))
  .pipe(
    map(train, { name: 'train', concurrency: Number(process.env.SEARCH_CONCURRENCY ?? 4) }),
    aggregate({ name: 'collect', all: true, reduce: (results: Result[]) => ({ results }) }),
    map(
      async ({ results }, { runDir }) => {
        const ranked = [...results].sort((a, b) => b.score - a.score || a.experiment - b.experiment);
        const best = ranked[0]!;
        if (runDir) {
          await writeRows(join(runDir, 'results.csv'), ranked);
          await writeFile(join(runDir, 'scores.svg'), await chartSvg(ranked, { x: 'lr', y: 'score', color: 'backbone', title: 'Score by learning rate' }));
        }
        return {
          experiments: results.length,
          best_experiment: best.experiment,
          best_score: best.score,
          best_params: { lr: best.lr, backbone: best.backbone },
          saved: runDir ? ['results.csv', 'scores.svg'] : [],
        };
      },
      { name: 'report' },
    ),
  );
