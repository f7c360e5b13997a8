// One GET of a (presigned) S3 URL into a local file, for the download engine's worker threads. Node
// built-ins only (it runs in a worker), and it never throws: every outcome is a FetchResult.
//
// Why not the AWS SDK or node:http here: on a 2-core machine a Node downloader is CPU-bound, and the
// bytes' path through JavaScript is most of its cost. Over plain HTTP this reads each socket into one
// reused buffer per connection (net's `onread`: no allocation, no stream machinery per chunk) and
// writes it to the file synchronously: measured on 544 MB with MD5, 1.33 → 0.92 CPU-s of user time
// against node:http in the same worker threads. HTTPS goes through node:https. fetchVerified adds the
// MD5 of the finished file (four files at a time, md5simd.ts).
//
// Every byte that arrives is on disk before the next read, so a body that dies mid-way leaves exactly
// what was received in the temp file, ready to be continued with a ranged GET.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { fileMd5 } from './md5simd';

export interface FetchJob {
  /** Presigned URL. It carries a signature: never log it or put it in a message. */
  url: string;
  /** Extra request headers (Range, If-Match); they are part of the signature. */
  headers: Record<string, string>;
  /** The file to write. */
  temp: string;
  /** Bytes of `temp` to keep when the server answers 206 from this offset; 0 to write the whole object. */
  start: number;
  /** fetchVerified: the MD5 of the whole finished file (the kept prefix included) goes into the result. */
  md5: boolean;
  /** Abort when nothing arrives for this long (connect, response head and body alike). */
  idleMs: number;
}

export interface ResponseHead {
  status: number;
  etag?: string;
  contentLength?: number;
  contentRange?: string;
  lastModified?: string;
  serverSideEncryption?: string;
  sseCustomerAlgorithm?: string;
}

export type FailureKind = 'network' | 'stalled' | 'cancelled' | 'range' | 'file' | 'worker';

export interface FetchResult {
  /** Present once a response head arrived. */
  head?: ResponseHead;
  /** Offset the body was written from: `job.start` for a 206, 0 when the whole object came. */
  start: number;
  /** Body bytes written to the file. */
  received: number;
  /** Hex MD5 of the file's bytes, when asked and the body completed. */
  md5?: string;
  /** The S3 error document of a non-2xx response. */
  error?: { code?: string; message?: string };
  failure?: { kind: FailureKind; code?: string; message: string };
}

export interface FetchHandle {
  result: Promise<FetchResult>;
  cancel(): void;
}

/** Per-connection read buffer: one `read()` takes up to this much. */
const READ_BUFFER = 512 * 1024;
const MAX_HEAD = 64 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
/** Progress is reported every this many bytes (and at the end). */
const PROGRESS_STEP = 1 << 20;
const USER_AGENT = 'asapp-exports';

/** Starts the GET; `onSize(bytes now in the file)` reports progress. */
export function fetchToFile(job: FetchJob, onSize: (size: number) => void = () => undefined): FetchHandle {
  let settle!: (r: FetchResult) => void;
  const result = new Promise<FetchResult>(resolve => { settle = resolve; });
  const sink = new FileSink(job, onSize, r => settle(r));
  let url: URL;
  try {
    url = new URL(job.url);
    for (const [k, v] of Object.entries(job.headers)) if (/[\r\n]/.test(k + v)) throw new Error(`invalid header ${k}`);
  } catch (e) {
    sink.fail('network', (e as Error).message);
    return { result, cancel: () => undefined };
  }
  // The file is opened before the request, off this thread (creating a file can take a millisecond here,
  // which would stall every other transfer of this thread's event loop).
  fs.open(job.temp, job.start > 0 ? 'r+' : 'w', (err, fd) => {
    if (err) return sink.fail('file', err.message, err.code);
    if (!sink.setFile(fd)) return;
    const exchange = url.protocol === 'http:' ? rawGet(url, job.headers, sink) : httpsGet(url, job.headers, sink);
    sink.onAbort = exchange.abort;
  });
  sink.armWatchdog();
  return { result, cancel: () => sink.fail('cancelled', 'cancelled') };
}

