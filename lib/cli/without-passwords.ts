/**
 * Command-line arguments as a run directory may keep them: a URL's password (`redis://:pw@host`)
 * becomes `***`. A replay of such a run gives the password again (`--cache-dir`).
 * @module
 */
export function withoutPasswords(args: readonly string[]): string[] {
  return args.map((arg) => arg.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]+@/gi, '$1:***@'));
}
