// Synthesizes the default example: `npm run synth` or `npx cdk8s synth`
// (writes dist/manifests, dist/install and dist/terraform).
import { MeshApp } from '../../src';
import { buildDefaultMesh } from './mesh';

const app = new MeshApp();
buildDefaultMesh(app);
app.synth();
