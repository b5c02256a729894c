import { check } from '../../model/errors';
import { objectNameProblem } from '../../model/k8s-names';
import { IssuerSourceVariant, RenderedSource } from './issuer-source-variant';

/** Options of `IssuerSource.ca()`. */
export interface CaIssuerSourceOptions {
  /**
   * Secret with the CA's `tls.crt` and `tls.key`, in the issuer's namespace (for a ClusterIssuer, the
   * cluster resource namespace). Put the full chain including the root in `tls.crt`, so that the `ca.crt`
   * cert-manager writes is the real root (docs/reference.md §2a).
   */
  readonly secretName: string;
}

/** A cert-manager CA issuer over an existing CA Secret (cmweb content/docs/configuration/ca.md). */
export class CaSource implements IssuerSourceVariant {
  public constructor(private readonly options: CaIssuerSourceOptions) {
    check('IssuerSource', objectNameProblem('secretName', options.secretName));
  }

  public render(): RenderedSource {
    return { spec: { ca: { secretName: this.options.secretName } } };
  }
}
