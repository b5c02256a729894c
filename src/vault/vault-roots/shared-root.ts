import { Duration } from 'cdk8s';
import { fail } from '../../model/errors';
import { RenderedRoot, VaultRootContext, VaultRootVariant } from './vault-root-variant';

/** A root rendered once (a fleet's root) that several backends in the same stack sign under. */
export class SharedRoot implements VaultRootVariant {
  public constructor(private readonly rendered: RenderedRoot, public readonly ttl?: Duration) {}

  public render(ctx: VaultRootContext): RenderedRoot {
    if (ctx.requestedMountPath !== undefined && ctx.requestedMountPath !== this.rendered.mountPath) {
      fail(ctx.who, `'rootMountPath' (${ctx.requestedMountPath}) differs from the shared root's mount (${this.rendered.mountPath}); remove it`);
    }
    if (ctx.requestedMaxLeaseTtl !== undefined) fail(ctx.who, "'rootMaxLeaseTtl' is set on the shared root, not on each backend; remove it");
    return { ...this.rendered, shared: true };
  }
}
