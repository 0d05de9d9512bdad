import { connect, createServer, type Socket } from 'node:net';
import { Transform } from 'node:stream';

export interface TcpProxy {
  readonly port: number;
  /** Drops every connection and refuses new ones: the service looks down (the TCP way: resets, not a polite close). */
  cut(): void;
  restore(): void;
  /**
   * Stops forwarding on every open connection, closing none: to both ends they are half-open
   * (packets lost: a failover, a dropped NAT entry). New connections still go through.
   */
  freeze(): void;
  /**
   * The service's next chunk that `matches` reaches its client as `rewrite(chunk)`, in one write,
   * and then that connection closes: what the client gets when the service dies just as it answers.
   */
  lastReply(matches: (chunk: Buffer) => boolean, rewrite: (chunk: Buffer) => Buffer): void;
  close(): Promise<void>;
}

/** A TCP forwarder to `host:port` on a free local port, so a test can take a service away and give it back. */
export const tcpProxy = async (host: string, port: number): Promise<TcpProxy> => {
  const sockets = new Set<Socket>();
  const forwarding = new Set<() => void>();
  let open = true;
  let lastReply: { matches: (chunk: Buffer) => boolean; rewrite: (chunk: Buffer) => Buffer } | undefined;
  const track = (socket: Socket, other: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      other.destroy();
    });
  };
  const server = createServer((client) => {
    if (!open) return void client.resetAndDestroy();
    const upstream = connect(port, host);
    track(client, upstream);
    track(upstream, client);
    const replies = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (!lastReply?.matches(chunk)) return done(null, chunk);
        const last = lastReply.rewrite(chunk);
        lastReply = undefined;
        client.end(last, () => upstream.destroy());
        done();
      },
    });
    client.pipe(upstream).pipe(replies).pipe(client);
    const stop = () => {
      client.unpipe(upstream);
      upstream.unpipe(replies);
      client.pause();
      upstream.pause();
    };
    forwarding.add(stop);
    client.on('close', () => forwarding.delete(stop));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      open = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      open = true;
    },
    freeze() {
      for (const stop of forwarding) stop();
      forwarding.clear();
    },
    lastReply(matches, rewrite) {
      lastReply = { matches, rewrite };
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A proxy to the service `url` names, and the same URL through it (`defaultPort` when the URL names none). */
export const proxied = async (url: string, defaultPort: number): Promise<{ proxy: TcpProxy; url: string }> => {
  const target = new URL(url);
  const proxy = await tcpProxy(target.hostname, Number(target.port || defaultPort));
  target.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: target.toString() };
};
