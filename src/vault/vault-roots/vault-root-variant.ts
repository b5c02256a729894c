import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { Duration } from 'cdk8s';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/** What a root may read of the backend it serves, and how it pins Terraform addresses. */
export interface VaultRootContext {
  readonly scope: Construct;
  readonly who: string;
  /** `rootMountPath` as the user gave it. */
  readonly requestedMountPath?: string;
  /** `rootMaxLeaseTtl` as the user gave it. */
  readonly requestedMaxLeaseTtl?: Duration;
  /** Logical-id prefix of every resource. */
  readonly prefix: string;
  pin<T extends TerraformResource>(resource: T, suffix: string): T;
}

/** What a root contributes to the backend. */
export interface RenderedRoot {
  /** Mount path of the root. */
  readonly mountPath: string;
  /** The `backend` value for resources on the root mount (a reference to the mount when it is defined here). */
  readonly backend: string;
  /** Max lease TTL of the mount, when the library sets it. */
  readonly maxLeaseTtl?: Duration;
  /** The root certificate resource, when generated here. */
  readonly rootCert?: PkiSecretBackendRootCert;
  /** The root belongs to several backends (a fleet): its mount and URLs are defined once, not by each backend. */
  readonly shared?: boolean;
}

/** One kind of mesh root. */
export interface VaultRootVariant {
  /** The root's lifetime, when known. */
  readonly ttl?: Duration;
  render(ctx: VaultRootContext): RenderedRoot;
}
