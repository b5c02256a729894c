import { Duration } from 'cdk8s';
import { ExistingRoot, ExistingVaultRootOptions } from './vault-roots/existing-root';
import { GeneratedRoot, GenerateVaultRootOptions } from './vault-roots/generated-root';
import { SharedRoot } from './vault-roots/shared-root';
import { RenderedRoot, VaultRootVariant } from './vault-roots/vault-root-variant';

export { ExistingVaultRootOptions } from './vault-roots/existing-root';
export { GenerateVaultRootOptions, VaultKeyType } from './vault-roots/generated-root';

/** Where the mesh root CA comes from. Enum-like: use a static factory; each renders its own mount and root. */
export class VaultRoot {
  /** A new root CA generated inside Vault (`vault_pki_secret_backend_root_cert`). */
  public static generate(options: GenerateVaultRootOptions): VaultRoot {
    return new VaultRoot(new GeneratedRoot(options));
  }

  /** Adopt a root that already exists in a PKI mount; no mount or root is defined. */
  public static existing(options: ExistingVaultRootOptions): VaultRoot {
    return new VaultRoot(new ExistingRoot(options));
  }

  /** @internal A root rendered once that several backends of one stack sign under (`MeshFleet`). */
  public static _shared(rendered: RenderedRoot, ttl: Duration | undefined): VaultRoot {
    return new VaultRoot(new SharedRoot(rendered, ttl));
  }

  private constructor(private readonly variant: VaultRootVariant) {}

  /** The root's lifetime, when known. */
  public get ttl(): Duration | undefined {
    return this.variant.ttl;
  }

  /** @internal */
  public _variant(): VaultRootVariant {
    return this.variant;
  }
}
