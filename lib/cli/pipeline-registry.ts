/**
 * Pipelines by name: `sluice run qa` finds `qa` among the pipelines the project registers, in
 * `package.json` (`"sluice": { "pipelines": { "qa": "pipelines/qa.yaml" } }`) or in
 * `sluice.config.json` (`{ "pipelines": { … } }`), each path relative to the file that names it.
 * A path (anything with an extension, or a file that exists) is used as it is.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';

/** The registered pipelines, name to path (relative to `cwd`), from the files that exist. */
export function registeredPipelines(cwd = process.cwd()): Record<string, string> {
  const found: Record<string, string> = {};
  const read = (file: string, pick: (json: Record<string, unknown>) => unknown) => {
    const path = join(cwd, file);
    if (!existsSync(path)) return;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new SluiceConfigError(`\`${file}\` is not valid JSON (${(error as Error).message}), so its pipelines cannot be read.`);
    }
    const pipelines = pick(json);
    if (pipelines === undefined) return;
    if (pipelines === null || typeof pipelines !== 'object' || Array.isArray(pipelines)) {
      throw new SluiceConfigError(`The \`pipelines\` in \`${file}\` must map names to pipeline files: { "qa": "pipelines/qa.yaml" }.`);
    }
    for (const [name, target] of Object.entries(pipelines)) {
      if (typeof target !== 'string' || target === '')
        throw new SluiceConfigError(`Pipeline \`${name}\` in \`${file}\` must name a file, got \`${JSON.stringify(target)}\`.`);
      found[name] ??= relative(cwd, resolve(dirname(path), target));
    }
  };
  read('sluice.config.json', (json) => json.pipelines);
  read('package.json', (json) => (json.sluice as { pipelines?: unknown } | undefined)?.pipelines);
  return found;
}

/** The file of the pipeline `arg` names: `arg` itself when it is a path, else the registered one. */
export function resolvePipelinePath(arg: string, cwd = process.cwd()): string {
  if (extname(arg) !== '' || existsSync(resolve(cwd, arg))) return arg;
  const registered = registeredPipelines(cwd);
  const path = registered[arg];
  if (path !== undefined) return path;
  const names = Object.keys(registered);
  throw new SluiceConfigError(
    `\`${arg}\` is neither a pipeline file nor a pipeline registered here. ` +
      (names.length > 0
        ? `The registered ones: ${names.map((name) => `\`${name}\``).join(', ')}.`
        : 'Give a .ts/.js module or a .yaml/.json definition, or register it by name in package.json ("sluice": { "pipelines": { "name": "path" } }) or sluice.config.json.'),
  );
}
