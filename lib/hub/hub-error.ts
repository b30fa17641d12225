/**
 * A Hub call that failed: the dataset, file or revision is not there, the token is missing or
 * lacks access, or the Hub answered with an error. The message says what to do next and never
 * holds the token.
 * @module
 */
import { SluiceError } from '../core/errors.ts';
import { type HubAccess, withoutToken } from './hub-location.ts';

export class HubError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.HubError');
  override name = 'HubError';
  override readonly code = 'SLUICE_HUB';

  /** A `HubError` for `what` (`listing hf://datasets/o/n`) from what the library threw. */
  static from(error: unknown, what: string, access: HubAccess, writing = false): HubError {
    const status = (error as { statusCode?: number }).statusCode;
    const detail = withoutToken((error as Error).message ?? String(error), access);
    const hint =
      status === 401 || status === 403
        ? access.accessToken
          ? `the token in HF_TOKEN has no ${writing ? 'write' : 'read'} access to it`
          : `set HF_TOKEN to a token with ${writing ? 'write' : 'read'} access`
        : status === 404
          ? `check the name and revision${access.accessToken ? '' : '; a private dataset also needs HF_TOKEN'}`
          : status === undefined
            ? `could not reach the Hub at ${access.hubUrl}${(error as { cause?: Error }).cause ? `: ${(error as { cause: Error }).cause.message}` : ''}; check HF_ENDPOINT and the network`
            : `the Hub at ${access.hubUrl} answered ${status}`;
    // No `cause`: what the library threw may hold request headers, and so the token.
    return new HubError(`${what} failed: ${detail} (${hint})`);
  }
}
