import { fail } from '../../model/errors';
import { ICertManagerIssuer, IssuerKind } from '../cert-manager-issuer';
import { SigningIssuer } from './integration-variant';

/** A namespaced Issuer signs only in its own namespace: refuse one outside istiod's. */
export function requireIssuerIn(who: string, issuer: ICertManagerIssuer, namespace: string, what: string): void {
  if (issuer.kind === IssuerKind.ISSUER && issuer.namespace !== namespace) {
    fail(who, `'issuer' (Issuer ${issuer.namespace}/${issuer.name}) is a namespaced Issuer outside ` +
      `'istioNamespace' (${namespace}), so it cannot sign ${what} there; use a ClusterIssuer or an Issuer in ${namespace}`);
  }
}

/** The issuer as the notes and alerts see it; `checkYourself` is kept only for an issuer referenced by name. */
export function signingIssuer(issuer: ICertManagerIssuer, grants: string, checkYourself: string[]): SigningIssuer {
  return {
    kind: issuer.kind, name: issuer.name, namespace: issuer.namespace, grants,
    checkYourself: issuer.referencedByName ? checkYourself : undefined,
    rootCertificate: issuer.rootCertificate,
  };
}
