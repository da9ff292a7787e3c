import { api, ok } from '../api/client';
import { estimateClockOffset, type ClockSample } from '../lib/clock-offset';

let offsetMs = 0;

/** The server's clock now, in epoch ms: local time corrected by the offset `syncClock` measured. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Measures the offset to the server clock from a few `GET /api/v1/time` round trips; call at start and now and then. */
export async function syncClock(samples = 4): Promise<void> {
  const taken: ClockSample[] = [];
  for (let i = 0; i < samples; i += 1) {
    const sentAt = Date.now();
    try {
      const { serverTime } = await ok(api.GET('/api/v1/time', { cache: 'no-store' }));
      taken.push({ sentAt, receivedAt: Date.now(), serverTime });
    } catch {
      return;
    }
  }
  offsetMs = estimateClockOffset(taken);
}
