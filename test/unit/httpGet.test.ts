import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchFile } from '../../src/core/download/fetchPool';
import { fetchToFile, fetchVerified, parseHead, type FetchJob, type FetchResult } from '../../src/core/download/httpGet';

// Every test talks to a real server on 127.0.0.1 (node:http, or node:net where the bytes on the wire
// matter), opened inside the test and closed, with its connections, after it.

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const delay = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

interface TestServer {
  port: number;
  url(p: string): string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const opened: TestServer[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map(s => s.close()));
});

async function listen(server: net.Server, sockets: Set<net.Socket>, closeServer: () => void): Promise<TestServer> {
  let count = 0;
  server.on('connection', (s: net.Socket) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const ts: TestServer = {
    port,
    url: p => `http://127.0.0.1:${port}${p}`,
    connections: () => count,
    close: () =>
      new Promise<void>(r => {
        for (const s of sockets) s.destroy();
        closeServer();
        server.close(() => r());
      }),
  };
  opened.push(ts);
  return ts;
}

function startHttp(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  return listen(server, new Set(), () => server.closeAllConnections());
}

/** A raw server: `onRequest` is called for each request head read on a connection (1-based index). */
function startNet(onRequest: (socket: net.Socket, head: string, index: number) => void): Promise<TestServer> {
  const server = net.createServer(socket => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let pending = '';
    let index = 0;
    socket.on('data', d => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        onRequest(socket, head, ++index);
      }
    });
  });
  return listen(server, new Set(), () => undefined);
}

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'asapp-httpget-'));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
const tempFile = () => path.join(dir, `t${fileNo++}.part`);

function jobFor(url: string, over: Partial<FetchJob> = {}): FetchJob {
  return { url, headers: {}, temp: tempFile(), start: 0, md5: true, idleMs: 5000, ...over };
}

async function get(job: FetchJob, sizes?: number[]): Promise<FetchResult> {
  return fetchVerified(job, s => sizes?.push(s)).result;
}

/** Asserts a successful fetch of `body` from 0 into `job.temp`. */
async function assertWhole(job: FetchJob, r: FetchResult, body: Buffer): Promise<void> {
  assert.equal(r.failure, undefined, JSON.stringify(r.failure));
  assert.equal(r.error, undefined);
  assert.equal(r.head?.status, 200);
  assert.equal(r.start, 0);
  assert.equal(r.received, body.length);
  assert.equal(r.md5, md5(body));
  assert.ok((await fs.readFile(job.temp)).equals(body), 'file bytes equal the body');
}

