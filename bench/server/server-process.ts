/**
 * The example server as a child process of the benchmark, so that its main thread (whose
 * event loop is measured) is not the one driving the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EventLoopDelay } from '../../examples/server/event-loop-monitor.js';

const SERVER_JS = fileURLToPath(new URL('../../examples/server/server.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts `server.js` with `args` on a free port of 127.0.0.1; resolves once it listens. */
  static async start(args: readonly string[]): Promise<ServerProcess> {
    const child = spawn(process.execPath, [SERVER_JS, '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not start in time')), START_TIMEOUT_MS);
      lines.on('line', (line) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match === null) return;
        clearTimeout(timer);
        resolve(match[1]!);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with code ${code} before listening`));
      });
    });
    return new ServerProcess(child, url);
  }

  async resetEventLoopDelay(): Promise<void> {
    const response = await fetch(`${this.url}/debug/event-loop/reset`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`reset failed: ${response.status}`);
  }

  async eventLoopDelay(): Promise<EventLoopDelay> {
    return (await (await fetch(`${this.url}/debug/event-loop`)).json()) as EventLoopDelay;
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** SIGTERM (the server closes its runtime and exits); SIGKILL if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