let running = 0;
let hasher: ReturnType<typeof fileMd5> | undefined;

/**
 * fetchToFile, then (when `job.md5` and the body arrived whole) the MD5 of the whole file, the kept
 * part of a resume included. Files are hashed four at a time as they finish (md5simd.ts).
 */
export function fetchVerified(job: FetchJob, onSize?: (size: number) => void): FetchHandle {
  hasher ??= fileMd5({ running: () => running });
  const h = hasher;
  running++;
  const handle = fetchToFile(job, onSize);
  const result = handle.result.then(async r => {
    running--;
    h.poke(); // a file waiting for partners may not get any from this download
    const ok = r.head && r.head.status >= 200 && r.head.status < 300 && !r.failure;
    if (!job.md5 || !ok) return r;
    try {
      return { ...r, md5: await h.hash(job.temp) };
    } catch (e) {
      return { ...r, failure: { kind: 'file' as const, message: (e as Error).message, code: (e as NodeJS.ErrnoException).code } };
    }
  });
  return { result, cancel: handle.cancel };
}

// ---------------------------------------------------------------------------------------------------
// What to do with a response: the part both transports share.

class FileSink {
  onAbort: () => void = () => undefined;
  private done = false;
  private head?: ResponseHead;
  private fd?: number;
  private writing = false;
  private position = 0;
  private start = 0;
  private received = 0;
  private reported = 0;
  private errorChunks?: Buffer[];
  private errorBytes = 0;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly job: FetchJob,
    private readonly onSize: (size: number) => void,
    private readonly settle: (r: FetchResult) => void,
  ) {}

  /** The opened file; false when the fetch already ended (the file is closed again). */
  setFile(fd: number): boolean {
    if (this.done) {
      fs.close(fd, () => undefined);
      return false;
    }
    this.fd = fd;
    return true;
  }

  armWatchdog(): void {
    if (this.done) return;
    this.watchdog = setTimeout(() => this.fail('stalled', `no data for ${this.job.idleMs} ms`), this.job.idleMs);
  }

  /** Something arrived: the connection is alive. */
  alive(): void {
    this.watchdog?.refresh();
  }

  /** Returns false when the response was refused (and the connection must be dropped). */
  onHead(head: ResponseHead): boolean {
    if (this.done) return false;
    this.head = head;
    if (head.status === 200 || head.status === 206) {
      try {
        const fd = this.fd!;
        if (head.status === 206) {
          const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(head.contentRange ?? '');
          if (!m || Number(m[1]) !== this.job.start) {
            this.fail('range', `unexpected Content-Range ${head.contentRange ?? '(none)'}`);
            return false;
          }
          this.start = this.job.start;
          if (fs.fstatSync(fd).size < this.start) throw Object.assign(new Error(`the partial file is shorter than ${this.start} bytes`), { code: 'ESHORT' });
        } else {
          this.start = 0;
          if (this.job.start > 0) fs.ftruncateSync(fd, 0); // asked to resume, got the whole object
        }
        this.writing = true;
        this.position = this.start;
        this.reported = this.start;
        this.onSize(this.start);
      } catch (e) {
        this.fail('file', (e as Error).message, (e as NodeJS.ErrnoException).code);
        return false;
      }
    } else {
      this.errorChunks = [];
    }
    return true;
  }

  onBody(buf: Buffer, offset: number, length: number): void {
    if (this.done || length === 0) return;
    if (!this.writing) {
      if (this.errorChunks && this.errorBytes < MAX_ERROR_BODY) {
        this.errorChunks.push(Buffer.from(buf.subarray(offset, offset + length)));
        this.errorBytes += length;
      }
      return;
    }
    try {
      let off = offset;
      let left = length;
      while (left > 0) {
        const n = fs.writeSync(this.fd!, buf, off, left, this.position);
        off += n;
        left -= n;
        this.position += n;
      }
    } catch (e) {
      this.fail('file', (e as Error).message, (e as NodeJS.ErrnoException).code);
      return;
    }
    this.received += length;
    if (this.position - this.reported >= PROGRESS_STEP) {
      this.reported = this.position;
      this.onSize(this.position);
    }
  }

  /** The body ended as framed. */
  onEnd(): void {
    if (this.done) return;
    const ok = this.head !== undefined && this.head.status >= 200 && this.head.status < 300;
    const r = this.finish();
    if (!ok && this.errorChunks) {
      r.error = parseErrorDocument(Buffer.concat(this.errorChunks).toString('utf8'));
    }
    this.settle(r);
  }

  fail(kind: FailureKind, message: string, code?: string): void {
    if (this.done) return;
    const r = this.finish();
    r.failure = { kind, message, ...(code ? { code } : {}) };
    this.onAbort();
    this.settle(r);
  }

  private finish(): FetchResult {
    this.done = true;
    clearTimeout(this.watchdog);
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // the result already says what happened
      }
      this.fd = undefined;
    }
    if (this.position > this.reported) this.onSize(this.position);
    return { ...(this.head ? { head: this.head } : {}), start: this.start, received: this.received };
  }
}

