// Synthesizes the self-signed bootstrap example: npx tsx examples/self-signed/main.ts
import { MeshApp } from '../../src';
import { SelfSignedMeshChart } from './chart';

const app = new MeshApp();
new SelfSignedMeshChart(app, 'istio-custom-ca');
app.synth();
