/**
 * `structured`: a chat completion whose reply must match a zod schema. The schema becomes
 * `response_format: json_schema`; the reply is parsed and validated; an invalid reply is asked
 * for again, and after `maxInvalid` more tries the row fails with the raw text kept. A schema that
 * is not an object (`z.array(z.string())`) is sent wrapped as `{ value: … }` and unwrapped.
 * @module
 */
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { checkPositiveInt } from '../core/define-step.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import type { Step } from '../core/step.ts';
import type { CheckedTemplate, LlmAdds, NoInputs } from './llm-output.ts';
import type { SamplingParams } from './client.ts';
import { chatTemplate, type FewShot } from './chat-messages.ts';
import { llmStep, withSample, type LlmStepOptions } from './llm-step.ts';
import { responseMetadata } from './response-metadata.ts';
import { cachedCall } from './cached-call.ts';

export interface StructuredOptions<As extends string, S extends z.ZodType> extends LlmStepOptions<As> {
  prompt: string;
  system?: string;
  fewShot?: readonly FewShot[];
  params?: SamplingParams;
  /** The shape the reply must have. */
  schema: S;
  /** Names the schema in the request (`json_schema.name`). Default: the step name. */
  schemaName?: string;
  /** Extra requests after an invalid reply (not JSON, or not matching the schema). Default 2. */
  maxInvalid?: number;
  /**
   * A narrower schema for one row, of the same type as `schema`: what the row decides and a fixed
   * schema cannot say (as many ratings as the row has generations). Sent and checked in its place;
   * return the same schema object for rows alike, so it is converted to JSON schema once.
   */
  schemaFor?: (row: Readonly<Record<string, unknown>>) => S;
}

/** The reply did not match the schema, after every try. The row keeps the raw text. */
export class InvalidOutputError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.InvalidOutputError');
  override name = 'InvalidOutputError';
  override readonly code = 'SLUICE_LLM_INVALID_OUTPUT';
  readonly raw: string;
  readonly attempts: number;
  constructor(message: string, raw: string, attempts: number) {
    super(message);
    this.raw = raw;
    this.attempts = attempts;
  }
}

/** The key a schema that is not an object is wrapped under in the request: `{ value: … }`. */
const WRAP_KEY = 'value';

function checkReply(text: string, schema: z.ZodType, wrapped: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the reply is not JSON (${(error as Error).message})` };
  }
  // Asked for `{ value: … }`; a server that ignores response_format may send the bare value.
  if (wrapped && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && WRAP_KEY in parsed)
    parsed = (parsed as Record<string, unknown>)[WRAP_KEY];
  const result = schema.safeParse(parsed);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, reason: `the reply does not match the schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}` };
}

/**
 * @example
 * structured({ llm, prompt: 'List 5 subtopics of {{ topic }}.', schema: z.object({ subtopics: z.array(z.string()) }), as: 'plan' })
 */
export function structured<
  R,
  S extends z.ZodType,
  As extends string = 'structured',
  const P extends string = string,
  const I extends Readonly<Record<string, string>> = NoInputs,
  const M extends boolean = true,
>(options: StructuredOptions<As, S> & { metadata?: M } & CheckedTemplate<'prompt', P, R, I>): Step<R, LlmAdds<As, z.infer<S>, M>>;
export function structured(options: StructuredOptions<string, z.ZodType>): Step<any, any> {
  if (!options || typeof options.llm?.chat !== 'function') {
    throw new SluiceConfigError('Expected `llm` to be an LLM made with `createLlm(…)`.');
  }
  if (!(options.schema instanceof z.ZodType)) {
    throw new SluiceConfigError('Expected `schema` to be a zod schema, such as `z.object({ … })`.');
  }
  const maxInvalid = options.maxInvalid === 0 ? 0 : checkPositiveInt('maxInvalid', options.maxInvalid ?? 2, false);
  const template = chatTemplate(options.prompt, options.system, options.fewShot);
  const schemaName = (options.schemaName ?? options.name ?? 'structured').replace(/[^a-zA-Z0-9_-]/g, '_');
  // JSON-schema response formats must be objects at the top: any other schema (a list, a string, a
  // union) is asked for as `{ value: … }` and unwrapped, so the column holds the value itself.
  const wrapped = !(options.schema instanceof z.ZodObject);
  const formatOf = (schema: z.ZodType): ReturnType<typeof zodResponseFormat> => {
    try {
      return zodResponseFormat((wrapped ? z.object({ [WRAP_KEY]: schema }) : schema) as never, schemaName);
    } catch (error) {
      throw new SluiceConfigError(
        `Step \`${options.name ?? 'structured'}\` cannot send its \`schema\` as a JSON schema: ${(error as Error).message}. Use plain zod types (objects, arrays, strings, numbers, enums, unions).`,
        { cause: error },
      );
    }
  };
  const responseFormat = formatOf(options.schema);
  // A row's own schema is converted once: `schemaFor` gives the same schema object for rows alike.
  const formats = new WeakMap<z.ZodType, ReturnType<typeof zodResponseFormat>>();
  const formatFor = (schema: z.ZodType) => {
    let format = formats.get(schema);
    if (!format) formats.set(schema, (format = formatOf(schema)));
    return format;
  };
  const params = { ...options.params };
  return llmStep({
    kind: 'structured',
    options,
    defaultAs: 'structured',
    variables: template.variables,
    params: { ...template.params, params, schema: responseFormat.json_schema, maxInvalid },
    async work(row, call, ctx) {
      const messages = template.render(row);
      const schema = options.schemaFor ? options.schemaFor(row) : options.schema;
      const format = options.schemaFor ? formatFor(schema) : responseFormat;
      let attempts = 0;
      let last = '';
      let reason = '';
      for (let tries = 0; tries <= maxInvalid; tries++) {
        const request = withSample({ messages, ...params, response_format: { type: 'json_schema', json_schema: format.json_schema } }, call);
        // A new ask after an invalid reply is a different cache entry (`variant`), or it would get the same reply back.
        const result = await cachedCall(ctx, options.llm, 'chat', request, { enabled: options.cache !== false, variant: tries, sample: call.sample }, () =>
          options.llm.chat(request as never, call.options),
        );
        attempts += result.attempts;
        last = result.response.choices[0]?.message.content ?? '';
        const checked = checkReply(last, schema, wrapped);
        if (checked.ok) {
          return { values: [checked.value], shape: 'single', metadata: { ...responseMetadata(result, result.response), attempts, invalid_replies: tries } };
        }
        reason = checked.reason;
      }
      throw new InvalidOutputError(`After ${maxInvalid + 1} tries, ${reason}.`, last.slice(0, 2000), attempts);
    },
  });
}
