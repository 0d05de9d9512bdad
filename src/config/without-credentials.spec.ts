import { withoutCredentials } from './without-credentials.js';

describe('withoutCredentials', () => {
  describe('given a URL with a password', () => {
    it.each([
      ['postgres://app:S3cret@db.internal:5432/chronicle', 'postgres://app:***@db.internal:5432/chronicle'],
      ['amqp://guest:S3cret@127.0.0.1:5672', 'amqp://guest:***@127.0.0.1:5672'],
      ['postgres://app:@db/chronicle', 'postgres://app:***@db/chronicle'],
    ])('masks it in %s', (url, shown) => {
      expect(withoutCredentials(url)).toBe(shown);
    });
  });

  describe('given a URL no parser reads', () => {
    it.each([
      'postgres://app:p#S3cret@db.internal:5432/chronicle',
      'postgres://app:p/S3cret?x@db.internal:5432/chronicle',
      'postgres://app:p@S3cret@db.internal:5432/chronicle',
      'postgres://app:S3cret Pass@db.internal:5432/chronicle',
      ' postgres://app:S3cret@db.internal/chronicle',
      'app:S3cret@db.internal:5432/chronicle',
      'postgres://me@corp:S3cret@db.internal/chronicle',
    ])('masks everything up to the host in %s', (text) => {
      expect(withoutCredentials(text)).not.toContain('S3cret');
      expect(withoutCredentials(text)).toContain('***@db.internal');
    });
  });

  it.each([
    ['postgres://app@db/chronicle?password=S3cret&sslmode=require', 'postgres://app@db/chronicle?password=***&sslmode=require'],
    ['postgres://app@db/chronicle?sslmode=require&sslpassword=S3cret', 'postgres://app@db/chronicle?sslmode=require&sslpassword=***'],
  ])('masks credentials given in the query of %s', (url, shown) => {
    expect(withoutCredentials(url)).toBe(shown);
  });

  it.each(['postgres://postgres@127.0.0.1:5432/chronicle', 'postgres://postgres@%2Fvar%2Frun%2Fpostgresql/app', 'not a url', '8080'])(
    'leaves %s, which holds no credential, as it is',
    (text) => {
      expect(withoutCredentials(text)).toBe(text);
    },
  );
});
