/**
 * Tracked steps and their artifacts (ZenML's steps, artifacts and run history, in Sluice's terms):
 * the output of `clean` and `label` is kept in the run directory as the rows pass, every run is
 * recorded in `.sluice/runs`, and a second pipeline (tracked-report.ts) reads a kept step back
 * as its input. `clean` is chatty, so it is `quiet`: its console lines go to the run's console.log.
 *
 *   npx sluice run examples/tracked.ts --llm simulated --run-dir runs/tracked
 *   npx sluice inspect runs/tracked --step label          # the labelled reviews, with ids and lineage
 *   npx sluice runs --pipeline tracked                    # every run of it, newest first
 *   npx sluice run examples/tracked-report.ts             # a report from the kept `label` rows
 *
 * Model: SLUICE_MODEL (default gpt-4o-mini). Reads examples/data/reviews.jsonl, writes out/label-counts.jsonl.
 */
import { aggregate, filter, keep, map, ndjsonFile, pipeline, quiet, toNdjsonFile } from 'sluice';
import { createLlm } from 'sluice/llm';
import { textClassification } from 'sluice/tasks';

const llm = createLlm({ model: process.env.SLUICE_MODEL ?? 'gpt-4o-mini', concurrency: 8, params: { temperature: 0 } });

export default pipeline('tracked')
  .from(ndjsonFile<{ review: string }>('examples/data/reviews.jsonl'))
  .pipe(
    filter((row) => row.review.trim() !== '', { name: 'non-empty' }),
    keep(
      quiet(
        map(
          (row) => {
            const text = row.review.trim().replace(/\s+/g, ' ');
            console.log(`cleaned ${row.review.length} → ${text.length} characters`);
            return { text, words: text.split(' ').length };
          },
          { name: 'clean' },
        ),
      ),
    ),
    keep(textClassification({ llm, name: 'label', labels: ['positive', 'negative', 'neutral'], context: 'Reviews of a kettle.', metadata: false })),
    aggregate({
      key: 'label',
      reduce: (rows, label) => ({ label, reviews: rows.length, words: rows.reduce((sum, r) => sum + r.words, 0) }),
    }),
  )
  .to(toNdjsonFile('out/label-counts.jsonl'));
