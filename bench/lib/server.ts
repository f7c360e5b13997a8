// The local S3 server (fauxqs) in its own process, so that it does not share an event loop with the
// client being measured (in-process it would slow our client and no other): fair to every client.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface ServerProcess {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startServerProcess(): Promise<ServerProcess> {
  const tsxCli = require.resolve('tsx/cli');
  const child: ChildProcess = spawn(process.execPath, [tsxCli, path.join(__dirname, 's3ServerMain.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      const m = /ENDPOINT (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', code => reject(new Error(`the S3 server process exited (${code}) before it listened`)));
  });
  return {
    endpoint,
    pid: child.pid!,
    stop: () =>
      new Promise<void>(resolve => {
        child.once('exit', () => resolve());
        child.stdin!.end(); // the server exits when its stdin closes
      }),
  };
}
