/**
 * A second pipeline over an artifact of the first: the reviews that tracked.ts labelled, read back
 * from its run directory with `keptRows`, become a report of the longest review per label.
 *
 *   npx sluice run examples/tracked.ts --llm simulated --run-dir runs/tracked   # first
 *   npx sluice run examples/tracked-report.ts                                    # then
 *
 * The run directory: TRACKED_RUN_DIR (default runs/tracked). Writes out/longest-per-label.jsonl.
 */
import { aggregate, keptRows, pipeline, toNdjsonFile } from 'sluice';

type Labelled = { text: string; words: number; label: string };

export default pipeline('tracked-report')
  .from(keptRows<Labelled>(process.env.TRACKED_RUN_DIR ?? 'runs/tracked', 'label'))
  .pipe(
    aggregate({
      key: 'label',
      reduce: (rows: Labelled[], label) => {
        const longest = rows.reduce((a, b) => (b.words > a.words ? b : a));
        return { label, reviews: rows.length, longest: longest.text };
      },
    }),
  )
  .to(toNdjsonFile('out/longest-per-label.jsonl'));
