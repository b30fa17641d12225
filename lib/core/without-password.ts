/**
 * Text with the password of every URL in it replaced by `***` (`redis://:pw@host` becomes
 * `redis://:***@host`), for names, messages, summaries and the command a run directory keeps.
 * @module
 */
const PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]+@/gi;

export function withoutPassword(text: string): string {
  return text.replace(PASSWORD, '$1:***@');
}
