/** Every example, by name, as a function that builds it into a MeshApp (for tests that run over all of them). */
import { MeshApp } from '../src';
import { buildDefaultMesh } from '../examples/default/mesh';
import { IstioCsrChart } from '../examples/istio-csr/chart';
import { KubernetesCsrChart } from '../examples/kubernetes-csr/chart';
import { SelfSignedMeshChart } from '../examples/self-signed/chart';
import { buildVaultIstioCsrMesh } from '../examples/vault-istio-csr/mesh';

export const EXAMPLES: readonly (readonly [string, (app: MeshApp) => void])[] = [
  ['default', (app) => { buildDefaultMesh(app); }],
  ['vault-istio-csr', (app) => { buildVaultIstioCsrMesh(app); }],
  ['istio-csr', (app) => { new IstioCsrChart(app, 'istio-csr'); }],
  ['kubernetes-csr', (app) => { new KubernetesCsrChart(app, 'kubernetes-csr'); }],
  ['self-signed', (app) => { new SelfSignedMeshChart(app, 'istio-custom-ca'); }],
];
