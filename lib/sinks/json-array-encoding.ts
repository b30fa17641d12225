/**
 * How rows become one JSON array: `[`, the rows separated by commas (one per line), `]`.
 * @module
 */
import type { NdjsonWriterOptions } from './ndjson-writer.ts';

export function jsonArrayEncoding(): Pick<NdjsonWriterOptions, 'encode' | 'epilogue'> {
  return {
    encode(row, index) {
      const json = JSON.stringify(row);
      if (json === undefined) throw new TypeError(`JSON.stringify turned a ${typeof row} into nothing`);
      return `${index === 0 ? '[\n' : ',\n'}${json}`;
    },
    epilogue: (rows) => (rows === 0 ? '[]\n' : '\n]\n'),
  };
}
