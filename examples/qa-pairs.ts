/**
 * QA pairs from seed topics (Dria's "QA from topics"): topic → subtopics (a JSON list, then
 * scatter) → one question per subtopic → an answer per question.
 *
 *   npx sluice run examples/qa-pairs.ts --llm simulated          # the built-in simulator
 *   OPENAI_API_KEY=sk-… npx sluice run examples/qa-pairs.ts      # a real OpenAI-compatible server
 *
 * Reads examples/data/topics.jsonl, writes out/qa-pairs.jsonl (override with -i / -o).
 * Model: SLUICE_MODEL (default gpt-4o-mini); limits: SLUICE_RPM, SLUICE_TPM.
 */
import { z } from 'zod';
import { map, ndjsonFile, pipeline, scatter, toNdjsonFile } from 'sluice';
import { createLlm, generate, structured } from 'sluice/llm';

const llm = createLlm({
  model: process.env.SLUICE_MODEL ?? 'gpt-4o-mini',
  concurrency: 32,
  rpm: Number(process.env.SLUICE_RPM ?? Number.POSITIVE_INFINITY),
  tpm: Number(process.env.SLUICE_TPM ?? Number.POSITIVE_INFINITY),
  params: { temperature: 0.7, max_tokens: 400 },
});

export default pipeline('qa-pairs')
  .from(ndjsonFile<{ topic: string }>('examples/data/topics.jsonl'))
  .pipe(
    structured({
      llm,
      name: 'subtopics',
      prompt: 'List three distinct subtopics of {{ topic }} that a curious student could ask about.',
      schema: z.object({ subtopics: z.array(z.string()).min(1).max(5) }),
      as: 'plan',
    }),
    map(({ plan, ...row }) => ({ ...row, subtopics: plan.subtopics }), { name: 'unpack', columns: ['topic', 'subtopics', '_sluice'] }),
    scatter('subtopics', { as: 'subtopic' }),
    generate({
      llm,
      name: 'question',
      prompt: 'Write one clear question about {{ subtopic }}, as part of {{ topic }}. Reply with the question only.',
      as: 'question',
    }),
    generate({ llm, name: 'answer', system: 'You are a precise teacher. Answer in at most three sentences.', prompt: '{{ question }}', as: 'answer' }),
  )
  .to(toNdjsonFile('out/qa-pairs.jsonl'));
