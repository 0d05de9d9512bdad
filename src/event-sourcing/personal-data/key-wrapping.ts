import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/**
 * Data keys are stored wrapped (AES-256-GCM) by the master key, `KEY_ENCRYPTION_KEY`: a copy
 * of the database alone opens nothing. The subject and key id are authenticated with the
 * wrapped key, so a row copied onto another subject does not unwrap.
 */
export class KeyWrapping {
  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== DATA_KEY_BYTES) throw new Error(`the master key must be ${DATA_KEY_BYTES} bytes`);
  }

  static newDataKey(): Buffer {
    return randomBytes(DATA_KEY_BYTES);
  }

  wrap(dataKey: Buffer, owner: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.masterKey, iv);
    cipher.setAAD(Buffer.from(owner));
    return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  }

  unwrap(wrapped: Buffer, owner: string): Buffer {
    const decipher = createDecipheriv(ALGORITHM, this.masterKey, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
  }
}

/** What a wrapped key is bound to. */
export const keyOwner = (tenantId: string, subjectId: string, keyId: string): string =>
  JSON.stringify([tenantId, subjectId, keyId]);
