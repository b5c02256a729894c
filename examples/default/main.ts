// Synthesizes the default example: `npm run synth` or `npx cdk8s synth` (writes dist/manifests and dist/install).
import { MeshApp } from '../../src';
import { DefaultMeshChart } from './chart';

const app = new MeshApp();
new DefaultMeshChart(app, 'istio-custom-ca');
app.synth();
