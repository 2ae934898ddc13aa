import { verifyPlaintext } from './verify-plaintext.ts';

describe('verifyPlaintext', () => {
  it('accepts the stored password', () => {
    expect(verifyPlaintext('s3cret', 's3cret')).toBe(true);
    expect(verifyPlaintext(new TextEncoder().encode('s3cret'), 's3cret')).toBe(true);
  });

  it('refuses a different password of the same length', () => {
    expect(verifyPlaintext('s3creT', 's3cret')).toBe(false);
  });

  it('refuses prefixes and extensions instead of throwing on the length difference', () => {
    expect(verifyPlaintext('s3cre', 's3cret')).toBe(false);
    expect(verifyPlaintext('s3crets', 's3cret')).toBe(false);
    expect(verifyPlaintext('', 's3cret')).toBe(false);
  });
});
