import { Duration } from 'cdk8s';
import { goDuration } from '../../model/durations';
import { check, fail } from '../../model/errors';
import { mountPathProblem } from '../../model/vault-policy';
import { RenderedRoot, VaultRootContext, VaultRootVariant } from './vault-root-variant';

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

/** A root that already exists in a PKI mount: nothing is defined for it. */
export class ExistingRoot implements VaultRootVariant {
  public readonly ttl?: Duration;

  public constructor(private readonly options: ExistingVaultRootOptions) {
    check('VaultRoot', mountPathProblem('mountPath', options.mountPath));
    this.ttl = options.remainingTtl;
  }

  public render(ctx: VaultRootContext): RenderedRoot {
    const mountPath = this.options.mountPath;
    if (ctx.requestedMountPath !== undefined && ctx.requestedMountPath !== mountPath) {
      fail(ctx.who, `'rootMountPath' (${ctx.requestedMountPath}) differs from the existing root's 'mountPath' (${mountPath}); ` +
        'remove rootMountPath: an adopted root stays on its own mount');
    }
    if (ctx.requestedMaxLeaseTtl !== undefined) {
      fail(ctx.who, `'rootMaxLeaseTtl' (${goDuration(ctx.requestedMaxLeaseTtl.toMilliseconds())}) only applies to a generated root; ` +
        'set it on the existing mount in Vault, or remove it');
    }
    return { mountPath, backend: mountPath };
  }
}
