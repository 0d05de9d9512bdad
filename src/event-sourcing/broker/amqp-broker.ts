import { connect, IllegalOperationError, type Channel, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import { within } from '../store/within.js';
import { DependencyUnavailable } from '../subscriptions/dependency-unavailable.js';

export interface AmqpBrokerOptions {
  readonly url: string;
  /** The durable topic exchange every event is published to (`chronicle.events`). */
  readonly exchange: string;
  /** Shown in RabbitMQ's connection list, so an operator (or a test) can tell this connection apart. */
  readonly connectionName: string;
  readonly log?: (message: string) => void;
}

/** Runs on every new connection, before it is used: a consumer declares its queue and starts consuming. */
export type OnConnect = (connection: ChannelModel) => Promise<void>;

const BROKER = 'RabbitMQ';
/** The reply code of a channel closed for a missing exchange or queue. */
const NOT_FOUND = 404;

/**
 * One connection to RabbitMQ, kept up: amqplib's recovery reconnects with a growing delay
 * (200 ms to 5 s, forever) after the broker drops it or was never reachable, and on each new
 * connection the exchange is declared again and the consumers restart. Publishing never waits
 * for a connection: while there is none (or the broker blocks publishers) it fails at once with
 * `DependencyUnavailable`, so a subscription rolls back and retries instead of holding its
 * transaction, and with it every log reader's fence, open through an outage.
 *
 * A channel closed with 404 NOT_FOUND means the exchange (or a queue) was deleted under a live
 * connection: every publish would fail so, for good. The broker then closes the connection, and
 * the new one declares the exchange and sets the consumers up (their queues and bindings) again.
 */
export class AmqpBroker {
  private recovering?: RecoveringChannelModel;
  private connection?: ChannelModel;
  private blocked?: string;
  /** Set when a channel or a confirm did not come in time (a half-open connection looks connected); cleared by a confirm or a new connection. */
  private unresponsive?: string;
  private publishChannel?: Promise<ConfirmChannel>;
  /** Consumers known to have stopped on the current connection, and why: being set up again, there or on the next. */
  private readonly consumersDown = new Map<string, string>();
  /** Connections closed, or being closed: nothing is set up on them again. */
  private readonly closed = new WeakSet<ChannelModel>();
  private readonly setups: OnConnect[] = [];
  private readonly log: (message: string) => void;

  constructor(readonly options: AmqpBrokerOptions) {
    this.log = options.log ?? (() => undefined);
  }

  get exchange(): string {
    return this.options.exchange;
  }

  /** Connected, not blocked by a resource alarm, answering, and every consumer consuming: what `/health` reports. */
  isUp(): boolean {
    return this.whyDown() === undefined;
  }

  /** Why it is not up, as `/health` says it; undefined when it is. */
  whyDown(): string | undefined {
    const waiting = 'events wait in PostgreSQL';
    if (!this.connection) return `not connected to ${BROKER}; ${waiting}`;
    if (this.blocked !== undefined) return `${BROKER} blocks publishers (${this.blocked}); ${waiting}`;
    if (this.unresponsive !== undefined) return `${BROKER} does not answer (${this.unresponsive}); ${waiting}`;
    if (this.consumersDown.size === 0) return undefined;
    const [[name, why]] = this.consumersDown;
    return `the inbox consumer ${name} stopped (${why}); it is being set up again`;
  }

  /** A consumer stopped on a live connection: the broker reads as down until `consumerUp` or a new connection. */
  consumerDown(name: string, reason: string): void {
    this.consumersDown.set(name, reason);
  }

  consumerUp(name: string): void {
    this.consumersDown.delete(name);
  }

  /** Whether a connection made here is still open: what was set up on one that closed, the next one sets up again. */
  isOpen(connection: ChannelModel): boolean {
    return !this.closed.has(connection);
  }

  /** A publish got its confirms: the connection answers. */
  confirmed(): void {
    this.unresponsive = undefined;
  }

  /** A channel or confirms did not come in time: reported down until a confirm or a new connection. */
  noAnswer(reason: string): void {
    this.unresponsive = reason;
  }

  /** Registers work for every connection; only before `start`. */
  onConnect(setup: OnConnect): void {
    if (this.recovering) throw new Error('AmqpBroker: register onConnect work before start()');
    this.setups.push(setup);
  }

  /** Starts connecting and returns at once: an unreachable broker must not keep the app from starting. */
  async start(): Promise<void> {
    const { url, connectionName } = this.options;
    const recovering = await connect(url, {
      clientProperties: { connection_name: connectionName },
      recovery: {
        waitForConnect: false,
        initialDelay: 200,
        maxDelay: 5_000,
        maxRetries: Infinity,
        setup: (connection: ChannelModel) => this.prepare(connection),
      },
    });
    this.recovering = recovering;
    recovering.on('connect', (connection: ChannelModel) => {
      this.connection = connection;
      this.blocked = undefined;
      this.unresponsive = undefined;
      this.consumersDown.clear(); // each set up afresh on this connection
      this.log(`connected to ${BROKER} (${new URL(url).host}), exchange ${this.exchange}`);
    });
    recovering.on('disconnect', (error: Error) => this.lost(error.message));
    recovering.on('connect-failed', (error: Error) => this.log(`cannot connect to ${BROKER}: ${error.message}; retrying`));
    recovering.on('blocked', (reason: string) => (this.blocked = reason));
    recovering.on('unblocked', () => (this.blocked = undefined));
    // Without listeners these would be thrown in amqplib's event loop and end the process.
    recovering.on('error', (error: Error) => this.log(`${BROKER} connection error: ${error.message}`));
    recovering.on('handler-error', (error: Error) => this.log(`${BROKER} event handler failed: ${error.message}`));
  }

  async stop(): Promise<void> {
    const { recovering } = this;
    this.lost('stopping');
    await recovering?.close().catch(() => undefined);
  }

  /**
   * The confirm channel events are published on, one per connection (one channel keeps them in
   * order). Throws `DependencyUnavailable` when there is no connection, publishers are blocked,
   * or the channel does not open within `timeoutMs`: a connection gone half-open (packets lost,
   * nothing closed) answers nothing until its heartbeat gives up, minutes later, and the caller
   * waits inside a subscription's transaction, whose fence holds back every log reader.
   */
  async confirmChannel(timeoutMs: number): Promise<ConfirmChannel> {
    const { connection } = this;
    if (!connection) throw new DependencyUnavailable(BROKER, 'not connected');
    if (this.blocked !== undefined) throw new DependencyUnavailable(BROKER, `publishers are blocked (${this.blocked})`);
    const opening = (this.publishChannel ??= this.openConfirmChannel(connection));
    const noChannel = new Error(`no channel within ${timeoutMs} ms`);
    try {
      return await within(opening, timeoutMs, noChannel);
    } catch (error) {
      if (error === noChannel) {
        // The next try opens another; this one may never settle.
        if (this.publishChannel === opening) this.publishChannel = undefined;
        this.noAnswer(noChannel.message);
      }
      throw this.unavailable(error);
    }
  }

  /** Drops the publish channel (after a failed or timed-out confirm): the next publish opens a new one. */
  discard(channel: ConfirmChannel): void {
    void this.publishChannel?.then((current) => {
      if (current !== channel) return;
      this.publishChannel = undefined;
      void channel.close().catch(() => undefined);
    });
  }

  /** An error of the connection or a channel, as the `DependencyUnavailable` a subscription backs off on. */
  unavailable(error: unknown): DependencyUnavailable {
    if (error instanceof DependencyUnavailable) return error;
    return new DependencyUnavailable(BROKER, error instanceof Error ? error.message : String(error));
  }

  /** Whether `error` says the channel or connection is gone (rather than that one message is bad). */
  static isClosedChannel(error: unknown): boolean {
    return error instanceof IllegalOperationError;
  }

  private openConfirmChannel(connection: ChannelModel): Promise<ConfirmChannel> {
    const opening: Promise<ConfirmChannel> = connection.createConfirmChannel().then(
      (channel) => {
        // Only this channel's own entry: an old channel closing late must not drop its successor.
        this.watch(connection, channel, () => this.publishChannel === opening && (this.publishChannel = undefined));
        return channel;
      },
      (error: unknown) => {
        if (this.publishChannel === opening) this.publishChannel = undefined;
        throw error;
      },
    );
    return opening;
  }

  /**
   * Listens for the end of a channel of `connection`, so a closed one is never used again (and
   * its error never goes unhandled); a 404 reconnects, to declare what was deleted again.
   */
  watch(connection: ChannelModel, channel: Channel, closed: () => void): void {
    channel.on('error', (error: Error & { code?: unknown }) => {
      this.log(`${BROKER} channel error: ${error.message}`);
      if (error.code === NOT_FOUND) this.redeclare(connection, error.message);
    });
    channel.on('close', closed);
  }

  /**
   * Something this connection declared is gone (an operator, a definitions reset): closing it
   * makes amqplib's recovery connect again, and `prepare` declare the exchange and run the
   * consumers' setups. Until that new connection is up, the broker reads as down.
   */
  private redeclare(connection: ChannelModel, reason: string): void {
    if (this.closed.has(connection)) return;
    this.closed.add(connection);
    if (this.connection === connection) this.lost(`closing it: ${reason}; the next one declares what is missing`);
    void connection.close().catch(() => undefined);
  }

  private async prepare(connection: ChannelModel): Promise<void> {
    connection.once('close', () => this.closed.add(connection));
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // a refused declaration also rejects the call below
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    await channel.close();
    for (const setup of this.setups) await setup(connection);
  }

  private lost(reason: string): void {
    if (this.connection) this.log(`lost the ${BROKER} connection (${reason})`);
    this.connection = undefined;
    this.publishChannel = undefined;
  }
}
