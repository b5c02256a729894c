import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { Duration } from 'cdk8s';

/** The next root of a rotation as a backend signs under it: in its own mount, defined by the backend or shared. */
export interface RenderedNextRoot {
  readonly mountPath: string;
  /** The `backend` value for resources on its mount (a reference to the mount). */
  readonly backend: string;
  readonly maxLeaseTtl: Duration;
  /** The root certificate resource (public `certificate`). */
  readonly rootCert: PkiSecretBackendRootCert;
}

/**
 * What only the library passes to `VaultPkiBackend`, besides its props: a next root rendered once for every backend of a
 * fleet's stack (`MeshFleet` during a root rotation). Not part of the public API.
 */
export interface SharedNextRootProps {
  readonly sharedNextRoot?: RenderedNextRoot;
}
