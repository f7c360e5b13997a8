// Secrets must never reach logs or messages. Loggers pass every line through a Redactor that knows the
// secrets of this session, plus patterns that look like AWS secret keys or armored private keys.

const PRIVATE_KEY_BLOCK = /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?(-----END PGP PRIVATE KEY BLOCK-----|$)/g;
// 40-char base64-ish tokens right after something that names a secret.
const SECRET_ASSIGNMENT = /((?:secret(?:_access)?_?key|secretAccessKey|aws_secret_access_key|passphrase|password)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a secret value so that it is masked wherever it appears later. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(PRIVATE_KEY_BLOCK, '[private key redacted]').replace(SECRET_ASSIGNMENT, '$1[redacted]');
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out;
  }
}

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: enough to recognise, not enough to use. */
export function maskKeyId(id: string): string {
  if (id.length <= 8) return '…';
  return `${id.slice(0, 4)}…${id.slice(-4)}`;
}