function parseErrorDocument(xml: string): { code?: string; message?: string } {
  const pick = (tag: string) => new RegExp(`<${tag}>([^<]{0,400})</${tag}>`).exec(xml)?.[1];
  return { code: pick('Code'), message: pick('Message') };
}

function headFrom(status: number, get: (name: string) => string | undefined): ResponseHead {
  const length = get('content-length');
  const head: ResponseHead = { status };
  const set = <K extends keyof ResponseHead>(k: K, v: ResponseHead[K] | undefined) => { if (v !== undefined) head[k] = v; };
  set('etag', get('etag'));
  set('contentLength', length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined);
  set('contentRange', get('content-range'));
  set('lastModified', get('last-modified'));
  set('serverSideEncryption', get('x-amz-server-side-encryption'));
  set('sseCustomerAlgorithm', get('x-amz-server-side-encryption-customer-algorithm'));
  return head;
}

interface Exchange {
  abort(): void;
}

// ---------------------------------------------------------------------------------------------------
// HTTPS: node:https with a keep-alive agent.

const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

function httpsGet(url: URL, headers: Record<string, string>, sink: FileSink): Exchange {
  const req = https.request(url, { method: 'GET', agent: httpsAgent, headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...headers } });
  req.on('response', res => {
    sink.alive();
    const one = (n: string) => { const v = res.headers[n]; return Array.isArray(v) ? v[0] : v; };
    if (!sink.onHead(headFrom(res.statusCode ?? 0, one))) return;
    res.on('data', (chunk: Buffer) => {
      sink.alive();
      sink.onBody(chunk, 0, chunk.length);
    });
    res.on('end', () => (res.complete ? sink.onEnd() : sink.fail('network', 'aborted', 'ECONNRESET')));
    res.on('aborted', () => sink.fail('network', 'aborted', 'ECONNRESET'));
    res.on('error', e => sink.fail('network', e.message, (e as NodeJS.ErrnoException).code));
  });
  req.on('error', e => sink.fail('network', e.message, (e as NodeJS.ErrnoException).code));
  req.end();
  return { abort: () => req.destroy() };
}

// ---------------------------------------------------------------------------------------------------
// Plain HTTP: a minimal HTTP/1.1 client for GET over keep-alive sockets with one reused read buffer.

interface Connection {
  socket: net.Socket;
  key: string;
  /** Receives the bytes read into the connection's buffer while a request is on it. */
  onData?: (buf: Buffer, n: number) => void;
  onGone?: (err: NodeJS.ErrnoException | undefined) => void;
  reused: boolean;
}

const idle = new Map<string, Connection[]>();

