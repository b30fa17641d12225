/**
 * QA pairs from seed topics with a curation stage (Dria's scatter → aggregate → scatter): each
 * topic's subtopics become one question each (scatter), the questions of a topic are gathered
 * into one row (aggregate) so a curator can compare them and keep the two most distinct, and the
 * kept ones are answered one per row (scatter again).
 *
 *   npx sluice run examples/qa-curated.ts --llm simulated
 *
 * Reads examples/data/topics.jsonl, writes out/qa-curated.jsonl. Model: SLUICE_MODEL (default gpt-4o-mini).
 */
import { z } from 'zod';
import { aggregate, map, ndjsonFile, pipeline, scatter, toNdjsonFile } from 'sluice';
import { createLlm, generate, structured } from 'sluice/llm';

const llm = createLlm({ model: process.env.SLUICE_MODEL ?? 'gpt-4o-mini', concurrency: 32, params: { temperature: 0.7 } });
const KEEP = 2;

/** Which questions to keep: as many numbers as `KEEP`, each the position of one in the list. */
const picks = (count: number) => z.object({ keep: z.array(z.number().int().min(1).max(count)).length(KEEP) });

export default pipeline('qa-curated')
  .from(ndjsonFile<{ topic: string }>('examples/data/topics.jsonl'))
  .pipe(
    structured({
      llm,
      name: 'subtopics',
      prompt: 'List three distinct subtopics of {{ topic }}.',
      schema: z.object({ subtopics: z.array(z.string()).min(1).max(5) }),
      as: 'plan',
      metadata: false,
    }),
    scatter((row) => row.plan.subtopics.map((subtopic) => ({ topic: row.topic, subtopic })), { name: 'per-subtopic' }),
    generate({
      llm,
      name: 'question',
      prompt: 'Write one clear question about {{ subtopic }}, as part of {{ topic }}. Reply with the question only.',
      as: 'question',
      metadata: false,
    }),
    aggregate({ name: 'per-topic', key: 'topic', reduce: (rows, topic) => ({ topic: topic!, questions: rows.map((r) => r.question) }) }),
    structured({
      llm,
      name: 'curate',
      prompt: `Here are questions about {{ topic }}:\n{% for q in questions %}{{ forloop.index }}. {{ q }}\n{% endfor %}\nGive the numbers of the ${KEEP} most distinct and useful ones.`,
      schema: picks(KEEP),
      schemaFor: (row) => picks((row.questions as string[]).length),
      as: 'curation',
      metadata: false,
    }),
    scatter((row) => [...new Set(row.curation.keep)].map((n) => ({ topic: row.topic, question: row.questions[n - 1]! })), { name: 'per-question' }),
    generate({ llm, name: 'answer', system: 'Answer in at most three sentences.', prompt: '{{ question }}', as: 'answer', metadata: false }),
    map((row) => ({ topic: row.topic, question: row.question, answer: row.answer }), { name: 'tidy' }),
  )
  .to(toNdjsonFile('out/qa-curated.jsonl'));
