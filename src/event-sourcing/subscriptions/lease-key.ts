/**
 * The first advisory-lock key of a subscription's slots (the second is the partition): a
 * stable 32-bit hash of its name.
 */
export const leaseKey = (subscription: string): number => {
  let hash = 0;
  for (let i = 0; i < subscription.length; i++) hash = (Math.imul(hash, 31) + subscription.charCodeAt(i)) | 0;
  return hash;
};

/** How pg_locks shows the key: as an unsigned oid. */
export const leaseKeyAsOid = (subscription: string): number => leaseKey(subscription) >>> 0;
