// A tiny HTTP server on 127.0.0.1 that answers every request with a canned S3-style response. It stands
// in for what fauxqs cannot show (it checks no credentials): 403 InvalidAccessKeyId /
// SignatureDoesNotMatch / AccessDenied, 404 NoSuchBucket, 503 SlowDown, a 200 HTML page, a 502 proxy
// page, or a response that never comes (timeouts). The real AWS SDK talks to it; nothing is mocked
// inside the SDK.
//
//   const stub = await startAuthStub(STUB.invalidAccessKeyId);
//   const s3 = createS3Client({ endpoint: stub.endpoint, credentials, maxAttempts: 1 });
//   … expect S3Error 's3.invalid-access-key' …
//   await stub.stop();
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface StubResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Accept the request and never answer (the socket stays open until stop()). */
  stall?: boolean;
}

export type StubHandler = StubResponse | ((req: IncomingMessage) => StubResponse);

export interface AuthStub {
  /** http://127.0.0.1:PORT — pass as the S3 endpoint (path-style). */
  endpoint: string;
  port: number;
  /** Every request seen, in order (method and URL; headers kept for signature checks). */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Changes the answer for the following requests. */
  respond(handler: StubHandler): void;
  stop(): Promise<void>;
}

export function s3ErrorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${v}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>STUB0000</RequestId><HostId>stub</HostId></Error>`;
}

function xmlError(status: number, code: string, message: string, extra?: Record<string, string>): StubResponse {
  return { status, headers: { 'content-type': 'application/xml' }, body: s3ErrorXml(code, message, extra) };
}

/** The answers S3 gives for the failures the product maps to advice (bodies as AWS S3 sends them). */
export const STUB = {
  invalidAccessKeyId: xmlError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: 'AKIASTUB000000000000' }),
  signatureDoesNotMatch: xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'),
  accessDenied: xmlError(403, 'AccessDenied', 'Access Denied'),
  noSuchBucket: xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: 'stub-bucket' }),
  noSuchKey: xmlError(404, 'NoSuchKey', 'The specified key does not exist.'),
  invalidRange: xmlError(416, 'InvalidRange', 'The requested range is not satisfiable'),
  slowDown: xmlError(503, 'SlowDown', 'Please reduce your request rate.'),
  /** A web server (or captive portal) answering 200 with a page. */
  html200: { status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>' },
  /** A proxy that failed upstream. */
  html502: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
  /** HEAD answers have no body: the SDK only sees the status. */
  head403: { status: 403 },
  head404: { status: 404 },
  stall: { status: 0, stall: true },
} satisfies Record<string, StubResponse>;

export async function startAuthStub(initial: StubHandler): Promise<AuthStub> {
  let handler = initial;
  const requests: AuthStub['requests'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const r = typeof handler === 'function' ? handler(req) : handler;
      if (r.stall) return;
      const body = req.method === 'HEAD' ? undefined : r.body;
      res.writeHead(r.status, {
        'x-amz-request-id': 'STUB0000',
        ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : { 'content-length': '0' }),
        ...r.headers,
      });
      res.end(body);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond(h) {
      handler = h;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (for ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}
