/**
 * Which format a file is in: by its extension (compression aside), or as `--format` says.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import { isHubLocation } from '../hub/hub-location.ts';
import { compressionOf } from '../sources/input-bytes.ts';

export type FormatName = 'ndjson' | 'json' | 'csv' | 'tsv' | 'parquet' | 'hf';

/** Each format and the extensions that name it; a file may add `.gz` or `.zst`. */
export const FORMATS: Readonly<Record<FormatName, readonly string[]>> = {
  ndjson: ['.jsonl', '.ndjson', '.jsonlines'],
  json: ['.json'],
  csv: ['.csv'],
  tsv: ['.tsv'],
  parquet: ['.parquet'],
  /** A Hub dataset: `hf://datasets/…`, or a folder laid out as one (`-o out/ --format hf`). */
  hf: [],
};

const byExtension = new Map(Object.entries(FORMATS).flatMap(([format, extensions]) => extensions.map((ext) => [ext, format as FormatName])));

/** The supported extensions, for messages: `.jsonl, .ndjson, …, .tsv (each also .gz or .zst)`. */
export function supportedExtensions(): string {
  return `${[...byExtension.keys()].map((ext) => `\`${ext}\``).join(', ')} (each but \`.parquet\`, which compresses inside, also as \`.gz\` or \`.zst\`)`;
}

/** The format named `name` (`--format`), or an error listing the known ones. */
export function checkFormat(name: string): FormatName {
  if (Object.hasOwn(FORMATS, name)) return name as FormatName;
  throw new SluiceConfigError(
    `Expected \`format\` to be one of ${Object.keys(FORMATS)
      .map((f) => `\`${f}\``)
      .join(', ')}, got \`${name}\``,
    {
      option: 'format',
      expected: Object.keys(FORMATS).join(', '),
      received: name,
    },
  );
}

/**
 * The format of `location`: `override` when given, else its extension (`a.csv.gz` is CSV); no
 * extension is NDJSON. An extension Sluice does not know is an error that lists the ones it does.
 */
export function formatOf(location: string, override?: string): FormatName {
  if (override !== undefined) return checkFormat(override);
  if (isHubLocation(location)) return 'hf';
  const [plain] = compressionOf(location);
  const match = /\.[^./]+$/.exec(plain.slice(plain.lastIndexOf('/') + 1));
  if (!match) return 'ndjson';
  const format = byExtension.get(match[0].toLowerCase());
  if (format === 'parquet' && compressionOf(location)[1] !== undefined) {
    throw new SluiceConfigError(
      `\`${location}\`: a Parquet file compresses its columns inside; Sluice does not read or write it compressed again. Use \`${plain.slice(plain.lastIndexOf('/') + 1)}\`.`,
    );
  }
  if (format) return format;
  throw new SluiceConfigError(
    `\`${location}\` ends in \`${match[0]}\`, a format Sluice does not know. It reads and writes ${supportedExtensions()}; give \`--format\` to read or write another name as one of ${Object.keys(FORMATS).join(', ')}.`,
    { option: 'format', expected: supportedExtensions(), received: match[0] },
  );
}
