/**
 * Reads the text out of an OpenAI chat message's `content`.
 * @module
 */

/**
 * Returns the text of a chat message `content`: the string itself, or the `text` of its text parts
 * joined by a space (image and audio parts are skipped), or `''` when there is none.
 *
 * @example
 * ```ts
 * messageText('Hi');                                    // 'Hi'
 * messageText([{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url } }]); // 'Describe'
 * ```
 */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') {
      texts.push((part as { text: string }).text);
    }
  }
  return texts.join(' ');
}
