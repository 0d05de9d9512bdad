import { DEVELOPMENT_PAYMENT_WEBHOOK_SECRET } from '../../src/config/environment.js';
import { signatureHeaderFor } from '../../src/contexts/payments/presentation/provider-signature.js';
import type { Reply } from './http.js';

export const PROVIDER_CALLBACKS = '/v1/payment-provider/callbacks';

export interface Signing {
  /** The secret it is signed with: the app's (the development default) unless a test forges one. */
  readonly secret?: string;
  /** The signature's time, in unix seconds: now unless a test replays an old answer. */
  readonly at?: number;
  /** The whole Payment-Signature header in place of the computed one (null: none at all). */
  readonly header?: string | null;
  /** Other headers (a member's bearer token, say). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A payment provider's answer posted to the webhook route as a provider sends it: the JSON
 * text signed as it goes over the wire, 10 s at most, the reply's body parsed.
 */
export const postProviderCallback = async (baseUrl: string, body: unknown, signing: Signing = {}): Promise<Reply> => {
  const text = JSON.stringify(body);
  const header = signing.header !== undefined ? signing.header : signatureHeaderFor(signing.secret ?? DEVELOPMENT_PAYMENT_WEBHOOK_SECRET, text, signing.at);
  const response = await fetch(`${baseUrl}${PROVIDER_CALLBACKS}`, {
    method: 'POST',
    headers: { ...signing.headers, 'content-type': 'application/json', ...(header !== null && { 'payment-signature': header }) },
    body: text,
    signal: AbortSignal.timeout(10_000),
  });
  const reply = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), headers: response.headers, body: reply ? JSON.parse(reply) : null };
};
