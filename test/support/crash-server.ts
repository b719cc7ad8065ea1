import type { ChildProcess } from 'node:child_process';
import { freeTcpPort, startServerProcess } from './server-process.ts';

/** Calls the API with the client's token; throws on an error status; answers the JSON body. */
export type CrashApi = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/**
 * A real server process for the SIGKILL tests: started on a fixed port (so clients reconnect to
 * the same address after each restart), with the bootstrap client `crash`.
 */
export class CrashServer {
  child: ChildProcess | undefined;
  port = 0;
  token = '';
  api!: CrashApi;

  constructor(
    private readonly options: { dir: string; secret: string; env: Record<string, string>; entry?: string },
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process, waits for /readyz and gets a token. */
  async start(): Promise<void> {
    this.port = await freeTcpPort();
    this.child = await this.#spawn();
    await this.connect();
  }

  /** Gets a token and the API client (again after a restart whose process was killed early). */
  async connect(): Promise<void> {
    const tokenResponse = await fetch(`${this.base}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'crash',
        client_secret: this.options.secret,
      }),
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    this.token = token;
    this.api = async (method, path, body) => {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
  }

  /** `kills` times: waits `minMs` plus up to `spreadMs` at random, SIGKILLs, restarts. */
  async killAndRestart(kills: number, minMs: number, spreadMs: number): Promise<void> {
    for (let kill = 0; kill < kills; kill++) {
      await new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * spreadMs));
      await this.kill();
      await this.restart();
    }
  }

  /** SIGKILLs the process now and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts the process again on the same port and data (the token stays valid). */
  async restart(): Promise<void> {
    this.child = await this.#spawn();
  }

  /** Kills the process for good (test teardown). */
  stop(): void {
    this.child?.kill('SIGKILL');
  }

  #spawn(): Promise<ChildProcess> {
    return startServerProcess({ port: this.port, ...this.options });
  }
}

/**
 * The running campaign `crash` (window always open, caller id verified) with `agentCount`
 * agents `agent-N`, whose `retryPolicy` retries calls a kill cut short after a second.
 */
export async function createCrashCampaign(
  api: CrashApi,
  agentCount: number,
  retryPolicy: Record<string, unknown>,
): Promise<void> {
  await api('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  const agents = Array.from({ length: agentCount }, (_, i) => `agent-${i}`);
  for (const agent of agents)
    await api('PUT', `/v1/users/${agent}`, {
      name: agent,
      device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` },
    });
  await api('PUT', '/v1/campaigns/crash', {
    name: 'Crash',
    callerId: '+14155550100',
    timezone: 'UTC',
    callingWindow: { start: '00:00', end: '00:00' },
    agentIds: agents,
    retryPolicy,
    maxAttemptsPerContact: 10,
  });
  await api('POST', '/v1/campaigns/crash/start');
}
