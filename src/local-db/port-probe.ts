import net from 'node:net';

/**
 * What listens on 127.0.0.1:port: nothing ('free'), a PostgreSQL server ('postgres': it answers
 * an SSLRequest with "S" or "N", as every PostgreSQL since 7.x does), or something else. Read
 * before the embedded server starts, so a taken port is named at once instead of after pg_ctl's
 * retries, and before initdb.
 */
export function probePort(port: number, timeoutMs = 1000): Promise<'free' | 'postgres' | 'other'> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let settled = false;
    const done = (result: 'free' | 'postgres' | 'other') => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('other'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'free' : 'other'));
    socket.once('connect', () => {
      // SSLRequest: length 8, code 80877103.
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
    });
    socket.once('data', (data) => done(data.length === 1 && (data[0] === 0x53 || data[0] === 0x4e) ? 'postgres' : 'other'));
    socket.once('end', () => done('other'));
  });
}
