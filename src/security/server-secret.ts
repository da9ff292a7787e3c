import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SECRET_FILE = 'server-secret.key';

/**
 * The server's signing secret (32 random bytes), generated once and kept in `<data>/server-secret.key` (mode 0600).
 * `OMNISONIC_SECRET` (hex, ≥ 32 bytes) overrides it, so several instances behind a load balancer sign alike.
 * Creation publishes the file with a hard link, which fails if another process won the race; then its secret is used.
 */
export function loadServerSecret(dataDir: string, override?: string): Buffer {
  if (override) return Buffer.from(override, 'hex');
  const file = path.join(dataDir, SECRET_FILE);
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, randomBytes(32), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return readFileSync(file);
}
