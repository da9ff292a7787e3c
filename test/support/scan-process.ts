/**
 * A scanner in its own process, for tests that kill it: `node --import tsx test/support/scan-process.ts MUSIC DATA`.
 * Opens the SQLite database in DATA (or PostgreSQL when DATABASE_URL/DATABASE_SCHEMA are set), migrates, scans
 * MUSIC and prints one JSON line per scan progress event, then `{"summary": …}`.
 */
import path from 'node:path';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';
import { createLibraryServiceForConfig } from '../../src/library/wiring.js';
import { systemClock } from '../../src/shared/clock.js';
import { createInProcessEventBus } from '../../src/shared/events.js';

const [music, data] = process.argv.slice(2);
if (!music || !data) {
  process.stderr.write('usage: scan-process.ts MUSIC_DIR DATA_DIR\n');
  process.exit(2);
}
const database = await openDatabase({
  dataDir: path.resolve(data),
  databaseUrl: process.env.DATABASE_URL || undefined,
  pgSchema: process.env.DATABASE_SCHEMA || undefined,
});
await migrateToLatest(database);
const bus = createInProcessEventBus();
bus.subscribe((event) => {
  if (event.type === 'scan' && event.state === 'progress') process.stdout.write(`${JSON.stringify(event)}\n`);
});
const library = createLibraryServiceForConfig({
  config: { musicDirs: [path.resolve(music)], dataDir: path.resolve(data) },
  db: database.db,
  clock: systemClock,
  bus,
  log: { error: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`) },
});
const summary = await library.scan();
process.stdout.write(`${JSON.stringify({ summary, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
await database.close();
