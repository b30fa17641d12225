/**
 * `sluice/tasks`: ready-made steps for the datasets people make with LLMs (instructions,
 * feedback, scores, labels, QA from documents), each following a published method.
 * @module
 */
export { complexityScorer, type ComplexityScorerOptions } from './complexity-scorer.ts';
export { EVOL_INSTRUCT_MUTATIONS, eliminationReason, evolInstruct, type EvolInstructMutation, type EvolInstructOptions } from './evol-instruct.ts';
export { EVOL_QUALITY_MUTATIONS, evolQuality, type EvolQualityMutation, type EvolQualityOptions } from './evol-quality.ts';
export { genstruct, type GenstructOptions } from './genstruct.ts';
export { MAGPIE_TEMPLATES, type MagpieColumns, type MagpieOptions, type MagpieTemplate, magpie } from './magpie.ts';
export { type PerplexityOptions, perplexity, perplexityOf } from './perplexity.ts';
export { pairwiseJudge, type PairwiseJudgeOptions } from './pairwise-judge.ts';
export { type PreferencePair, type PreferencePairsOptions, pickPair, preferencePairs } from './preference-pairs.ts';
export { qualityScorer, type QualityScorerOptions } from './quality-scorer.ts';
export { selfInstruct, type SelfInstructOptions } from './self-instruct.ts';
export type { TaskOptions } from './structured-task.ts';
export { textClassification, type TextClassificationOptions } from './text-classification.ts';
export { textGeneration, type TextGenerationOptions } from './text-generation.ts';
export { type UltraFeedbackAspect, type UltraFeedbackOptions, ultraFeedback } from './ultra-feedback.ts';
