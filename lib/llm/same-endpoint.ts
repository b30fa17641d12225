/**
 * Whether two base URLs name one endpoint (case and trailing slashes aside): the environment's key
 * goes only to the environment's endpoint.
 * @module
 */

/** OpenAI's API, the endpoint of an LLM with no base URL anywhere. */
export const OPENAI_API = 'https://api.openai.com/v1';

export function sameEndpoint(a: string, b: string | undefined): boolean {
  const normal = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
  return b !== undefined && normal(a) === normal(b);
}
