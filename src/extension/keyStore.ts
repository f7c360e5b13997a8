// The user's OpenPGP key pair, kept in SecretStorage (the private key is passphrase-protected on top).
// A passphrase is kept in memory for the session only when the user allows it, never stored.
import type { VscodeSecretStore } from './adapters/secretStore';

export interface StoredKeyInfo {
  fingerprint: string;
  userId: string;
  algorithm: string;
  created: string;
}

const PRIVATE = 'asappExports.key/private';
const PUBLIC = 'asappExports.key/public';
const INFO = 'asappExports.key/info';

export class KeyStore {
  private sessionPassphrase: string | undefined;
  private offeredToRemember = false;

  constructor(private readonly secrets: VscodeSecretStore) {}

  async save(privateKeyArmored: string, publicKeyArmored: string, info: StoredKeyInfo): Promise<void> {
    await this.secrets.store(PRIVATE, privateKeyArmored);
    await this.secrets.store(PUBLIC, publicKeyArmored);
    await this.secrets.store(INFO, JSON.stringify(info));
    this.sessionPassphrase = undefined;
    this.offeredToRemember = false;
  }

  privateKey(): Promise<string | undefined> {
    return this.secrets.get(PRIVATE);
  }

  publicKey(): Promise<string | undefined> {
    return this.secrets.get(PUBLIC);
  }

  async info(): Promise<StoredKeyInfo | undefined> {
    const raw = await this.secrets.get(INFO);
    return raw ? (JSON.parse(raw) as StoredKeyInfo) : undefined;
  }

  rememberPassphrase(passphrase: string): void {
    this.sessionPassphrase = passphrase;
  }

  rememberedPassphrase(): string | undefined {
    return this.sessionPassphrase;
  }

  /** True the first time per key and session: "Ask every time" is not asked again. */
  shouldOfferToRemember(): boolean {
    const first = !this.offeredToRemember;
    this.offeredToRemember = true;
    return first;
  }

  forgetPassphrase(): void {
    this.sessionPassphrase = undefined;
  }
}
