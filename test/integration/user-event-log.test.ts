import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { createUserEventLogRepository } from '../../src/events/user-event-log-repository.js';
import { createUserEventLog } from '../../src/events/user-event-log.js';
import { newId } from '../../src/shared/ids.js';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../support/databases.js';

describeEachDatabase('the durable per-user event log', (kind) => {
  let database: TestDatabase;
  /** A second connection pool on the same database, as a second server instance would have (PostgreSQL only). */
  let second: DatabaseHandle | undefined;
  let now = 1_000_000;
  const clock = { now: () => now };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    if (kind === 'postgres') second = await openDatabase({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, pgSchema: database.databaseSchema });
  });
  afterAll(async () => {
    await second?.close();
    await database.destroy();
  });

  async function newUser(): Promise<string> {
    const id = newId();
    await database.db.insertInto('users').values({ id, username: id, usernameKey: id, passwordHash: 'x', role: 'user', disabled: 0, createdAt: 0 }).execute();
    return id;
  }
  const logOn = (handle: Pick<DatabaseHandle, 'db'>, maxEvents = 1000, maxAgeMs = 86_400_000) =>
    createUserEventLog({ repository: createUserEventLogRepository(handle.db), clock, retention: { maxEvents, maxAgeMs } });

  it('gives concurrent appends, from every instance, consecutive ids per user', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const instances = [logOn(database), logOn(second ?? database)];
    const appended = await Promise.all(
      Array.from({ length: 200 }, (_, n) => instances[n % 2].append(n % 4 === 3 ? bob : alice, 'playback', { n })),
    );
    const idsOf = (userId: string) => appended.filter((event) => event.userId === userId).map((event) => event.id).sort((a, b) => a - b);
    expect(idsOf(alice)).toEqual(Array.from({ length: 150 }, (_, n) => n + 1));
    expect(idsOf(bob)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
    const replay = await instances[1].since(alice, 100);
    expect(replay?.map((event) => event.id)).toEqual(Array.from({ length: 50 }, (_, n) => n + 101));
    expect(replay?.map((event) => event.data)).toEqual(idsOf(alice).slice(100).map((id) => appended.find((e) => e.userId === alice && e.id === id)!.data));
  });

  it('keeps the newest events for replay and answers null (snapshot) for what it no longer holds', async () => {
    const userId = await newUser();
    const log = logOn(database, 10);
    expect(await log.since(userId, 0)).toEqual([]);
    for (let n = 1; n <= 25; n++) await log.append(userId, 'playback', { n });
    const stored = await database.db.selectFrom('userEvents').select('id').where('userId', '=', userId).execute();
    expect(stored.length).toBeLessThanOrEqual(11);
    expect((await log.since(userId, 15))?.map((event) => event.id)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(await log.since(userId, 25)).toEqual([]);
    expect(await log.since(userId, 14)).toBeNull();
    expect(await log.since(userId, 26)).toBeNull();
  });

  it('answers null for a gap older than the maximum age', async () => {
    const userId = await newUser();
    const log = logOn(database, 1000, 60_000);
    await log.append(userId, 'playback', { old: true });
    await log.append(userId, 'playback', { old: true });
    now += 61_000;
    await log.append(userId, 'playback', { old: false });
    expect(await log.since(userId, 1)).toBeNull();
    expect((await log.since(userId, 2))?.map((event) => event.data)).toEqual([{ old: false }]);
  });
});
