// A small HTTP proxy on 127.0.0.1 in front of a real S3 server, for the failures a healthy server will
// not produce on demand: 503 SlowDown, a connection reset or a stall mid-body, a flipped byte, and the
// whole server going away mid-transfer. Requests pass through unchanged (Host header included, so
// SigV4 signatures still verify on a server that checks them).
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; code: string; message?: string }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'corrupt'; atByte: number };

export interface ProxiedRequest {
  index: number;
  method: string;
  /** Decoded path and query (the SDK percent-encodes '=' in keys). */
  url: string;
  range?: string;
  ifMatch?: string;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  requests: ProxiedRequest[];
  /** Decides a fault per request (undefined = pass through). */
  setRule(rule: ((req: ProxiedRequest) => Fault | undefined) | undefined): void;
  /** Once this many response body bytes went through: stops forwarding, and 300 ms later kills every
   *  connection and stops listening. */
  killAfterBytes(n: number): void;
  /** Resolves when the proxy was killed by killAfterBytes. */
  killed: Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstream: string, opts: { port?: number } = {}): Promise<FaultProxy> {
  const up = new URL(upstream);
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  let rule: ((req: ProxiedRequest) => Fault | undefined) | undefined;
  let killAt = Infinity;
  let forwarded = 0;
  let onKilled: () => void = () => undefined;
  const killed = new Promise<void>(resolve => { onKilled = resolve; });
  let dead = false;
  let draining = false;

  const server = http.createServer((req, res) => {
    const info: ProxiedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      url: safeDecode(req.url ?? '/'),
      ...(req.headers.range ? { range: String(req.headers.range) } : {}),
      ...(req.headers['if-match'] ? { ifMatch: String(req.headers['if-match']) } : {}),
    };
    requests.push(info);
    const fault = rule?.(info);
    if (fault?.kind === 'status') {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.message ?? fault.code}</Message><RequestId>fault-proxy</RequestId></Error>`;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const upReq = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      upRes => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (dead) return;
          let out = chunk;
          if (fault?.kind === 'corrupt' && fault.atByte >= sent && fault.atByte < sent + chunk.length) {
            out = Buffer.from(chunk);
            out[fault.atByte - sent] ^= 0xff;
          }
          if ((fault?.kind === 'reset' || fault?.kind === 'stall') && sent + out.length >= fault.afterBytes) {
            const keep = Math.max(0, fault.afterBytes - sent);
            if (keep > 0) res.write(out.subarray(0, keep));
            sent += keep;
            upRes.destroy();
            if (fault.kind === 'reset') setTimeout(() => res.socket?.destroy(), 20);
            // stall: the response stays open and silent until the client gives up
            return;
          }
          if (draining) return;
          sent += out.length;
          forwarded += out.length;
          res.write(out);
          if (forwarded >= killAt) {
            // Go quiet first, so the client has written what it received, then die: a kill
            // that lands between "bytes sent" and "bytes on the client's disk" would make tests flaky.
            draining = true;
            setTimeout(kill, 300);
          }
        });
        upRes.on('end', () => { if (!dead && !upRes.destroyed) res.end(); });
        upRes.on('error', () => res.socket?.destroy());
      },
    );
    upReq.on('error', () => res.socket?.destroy());
    req.pipe(upReq);
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const kill = () => {
    if (dead) return;
    dead = true;
    server.close();
    for (const s of sockets) s.destroy();
    onKilled();
  };
  await new Promise<void>(resolve => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    setRule(r) { rule = r; },
    killAfterBytes(n) { killAt = n; },
    killed,
    async stop() {
      dead = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
