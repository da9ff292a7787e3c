/** One round trip to `GET /api/v1/time`: local epoch ms when it was sent and received, and the server's answer. */
export interface ClockSample {
  sentAt: number;
  receivedAt: number;
  serverTime: number;
}

/**
 * The server clock minus the local clock, in ms, NTP-style as the API describes: each sample says
 * `serverTime − (sentAt + receivedAt) / 2`, and the sample with the shortest round trip is trusted most (its answer
 * waited least in queues). Returns 0 without samples.
 */
export function estimateClockOffset(samples: readonly ClockSample[]): number {
  let best: ClockSample | undefined;
  for (const sample of samples) {
    if (sample.receivedAt < sample.sentAt) continue;
    if (!best || sample.receivedAt - sample.sentAt < best.receivedAt - best.sentAt) best = sample;
  }
  return best ? Math.round(best.serverTime - (best.sentAt + best.receivedAt) / 2) : 0;
}
