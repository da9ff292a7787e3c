/** Says once, visibly, which database/Redis-backed tests will be skipped on this machine. */
export default function globalSetup(): void {
  if (!process.env.TEST_DATABASE_URL) {
    console.warn('NOTICE: TEST_DATABASE_URL is not set: PostgreSQL variants of the integration tests are skipped.');
  }
  if (!process.env.TEST_REDIS_URL) {
    console.warn('NOTICE: TEST_REDIS_URL is not set: Redis-backed tests are skipped.');
  }
}
