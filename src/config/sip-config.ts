import { ConfigError, integer, text } from './env-values.ts';

/** Settings of the SIP driver (PCONN_SIP_*). */
export interface SipConfig {
  /** Where the SIP user agent listens: `udp://host:port` (port 0 = any free port). */
  listen: { transport: 'udp' | 'tcp' | 'tls'; host: string; port: number };
  /** Certificate files of SIP over TLS; set exactly when `listen.transport` is `tls`. */
  tls?: SipTlsFiles;
  /** Host (and port) written in Via/Contact when the listen address is not reachable (NAT). */
  publicAddress?: string;
  /** Digest realm of the registrar. */
  realm: string;
  /** Secret keying registrar nonces; nodes sharing a registrar domain must share it. */
  nonceSecret?: string;
  /** RFC 3261 §17.1.1.1 T1 in ms (Timer B = 64·T1); lower only in tests. */
  t1Ms: number;
  /** Longest registration accepted, seconds (a longer Expires is shortened, RFC 3261 §10.3). */
  maxRegisterExpires: number;
  /** Digest algorithms the registrar challenges with, most preferred first (RFC 8760 §2.3). */
  digestAlgorithms: Array<'SHA-512-256' | 'SHA-256' | 'MD5'>;
  /** Seconds between OPTIONS probes of each trunk (RFC 3261 §11); 0 = off. */
  keepaliveSeconds: number;
  /** Lifetime of a registrar nonce, seconds. */
  nonceTtlSeconds: number;
  /** Password-guessing brake of the registrar (per username and per source host). */
  registerLockout: { maxFailures: number; windowSeconds: number; lockoutSeconds: number };
  /** Anchored media: the RTP port range and the address written into its SDP (NAT). */
  rtp: { ports: { min: number; max: number }; publicAddress?: string };
}

/** Where SIP-over-TLS certificates are (read by the SIP driver at start). */
export interface SipTlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle for verifying TLS peers we connect to; Node's roots when absent. */
  caFile?: string;
  /** False: peers' certificates are not verified (PCONN_SIP_TLS_VERIFY=off). */
  verifyPeer: boolean;
}

/** The SIP driver's settings (PCONN_SIP_*), checked. */
export function sipConfig(env: NodeJS.ProcessEnv): SipConfig {
  const raw = text(env, 'PCONN_SIP_LISTEN');
  const match = /^(udp|tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new ConfigError(
      `PCONN_SIP_LISTEN must look like udp://0.0.0.0:5060 (or tcp://, tls://), got '${raw}'.`,
    );
  const nonceSecret = env.PCONN_SIP_NONCE_SECRET;
  if (nonceSecret && nonceSecret.length < 16)
    throw new ConfigError('PCONN_SIP_NONCE_SECRET must be at least 16 characters.');
  const transport = match[1] as 'udp' | 'tcp' | 'tls';
  const tls = transport === 'tls' ? sipTlsFiles(env) : undefined;
  return {
    listen: { transport, host: (match[2] ?? '').replace(/^\[|\]$/g, ''), port },
    ...(tls ? { tls } : {}),
    publicAddress: env.PCONN_SIP_PUBLIC_ADDRESS || undefined,
    realm: text(env, 'PCONN_SIP_REALM'),
    nonceSecret: nonceSecret || undefined,
    t1Ms: integer(env, 'PCONN_SIP_T1_MS', 1),
    maxRegisterExpires: integer(env, 'PCONN_SIP_REGISTER_MAX_EXPIRES', 60),
    digestAlgorithms: digestAlgorithms(text(env, 'PCONN_SIP_DIGEST_ALGORITHMS')),
    keepaliveSeconds: integer(env, 'PCONN_SIP_KEEPALIVE_SECONDS'),
    nonceTtlSeconds: integer(env, 'PCONN_SIP_NONCE_TTL_SECONDS', 1),
    registerLockout: {
      maxFailures: integer(env, 'PCONN_SIP_REGISTER_MAX_FAILURES', 1),
      windowSeconds: integer(env, 'PCONN_SIP_REGISTER_FAILURE_WINDOW_SECONDS', 1),
      lockoutSeconds: integer(env, 'PCONN_SIP_REGISTER_LOCKOUT_SECONDS', 1),
    },
    rtp: rtpConfig(env),
  };
}

function rtpConfig(env: NodeJS.ProcessEnv): SipConfig['rtp'] {
  const raw = text(env, 'PCONN_RTP_PORTS');
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(raw);
  const ports = match && { min: Number(match[1]), max: Number(match[2]) };
  // At least one even RTP port with its odd RTCP port above it, within 1–65535.
  if (!ports || ports.min < 1 || ports.max > 65535 || ports.min + (ports.min % 2) + 1 > ports.max)
    throw new ConfigError(
      `PCONN_RTP_PORTS must be a range like 20000-29999 holding at least one even/odd port pair, got '${raw}'.`,
    );
  const publicAddress = env.PCONN_RTP_PUBLIC_ADDRESS?.trim();
  return { ports, ...(publicAddress ? { publicAddress } : {}) };
}

function sipTlsFiles(env: NodeJS.ProcessEnv): SipTlsFiles {
  const certFile = text(env, 'PCONN_SIP_TLS_CERT_FILE');
  const keyFile = text(env, 'PCONN_SIP_TLS_KEY_FILE');
  if (!certFile || !keyFile)
    throw new ConfigError(
      'PCONN_SIP_LISTEN=tls://… needs PCONN_SIP_TLS_CERT_FILE and PCONN_SIP_TLS_KEY_FILE (PEM files).',
    );
  const verify = text(env, 'PCONN_SIP_TLS_VERIFY');
  if (verify !== 'on' && verify !== 'off')
    throw new ConfigError(`PCONN_SIP_TLS_VERIFY must be 'on' or 'off', got '${verify}'.`);
  const caFile = text(env, 'PCONN_SIP_TLS_CA_FILE');
  return { certFile, keyFile, ...(caFile ? { caFile } : {}), verifyPeer: verify === 'on' };
}

function digestAlgorithms(raw: string): SipConfig['digestAlgorithms'] {
  const known = ['SHA-512-256', 'SHA-256', 'MD5'] as const;
  // MD5 alone by default: phones on libre (baresip) or older pjsip fail a REGISTER whose 401
  // names any algorithm they lack, in any position (see DEFAULT_REGISTRAR_ALGORITHMS).
  const names = raw.split(',').map((name) => name.trim().toUpperCase());
  const bad = names.filter((name) => !(known as readonly string[]).includes(name));
  if (bad.length > 0 || names.length === 0)
    throw new ConfigError(`PCONN_SIP_DIGEST_ALGORITHMS must list ${known.join(', ')}, got '${raw}'.`);
  return names as SipConfig['digestAlgorithms'];
}
