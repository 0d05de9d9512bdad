import { SIGNATURE_TOLERANCE_SECONDS, signatureHeaderFor, signatureProblem } from './provider-signature.js';

const SECRET = 'whsec_test_secret_of_some_length';
const BODY = Buffer.from('{"practiceId":"p","paymentId":"pay-1","outcome":"captured","providerReference":"ch_1"}');
const NOW = 1_800_000_000;

describe('a payment provider signature', () => {
  it('passes for the body as sent, signed now under the secret', () => {
    expect(signatureProblem(signatureHeaderFor(SECRET, BODY, NOW), BODY, SECRET, NOW)).toBeNull();
  });

  it('passes within the tolerance either way (clocks differ a little)', () => {
    const header = signatureHeaderFor(SECRET, BODY, NOW);
    expect(signatureProblem(header, BODY, SECRET, NOW + SIGNATURE_TOLERANCE_SECONDS)).toBeNull();
    expect(signatureProblem(header, BODY, SECRET, NOW - SIGNATURE_TOLERANCE_SECONDS)).toBeNull();
  });

  it('passes when one of several v1 matches (the provider rolling its secret)', () => {
    const old = signatureHeaderFor('whsec_the_old_secret_000000000', BODY, NOW).split(',')[1];
    expect(signatureProblem(`${signatureHeaderFor(SECRET, BODY, NOW)},${old}`, BODY, SECRET, NOW)).toBeNull();
    expect(signatureProblem(`t=${NOW},${old},${signatureHeaderFor(SECRET, BODY, NOW).split(',')[1]}`, BODY, SECRET, NOW)).toBeNull();
  });

  it.each([
    ['a replay past the tolerance', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW), BODY, SECRET, NOW + SIGNATURE_TOLERANCE_SECONDS + 1), /more than 300 s/],
    ['a time far ahead', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW + 3600), BODY, SECRET, NOW), /more than 300 s/],
    ['another secret', () => signatureProblem(signatureHeaderFor(`${SECRET}x`, BODY, NOW), BODY, SECRET, NOW), /does not match/],
    ['a body changed by one byte', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW), Buffer.from(BODY.toString().replace('ch_1', 'ch_2')), SECRET, NOW), /does not match/],
    // The time is signed with the body: a captured answer cannot be given a fresh one.
    ['a fresh time on an old signature', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW - 3600).replace(/t=\d+/, `t=${NOW}`), BODY, SECRET, NOW), /does not match/],
    ['no header', () => signatureProblem(undefined, BODY, SECRET, NOW), /missing/],
    ['an empty header', () => signatureProblem('', BODY, SECRET, NOW), /missing/],
    ['no time', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW).replace(/t=\d+,/, ''), BODY, SECRET, NOW), /must read/],
    ['two times', () => signatureProblem(`t=${NOW},${signatureHeaderFor(SECRET, BODY, NOW)}`, BODY, SECRET, NOW), /must read/],
    ['a time that is no number', () => signatureProblem(`t=soon,v1=${'0'.repeat(64)}`, BODY, SECRET, NOW), /must read/],
    ['no v1', () => signatureProblem(`t=${NOW}`, BODY, SECRET, NOW), /must read/],
    ['a v1 that is no SHA-256 in hex', () => signatureProblem(`t=${NOW},v1=abc`, BODY, SECRET, NOW), /must read/],
    ['a v0 only', () => signatureProblem(signatureHeaderFor(SECRET, BODY, NOW).replace('v1=', 'v0='), BODY, SECRET, NOW), /must read/],
  ])('refuses %s', (_label, check: () => string | null, problem: RegExp) => {
    expect(check()).toMatch(problem);
  });
});
