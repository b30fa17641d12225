/**
 * The ready-made tasks in definitions, each under its own name:
 * `- ultraFeedback: { llm: judge, aspect: helpfulness }`. A task's params are its options (columns
 * by name), the LLM by its name under `llms:`, and the options every LLM step has.
 * @module
 */
import { z } from 'zod';
import type { AnyStep } from '../../core/step.ts';
import type { Llm } from '../../llm/client.ts';
import { complexityScorer } from '../../tasks/complexity-scorer.ts';
import { EVOL_INSTRUCT_MUTATIONS, evolInstruct } from '../../tasks/evol-instruct.ts';
import { EVOL_QUALITY_MUTATIONS, evolQuality } from '../../tasks/evol-quality.ts';
import { genstruct } from '../../tasks/genstruct.ts';
import { MAGPIE_TEMPLATES, magpie } from '../../tasks/magpie.ts';
import { pairwiseJudge } from '../../tasks/pairwise-judge.ts';
import { preferencePairs } from '../../tasks/preference-pairs.ts';
import { qualityScorer } from '../../tasks/quality-scorer.ts';
import { selfInstruct } from '../../tasks/self-instruct.ts';
import { textClassification } from '../../tasks/text-classification.ts';
import { textGeneration } from '../../tasks/text-generation.ts';
import { ultraFeedback } from '../../tasks/ultra-feedback.ts';
import { field, stepOptions } from '../fields.ts';
import { type BuildContext, defineKind, type SaveContext, type StepKind } from '../step-kind.ts';

const taskShape = {
  ...stepOptions,
  llm: field.nonEmpty('The LLM to call: a name declared under `llms:`.'),
  concurrency: field.concurrency('Rows in flight in this step (see `generate`).').optional(),
  metadata: field.flag('Adds `_sluice.<step>` with model, usage and request id. Default `true`.').optional(),
  params: field.jsonMap("Sampling parameters for this step, over the LLM's: `{ temperature: 0.2 }`.").optional(),
};
const column = (what: string, fallback: string) => field.nonEmpty(`The column with ${what}. Default \`${fallback}\`.`).optional();

/** A kind for a task: its own params beside the shared ones; saved back from the step's params. */
function taskKind<S extends z.ZodRawShape>(description: string, own: S, make: (options: Record<string, unknown> & { llm: Llm }) => AnyStep): StepKind {
  return defineKind({
    description,
    schema: z.strictObject({ ...taskShape, ...own }, { error: 'a map of params' }),
    build(params: Record<string, unknown> & { llm: string }, ctx: BuildContext) {
      const { llm, ...rest } = params;
      return make({ ...rest, llm: ctx.llm(llm) } as never);
    },
    paramsOf(step: AnyStep, ctx: SaveContext) {
      const llm = step.resources?.llm as Llm | undefined;
      if (!llm) return undefined;
      const out: Record<string, unknown> = { llm: ctx.llm(llm) };
      for (const key of [...Object.keys(own), 'concurrency', 'metadata', 'params']) {
        const value = step.params[key];
        if (value !== undefined && value !== null) out[key] = value;
      }
      return out;
    },
  } as never);
}

