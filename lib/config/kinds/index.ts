/**
 * The built-in step kinds, by the name definitions use.
 * @module
 */
import type { StepKind } from '../step-kind.ts';
import { aggregateKind } from './aggregate.ts';
import { batchKind } from './batch.ts';
import { broadcastKind } from './broadcast.ts';
import { completeKind } from './complete.ts';
import { dedupKind } from './dedup.ts';
import { embedKind } from './embed.ts';
import { filterKind } from './filter.ts';
import { generateKind } from './generate.ts';
import { importKind } from './import.ts';
import { pipelineKind } from './pipeline.ts';
import { combineKind, joinKind } from './join.ts';
import { mapKind } from './map.ts';
import { parseJsonKind } from './parse-json.ts';
import { perplexityKind } from './perplexity.ts';
import { routeKind } from './route.ts';
import { scatterKind } from './scatter.ts';
import { structuredKind } from './structured.ts';
import { taskKinds } from './task-kinds.ts';

export const builtinKinds: Readonly<Record<string, StepKind>> = {
  generate: generateKind,
  structured: structuredKind,
  complete: completeKind,
  embed: embedKind,
  scatter: scatterKind,
  filter: filterKind,
  dedup: dedupKind,
  perplexity: perplexityKind,
  map: mapKind,
  parseJson: parseJsonKind,
  aggregate: aggregateKind,
  batch: batchKind,
  route: routeKind,
  broadcast: broadcastKind,
  join: joinKind,
  combine: combineKind,
  import: importKind,
  pipeline: pipelineKind,
  ...taskKinds,
};
