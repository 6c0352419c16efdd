// The fast secret-file builder gives exactly what formatCertFile writes.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { formatCertFile } from '../../../src-main/core/formats/cert-file.js';
import { freshPairSecretCert } from '../../../src-main/core/provisioning/secret-cert.js';

describe('freshPairSecretCert', () => {
  it('matches formatCertFile byte for byte for many pairs and names', () => {
    const now = new Date('2026-05-04T10:11:12.345Z');
    const format = freshPairSecretCert(now);
    for (let i = 0; i < 50; i++) {
      const pair = generateKeyPair();
      const metadata = { name: `device-${i}${i % 7 === 0 ? '.edge_α' : ''}`, endpoint: `tcp://10.0.${i}.1:5555` };
      const publicText = formatCertFile({ publicKey: pair.publicKey, metadata }, 'zcert', { secret: false, now });
      expect(format({ ...pair, metadata }, publicText)).toBe(formatCertFile({ ...pair, metadata }, 'zcert', { secret: true, now }));
    }
  });
});
