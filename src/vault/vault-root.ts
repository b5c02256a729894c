import { Duration } from 'cdk8s';
import { check, fail } from '../model/errors';
import { LIFETIME_RULES } from '../model/lifetime-rules';
import { mountPathProblem } from '../model/vault-policy';
import { lifetimeMs } from '../model/durations';
import { commonNameProblem } from '../model/identity';

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

/** Options of `VaultRoot.existing()`. */
export interface ExistingVaultRootOptions {
  /** Path of the PKI mount that already holds the root. */
  readonly mountPath: string;
  /**
   * Remaining lifetime of that root, for the lifetime cross-checks.
   * @default - not checked
   */
  readonly remainingTtl?: Duration;
}

/** Where the mesh root CA comes from. Enum-like: use a static factory. */
export class VaultRoot {
  /** A new root CA generated inside Vault (`vault_pki_secret_backend_root_cert`). */
  public static generate(options: GenerateVaultRootOptions): VaultRoot {
    check('VaultRoot', commonNameProblem('commonName', options.commonName));
    const ttl = options.ttl ?? Duration.hours(87600);
    lifetimeMs('VaultRoot', 'ttl', ttl, LIFETIME_RULES.vaultRootTtl);
    const keyType = options.keyType ?? VaultKeyType.EC;
    const keyBits = options.keyBits ?? (keyType === VaultKeyType.RSA ? 4096 : keyType === VaultKeyType.EC ? 384 : 0);
    const allowed: Record<VaultKeyType, number[]> = { rsa: [2048, 3072, 4096], ec: [256, 384, 521], ed25519: [0] };
    if (!allowed[keyType].includes(keyBits)) {
      fail('VaultRoot', `'keyBits' (${keyBits}) is not valid for key type ${keyType}; use ${allowed[keyType].join(', ')}`);
    }
    return new VaultRoot(undefined, { ...options, ttl, keyType, keyBits, exportPrivateKey: options.exportPrivateKey ?? false });
  }

  /** Adopt a root that already exists in a PKI mount; no mount or root is defined. */
  public static existing(options: ExistingVaultRootOptions): VaultRoot {
    check('VaultRoot', mountPathProblem('mountPath', options.mountPath));
    return new VaultRoot(options, undefined);
  }

  private constructor(
    /** Set for `existing()`. */
    public readonly existingOptions: ExistingVaultRootOptions | undefined,
    /** Set for `generate()`, with defaults filled in. */
    public readonly generateOptions: GenerateVaultRootOptions | undefined,
  ) {}

  /** The root's lifetime, when known. */
  public get ttl(): Duration | undefined {
    return this.generateOptions?.ttl ?? this.existingOptions?.remainingTtl;
  }
}