export const taskKinds: Readonly<Record<string, StepKind>> = {
  textGeneration: taskKind(
    'An answer to each row, with the model that wrote it: adds `generation` and `model_name` (join several with `combine: { generation: generations, model_name: model_names }`).',
    {
      prompt: field.text('The user message, a template over columns. Default `{{ instruction }}`.').optional(),
      system: field.text('A system message template.').optional(),
      as: field.nonEmpty('The column the answer goes to. Default `generation`.').optional(),
      modelAs: field.nonEmpty('The column the model’s name goes to. Default `model_name`.').optional(),
    },
    (options) => textGeneration(options as never),
  ),
  textClassification: taskKind(
    'A label for a text, from `labels` or in the model’s words; several with `multiLabel`.',
    {
      text: column('the text', 'text'),
      labels: field.names('The labels allowed; none: the model names its own.').optional(),
      multiLabel: field.flag('Several labels per text (`labels`) instead of one (`label`).').optional(),
      context: field.text('What the texts are and what the labels mean.').optional(),
    },
    (options) => textClassification(options as never),
  ),
  ultraFeedback: taskKind(
    'Each generation rated 1–5 on one aspect, with a rationale (UltraFeedback): adds `ratings`, `rationales`.',
    {
      aspect: field.oneOf(['helpfulness', 'honesty', 'instruction-following', 'truthfulness', 'overall'], 'The aspect rated. Default `overall`.').optional(),
      instruction: column('the instruction', 'instruction'),
      generations: column('the list of responses', 'generations'),
    },
    (options) => ultraFeedback(options as never),
  ),
  magpie: taskKind(
    'Instructions and conversations drawn from an aligned model through the completions endpoint, from its pre-query template alone (Magpie): adds `instruction`, `response`, `conversation`.',
    {
      template: field.oneOf(Object.keys(MAGPIE_TEMPLATES) as [string, ...string[]], 'The chat format of the model.'),
      turns: field.count('User turns per conversation. Default 1.').optional(),
      responses: field.flag('Also draw the answers. Default `true`.').optional(),
      system: field.text('A system message, to steer the kind of instructions.').optional(),
    },
    (options) => magpie(options as never),
  ),
  preferencePairs: taskKind(
    'The best and the worst of several generations by a judge’s scores: adds `chosen`, `rejected`, their scores, and `scores`.',
    { instruction: column('the instruction', 'instruction'), generations: column('the list of responses', 'generations') },
    (options) => preferencePairs(options as never),
  ),
  pairwiseJudge: taskKind(
    'Which of two responses is better (LLM-as-a-judge): adds `preferred` (A, B or tie) and `rationale`.',
    { instruction: column('the instruction', 'instruction'), generations: column('the list of two responses', 'generations') },
    (options) => pairwiseJudge(options as never),
  ),
  qualityScorer: taskKind(
    'A quality score 1–6 per response, compared with each other (Deita): adds `quality_scores`.',
    { instruction: column('the instruction', 'instruction'), responses: column('the list of responses', 'responses') },
    (options) => qualityScorer(options as never),
  ),
  complexityScorer: taskKind(
    'A complexity score 1–6 per instruction, compared with each other (Deita): adds `complexity_scores`.',
    { instructions: column('the list of instructions', 'instructions') },
    (options) => complexityScorer(options as never),
  ),
  selfInstruct: taskKind(
    'New instructions from a seed (Self-Instruct): adds `instructions`, a list.',
    {
      input: column('the seed', 'input'),
      numInstructions: field.count('Instructions per row. Default 5.').optional(),
      criteria: field.text('Extra rules for the instructions.').optional(),
    },
    (options) => selfInstruct(options as never),
  ),
  genstruct: taskKind(
    'A question and its answer grounded in a document (Genstruct): adds `user`, `assistant`.',
    { title: column('the title', 'title'), content: column('the document', 'content') },
    (options) => genstruct(options as never),
  ),
  evolInstruct: taskKind(
    'An instruction made harder (or new in its domain) over `rounds` rounds (Evol-Instruct): adds `evolved_instructions`; failed rounds fail the row.',
    {
      instruction: column('the instruction', 'instruction'),
      rounds: field.count('Rounds of evolution. Default 1.').optional(),
      mutations: z
        .array(field.oneOf(Object.keys(EVOL_INSTRUCT_MUTATIONS) as [string, ...string[]], 'A mutation.'))
        .describe('The mutations to pick from. Default: all.')
        .optional(),
    },
    (options) => evolInstruct(options as never),
  ),
  evolQuality: taskKind(
    'A response rewritten to be better in one way (EvolQuality): adds `evolved_response`.',
    {
      mutation: field.oneOf(Object.keys(EVOL_QUALITY_MUTATIONS) as [string, ...string[]], 'The way to improve it. Default `helpfulness`.').optional(),
      instruction: column('the instruction', 'instruction'),
      response: column('the response', 'response'),
    },
    (options) => evolQuality(options as never),
  ),
};
