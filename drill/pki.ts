/**
 * Real X.509 material for the rotation drill (@peculiar/x509 on WebCrypto): roots, intermediates and SPIFFE
 * workload leaves like Istio's (URI SAN, serverAuth + clientAuth), as PEM for node's `tls`.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let serial = 1;

/** A CA or leaf with its key. */
export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function validity(): { notBefore: Date; notAfter: Date } {
  // Real validity spans the whole drill; lifetimes are modelled on the drill's simulated clock.
  const now = Date.now();
  return { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 30 * 86_400_000) };
}

function nextSerial(): string {
  return (serial++).toString(16).padStart(2, '0');
}

async function done(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> {
  return { cert, keys, certPem: `${cert.toString('pem').replace(/\r\n/g, '\n')}\n`, keyPem: await pemKey(keys.privateKey) };
}

/** A self-signed root CA. */
export async function root(cn: string): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(), name: `CN=${cn}`, ...validity(), keys, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return done(cert, keys);
}

/** An intermediate CA signed by `issuer` (pathlen 0, like Istio's own intermediate profile). */
export async function intermediate(cn: string, issuer: Issued): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(), subject: `CN=${cn}`, issuer: issuer.cert.subject, ...validity(),
    publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true)],
  });
  return done(cert, keys);
}

/** A workload leaf with a SPIFFE URI SAN, signed by `issuer`. */
export async function leaf(spiffeId: string, issuer: Issued): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(), subject: '', issuer: issuer.cert.subject, ...validity(),
    publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
    ],
  });
  return done(cert, keys);
}
