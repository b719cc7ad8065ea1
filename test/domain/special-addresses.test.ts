import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { specialRangeOf } from '../../src/domain/special-addresses.ts';

// One address inside every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (plus multicast, site-local and the space outside 2000::/3), and the block expected to catch it.
const SPECIAL: ReadonlyArray<readonly [address: string, cidr: string]> = [
  ['0.1.2.3', '0.0.0.0/8'],
  ['10.20.30.40', '10.0.0.0/8'],
  ['100.127.255.254', '100.64.0.0/10'],
  ['127.255.0.1', '127.0.0.0/8'],
  ['169.254.169.254', '169.254.0.0/16'],
  ['172.31.255.255', '172.16.0.0/12'],
  ['192.0.0.9', '192.0.0.0/24'],
  ['192.0.2.10', '192.0.2.0/24'],
  ['192.31.196.1', '192.31.196.0/24'],
  ['192.52.193.1', '192.52.193.0/24'],
  ['192.88.99.1', '192.88.99.0/24'],
  ['192.168.1.1', '192.168.0.0/16'],
  ['192.175.48.1', '192.175.48.0/24'],
  ['198.19.255.1', '198.18.0.0/15'],
  ['198.51.100.7', '198.51.100.0/24'],
  ['203.0.113.7', '203.0.113.0/24'],
  ['239.255.255.250', '224.0.0.0/4'],
  ['250.1.2.3', '240.0.0.0/4'],
  ['255.255.255.255', '255.255.255.255/32'],
  ['::', '::/128'],
  ['::1', '::1/128'],
  ['::ffff:127.0.0.1', '127.0.0.0/8'],
  ['::ffff:a9fe:a9fe', '169.254.0.0/16'],
  ['::10.0.0.1', '10.0.0.0/8'],
  ['::8.8.8.8', '::/96'],
  ['64:ff9b::192.168.0.1', '192.168.0.0/16'],
  ['64:ff9b:1::808:808', '64:ff9b:1::/48'],
  ['100::1', '100::/64'],
  ['100:0:0:1::1', '100:0:0:1::/64'],
  ['2001::1', '2001::/23'],
  ['2001:db8:1::1', '2001:db8::/32'],
  ['2002:c0a8:0101::1', '192.168.0.0/16'],
  ['2620:4f:8000::1', '2620:4f:8000::/48'],
  ['3fff:1::1', '3fff::/20'],
  ['5f00::1', '5f00::/16'],
  ['fd00::1', 'fc00::/7'],
  ['febf::1', 'fe80::/10'],
  ['fec0::1', 'fec0::/10'],
  ['ff02::1', 'ff00::/8'],
  ['1000::1', '::/3'],
  ['4000::1', '4000::/2'],
  ['e000::1', '8000::/1'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '100.63.255.255',
  '172.32.0.1',
  '192.0.3.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:808:808::1',
];

describe('special-purpose addresses', () => {
  test('every registry block catches an address inside it', () => {
    const wrong = SPECIAL.flatMap(([address, cidr]) => {
      const found = specialRangeOf(address)?.range.cidr;
      return found === cidr ? [] : [`${address}: expected ${cidr}, got ${found}`];
    });
    assert.deepEqual(wrong, []);
  });

  test('public unicast addresses pass, including mapped, NAT64 and 6to4 forms of public IPv4', () => {
    const wrong = PUBLIC.filter((address) => specialRangeOf(address) !== undefined);
    assert.deepEqual(wrong, []);
  });

  test('embedded IPv4 is named, brackets and zones are ignored, non-addresses fail closed', () => {
    assert.equal(specialRangeOf('64:ff9b::7f00:1')?.embeddedIpv4, '127.0.0.1');
    assert.equal(specialRangeOf('[::ffff:7f00:1]')?.range.cidr, '127.0.0.0/8');
    // node's BlockList alone answers false for an address with a zone.
    assert.equal(specialRangeOf('fe80::1%eth0')?.range.cidr, 'fe80::/10');
    assert.equal(specialRangeOf('hooks.example')?.range.name, 'Not an IP address');
  });
});
