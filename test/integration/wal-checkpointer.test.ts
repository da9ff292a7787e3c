import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The `users` rows found in the database file alone (a copy without its WAL): what has been checkpointed. */
function checkpointedUsers(dataDir: string): number {
  const copy = path.join(dataDir, 'copy.db');
  copyFileSync(path.join(dataDir, 'omnisonic.db'), copy);
  const db = new SQLite(copy, { readonly: true });
  try {
    // Before the migrations are checkpointed, the file does not even hold the table.
    if (!db.prepare("select 1 from sqlite_master where name = 'users'").get()) return 0;
    return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SQLite WAL checkpoints in the background', () => {
  it('copies committed writes into the database file within a second, without a commit checkpointing them', async () => {
    const counts: Record<string, number> = {};
    for (const background of [false, true]) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-wal-'));
      dirs.push(dataDir);
      const handle = await openDatabase({ dataDir, backgroundCheckpoints: background });
      await migrateToLatest(handle);
      for (let n = 0; n < 20; n++) {
        await handle.db
          .insertInto('users')
          .values({ id: `u${n}`, username: `u${n}`, usernameKey: `u${n}`, role: 'user', passwordHash: 'x', disabled: 0, createdAt: n })
          .execute();
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      counts[background ? 'background' : 'inline'] = checkpointedUsers(dataDir);
      await handle.close();
    }
    // A few pages stay in the WAL with SQLite's 1,000-page autocheckpoint; the worker copies them over.
    expect(counts).toEqual({ inline: 0, background: 20 });
  });
});
