// Timing external commands, and the statistics the benchmarks print.
import { spawn } from 'node:child_process';

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export function timeCommand(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    child.on('error', reject);
    child.on('close', code => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? -1, stdout, stderr }));
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Environment without variables that break peers here (AWS_CA_BUNDLE: rclone refuses it; aws does not need it locally). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  delete env.AWS_ENDPOINT_URL;
  delete env.AWS_ENDPOINT_URL_S3;
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length)));
  return rows.map(r => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
