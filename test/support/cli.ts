// Runs the CLI in-process through main() with captured output (faster than spawning dist/cli.js).
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
