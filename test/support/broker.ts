import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';

/**
 * RabbitMQ for the tests that need one, at AMQP_URL. Without it (a fresh machine's `npm test`)
 * those tests skip themselves; with it they run and fail loudly. Each test file uses an exchange
 * of its own (and queues named after it), so files running in parallel never share messages.
 */
export const AMQP_URL = process.env.AMQP_URL;
export const describeWithBroker: jest.Describe = AMQP_URL ? describe : describe.skip;

export const uniqueExchange = (label: string): string => `chronicle.test.${label}.${randomBytes(4).toString('hex')}`;

export interface Received {
  readonly routingKey: string;
  readonly message: ConsumeMessage;
  readonly body: Record<string, unknown>;
}

export interface Tap {
  /** Every message so far, in delivery order. */
  readonly received: Received[];
  close(): Promise<void>;
}

/** Listens to everything published to `exchange` (declaring it, as the relay does) on a connection of its own. */
export const tap = async (exchange: string): Promise<Tap> => {
  const connection = await connect(AMQP_URL!);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, '#');
  const received: Received[] = [];
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      received.push({ routingKey: message.fields.routingKey, message, body: JSON.parse(message.content.toString()) as Record<string, unknown> });
    },
    { noAck: true },
  );
  return {
    received,
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
};

/** Deletes a test's exchange and the queues named after it. */
export const removeExchange = async (exchange: string, queues: readonly string[] = []): Promise<void> => {
  const connection: ChannelModel = await connect(AMQP_URL!);
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  await channel.deleteExchange(exchange);
  await connection.close();
};

const run = promisify(execFile);

/**
 * Closes, from the broker's side, every connection whose client named itself `connectionName`
 * (`rabbitmqctl close_connection`), as an operator or a broker restart would. Returns how many.
 */
export const closeConnectionsNamed = async (connectionName: string): Promise<number> => {
  const { stdout } = await run('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid', 'client_properties']);
  // One line a connection: its pid (as close_connection takes it), a tab, its client properties.
  const named = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => ({ pid: line.split('\t')[0] }));
  for (const { pid } of named) await run('rabbitmqctl', ['close_connection', pid, 'closed by a test']);
  return named.length;
};

/**
 * Closes, from the broker's side, every channel of the connections whose client named itself
 * `connectionName`, the connections staying up: each channel is made to ack a delivery tag it
 * never had, and RabbitMQ closes it with 406 PRECONDITION_FAILED, as it does a consumer's channel
 * whose ack is overdue (`consumer_timeout`). Returns how many.
 */
export const failChannelsOf = async (connectionName: string): Promise<number> => {
  const list = async (what: string, ...columns: string[]) =>
    (await run('rabbitmqctl', [what, '-q', '--no-table-headers', ...columns])).stdout.split('\n').filter(Boolean);
  const connections = (await list('list_connections', 'pid', 'client_properties'))
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]);
  const channels = (await list('list_channels', 'pid', 'connection'))
    .map((line) => line.split('\t'))
    .filter(([, connection]) => connections.includes(connection))
    .map(([pid]) => pid);
  // An ack as the client sends it (the #'basic.ack'{} record), of a delivery tag no channel handed out.
  const ackUnknownTag = (pid: string) => `rabbit_channel:do(rabbit_misc:string_to_pid("${pid}"), {'basic.ack', 4294967295, false}).`;
  for (const pid of channels) await run('rabbitmqctl', ['eval', ackUnknownTag(pid)]);
  return channels.length;
};

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
};
