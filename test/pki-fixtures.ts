/** Test certificates made on the fly with @peculiar/x509 (WebCrypto): a CA and a leaf, as PEM. */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A self-signed CA certificate (basicConstraints CA:TRUE). */
export async function caPem(cn = 'Test Root CA'): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=${cn}`, notBefore: new Date('2026-01-01'), notAfter: new Date('2036-01-01'),
    keys: keys as CryptoKeyPair, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return cert.toString('pem');
}

/** A self-signed leaf certificate (CA:FALSE). */
export async function leafPem(cn = 'leaf'): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02', name: `CN=${cn}`, notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01'),
    keys: keys as CryptoKeyPair, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return cert.toString('pem');
}

/** The fixed public test certificates in test/fixtures (stable across runs, for snapshots). */
export const FIXTURES = {
  rootA: readFileSync(join(__dirname, 'fixtures', 'root-a.pem'), 'utf8'),
  rootB: readFileSync(join(__dirname, 'fixtures', 'root-b.pem'), 'utf8'),
  leaf: readFileSync(join(__dirname, 'fixtures', 'leaf.pem'), 'utf8'),
};
