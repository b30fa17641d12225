/**
 * A parameter search, as a job tool's pipeline runs one: ten seeded draws of a config become ten
 * jobs, run four at a time (`SEARCH_CONCURRENCY=1` runs them one after another), and every result
 * is collected into one row with the best experiment. The job here is a stand-in for a training
 * run: a score computed from the parameters.
 *
 *   npx sluice run examples/parameter-search.ts -o best.jsonl --run-dir runs/search --keep train
 *   npx sluice inspect runs/search --step train      # each experiment's result
 */
import { aggregate, map, parameterGrid, pipeline } from 'sluice';

type Experiment = { experiment: number; lr: number; backbone: string };
type Result = Experiment & { score: number };

/** Stands in for a training run: a score that peaks at lr 0.3 and prefers the wider backbone. */
async function train(row: Experiment): Promise<Result> {
  const score = 1 - Math.abs(row.lr - 0.3) + (row.backbone === 'wide_resnet50' ? 0.1 : 0);
  return { ...row, score: Math.round(score * 1000) / 1000 };
}

export default pipeline('parameter-search')
  .from(parameterGrid({ experiments: 10, seed: 7, params: { lr: [0.1, 0.99], backbone: ['resnet18', 'wide_resnet50'] } }))
  .pipe(
    map(train, { name: 'train', concurrency: Number(process.env.SEARCH_CONCURRENCY ?? 4) }),
    aggregate({
      all: true,
      reduce: (results: Result[]) => {
        const best = results.reduce((a, b) => (b.score > a.score ? b : a));
        return { experiments: results.length, best_experiment: best.experiment, best_score: best.score, best_params: { lr: best.lr, backbone: best.backbone } };
      },
    }),
  );
