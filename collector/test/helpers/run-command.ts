import { spawn } from 'node:child_process';

/** How a command ended: its exit code, what it printed on each stream and in the order it arrived, and how long it took. */
export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived, interleaved. */
  output: string;
  ms: number;
}

/**
 * Runs a command to its end without blocking this process (its servers must answer the command
 * meanwhile), with only PATH and `env` in its environment; killed after `timeoutMs`.
 */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CommandRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env } });
    const got = { stdout: '', stderr: '', output: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        got[stream] += text;
        got.output += text;
      });
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...got, ms: Date.now() - started });
    });
  });
}
