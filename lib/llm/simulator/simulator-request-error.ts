/**
 * The error the simulator raises for a request it cannot answer: it becomes a 400 in OpenAI's format.
 * @module
 */
import { SluiceError } from '../../core/errors.ts';

/**
 * A request to the simulator is malformed (bad JSON, a missing `model`, a bad `n`…). The server
 * answers it with status 400 and `{ error: { message, type: 'invalid_request_error', param, code } }`,
 * as OpenAI does, so clients see a `BadRequestError`.
 *
 * @example
 * ```ts
 * throw new SimulatorRequestError('you must provide a model parameter', 'model');
 * ```
 */
export class SimulatorRequestError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.SimulatorRequestError');
  override name = 'SimulatorRequestError';
  override readonly code = 'SLUICE_SIMULATOR_BAD_REQUEST';
  /** The request field at fault, reported as the error's `param`. */
  readonly param: string | null;
  constructor(message: string, param: string | null = null, options?: ErrorOptions) {
    super(message, options);
    this.param = param;
  }
}
