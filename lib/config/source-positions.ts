/**
 * Where a value sits in a definition's text: from a path of keys to a line and column, through
 * the `yaml` document's node ranges and a `LineCounter`.
 * @module
 */
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A key path from the document's root: map keys and list indexes. */
export type DefinitionPath = readonly (string | number)[];

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/**
 * Finds positions in one parsed definition. A path that goes further than the document (a
 * missing key) resolves to the deepest part that exists, which is where the key is missing.
 * @example
 * const positions = new SourcePositions(doc, lineCounter);
 * positions.of(['steps', 0, 'generate', 'prompt']); // { line: 7, column: 15 }
 */
export class SourcePositions {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /** The position of the value at `path` (or of its key, with `key: true`). */
  of(path: DefinitionPath, { key = false }: { key?: boolean } = {}): Position | undefined {
    let node: unknown = this.#doc.contents;
    let keyNode: unknown;
    for (const segment of path) {
      let next: unknown;
      let nextKey: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (!pair) break;
        nextKey = pair.key;
        // `key:` with nothing after it has no value node: point at the key.
        next = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
        nextKey = next;
      }
      if (next === undefined || next === null) break;
      node = next;
      keyNode = nextKey;
    }
    const target = (key && keyNode ? keyNode : node) as Node | undefined;
    return target?.range ? this.offset(target.range[0]) : undefined;
  }

  /** The line and column of a character offset in the text. */
  offset(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** `at line 7, column 5`, or an empty string when the position is unknown. */
export function atPosition(position: Position | undefined): string {
  return position ? `at line ${position.line}, column ${position.column}` : '';
}
