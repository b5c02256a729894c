// Synthesizes the default example: `npm run synth` or `npx cdk8s synth`
// (writes dist/manifests, dist/install, dist/alerts, dist/terraform, and the root rotation plan in dist/rotation).
import { MeshApp } from '../../src';
import { buildRootRotation } from '../root-rotation/rotation';
import { buildDefaultMesh } from './mesh';

const app = new MeshApp();
buildDefaultMesh(app);
app.synth();
buildRootRotation().synth();
