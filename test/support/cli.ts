// Runs the CLI in-process through main() with captured output (faster than spawning dist/cli.js).
import * as path from 'node:path';
import { main } from '../../src/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  o: { env: NodeJS.ProcessEnv; cwd: string; stdin?: NodeJS.ReadStream; tty?: boolean },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => { stdout += t; return true; } },
    stderr: { write: (t: string) => { stderr += t; return true; }, isTTY: o.tty },
    env: o.env,
    cwd: o.cwd,
    ...(o.stdin ? { stdin: o.stdin } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * An environment for the CLI that reaches `target` with its keys, and keeps HOME and the AWS shared files
 * inside `home` (so the developer's ~/.aws is never read or written).
 */
export function s3CliEnv(target: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: target.endpoint,
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_CONFIG_FILE: path.join(home, 'config'),
  };
}
