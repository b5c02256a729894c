/**
 * PEM CA bundles, parsed with node's `crypto.X509Certificate` (no cdk8s, no cdktf).
 */
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const ANY_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

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

/** The certificates of a PEM bundle, or a problem message naming `prop`. */
export function parseCaBundle(prop: string, pem: string): { certs: X509Certificate[]; problem?: string } {
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