function connect(host: string, port: number, key: string): Connection {
  const buffer = Buffer.allocUnsafe(READ_BUFFER);
  const conn: Connection = { key, reused: false, socket: undefined as unknown as net.Socket };
  conn.socket = net.connect({
    host,
    port,
    noDelay: true,
    onread: { buffer, callback: (n: number, buf: Uint8Array) => { conn.onData?.(buf as Buffer, n); return true; } },
  });
  let error: NodeJS.ErrnoException | undefined;
  conn.socket.on('error', e => { error = e; });
  conn.socket.on('close', () => {
    dropIdle(conn);
    const gone = conn.onGone;
    conn.onData = conn.onGone = undefined;
    gone?.(error);
  });
  conn.socket.on('end', () => conn.socket.destroy());
  return conn;
}

function dropIdle(conn: Connection): void {
  const list = idle.get(conn.key);
  const i = list?.indexOf(conn) ?? -1;
  if (i >= 0) list!.splice(i, 1);
}

function checkout(host: string, port: number): Connection {
  const key = `${host}:${port}`;
  const conn = idle.get(key)?.pop();
  if (conn && !conn.socket.destroyed) {
    conn.reused = true;
    conn.socket.ref();
    return conn;
  }
  return connect(host, port, key);
}

function release(conn: Connection): void {
  conn.onData = conn.onGone = undefined;
  if (conn.socket.destroyed) return;
  conn.socket.unref(); // an idle connection keeps no process alive
  const list = idle.get(conn.key) ?? [];
  list.push(conn);
  idle.set(conn.key, list);
}

/** Parses a response head (status line and headers) from `text`. */
export function parseHead(text: string): { status: number; headers: Map<string, string>; http10: boolean } | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]);
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) return undefined;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(m[2]), headers, http10: m[1] === '0' };
}

