/**
 * `hf://datasets/<owner>/<name>[/<config>][@<revision>]`: a dataset on the Hugging Face Hub, as
 * `-i`, `-o`, `input:` and `output:` name it, and where the Hub is (`HF_ENDPOINT`, for a mirror
 * or a stand-in) with the token to reach it (`HF_TOKEN`, sent to the Hub and nowhere else).
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

export interface HubLocation {
  /** `owner/name`. */
  repo: string;
  /** The config (subset) named after the name, if any. */
  config?: string;
  /** A branch, tag or commit; default `main`. */
  revision?: string;
}

export interface HubAccess {
  /** The Hub's base URL: `HF_ENDPOINT`, else https://huggingface.co. */
  hubUrl: string;
  /** `HF_TOKEN`, when set. */
  accessToken?: string;
}

const PREFIX = 'hf://datasets/';

/** Whether `location` names a Hub dataset (`hf://…`). */
export function isHubLocation(location: string): boolean {
  return location.startsWith('hf://');
}

/** The parts of `hf://datasets/<owner>/<name>[/<config>][@<revision>]`, or an error that shows the form. */
export function parseHubLocation(location: string): HubLocation {
  const form = '`hf://datasets/<owner>/<name>[/<config>][@<revision>]`';
  if (!location.startsWith(PREFIX)) {
    throw new SluiceConfigError(`\`${location}\` is not a Hub dataset: Sluice reads and writes datasets as ${form} (models and spaces are not data)`, {
      option: 'input',
      expected: form,
      received: location,
    });
  }
  const rest = location.slice(PREFIX.length);
  const at = rest.indexOf('@');
  const path = at === -1 ? rest : rest.slice(0, at);
  const revision = at === -1 ? undefined : rest.slice(at + 1);
  const parts = path.split('/').filter((part) => part !== '');
  const valid = /^[\w.-]+$/;
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !valid.test(part)) || revision === '') {
    throw new SluiceConfigError(`\`${location}\` is not a Hub dataset location: write it as ${form}`, {
      option: 'input',
      expected: form,
      received: location,
    });
  }
  const [owner, name, config] = parts;
  return { repo: `${owner}/${name}`, ...(config ? { config } : {}), ...(revision ? { revision } : {}) };
}

/** Where the Hub is and the token for it, from the environment. */
export function hubAccess(env: NodeJS.ProcessEnv = process.env): HubAccess {
  const hubUrl = (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const accessToken = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  return { hubUrl, ...(accessToken ? { accessToken } : {}) };
}

/** Replaces the token wherever it appears in `text`, so that no message or file carries it. */
export function withoutToken(text: string, access: HubAccess): string {
  return access.accessToken ? text.split(access.accessToken).join('hf_***') : text;
}
