import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { Duration } from 'cdk8s';
import { Annotations, TerraformOutput } from 'cdktf';
import { goDuration, lifetimeMs, wholeSeconds } from '../../model/durations';
import { check, fail } from '../../model/errors';
import { commonNameProblem } from '../../model/identity';
import { LIFETIME_RULES } from '../../model/lifetime-rules';
import { PKI_DEFAULTS } from '../../model/pki-defaults';
import { mountPathProblem } from '../../model/vault-policy';
import { RenderedRoot, VaultRootContext, VaultRootVariant } from './vault-root-variant';

/** Key types Vault PKI generates (`key_type`). */
export enum VaultKeyType {
  RSA = 'rsa',
  EC = 'ec',
  ED25519 = 'ed25519',
}

/** Options of `VaultRoot.generate()`. */
export interface GenerateVaultRootOptions {
  /** Common name of the root CA. */
  readonly commonName: string;
  /**
   * Lifetime of the root.
   * @default Duration.hours(87600) (10 years)
   */
  readonly ttl?: Duration;
  /**
   * Key type.
   * @default VaultKeyType.EC
   */
  readonly keyType?: VaultKeyType;
  /**
   * Key bits: RSA 2048/3072/4096, EC 256/384/521.
   * @default - 384 for EC, 4096 for RSA
   */
  readonly keyBits?: number;
  /**
   * Explicit opt-in to `type = "exported"`: the root private key is returned to Terraform and stored in its
   * state. A warning is printed at synth. Leave false so that the key never leaves Vault (`internal`).
   * @default false
   */
  readonly exportPrivateKey?: boolean;
}

/** Key sizes Vault accepts per key type, and the default (vault builtin/logical/pki/certutil). */
const KEY_BITS: Readonly<Record<VaultKeyType, { readonly allowed: readonly number[]; readonly default: number }>> = {
  [VaultKeyType.RSA]: { allowed: [2048, 3072, 4096], default: 4096 },
  [VaultKeyType.EC]: { allowed: [256, 384, 521], default: 384 },
  [VaultKeyType.ED25519]: { allowed: [0], default: 0 },
};

/** Default mount of a generated root. */
export const DEFAULT_ROOT_MOUNT = 'pki';

/** Common name of a root the library generates in Vault, unless given. */
export const DEFAULT_ROOT_COMMON_NAME = 'Istio Mesh Root CA';

/** A new root CA generated inside Vault (`vault_pki_secret_backend_root_cert`), on its own mount. */
export class GeneratedRoot implements VaultRootVariant {
  public readonly ttl: Duration;
  public readonly keyType: VaultKeyType;
  public readonly keyBits: number;

  public constructor(private readonly options: GenerateVaultRootOptions) {
    check('VaultRoot', commonNameProblem('commonName', options.commonName));
    this.ttl = options.ttl ?? Duration.millis(PKI_DEFAULTS.rootTtlMs);
    lifetimeMs('VaultRoot', 'ttl', this.ttl, LIFETIME_RULES.vaultRootTtl);
    this.keyType = options.keyType ?? VaultKeyType.EC;
    const bits = KEY_BITS[this.keyType];
    this.keyBits = options.keyBits ?? bits.default;
    if (!bits.allowed.includes(this.keyBits)) {
      fail('VaultRoot', `'keyBits' (${this.keyBits}) is not valid for key type ${this.keyType}; use ${bits.allowed.join(', ')}`);
    }
  }

  public render(ctx: VaultRootContext): RenderedRoot {
    const mountPath = ctx.requestedMountPath ?? DEFAULT_ROOT_MOUNT;
    check(ctx.who, mountPathProblem('rootMountPath', mountPath));
    const maxLeaseTtl = ctx.requestedMaxLeaseTtl ?? this.ttl;
    const maxLease = lifetimeMs(ctx.who, 'rootMaxLeaseTtl', maxLeaseTtl, LIFETIME_RULES.vaultTtl);
    if (maxLease < this.ttl.toMilliseconds()) {
      fail(ctx.who, `'rootMaxLeaseTtl' (${goDuration(maxLease)}) of mount ${mountPath} must be at least the root ` +
        `'ttl' (${goDuration(this.ttl.toMilliseconds())}), or Vault caps the root to the mount; raise rootMaxLeaseTtl or shorten the root ttl`);
    }
    const exported = this.options.exportPrivateKey ?? false;
    const mount = ctx.pin(new Mount(ctx.scope, 'RootMount', {
      path: mountPath,
      type: 'pki',
      description: 'Istio mesh root CA (managed by istio-custom-ca)',
      maxLeaseTtlSeconds: wholeSeconds(maxLease),
    }), 'root_mount');
    if (exported) {
      Annotations.of(ctx.scope).addWarning(`${ctx.who}: 'exportPrivateKey' is set: the root private key of ${mountPath} ` +
        'will be stored in Terraform state; keep the state encrypted and access-controlled, or use an internal root');
    }
    const rootCert = ctx.pin(new PkiSecretBackendRootCert(ctx.scope, 'RootCa', {
      backend: mount.path,
      type: exported ? 'exported' : 'internal',
      commonName: this.options.commonName,
      ttl: goDuration(this.ttl.toMilliseconds()),
      keyType: this.keyType,
      keyBits: this.keyBits,
      issuerName: 'mesh-root',
    }), 'root_ca');
    new TerraformOutput(ctx.scope, 'RootCaPem', {
      value: rootCert.certificate,
      description: 'PEM of the mesh root CA (public): the trust anchor to pin, e.g. istio-csr app.tls.rootCAFile',
    }).overrideLogicalId(`${ctx.prefix}_root_ca_pem`);
    return { mountPath, backend: mount.path, maxLeaseTtl, rootCert };
  }
}
