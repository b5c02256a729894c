// Public API of istio-custom-ca. Exports only; the generated L1s are exposed as namespaces at the end.
export * from './mesh-app';
export * from './k8s/ca-integration';
export * from './k8s/cert-alert-rules';
export * from './k8s/cert-manager-issuer';
export * from './k8s/output-file';
export * from './k8s/issuer-source';
export * from './k8s/istio-custom-ca';
export * from './k8s/permissive-peer-auth';
export * from './k8s/private-key';
export * from './k8s/root-ca-bundle';
export * from './k8s/vault-auth';
export * from './vault/mesh-pki';
export * from './vault/vault-pki-backend';
export * from './vault/vault-root';
export { spiffeId } from './model/identity';
export { goDuration, parseGoDuration } from './model/durations';
export * as certManager from './imports/certificates-cert-manager.io';
export * as istioSecurity from './imports/istio-security-security.istio.io';
