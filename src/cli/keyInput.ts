// Key material from the command line: the armored private key file and its passphrase
// (--passphrase-file, ASAPP_EXPORTS_PASSPHRASE, or a hidden prompt). Every secret read here is
// registered with the redactor before anything else happens.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { OptionValues } from './command';
import type { CliContext } from './context';
import { PgpError, UsageError } from '../core/errors';
import { privateKeyNeedsPassphrase, unlockPrivateKey, type UnlockedKey } from '../core/pgp';

export const PASSPHRASE_ENV = 'ASAPP_EXPORTS_PASSPHRASE';

/**
 * The passphrase from --passphrase-file (its last line ending dropped), ASAPP_EXPORTS_PASSPHRASE, or a
 * hidden prompt (asked twice when `confirm`). Registered with the redactor before anything else happens.
 */
export async function readPassphrase(ctx: CliContext, values: OptionValues, o: { confirm?: boolean; purpose: string }): Promise<string> {
  let passphrase: string;
  const file = values['passphrase-file'];
  if (typeof file === 'string') {
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, file), 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read the passphrase file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    passphrase = text.replace(/\r?\n$/, '');
  } else if (ctx.env[PASSPHRASE_ENV] !== undefined) {
    passphrase = ctx.env[PASSPHRASE_ENV] ?? '';
  } else {
    passphrase = await ctx.promptSecret(`Passphrase ${o.purpose}: `);
    ctx.redactor.add(passphrase);
    if (o.confirm) {
      const again = await ctx.promptSecret('Same passphrase again: ');
      if (again !== passphrase) throw new UsageError('The two passphrases differ: run the command again.');
    }
  }
  ctx.redactor.add(passphrase);
  if (!passphrase) throw new UsageError(`The passphrase is empty: put it in --passphrase-file F, ${PASSPHRASE_ENV}, or type it when asked.`);
  return passphrase;
}

export async function readKeyFile(ctx: CliContext, file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(ctx.cwd, file)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PgpError(
      code === 'ENOENT' ? `${what} ${file} does not exist: give the right path with --key.` : `Cannot read ${what} ${file} (${code ?? 'error'}).`,
      { code: 'pgp.io', cause: e },
    );
  }
}

/** The unlocked private key of `--key FILE` (asking for the passphrase only when the key has one). */
export async function loadKey(ctx: CliContext, values: OptionValues): Promise<UnlockedKey> {
  const keyFile = values.key as string | undefined;
  if (!keyFile) throw new UsageError('--decrypt needs --key FILE (your armored private key).');
  return loadPrivateKey(ctx, values, keyFile);
}

export async function loadPrivateKey(ctx: CliContext, values: OptionValues, keyFile: string): Promise<UnlockedKey> {
  const keyData = await readKeyFile(ctx, keyFile, 'The private key file');
  ctx.redactor.add(new TextDecoder().decode(keyData));
  const passphrase = (await privateKeyNeedsPassphrase(keyData)) ? await readPassphrase(ctx, values, { purpose: `for ${basename(keyFile)}` }) : '';
  return unlockPrivateKey(keyData, passphrase);
}
