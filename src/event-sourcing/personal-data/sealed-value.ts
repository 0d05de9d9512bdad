import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A sealed value as stored (an event's personal fields, together, as one JSON object):
 * `pd:1:<key id>:<base64 of iv, ciphertext and tag>`, AES-256-GCM under the subject's data
 * key. The key id names the key (so a read finds it, or learns the subject was forgotten) and
 * is the additional authenticated data, so a value cannot be moved under another subject's
 * key. Sealed as JSON, each field keeps its type when opened.
 */
const PREFIX = 'pd:1:';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_LENGTH = 36;

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(PREFIX) && value.charCodeAt(PREFIX.length + KEY_ID_LENGTH) === 58; // ':'

/** The key id of a sealed value (check with `isSealed` first). */
export const keyIdOf = (sealed: string): string => sealed.slice(PREFIX.length, PREFIX.length + KEY_ID_LENGTH);

/**
 * IVs are cut from a pool of the CSPRNG's bytes, each byte used once: a `randomBytes` call
 * per value cost more than its cipher (OpenSSL checks the generator's state on every call).
 * The pool is replaced, never refilled in place, so an IV handed out never changes.
 */
const IV_POOL_BYTES = IV_BYTES * 512;
let ivPool = Buffer.alloc(0);
let ivTaken = 0;

const nextIv = (): Buffer => {
  if (ivTaken + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivTaken = 0;
  }
  ivTaken += IV_BYTES;
  return ivPool.subarray(ivTaken - IV_BYTES, ivTaken);
};

export const sealValue = (keyId: string, key: Buffer, value: unknown): string => {
  const iv = nextIv();
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${PREFIX}${keyId}:${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64')}`;
};

/** The value sealed in `sealed`; throws if it was not sealed with this key (tampered, or another key). */
export const openValue = (sealed: string, key: Buffer): unknown => {
  const keyId = keyIdOf(sealed);
  const bytes = Buffer.from(sealed.slice(PREFIX.length + KEY_ID_LENGTH + 1), 'base64');
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as unknown;
};
