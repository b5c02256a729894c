// Synthesizes the route-2 example: npx tsx examples/vault-istio-csr/main.ts (writes dist/ like the default).
import { MeshApp } from '../../src';
import { buildVaultIstioCsrMesh } from './mesh';

const app = new MeshApp();
buildVaultIstioCsrMesh(app);
app.synth();
