/**
 * The first advisory-lock key of a projection's slots (the second is the partition): a
 * stable 32-bit hash of its name.
 */
export const leaseKey = (projection: string): number => {
  let hash = 0;
  for (let i = 0; i < projection.length; i++) hash = (Math.imul(hash, 31) + projection.charCodeAt(i)) | 0;
  return hash;
};

/** How pg_locks shows the key: as an unsigned oid. */
export const leaseKeyAsOid = (projection: string): number => leaseKey(projection) >>> 0;