describe('download: httpGet over plain HTTP', () => {
  const big = randomBytes(3 * 1024 * 1024 + 17);
  const small = randomBytes(64 * 1024 + 3);

  const serveBodies: http.RequestListener = (req, res) => {
    const body = req.url === '/big' ? big : small;
    res.writeHead(200, { 'content-length': body.length, etag: '"abc"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT', 'x-amz-server-side-encryption': 'AES256' });
    res.end(body);
  };

  it('writes a Content-Length body to the file with its MD5 and reports growing sizes', async () => {
    const srv = await startHttp(serveBodies);
    const job = jobFor(srv.url('/big'));
    const sizes: number[] = [];
    const r = await get(job, sizes);
    await assertWhole(job, r, big);
    assert.deepEqual(r.head, {
      status: 200,
      etag: '"abc"',
      contentLength: big.length,
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
      serverSideEncryption: 'AES256',
    });
    assert.ok(sizes.length >= 2, `sizes ${sizes.join()}`);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] >= sizes[i - 1], `non-decreasing: ${sizes.join()}`);
    assert.ok(sizes[sizes.length - 1] <= big.length);
  });

  it('reuses one kept-alive connection for sequential GETs', async () => {
    const srv = await startHttp(serveBodies);
    for (let i = 0; i < 5; i++) {
      const job = jobFor(srv.url(i % 2 ? '/big' : '/small'));
      await assertWhole(job, await get(job), i % 2 ? big : small);
    }
    assert.equal(srv.connections(), 1);
  });

  it('runs 20 GETs concurrently, then 20 more on the same connections', async () => {
    const srv = await startHttp(serveBodies);
    for (let round = 0; round < 2; round++) {
      const jobs = Array.from({ length: 20 }, (_, i) => jobFor(srv.url(i % 4 === 0 ? '/big' : '/small')));
      const results = await Promise.all(jobs.map(j => get(j)));
      for (let i = 0; i < jobs.length; i++) await assertWhole(jobs[i], results[i], i % 4 === 0 ? big : small);
    }
    assert.ok(srv.connections() <= 20, `${srv.connections()} connections for 40 requests`);
  });

  it('decodes a chunked 200 body', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(200);
      res.write(big.subarray(0, 1000));
      res.write(big.subarray(1000, 700_000));
      setTimeout(() => res.end(big.subarray(700_000)), 10);
    });
    const job = jobFor(srv.url('/x'));
    const r = await get(job);
    await assertWhole(job, r, big);
    // ended by the terminating chunk: the connection stays for the next GET
    const again = jobFor(srv.url('/x'));
    await assertWhole(again, await get(again), big);
    assert.equal(srv.connections(), 1);
  });

  it('resumes with a 206: keeps the prefix, sends the job headers and hashes the whole object', async () => {
    const n = 1_234_567;
    let seen: http.IncomingHttpHeaders | undefined;
    const srv = await startHttp((req, res) => {
      seen = req.headers;
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1]);
      res.writeHead(206, { 'content-length': big.length - from, 'content-range': `bytes ${from}-${big.length - 1}/${big.length}` });
      res.end(big.subarray(from));
    });
    const temp = tempFile();
    await fs.writeFile(temp, big.subarray(0, n));
    const job = jobFor(srv.url('/obj?X-Amz-Signature=abc'), { temp, start: n, headers: { range: `bytes=${n}-`, 'if-match': '"abc"' } });
    const sizes: number[] = [];
    const r = await get(job, sizes);
    assert.equal(r.failure, undefined, JSON.stringify(r.failure));
    assert.equal(r.head?.status, 206);
    assert.equal(r.head?.contentRange, `bytes ${n}-${big.length - 1}/${big.length}`);
    assert.equal(r.start, n);
    assert.equal(r.received, big.length - n);
    assert.equal(r.md5, md5(big));
    assert.ok((await fs.readFile(temp)).equals(big));
    assert.equal(sizes[0], n, 'the first size is the kept prefix');
    assert.equal(seen?.range, `bytes=${n}-`);
    assert.equal(seen?.['if-match'], '"abc"');
    assert.equal(seen?.['accept-encoding'], 'identity');
    assert.equal(seen?.host, `127.0.0.1:${srv.port}`);
  });

  it('writes from 0 when a resume is answered with 200 (no stale bytes left)', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-length': small.length });
      res.end(small);
    });
    const temp = tempFile();
    const stale = Buffer.alloc(small.length * 2, 0xaa); // wrong bytes, and longer than the object
    await fs.writeFile(temp, stale);
    const job = jobFor(srv.url('/obj'), { temp, start: stale.length, headers: { range: `bytes=${stale.length}-` } });
    const sizes: number[] = [];
    const r = await get(job, sizes);
    await assertWhole(job, r, small);
    assert.equal(sizes[0], 0);
  });

  it("fails with 'range' when the 206 does not start at job.start", async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(206, { 'content-length': small.length - 5, 'content-range': `bytes 5-${small.length - 1}/${small.length}` });
      res.end(small.subarray(5));
    });
    const temp = tempFile();
    await fs.writeFile(temp, small.subarray(0, 10));
    const r = await get(jobFor(srv.url('/obj'), { temp, start: 10, headers: { range: 'bytes=10-' } }));
    assert.equal(r.failure?.kind, 'range');
    assert.equal(r.head?.status, 206);
    assert.equal(r.received, 0);
    assert.equal(r.md5, undefined);
    assert.ok((await fs.readFile(temp)).equals(small.subarray(0, 10)), 'the kept prefix is untouched');
  });

  it("fails with 'range' for a 206 without a Content-Range", async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(206, { 'content-length': 3 });
      res.end('abc');
    });
    const temp = tempFile();
    await fs.writeFile(temp, 'xyz');
    const r = await get(jobFor(srv.url('/obj'), { temp, start: 3 }));
    assert.equal(r.failure?.kind, 'range');
  });

  it('parses the S3 error document of a 503 (Content-Length and chunked), then the connection still serves', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce</Message><RequestId>r1</RequestId></Error>';
    const srv = await startHttp((req, res) => {
      if (req.url === '/length') {
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
      } else if (req.url === '/chunked') {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.write(xml.slice(0, 30));
        res.end(xml.slice(30));
      } else {
        res.writeHead(200, { 'content-length': small.length });
        res.end(small);
      }
    });
    for (const p of ['/length', '/chunked']) {
      const job = jobFor(srv.url(p));
      const r = await get(job);
      assert.equal(r.failure, undefined, `${p}: ${JSON.stringify(r.failure)}`);
      assert.equal(r.head?.status, 503);
      assert.deepEqual(r.error, { code: 'SlowDown', message: 'Please reduce' });
      assert.equal(r.received, 0);
      assert.equal(r.md5, undefined);
      assert.equal((await fs.stat(job.temp)).size, 0, 'no error bytes in the file');
    }
    const job = jobFor(srv.url('/ok'));
    await assertWhole(job, await get(job), small);
    assert.equal(srv.connections(), 1, 'the error responses kept the connection');
  });

  it("fails with 'network' when the body dies mid-way, leaving exactly the received bytes in the file", async () => {
    const sent = randomBytes(300_000);
    const srv = await startNet(socket => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
      socket.write(sent, () => socket.destroy());
    });
    const job = jobFor(srv.url('/obj'));
    const r = await get(job);
    assert.equal(r.failure?.kind, 'network');
    assert.ok(r.failure?.code, 'a code');
    assert.equal(r.head?.status, 200);
    assert.equal(r.head?.contentLength, 1_000_000);
    assert.equal(r.md5, undefined);
    assert.equal(r.start, 0);
    assert.ok(r.received > 0 && r.received <= sent.length, `received ${r.received}`);
    const file = await fs.readFile(job.temp);
    assert.equal(file.length, r.received);
    assert.ok(file.equals(sent.subarray(0, r.received)));
  });

  it("fails with 'stalled' when the body stops arriving for idleMs", async () => {
    const srv = await startNet(socket => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      socket.write(small.subarray(0, 1000));
    });
    const t0 = Date.now();
    const job = jobFor(srv.url('/obj'), { idleMs: 300 });
    const r = await get(job);
    const took = Date.now() - t0;
    assert.equal(r.failure?.kind, 'stalled');
    assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
    assert.equal(r.received, 1000);
    assert.ok((await fs.readFile(job.temp)).equals(small.subarray(0, 1000)));
  });

  it("fails with 'stalled' when no response head comes", async () => {
    const srv = await startNet(() => undefined);
    const t0 = Date.now();
    const r = await get(jobFor(srv.url('/obj'), { idleMs: 200 }));
    assert.equal(r.failure?.kind, 'stalled');
    assert.equal(r.head, undefined);
    assert.ok(Date.now() - t0 < 2000);
  });

  it("cancel() during a slow body ends it promptly with 'cancelled' and drops the connection", async () => {
    let serverSocket: net.Socket | undefined;
    let timer: NodeJS.Timeout | undefined;
    const srv = await startNet(socket => {
      serverSocket = socket;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n');
      timer = setInterval(() => socket.write(small.subarray(0, 1000)), 10);
      socket.on('close', () => clearInterval(timer));
    });
    const job = jobFor(srv.url('/obj'));
    let headSeen!: () => void;
    const head = new Promise<void>(r => { headSeen = r; });
    const handle = fetchToFile(job, () => headSeen());
    await head;
    await delay(50);
    const t0 = Date.now();
    handle.cancel();
    const r = await handle.result;
    assert.ok(Date.now() - t0 < 200);
    assert.equal(r.failure?.kind, 'cancelled');
    assert.equal(r.head?.status, 200);
    assert.ok(r.received > 0);
    assert.equal((await fs.stat(job.temp)).size, r.received);
    await new Promise<void>(res => (serverSocket!.destroyed ? res() : serverSocket!.once('close', () => res())));
    clearInterval(timer);
  });

  it('cancel() before the file is open ends with cancelled and sends no request', async () => {
    const srv = await startHttp((_req, res) => res.end('x'));
    const handle = fetchToFile(jobFor(srv.url('/obj')));
    handle.cancel();
    const r = await handle.result;
    assert.equal(r.failure?.kind, 'cancelled');
    await delay(50);
    assert.equal(srv.connections(), 0);
  });

  it('reads a head that arrives one byte at a time, then a body framed by the connection close', async () => {
    const srv = await startNet(socket => {
      const head = Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nETag: "e1"\r\n\r\n');
      void (async () => {
        for (const b of head) {
          socket.write(Buffer.from([b]));
          await delay(1);
        }
        socket.write(small.subarray(0, 5000));
        await delay(5);
        socket.end(small.subarray(5000));
      })();
    });
    const job = jobFor(srv.url('/obj'));
    const r = await get(job);
    await assertWhole(job, r, small);
    assert.equal(r.head?.etag, '"e1"');
    assert.equal(r.head?.contentLength, undefined);
  });

  it('skips interim 1xx responses, in the same read or split across reads', async () => {
    const final = `HTTP/1.1 200 OK\r\nContent-Length: ${small.length}\r\n\r\n`;
    const srv = await startNet((socket, head) => {
      if (head.startsWith('GET /together')) {
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 100 Continue\r\n\r\n${final}`), small]));
        return;
      }
      void (async () => {
        socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n');
        await delay(10);
        socket.write(`\r\n${final.slice(0, 10)}`);
        await delay(10);
        socket.write(Buffer.concat([Buffer.from(final.slice(10)), small.subarray(0, 100)]));
        await delay(10);
        socket.write(small.subarray(100));
      })();
    });
    for (const p of ['/together', '/split']) {
      const job = jobFor(srv.url(p));
      await assertWhole(job, await get(job), small);
    }
    assert.equal(srv.connections(), 1);
  });

  it('opens a new connection when the server closed the kept-alive one while idle', async () => {
    const srv = await startNet(socket => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${small.length}\r\nConnection: keep-alive\r\n\r\n`);
      socket.write(small);
      setTimeout(() => socket.destroy(), 50);
    });
    for (let i = 0; i < 2; i++) {
      const job = jobFor(srv.url('/obj'));
      await assertWhole(job, await get(job), small);
      await delay(200);
    }
    assert.equal(srv.connections(), 2);
  });

  it('retries once on a new connection when a reused one is closed before any answer', async () => {
    const srv = await startNet((socket, _head, index) => {
      if (index > 1) {
        socket.destroy(); // the keep-alive race: the server dropped it as the request went out
        return;
      }
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${small.length}\r\n\r\n`);
      socket.write(small);
    });
    for (let i = 0; i < 3; i++) {
      const job = jobFor(srv.url('/obj'));
      await assertWhole(job, await get(job), small);
    }
    assert.equal(srv.connections(), 3, 'each later GET: its reused connection dropped, then answered on a new one');
  });

  it('retries a dropped reused connection on a NEW connection, not on another pooled one', async () => {
    // The server drops every kept-alive connection at its second request (as when its idle timeout fires
    // on all of them while requests are on the way). Two connections are pooled; the next GET's first
    // one is dropped, and the retry ("once on a new one", says rawGet) must not take the other stale one.
    const waiting: net.Socket[] = [];
    const answer = (socket: net.Socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${small.length}\r\n\r\n`);
      socket.write(small);
    };
    const srv = await startNet((socket, _head, index) => {
      if (index > 1) {
        socket.destroy();
        return;
      }
      // the first two requests are answered together, so that both connections end up pooled
      if (srv.connections() > 2) answer(socket);
      else if (waiting.push(socket) === 2) waiting.forEach(answer);
    });
    const warm = [jobFor(srv.url('/obj')), jobFor(srv.url('/obj'))];
    const rs = await Promise.all(warm.map(j => get(j)));
    for (let i = 0; i < 2; i++) await assertWhole(warm[i], rs[i], small);
    assert.equal(srv.connections(), 2);
    const job = jobFor(srv.url('/obj'));
    await assertWhole(job, await get(job), small);
    assert.equal(srv.connections(), 3);
  });

  it("fails with 'network' when a body framed by the connection close ends in a reset", async () => {
    const srv = await startNet(socket => {
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
      socket.write(small.subarray(0, 1000), () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    const job = jobFor(srv.url('/obj'));
    const r = await get(job);
    assert.equal(r.received, 1000);
    assert.equal(r.failure?.kind, 'network', 'a reset is not the end of the body (node:http/https fail it with ECONNRESET)');
    assert.equal(r.md5, undefined);
  });

  it("fails with 'file' (ESHORT) when the partial file is shorter than job.start on a 206", async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(206, { 'content-length': small.length - 10, 'content-range': `bytes 10-${small.length - 1}/${small.length}` });
      res.end(small.subarray(10));
    });
    const temp = tempFile();
    await fs.writeFile(temp, small.subarray(0, 5));
    const r = await get(jobFor(srv.url('/obj'), { temp, start: 10, headers: { range: 'bytes=10-' } }));
    assert.equal(r.failure?.kind, 'file');
    assert.equal(r.failure?.code, 'ESHORT');
  });

  it('does not retry a request whose new connection is dropped without an answer', async () => {
    const srv = await startNet(socket => socket.destroy());
    const r = await get(jobFor(srv.url('/obj')));
    assert.equal(r.failure?.kind, 'network');
    assert.equal(srv.connections(), 1);
  });

  it("fails with 'network' on a malformed response head", async () => {
    const srv = await startNet(socket => socket.end('HTTP/1.1 OK\r\n\r\n'));
    const r = await get(jobFor(srv.url('/obj')));
    assert.equal(r.failure?.kind, 'network');
    assert.equal(r.failure?.code, 'EPROTO');
  });

  it("fails with 'file' (ENOENT) when the temp directory is missing, before any request", async () => {
    const srv = await startHttp((_req, res) => res.end('x'));
    const r = await get(jobFor(srv.url('/obj'), { temp: path.join(dir, 'missing', 'f.part') }));
    assert.equal(r.failure?.kind, 'file');
    assert.equal(r.failure?.code, 'ENOENT');
    const r2 = await get(jobFor(srv.url('/obj'), { temp: path.join(dir, 'absent.part'), start: 10 }));
    assert.equal(r2.failure?.kind, 'file', 'a resume needs its partial file');
    assert.equal(r2.failure?.code, 'ENOENT');
    await delay(20);
    assert.equal(srv.connections(), 0);
  });

  it("fails with 'network' ECONNREFUSED when nobody listens", async () => {
    const probe = net.createServer();
    await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>(r => probe.close(() => r()));
    const r = await get(jobFor(`http://127.0.0.1:${port}/obj`));
    assert.equal(r.failure?.kind, 'network');
    assert.equal(r.failure?.code, 'ECONNREFUSED');
    assert.equal(r.head, undefined);
  });

  it("fails with 'network' on a bad URL or a header with a line break, without touching the file", async () => {
    const temp = tempFile();
    const r = await get({ ...jobFor('not a url'), temp });
    assert.equal(r.failure?.kind, 'network');
    const r2 = await get({ ...jobFor('http://127.0.0.1:1/x', { headers: { range: 'bytes=0-\r\nX-Evil: 1' } }), temp });
    assert.equal(r2.failure?.kind, 'network');
    await assert.rejects(fs.stat(temp), { code: 'ENOENT' });
  });
});

