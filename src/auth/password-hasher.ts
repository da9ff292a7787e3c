import { hash, verify, Algorithm } from '@node-rs/argon2';

/** Hashes and checks passwords; an adapter so tests can swap in a fast fake. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** argon2id with the OWASP-recommended minimum (19 MiB memory, 2 iterations, 1 lane). */
export const argon2idHasher: PasswordHasher = {
  hash: (password) => hash(password, { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  async verify(passwordHash, password) {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};
