/** PostgreSQL protocol messages, for a test proxy to forge what a server in trouble sends. */

const READY_FOR_QUERY = 0x5a; // 'Z', then length 5 and the transaction status

/** Whether a reply chunk ends with ReadyForQuery: a query's whole reply, in one read. */
export const endsReadyForQuery = (chunk: Buffer): boolean => chunk.length >= 6 && chunk[chunk.length - 6] === READY_FOR_QUERY;

const message = (type: string, body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
};

/** CommandComplete with `tag` (e.g. LISTEN): a chunk holding it answers that command. */
export const commandComplete = (tag: string): Buffer => message('C', Buffer.from(`${tag}\0`));

/** An ErrorResponse as a terminated backend sends it (SQLSTATE 57P01, admin_shutdown). */
export const fatalGoodbye = (): Buffer => {
  const field = (code: string, value: string) => Buffer.from(`${code}${value}\0`);
  return message(
    'E',
    Buffer.concat([
      field('S', 'FATAL'),
      field('V', 'FATAL'),
      field('C', '57P01'),
      field('M', 'terminating connection due to administrator command'),
      Buffer.from([0]),
    ]),
  );
};
