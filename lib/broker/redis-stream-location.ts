/**
 * `redis://[:password@]host:port/<stream>[?group=g&db=n]`: a Redis stream as `-i`/`-o` name it,
 * split into the server's URL (with the password, for the client only), the stream, its options,
 * and the URL as it may be shown (`***` for the password).
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import { withoutPassword } from '../core/without-password.ts';

export interface RedisStreamLocation {
  /** The server, as the client connects to it. */
  server: string;
  stream: string;
  /** The location without the password, for names and messages. */
  shown: string;
  params: URLSearchParams;
}

export function parseRedisStreamLocation(location: string): RedisStreamLocation {
  const url = new URL(location);
  const stream = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (stream === '' || stream.includes('/')) {
    throw new SluiceConfigError(`\`${withoutPassword(location)}\` names no stream: write redis://host:port/<stream>[?group=<group>]`);
  }
  const db = url.searchParams.get('db');
  const server = `${url.protocol}//${url.username || url.password ? `${url.username}:${url.password}@` : ''}${url.host}${db ? `/${db}` : ''}`;
  return { server, stream, shown: withoutPassword(url.href), params: url.searchParams };
}
