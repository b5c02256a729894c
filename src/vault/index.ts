// Public API of istio-custom-ca/vault: the Vault PKI half (cdktf). Import it only when you use Vault, so that a
// Vault-free program never loads cdktf: `import { MeshPki } from 'istio-custom-ca/vault'`.
export * from './mesh-pki';
export * from './vault-pki-backend';
export * from './vault-root';
export * from './vault-token-validation';
export * from './mesh-fleet';
export * from './mesh-fleet-root-rotation';
