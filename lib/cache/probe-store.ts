/**
 * Run as a child process on a request-cache folder before it is opened: opens it and reads its
 * entries. A corrupted LMDB file crashes the process that reads it natively (SIGSEGV, SIGBUS, an
 * mdb assertion): better this child than the run. Exits 0 when the store reads.
 *
 *   node probe-store.js <dir>
 * @module
 */
import { open } from 'lmdb';

// Enough to touch the pages of a large store at both ends; every entry of a small one.
const SAMPLE = 20_000;

const dir = process.argv[2];
if (dir === undefined) process.exit(2);
// Raw bytes: an entry of another format is a miss for the cache, not damage to the store.
const db = open({ path: dir, noSubdir: false, readOnly: true, encoding: 'binary' });
let read = 0;
for (const { value } of db.getRange({ limit: SAMPLE })) if (value !== undefined) read++;
for (const { value } of db.getRange({ reverse: true, limit: SAMPLE })) if (value !== undefined) read++;
db.getStats();
await db.close();
process.stdout.write(`${read}\n`);
