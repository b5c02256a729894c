import { CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../imports/certificates-cert-manager.io';
import { check } from '../model/errors';

/** Private key algorithms cert-manager can generate (cert-manager Certificate `spec.privateKey.algorithm`). */
export enum KeyAlgorithm {
  RSA = 'RSA',
  ECDSA = 'ECDSA',
  ED25519 = 'Ed25519',
}

/** Key settings of a CA certificate that cert-manager generates. */
export interface PrivateKeyOptions {
  /**
   * Key algorithm.
   * @default KeyAlgorithm.RSA
   */
  readonly algorithm?: KeyAlgorithm;
  /**
   * Key size: RSA 2048 to 8192 bits, ECDSA curve size 256, 384 or 521; not allowed for Ed25519.
   * @default - 2048 for RSA, 256 for ECDSA
   */
  readonly size?: number;
}

/** Sizes cert-manager accepts (cert-manager pkg/apis/certmanager/v1/types_certificate.go, PrivateKey.Size). */
function sizeProblem(algorithm: KeyAlgorithm, size: number | undefined): string | undefined {
  if (size === undefined) return undefined;
  if (algorithm === KeyAlgorithm.RSA && Number.isInteger(size) && size >= 2048 && size <= 8192) return undefined;
  if (algorithm === KeyAlgorithm.ECDSA && [256, 384, 521].includes(size)) return undefined;
  const allowed = algorithm === KeyAlgorithm.RSA ? 'a whole number from 2048 to 8192'
    : algorithm === KeyAlgorithm.ECDSA ? '256, 384 or 521' : 'no size (leave it unset)';
  return `'privateKey.size' (${size}) is not valid for ${algorithm}; use ${allowed}`;
}

/**
 * The cert-manager `privateKey` block with explicit algorithm and size. Intermediates use
 * `rotationPolicy: Always`, so every renewal gets a new key (cert-manager default since v1.18 only;
 * docs/reference.md §2a); a bootstrap root keeps its key (`Never`), so a renewal does not become a new root.
 * @internal
 */
export function privateKeySpec(construct: string, options: PrivateKeyOptions = {}, rotateKey = true) {
  const algorithm = options.algorithm ?? KeyAlgorithm.RSA;
  check(construct, sizeProblem(algorithm, options.size));
  const size = options.size ?? (algorithm === KeyAlgorithm.RSA ? 2048 : algorithm === KeyAlgorithm.ECDSA ? 256 : undefined);
  return {
    algorithm: algorithm as string as CertificateSpecPrivateKeyAlgorithm,
    size,
    rotationPolicy: rotateKey ? CertificateSpecPrivateKeyRotationPolicy.ALWAYS : CertificateSpecPrivateKeyRotationPolicy.NEVER,
  };
}
