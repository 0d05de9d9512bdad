import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the payment provider signs an answer it posts to the webhook route, in the form Stripe's
 * and others' webhooks use: the header `Payment-Signature: t=<unix seconds>,v1=<hex>`, where
 * `v1` is HMAC-SHA256 under the shared secret of `<t>.<the body's bytes as sent>`. The
 * timestamp is signed with the body, so an answer captured on the way cannot be replayed
 * once the tolerance has passed, nor given a fresh time. Several `v1` are allowed: a provider
 * rolling its secret signs with the old and the new one for a while.
 */
export const SIGNATURE_HEADER = 'payment-signature';

/** How far the signed time may be from ours, either way: a delivery's latency plus clock skew. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmacOf = (secret: string, timestamp: string, body: Buffer): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/** The header's value for `body` signed at `timestamp` (what the provider sends; tests and scripts sign with it). */
export const signatureHeaderFor = (secret: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string =>
  `t=${timestamp},v1=${hmacOf(secret, String(timestamp), Buffer.from(body)).toString('hex')}`;

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Why `header` does not sign `body` under `secret` now, or null when it does. The comparison
 * takes the same time whatever the bytes, so timing tells a forger nothing of the right one.
 */
export const signatureProblem = (
  header: string | undefined,
  body: Buffer,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | null => {
  if (!header) return `the ${SIGNATURE_HEADER} header is missing`;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamps = parts.filter(([name]) => name === 't').map(([, value]) => value);
  const signatures = parts.filter(([name, value]) => name === 'v1' && HEX_SHA256.test(value ?? '')).map(([, value]) => value);
  const [timestamp] = timestamps;
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamp ?? '') || signatures.length === 0) {
    return `the ${SIGNATURE_HEADER} header must read t=<unix seconds>,v1=<hex HMAC-SHA256>`;
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return `the signature's time is more than ${SIGNATURE_TOLERANCE_SECONDS} s from ours: a replay, or a clock that is off`;
  }
  const expected = hmacOf(secret, timestamp, body);
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches ? null : 'the signature does not match the body under PAYMENT_WEBHOOK_SECRET';
};
