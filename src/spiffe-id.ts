import { spiffeId } from './model/identity';

/** SPIFFE IDs as Istio writes them into a workload certificate's URI SAN. */
export class SpiffeId {
  /**
   * `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>`, the identity of a workload's service account
   * (istio@1.30.0 pkg/spiffe/spiffe.go `Identity.String`).
   */
  public static forServiceAccount(trustDomain: string, namespace: string, serviceAccount: string): string {
    return spiffeId(trustDomain, namespace, serviceAccount);
  }

  private constructor() {}
}
