// Synthesizes the Kubernetes CSR example: npx tsx examples/kubernetes-csr/main.ts
import { MeshApp } from '../../src';
import { KubernetesCsrChart } from './chart';

const app = new MeshApp();
new KubernetesCsrChart(app, 'kubernetes-csr');
app.synth();