describe('download: httpGet over HTTPS (node:https)', () => {
  const body = randomBytes(2 * 1024 * 1024 + 5);
  let tls: { key: Buffer; cert: Buffer };
  let server: https.Server;
  let base: string;
  const sockets = new Set<net.Socket>();

  before(async function () {
    this.timeout(20_000);
    const keyFile = path.join(dir, 'tls.key');
    const certFile = path.join(dir, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tls = { key: await fs.readFile(keyFile), cert: await fs.readFile(certFile) };
    server = https.createServer(tls, (req, res) => {
      if (req.url === '/dies') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 300_000), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      if (range) {
        const from = Number(range[1]);
        res.writeHead(206, { 'content-length': body.length - from, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}`, etag: '"e"' });
        res.end(body.subarray(from));
        return;
      }
      res.writeHead(200, { 'content-length': body.length, etag: '"e"' });
      res.end(body);
    });
    server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>(r => server.close(() => r()));
  });

  /** Runs `fn` while this process accepts the test's self-signed certificate. */
  async function trusting<T>(fn: () => Promise<T>): Promise<T> {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const warn = process.emitWarning;
    process.emitWarning = () => undefined; // Node warns once about the setting
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      return await fn();
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
      process.emitWarning = warn;
    }
  }

  it('refuses a certificate nobody trusts, before writing anything', async () => {
    const job = jobFor(`${base}/obj`);
    const r = await get(job);
    assert.equal(r.failure?.kind, 'network');
    assert.match(String(r.failure?.code), /CERT|SELF_SIGNED/);
    assert.equal(r.head, undefined);
    assert.equal((await fs.stat(job.temp)).size, 0);
  });

  it('downloads and resumes over HTTPS with MD5', async () => {
    await trusting(async () => {
      const job = jobFor(`${base}/obj`);
      await assertWhole(job, await get(job), body);
      const n = 123_457;
      const temp = path.join(dir, `resume-tls-${Date.now()}`);
      await fs.writeFile(temp, body.subarray(0, n));
      const r = await get(jobFor(`${base}/obj`, { temp, start: n, headers: { range: `bytes=${n}-` } }));
      assert.equal(r.failure, undefined, JSON.stringify(r.failure));
      assert.equal(r.head?.status, 206);
      assert.equal(r.start, n);
      assert.equal(r.md5, md5(body));
      assert.ok((await fs.readFile(temp)).equals(body));
    });
  });

  it("fails with 'network' when an HTTPS body dies mid-way, keeping the received bytes", async () => {
    await trusting(async () => {
      const job = jobFor(`${base}/dies`);
      const r = await get(job);
      assert.equal(r.failure?.kind, 'network', JSON.stringify(r));
      assert.ok(r.received > 0 && r.received < body.length, `received ${r.received}`);
      const got = await fs.readFile(job.temp);
      assert.equal(got.length, r.received);
      assert.ok(got.equals(body.subarray(0, r.received)));
    });
  });
});

describe('download: fetchPool', () => {
  const body = randomBytes(2 * 1024 * 1024 + 5);
  const saved = process.env.ASAPP_EXPORTS_FETCH_THREADS;

  afterEach(() => {
    if (saved === undefined) delete process.env.ASAPP_EXPORTS_FETCH_THREADS;
    else process.env.ASAPP_EXPORTS_FETCH_THREADS = saved;
  });

  const serve: http.RequestListener = (req, res) => {
    if (req.url === '/slow') {
      res.writeHead(200, { 'content-length': body.length });
      let at = 0;
      const timer = setInterval(() => {
        res.write(body.subarray(at, at + 1000));
        at += 1000;
      }, 10);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  };

  it('downloads in-process (threads 0) and on a worker thread, with MD5', async () => {
    const srv = await startHttp(serve);
    process.env.ASAPP_EXPORTS_FETCH_THREADS = '0';
    for (let i = 0; i < 2; i++) {
      const job = jobFor(srv.url('/obj'));
      await assertWhole(job, await fetchFile(job), body);
    }
    assert.equal(srv.connections(), 1, 'in-process GETs share this thread’s connection pool');

    delete process.env.ASAPP_EXPORTS_FETCH_THREADS;
    const job = jobFor(srv.url('/obj'));
    await assertWhole(job, await fetchFile(job, { onSize: () => undefined }), body);
    assert.equal(srv.connections(), 2, 'the worker has its own connection: it ran on another thread');
  });

  for (const threads of ['0', undefined]) {
    it(`an aborted signal ends a slow body with 'cancelled' (${threads === '0' ? 'in-process' : 'worker'})`, async () => {
      const srv = await startHttp(serve);
      if (threads === undefined) delete process.env.ASAPP_EXPORTS_FETCH_THREADS;
      else process.env.ASAPP_EXPORTS_FETCH_THREADS = threads;
      const c = new AbortController();
      let requested!: () => void;
      const got = new Promise<void>(r => { requested = r; });
      const job = jobFor(srv.url('/slow'));
      const p = fetchFile(job, { signal: c.signal });
      // abort once the body is flowing
      const poll = setInterval(() => void fs.stat(job.temp).then(s => s.size > 0 && requested(), () => undefined), 10);
      await got;
      clearInterval(poll);
      const t0 = Date.now();
      c.abort();
      const r = await p;
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(r.failure?.kind, 'cancelled');
      assert.ok(r.received > 0 && r.received < body.length);
    });
  }

  it("an already aborted signal ends with 'cancelled'", async () => {
    const srv = await startHttp(serve);
    process.env.ASAPP_EXPORTS_FETCH_THREADS = '0';
    const r = await fetchFile(jobFor(srv.url('/obj')), { signal: AbortSignal.abort() });
    assert.equal(r.failure?.kind, 'cancelled');
  });
});

describe('download: parseHead', () => {
  it('reads the status, lower-cased headers and joins repeated ones', () => {
    const h = parseHead('HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nETag:  "x" \r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a: 2\r\nLink: <a:b>');
    assert.ok(h);
    assert.equal(h.status, 206);
    assert.equal(h.http10, false);
    assert.deepEqual([...h.headers], [
      ['content-length', '10'],
      ['etag', '"x"'],
      ['x-amz-meta-a', '1, 2'],
      ['link', '<a:b>'],
    ]);
  });

  it('flags HTTP/1.0 and accepts a status line without a reason', () => {
    assert.equal(parseHead('HTTP/1.0 200 OK')?.http10, true);
    assert.equal(parseHead('HTTP/1.1 503')?.status, 503);
  });

  it('refuses a malformed status line or header', () => {
    for (const text of ['HTTP/1.1 OK', 'HTTP/2 200 OK', 'HTTP/1.1 20 OK', 'ICY 200 OK', '', 'HTTP/1.1 200 OK\r\nno colon here', 'HTTP/1.1 200 OK\r\n: empty name']) {
      assert.equal(parseHead(text), undefined, JSON.stringify(text));
    }
  });
});