function rawGet(url: URL, headers: Record<string, string>, sink: FileSink): Exchange {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 80);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept-Encoding: identity\r\n${extra}\r\n`;
  let conn: Connection | undefined;
  let finished = false;

  const start = (allowRetry: boolean) => {
    const c = allowRetry ? checkout(host, port) : connect(host, port, `${host}:${port}`);
    conn = c;
    let gotBytes = false;
    const parser = new ResponseParser(sink, reusable => {
      finished = true;
      if (reusable) release(c);
      else c.socket.destroy();
    });
    c.onData = (buf, n) => {
      gotBytes = true;
      sink.alive();
      if (!parser.feed(buf, n)) {
        finished = true;
        c.onData = c.onGone = undefined;
        c.socket.destroy();
      }
    };
    c.onGone = err => {
      if (finished) return;
      // A kept-alive socket the server closed meanwhile: the request never reached it. Once on a new one.
      if (c.reused && !gotBytes && allowRetry) return start(false);
      if (!err && parser.endOfStream()) return; // a body framed by the end of the connection (a reset is a failure)
      sink.fail('network', err?.message ?? 'aborted', err?.code ?? 'ECONNRESET');
    };
    c.socket.write(request);
  };
  start(true);
  return {
    abort: () => {
      if (finished || !conn) return;
      finished = true;
      conn.onData = conn.onGone = undefined;
      conn.socket.destroy();
    },
  };
}

/** Response framing: head, then a Content-Length, chunked or until-close body. */
class ResponseParser {
  private headBytes: Buffer[] = [];
  private headLength = 0;
  private mode: 'head' | 'length' | 'chunked' | 'close' | 'done' = 'head';
  private remaining = 0;
  private chunk = new ChunkedDecoder();
  private keepAlive = true;

  constructor(
    private readonly sink: FileSink,
    private readonly onComplete: (reusable: boolean) => void,
  ) {}

  /** Returns false when the connection must be dropped (bad response, refused head). */
  feed(buf: Buffer, n: number): boolean {
    let off = 0;
    if (this.mode === 'head') {
      const at = this.takeHead(buf, n);
      if (at === false) return false;
      if (at < 0) return true;
      off = at;
    }
    if (this.mode === 'done') return off === n || this.fail('unexpected bytes after the response');
    if (this.mode === 'length') {
      const take = Math.min(this.remaining, n - off);
      this.sink.onBody(buf, off, take);
      this.remaining -= take;
      if (this.remaining === 0) return this.complete() && off + take === n;
      return true;
    }
    if (this.mode === 'chunked') {
      const r = this.chunk.feed(buf, off, n, (b, o, l) => this.sink.onBody(b, o, l));
      if (r === 'bad') return this.fail('malformed chunked body');
      if (r === 'end') return this.complete();
      return true;
    }
    this.sink.onBody(buf, off, n - off); // until close
    return true;
  }

  /** The connection ended; true when that ends the body properly. */
  endOfStream(): boolean {
    if (this.mode !== 'close') return false;
    this.mode = 'done';
    this.sink.onEnd();
    return true;
  }

  /** Index just after the head in `buf`, -1 when more is needed, false on a bad head. */
  private takeHead(buf: Buffer, n: number): number | false {
    const copy = Buffer.from(buf.subarray(0, n));
    this.headBytes.push(copy);
    this.headLength += n;
    const all = this.headBytes.length === 1 ? copy : Buffer.concat(this.headBytes);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) return this.headLength > MAX_HEAD ? this.fail('response head too large') : -1;
    const parsed = parseHead(all.subarray(0, end).toString('latin1'));
    if (!parsed) return this.fail('malformed response head');
    const consumedBefore = this.headLength - n; // bytes of earlier reads
    const bodyAt = end + 4 - consumedBefore;
    this.headBytes = [];
    if (parsed.status >= 100 && parsed.status < 200) {
      // An interim response: the real one follows.
      const rest = n - bodyAt;
      this.headLength = 0;
      if (rest <= 0) return -1;
      const at = this.takeHead(buf.subarray(bodyAt, n), rest);
      return at === false || at < 0 ? at : bodyAt + at;
    }
    const h = parsed.headers;
    const connection = (h.get('connection') ?? '').toLowerCase();
    this.keepAlive = parsed.http10 ? connection.includes('keep-alive') : !connection.includes('close');
    if (!this.sink.onHead(headFrom(parsed.status, name => h.get(name)))) return false;
    const te = (h.get('transfer-encoding') ?? '').toLowerCase();
    const length = h.get('content-length');
    if (parsed.status === 204 || parsed.status === 304) {
      this.remaining = 0; // no body, whatever the headers say (RFC 9112 §6.3)
      this.mode = 'length';
    } else if (te.includes('chunked')) this.mode = 'chunked';
    else if (length !== undefined && /^\d+$/.test(length)) {
      this.remaining = Number(length);
      this.mode = 'length';
    } else {
      this.mode = 'close';
      this.keepAlive = false;
    }
    if (this.mode === 'length' && this.remaining === 0) {
      this.complete();
      return bodyAt === n ? n : this.fail('unexpected bytes after the response');
    }
    return bodyAt;
  }

  private complete(): boolean {
    this.mode = 'done';
    this.sink.onEnd();
    this.onComplete(this.keepAlive);
    return true;
  }

  private fail(message: string): false {
    this.mode = 'done';
    this.sink.fail('network', message, 'EPROTO');
    return false;
  }
}

/** Transfer-Encoding: chunked, decoded incrementally. */
class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';
  private left = 0;

  feed(buf: Buffer, off: number, end: number, body: (b: Buffer, o: number, l: number) => void): 'more' | 'end' | 'bad' {
    let i = off;
    while (i < end) {
      if (this.state === 'data') {
        const take = Math.min(this.left, end - i);
        body(buf, i, take);
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-crlf';
        continue;
      }
      const c = buf[i++];
      if (c !== 0x0a) {
        if (c !== 0x0d) this.line += String.fromCharCode(c);
        if (this.line.length > 1024) return 'bad';
        continue;
      }
      const line = this.line;
      this.line = '';
      if (this.state === 'data-crlf') {
        if (line !== '') return 'bad';
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = /^([0-9a-fA-F]+)(;.*)?$/.exec(line.trim());
        if (!m) return 'bad';
        this.left = parseInt(m[1], 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return i === end ? 'end' : 'bad';
      }
    }
    return 'more';
  }
}
