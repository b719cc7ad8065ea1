import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { parseDigestChallenges } from '../../../src/telephony/sip/auth/digest-challenge.ts';
import { digestCredentials } from '../../../src/telephony/sip/auth/digest-credentials.ts';
import { parseMessage } from '../../../src/telephony/sip/message/parse-message.ts';
import type { SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import { SipDriver, type SipDriverOptions } from '../../../src/telephony/sip-driver.ts';

/** What one REGISTER carries. */
export interface RegisterOptions {
  user: string;
  callId: string;
  cseq: number;
  /** Contact URI (without brackets). */
  contact: string;
  expires?: number;
  /** Authorization header value, as answered or as captured. */
  authorization?: string;
}

let branches = 0;

/**
 * A softphone reduced to raw UDP: sends REGISTERs from its own socket (host chosen, port
 * OS-picked) and resolves with the registrar's final answer, so a test controls every header,
 * including an Authorization captured from another exchange.
 */
export class RegisterPhone {
  private readonly waiting = new Map<string, (response: SipResponse) => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('message', (data) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'response' || parsed.message.status < 200) return;
      const key = `${parsed.message.headers.get('call-id')} ${parsed.message.headers.get('cseq')}`;
      this.waiting.get(key)?.(parsed.message);
      this.waiting.delete(key);
    });
  }

  /** Binds a UDP socket on `host` (any 127.x.y.z works on Linux loopback), port chosen by the OS. */
  static async open(host = '127.0.0.1'): Promise<RegisterPhone> {
    const socket = createSocket('udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    return new RegisterPhone(socket);
  }

  /** `host:port` as the registrar sees it. */
  get source(): string {
    const address = this.socket.address();
    return `${address.address}:${address.port}`;
  }

  /** Sends one REGISTER to 127.0.0.1:`port`; resolves with the final response (5 s at most). */
  register(port: number, options: RegisterOptions): Promise<SipResponse> {
    branches += 1;
    const lines = [
      `REGISTER sip:pconn.test SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.source};branch=z9hG4bK-reg${branches}-${process.pid}`,
      `From: <sip:${options.user}@pconn.test>;tag=ph${branches}`,
      `To: <sip:${options.user}@pconn.test>`,
      `Call-ID: ${options.callId}`,
      `CSeq: ${options.cseq} REGISTER`,
      `Contact: <${options.contact}>`,
      `Expires: ${options.expires ?? 600}`,
      'Max-Forwards: 70',
      ...(options.authorization ? [`Authorization: ${options.authorization}`] : []),
      'Content-Length: 0',
      '',
      '',
    ];
    const key = `${options.callId} ${options.cseq} REGISTER`;
    const answered = new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to REGISTER ${key}`)), 5000);
      this.waiting.set(key, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
    this.socket.send(lines.join('\r\n'), port, '127.0.0.1');
    return answered;
  }

  close(): void {
    this.socket.close();
  }
}

/** The Authorization answering the first challenge of `challenge` with nonce-count `nc`. */
export function answer(challenge: SipResponse, user: string, password: string, nc = 1): string {
  const [first] = parseDigestChallenges(challenge.headers.getAll('www-authenticate'));
  if (!first) throw new Error(`no digest challenge in a ${challenge.status}`);
  const credentials = digestCredentials(first, {
    username: user,
    password,
    method: 'REGISTER',
    uri: 'sip:pconn.test',
    nc,
  });
  if (!credentials) throw new Error('the challenge cannot be answered');
  return credentials.value;
}

/** Whether a 401 says stale=true (the phone retries without asking for a password). */
export function isStale(response: SipResponse): boolean {
  return parseDigestChallenges(response.headers.getAll('www-authenticate')).some((c) => c.stale);
}

/** Passwords of the test registrar's users; every AOR is `t1/<user>`. */
export const PASSWORDS: Record<string, string> = { alice: 'alice-sip-secret', bob: 'bob-sip-secret' };

/** A SIP driver on 127.0.0.1 (OS-picked port) whose registrar knows {@link PASSWORDS}. */
export function startRegistrarDriver(options: Partial<SipDriverOptions> = {}): Promise<SipDriver> {
  return SipDriver.start({
    listen: { transport: 'udp', host: '127.0.0.1', port: 0 },
    t1Ms: 100,
    realm: 'pconn.test',
    nonceSecret: 'a shared nonce secret of the test nodes',
    maxRegisterExpires: 3600,
    digestAlgorithms: ['MD5'],
    directory: {
      trunkFor: async () => undefined,
      registeredAccounts: async (username) => {
        const password = PASSWORDS[username];
        return password ? [{ password, aor: `t1/${username}` }] : [];
      },
    },
    ...options,
  });
}
