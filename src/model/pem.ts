/**
 * PEM CA bundles, parsed with node's `crypto.X509Certificate` (no cdk8s, no cdktf).
 */
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const ANY_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** A distinguished name as node's X509Certificate gives it (one RDN per line), on one line for messages and files. */
export function dnText(dn: string): string {
  return dn.split('\n').join(', ');
}

/**
 * Problem text unless `pem` holds PEM blocks of type `allowed` and nothing else (no private key, no other block, no
 * loose text such as a token), else undefined. `what` says what belongs there.
 */
export function pemOnlyProblem(prop: string, pem: string, allowed: string, what: string): string | undefined {
  if (typeof pem !== 'string') return `'${prop}' (${typeof pem}) must be PEM text (${what})`;
  const blocks = [...pem.matchAll(ANY_BLOCK)].map((m) => m[1]);
  const rest = pem.replace(ANY_BLOCK, '').trim();
  if (blocks.length > 0 && rest === '' && blocks.every((b) => b === allowed)) return undefined;
  const found = blocks.length ? [...new Set(blocks)].join(', ') : 'no PEM block';
  const key = blocks.some((b) => b.includes('PRIVATE KEY')) || /PRIVATE KEY/.test(rest);
  return `'${prop}' must hold only PEM '${allowed}' blocks (${what}); found ${found}${rest ? ' and other text' : ''}. ` +
    (key ? 'It contains a private key: keep keys out of IaC and rotate that key' : 'Never give a private key or a token');
}

/** Smallest RSA modulus accepted in a trust anchor (NIST SP 800-57 Part 1 Rev. 5, 112-bit security). */
export const MIN_RSA_BITS = 2048;

/**
 * Problem text when `cert` cannot serve as a trust anchor: not valid now (expired or not yet valid), an RSA key
 * below 2048 bits, or not self-signed (an intermediate pinned as a root makes every chain through its parent fail).
 */
export function trustAnchorProblem(prop: string, cert: X509Certificate, now: Date): string | undefined {
  const subject = dnText(cert.subject);
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) return `'${prop}' holds root ${subject}, which is not valid before ${from.toISOString()}; give a root that is valid now`;
  if (now > to) return `'${prop}' holds root ${subject}, which expired on ${to.toISOString()}; an expired root verifies nothing, give the current root`;
  const details = cert.publicKey.asymmetricKeyDetails;
  if (cert.publicKey.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `'${prop}' holds root ${subject} with a ${details?.modulusLength}-bit RSA key; trust anchors need RSA ${MIN_RSA_BITS} bits or more ` +
      '(or ECDSA), re-issue the root';
  }
  if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
    return `'${prop}' holds ${subject}, issued by ${dnText(cert.issuer)}, which is not self-signed; give the root CA at the top ` +
      'of the chain, not an intermediate';
  }
  return undefined;
}

/** The certificates of a PEM bundle of roots, or a problem message naming `prop`. */
export function parseCaBundle(prop: string, pem: string, now: Date = new Date()): { certs: X509Certificate[]; problem?: string } {
  const only = pemOnlyProblem(prop, pem, 'CERTIFICATE', 'public CA certificates');
  if (only) return { certs: [], problem: only };
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
      return { certs: [], problem: `'${prop}' holds a certificate that is not a CA (subject ${dnText(cert.subject)}, basicConstraints CA:FALSE); ` +
        'give the root CA certificate of the signer, not a leaf' };
    }
    const anchor = trustAnchorProblem(prop, cert, now);
    if (anchor) return { certs: [], problem: anchor };
    certs.push(cert);
  }
  return { certs };
}

/** Each certificate of a PEM text, normalised (one trailing newline). */
export function pemCertificates(pem: string): string[] {
  return (pem.replace(/\r\n/g, '\n').match(PEM_BLOCK) ?? []).map((b) => `${b.trim()}\n`);
}

/** The PEM text normalised to one trailing newline per certificate (stable output). */
export function normalisePem(pem: string): string {
  return pemCertificates(pem).join('');
}
