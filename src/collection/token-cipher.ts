import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals third-party tokens (the ListenBrainz user token) for storage: AES-256-GCM with a key derived (HKDF-SHA-256)
 * from the server secret, so a copy of the database alone does not reveal them. Sealed form:
 * `v1.<iv>.<auth tag>.<ciphertext>`, each part base64url.
 */
export interface TokenCipher {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed with this server secret or was altered. */
  open(sealed: string): string;
}

export function createTokenCipher(serverSecret: Buffer): TokenCipher {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'omnisonic third-party tokens v1', 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('not a sealed token');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
