/**
 * PEM CA bundles, parsed with node's `crypto.X509Certificate` (no cdk8s, no cdktf).
 */
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, or a problem message naming `prop`. */
export function parseCaBundle(prop: string, pem: string): { certs: X509Certificate[]; problem?: string } {
  if (/PRIVATE KEY-----/.test(pem)) {
    return { certs: [], problem: `'${prop}' contains a private key; give only the CA certificate (public), and keep keys out of IaC` };
  }
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    return { certs: [], problem: `'${prop}' (${pem.slice(0, 40).replace(/\s+/g, ' ')}…) holds no PEM certificate; give the root CA as '-----BEGIN CERTIFICATE-----' PEM` };
  }
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(b);
    } catch (e) {
      return { certs: [], problem: `'${prop}' holds a PEM block that is not a valid X.509 certificate (${(e as Error).message})` };
    }
    if (!cert.ca) {
      return { certs: [], problem: `'${prop}' holds a certificate that is not a CA (subject ${cert.subject.replace(/\n/g, ', ')}, basicConstraints CA:FALSE); ` +
        'give the root CA certificate of the signer, not a leaf' };
    }
    certs.push(cert);
  }
  return { certs };
}

/** The PEM text normalised to one trailing newline per certificate (stable output). */
export function normalisePem(pem: string): string {
  return (pem.replace(/\r\n/g, '\n').match(PEM_BLOCK) ?? []).map((b) => `${b.trim()}\n`).join('');
}
