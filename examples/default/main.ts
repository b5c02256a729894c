// Synthesizes the default example: `npm run synth` or `npx cdk8s synth`
// (dist/manifests, dist/install, dist/alerts, dist/terraform, and its staged root rotation plan in dist/rotation).
import { MeshApp } from '../../src';
import { buildDefaultMesh } from './mesh';
import { buildDefaultRotation } from './rotation';

const app = new MeshApp();
buildDefaultMesh(app);
app.synth();
buildDefaultRotation().synth();
