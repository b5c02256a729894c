// Synthesizes the istio-csr example: npx tsx examples/istio-csr/main.ts
import { MeshApp } from '../../src';
import { IstioCsrChart } from './chart';

const app = new MeshApp();
new IstioCsrChart(app, 'istio-csr');
app.synth();
