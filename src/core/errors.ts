// Typed errors carry a user-facing message that already says how to fix the problem. Front ends show
// `message` as is; `code` is for programs (CLI --json, tests). Never put a secret in a message.

export interface ErrorDetails {
  /** Stable machine-readable code, e.g. 'layout.bad-date', 's3.access-denied'. */
  code: string;
  cause?: unknown;
}

export class ExportsError extends Error {
  readonly code: string;
  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
  }
}

/** Wrong command-line or API usage (the CLI exits with 2). */
export class UsageError extends ExportsError {
  constructor(message: string, code = 'usage') {
    super(message, { code });
  }
}

/** A bucket name, S3 path, partition value or file name that does not follow the export layout. */
export class LayoutError extends ExportsError {}

/** Key generation, import, encryption or decryption failures (openpgp mapped to advice). */
export class PgpError extends ExportsError {}

/** A credentials file that cannot be parsed or stored. Never includes the secret's value. */
export class CredentialsError extends ExportsError {}

/** S3 failures mapped to advice; `s3Code`/`status` keep what the server said. */
export class S3Error extends ExportsError {
  readonly s3Code?: string;
  readonly status?: number;
  constructor(message: string, details: ErrorDetails & { s3Code?: string; status?: number }) {
    super(message, details);
    this.s3Code = details.s3Code;
    this.status = details.status;
  }
}

/** Download, preview, dedupe and schema errors that are not S3 or PGP errors. */
export class DownloadError extends ExportsError {}
export class PreviewError extends ExportsError {}
export class DedupeError extends ExportsError {}
export class SchemaError extends ExportsError {}

/** The user cancelled. Front ends stay silent on it. */
export class CancellationError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancellationError';
  }
}

export function isCancellation(err: unknown): boolean {
  if (err instanceof CancellationError) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'CancellationError';
}

/** Throws CancellationError when the signal has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancellationError();
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
