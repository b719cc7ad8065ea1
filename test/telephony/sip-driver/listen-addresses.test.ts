import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, test } from 'node:test';
import { sipListenInfo } from '../../../src/telephony/sip-driver/listen-addresses.ts';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [
    nic('192.168.1.20', 'IPv4', false),
    nic('fe80::1', 'IPv6', false),
    nic('2001:db8::20', 'IPv6', false),
  ],
};

describe('SIP listen addresses printed at start', () => {
  test('bound to every interface: each IPv4 address, external first, loopback last', () => {
    assert.deepEqual(sipListenInfo('udp', { host: '0.0.0.0', port: 5060 }, undefined, interfaces), {
      transport: 'udp',
      bound: '0.0.0.0:5060',
      reachableAt: ['192.168.1.20:5060', '127.0.0.1:5060'],
    });
  });

  test('IPv6 wildcard lists IPv6 too (bracketed), never link-local', () => {
    const info = sipListenInfo('tcp', { host: '::', port: 5070 }, undefined, interfaces);
    assert.equal(info.bound, '[::]:5070');
    assert.deepEqual(info.reachableAt, [
      '192.168.1.20:5070',
      '[2001:db8::20]:5070',
      '127.0.0.1:5070',
      '[::1]:5070',
    ]);
  });

  test('a public address comes first; a specific bind is itself', () => {
    assert.deepEqual(
      sipListenInfo('udp', { host: '127.0.0.1', port: 5062 }, 'sip.example.com', interfaces).reachableAt,
      ['sip.example.com:5062', '127.0.0.1:5062'],
    );
    assert.deepEqual(
      sipListenInfo('udp', { host: '10.0.0.5', port: 5060 }, '198.51.100.7:5080', interfaces).reachableAt,
      ['198.51.100.7:5080', '10.0.0.5:5060'],
    );
  });
});
