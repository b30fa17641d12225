/**
 * `DefinitionError`: a pipeline definition (YAML or JSON) is wrong. It says where (line and
 * column, and the path of keys), what was expected, and what to do next.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

/** What went wrong, as a stable code. */
export type DefinitionErrorCode =
  /** The text is not valid YAML or JSON, or uses a tag (`!!js/function`). */
  | 'SLUICE_DEFINITION_SYNTAX'
  /** A `${VAR}` is not set, or malformed. */
  | 'SLUICE_DEFINITION_ENV'
  /** A value does not match the definition's schema: wrong type, missing or unknown key. */
  | 'SLUICE_DEFINITION_INVALID'
  /** A step kind that is not registered. */
  | 'SLUICE_DEFINITION_UNKNOWN_STEP'
  /** A reference to an LLM that is not declared under `llms:`. */
  | 'SLUICE_DEFINITION_UNKNOWN_LLM'
  /** A secret written in the file (`apiKey`). */
  | 'SLUICE_DEFINITION_SECRET'
  /** An `import:` step that the load does not allow, or whose module cannot be loaded. */
  | 'SLUICE_DEFINITION_IMPORT'
  /** A pipeline that cannot be written as a definition, or a `--set` that cannot be applied. */
  | 'SLUICE_DEFINITION_UNSAVEABLE';

export interface DefinitionErrorDetails {
  /** The definition file, when known. */
  file?: string | undefined;
  /** 1-based line of the offending value. */
  line?: number | undefined;
  /** 1-based column of the offending value. */
  column?: number | undefined;
  /** Keys from the document's root to the offending value: `['steps', 2, 'generate', 'prompt']`. */
  path?: readonly (string | number)[] | undefined;
  cause?: unknown;
}

/**
 * A definition that cannot be loaded, saved or changed. The message says where and what to do;
 * `line`, `column`, `path` and `file` carry the same facts as data.
 * @example
 * try { await loadDefinition('qa.yaml'); } catch (error) {
 *   if (error instanceof DefinitionError) console.error(`${error.file}:${error.line}:${error.column}: ${error.message}`);
 * }
 */
export class DefinitionError extends SluiceConfigError {
  static override readonly brand: symbol = Symbol.for('sluice.error.DefinitionError');
  override name = 'DefinitionError';
  override readonly code: DefinitionErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: readonly (string | number)[];

  constructor(code: DefinitionErrorCode, message: string, details: DefinitionErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.path = details.path ?? [];
  }
}
