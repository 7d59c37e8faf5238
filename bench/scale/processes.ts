/**
 * Child processes the collector benchmarks measure: the bare baseline server,
 * and one-shot commands whose wall time and peak memory are taken.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Peak resident memory so far (VmHWM) of a live process, in MiB; NaN once it is gone. */
export function peakRssMiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** The bare node:http ceiling (bare-server.js), listening on 127.0.0.1. */
export async function startBareServer(gets: Record<string, string> = {}): Promise<{ origin: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BARE_GET: JSON.stringify(gets) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a command to its end: wall time, and the highest VmHWM seen while it ran (sampled every 20 ms). */
export async function measureRun(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ seconds: number; peakMiB: number; output: string }> {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    const now = peakRssMiB(child.pid!);
    if (now > peak) peak = now;
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
  return { seconds: (performance.now() - started) / 1000, peakMiB: peak, output };
}
