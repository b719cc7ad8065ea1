import type { Setting } from '../config-settings.ts';

/** The SIP driver's rows of the settings table (SETTINGS lists them in this order). */
export const SIP_SETTINGS = {
  PCONN_SIP_LISTEN: {
    group: 'SIP',
    default: 'udp://0.0.0.0:5060',
    description:
      'SIP socket of the `sip` driver: `udp://host:port`, `tcp://host:port` or `tls://host:port` (SIP over TLS, usually port 5061; needs `PCONN_SIP_TLS_CERT_FILE` and `PCONN_SIP_TLS_KEY_FILE`); port `0` = any free port',
  },
  PCONN_SIP_PUBLIC_ADDRESS: {
    group: 'SIP',
    description:
      'host written in Contact/Via and SDP origins when the listen address is not what peers reach (NAT, containers)',
  },
  PCONN_SIP_REALM: {
    group: 'SIP',
    default: 'pconn',
    description: 'digest realm softphones authenticate against when they REGISTER',
  },
  PCONN_SIP_NONCE_SECRET: {
    group: 'SIP',
    defaultText: 'random per start',
    description:
      'secret keying registrar nonces (≥ 16 characters); set it so restarts and other nodes accept outstanding nonces',
  },
  PCONN_SIP_T1_MS: {
    group: 'SIP',
    default: '500',
    description:
      'RFC 3261 T1 in ms; every SIP timer derives from it (Timer B/F = 64·T1 = 32 s). Lower only for tests',
  },
  PCONN_SIP_DIGEST_ALGORITHMS: {
    group: 'SIP',
    default: 'MD5',
    description:
      'digest challenges the registrar sends, most preferred first (`SHA-512-256`, `SHA-256`, `MD5`). Default `MD5` alone: baresip (libre) and older pjsip phones such as MicroSIP refuse a 401 that offers any algorithm they lack, in any position; use `SHA-256,MD5` only when every phone handles several challenges',
  },
  PCONN_SIP_ALLOW_DESTINATIONS: {
    group: 'SIP',
    default: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7',
    description:
      'special-purpose networks (CIDR list, or `none`) that trunk and SIP device URIs may still point at; IP literals elsewhere in the IANA special-purpose registries — loopback, link-local (cloud metadata), multicast… — and `localhost` are refused when saved (400, pointer `/uri` or `/device/uri`). The default allows the private networks PBXs live on; add `127.0.0.0/8` for peers on this machine (docs/security.md)',
  },
  PCONN_SIP_KEEPALIVE_SECONDS: {
    group: 'SIP',
    default: '30',
    description:
      'seconds between OPTIONS probes of each trunk (RFC 3261 §11); a trunk that stops answering is logged; `0` = off',
  },
  PCONN_SIP_TLS_CERT_FILE: {
    group: 'SIP',
    description:
      'PEM certificate (chain) the SIP-over-TLS listener presents to phones and trunks; required with `tls://`',
  },
  PCONN_SIP_TLS_KEY_FILE: {
    group: 'SIP',
    description: 'PEM private key of that certificate; required with `tls://`',
  },
  PCONN_SIP_TLS_CA_FILE: {
    group: 'SIP',
    defaultText: "Node's trusted public roots",
    description:
      'PEM CA bundle that certificates of TLS peers pconn connects to (trunks, phones) must chain to',
  },
  PCONN_SIP_TLS_VERIFY: {
    group: 'SIP',
    default: 'on',
    description:
      '`off` accepts any certificate from TLS peers pconn connects to (tests, private CAs you cannot export); the connection is then encrypted but not authenticated',
  },
  PCONN_SIP_REGISTER_MAX_EXPIRES: {
    group: 'SIP',
    default: '3600',
    description: 'longest registration granted, seconds (longer requests are shortened)',
  },
  PCONN_SIP_NONCE_TTL_SECONDS: {
    group: 'SIP',
    default: '60',
    description:
      'lifetime of a registrar nonce, seconds; a correct answer after it gets a new challenge with `stale=true`, which phones answer silently. Each nonce-count is accepted once, across nodes (store table `sip_nonce_uses`)',
  },
  PCONN_SIP_REGISTER_MAX_FAILURES: {
    group: 'SIP',
    default: '10',
    description:
      'wrong REGISTER digests (wrong password or unknown user) per username, and per source host, within `PCONN_SIP_REGISTER_FAILURE_WINDOW_SECONDS` before that username or host is refused with 403 for the lockout time',
  },
  PCONN_SIP_REGISTER_FAILURE_WINDOW_SECONDS: {
    group: 'SIP',
    default: '300',
    description: 'window, seconds, in which `PCONN_SIP_REGISTER_MAX_FAILURES` wrong digests lock out',
  },
  PCONN_SIP_REGISTER_LOCKOUT_SECONDS: {
    group: 'SIP',
    default: '60',
    description:
      'first REGISTER lockout, seconds (403 with Retry-After, even for the right password); each further lockout of the same username or host doubles it, up to 16×',
  },
  PCONN_RTP_PORTS: {
    group: 'SIP',
    default: '20000-29999',
    description:
      'UDP port range of anchored media (contacts pconn answers itself for answer detection and prompts): each such call takes an even RTP port and the odd RTCP port above it until it is bridged or ends. Open it on the firewall',
  },
  PCONN_RTP_PUBLIC_ADDRESS: {
    group: 'SIP',
    defaultText: '`PCONN_SIP_PUBLIC_ADDRESS` host, else the SIP listen address',
    description:
      'address written into the SDP of anchored media, i.e. where contacts send RTP: set it behind NAT (the public address whose `PCONN_RTP_PORTS` are forwarded to this node)',
  },
} as const satisfies Record<string, Setting>;
