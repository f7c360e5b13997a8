// Which key decrypts `.enc` files of a connection: the demo's own key for demo connections (the demo
// encrypts one file to it), otherwise the user's.
import type { UnlockedKey } from '../../core/pgp';
import type { Connection } from '../connections';
import type { ExtensionEnv } from '../env';
import { demoSession } from './credentials';
import { unlockKey } from './keys';

export async function keyForConnection(env: ExtensionEnv, connection: Connection | undefined, why: string): Promise<UnlockedKey> {
  const demo = demoSession();
  if (connection?.source === 'demo' && demo) return demo.key();
  return unlockKey(env, why);
}

/** A local file may come from any connection: the user's key when there is one, else the demo's. */
export async function keyForLocalFile(env: ExtensionEnv, why: string): Promise<UnlockedKey> {
  const demo = demoSession();
  if (!(await env.keys.privateKey()) && demo) return demo.key();
  return unlockKey(env, why);
}
