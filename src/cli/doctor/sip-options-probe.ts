import { createSocket } from 'node:dgram';
import { newBranch, newCallId, newTag } from '../../telephony/sip/message/message-ids.ts';
import { parseMessage } from '../../telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../telephony/sip/message/serialize-message.ts';
import { createRequest } from '../../telephony/sip/message/sip-message.ts';
import { parseUri } from '../../telephony/sip/message/sip-uri.ts';

/** What an OPTIONS ping found. */
export interface SipProbeResult {
  reachable: boolean;
  /** Status and reason of the answer (any answer, even 404 or 407, means the peer is up). */
  status?: number;
  reason?: string;
  rttMs?: number;
  error?: string;
}

/**
 * Sends one SIP OPTIONS over UDP (RFC 3261 §11) to a trunk URI and times the first response
 * with the same Call-ID. No retransmission: a doctor wants an answer within `timeoutMs`, and
 * no answer means unreachable (a closed port may also answer with ICMP, seen as an error).
 */
export async function probeSipOptions(uri: string, timeoutMs: number): Promise<SipProbeResult> {
  const parsed = parseUri(uri);
  if (parsed?.kind !== 'sip') return { reachable: false, error: `'${uri}' is not a sip: URI` };
  const host = parsed.host.replace(/^\[|\]$/g, '');
  const port = parsed.port ?? 5060;
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => resolve());
    });
    const local = socket.address();
    const callId = newCallId();
    const request = createRequest('OPTIONS', `sip:${parsed.host}:${port}`, [
      ['Via', `SIP/2.0/UDP ${local.address}:${local.port};branch=${newBranch()};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:pconn-doctor@${local.address}>;tag=${newTag()}`],
      ['To', `<sip:${parsed.host}:${port}>`],
      ['Call-ID', callId],
      ['CSeq', '1 OPTIONS'],
      ['Accept', 'application/sdp'],
      ['User-Agent', 'pconn-doctor'],
      ['Content-Length', '0'],
    ]);
    const started = performance.now();
    return await new Promise<SipProbeResult>((resolve) => {
      const timer = setTimeout(
        () => resolve({ reachable: false, error: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
      socket.on('message', (data) => {
        const result = parseMessage(data);
        if (!result.ok || result.message.kind !== 'response') return;
        if (result.message.headers.get('call-id') !== callId) return;
        clearTimeout(timer);
        resolve({
          reachable: true,
          status: result.message.status,
          reason: result.message.reason,
          rttMs: Math.round(performance.now() - started),
        });
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ reachable: false, error: error.code ?? error.message });
      });
      socket.send(serializeMessage(request));
    });
  } catch (error) {
    return { reachable: false, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    socket.close();
  }
}
