import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStreamToken, verifyStreamToken } from '../../src/stream/stream-token.js';

const secret = randomBytes(32);
const grant = { userId: 'u1', deviceId: 'd1', trackId: 't1', expiresAt: 10_000 };

describe('stream tokens', () => {
  it('round-trips a grant before it expires', () => {
    expect(verifyStreamToken(secret, createStreamToken(secret, grant), 9_999)).toEqual(grant);
  });

  it('is refused once expired', () => {
    expect(verifyStreamToken(secret, createStreamToken(secret, grant), 10_000)).toBeNull();
  });

  it('is refused when any character is changed or it was signed with another secret', () => {
    const token = createStreamToken(secret, grant);
    const [payload, signature] = token.split('.');
    const otherTrack = Buffer.from(JSON.stringify(['u1', 'd1', 't2', 10_000])).toString('base64url');
    expect(verifyStreamToken(secret, `${otherTrack}.${signature}`, 0)).toBeNull();
    expect(verifyStreamToken(secret, `${payload}.${signature!.slice(0, -1)}A`, 0)).toBeNull();
    expect(verifyStreamToken(randomBytes(32), token, 0)).toBeNull();
    expect(verifyStreamToken(secret, 'garbage', 0)).toBeNull();
    expect(verifyStreamToken(secret, `${token}.extra`, 0)).toBeNull();
  });
});
