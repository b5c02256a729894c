/**
 * `npm run bench`: synth wall time and peak RSS of the library beside bare cdk8s ApiObjects that synthesize the
 * same objects, each case in its own process (peak RSS is per process). Prints one row per case and the ratios.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

type Case = 'default-lib' | 'default-bare' | 'mesh-lib' | 'mesh-bare' | 'import-lib';

function peerAuth(i: number) {
  return {
    apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication',
    metadata: { name: `legacy-${i}`, namespace: `team-${i}`, labels: { 'app.kubernetes.io/managed-by': 'istio-custom-ca' }, annotations: { 'istio-custom-ca.io/reason': 'bench' } },
    spec: { selector: { matchLabels: { app: `legacy-${i}` } }, mtls: { mode: 'PERMISSIVE' } },
  };
}

/** Runs one case in this process and returns its synth time in ms. */
function runCase(c: Case, outdir: string): number {
  if (c === 'import-lib') {
    const t = process.hrtime.bigint();
    require('../src');
    return Number(process.hrtime.bigint() - t) / 1e6;
  }
  // Loading code is measured by 'import-lib'; synth cases time construction and synth only.
  const lib = require('../src');
  const { DefaultMeshChart } = require('../examples/default/chart');
  const start = process.hrtime.bigint();
  if (c === 'default-lib' || c === 'mesh-lib') {
    const app = new lib.MeshApp({ outdir });
    if (c === 'default-lib') {
      new DefaultMeshChart(app, 'istio-custom-ca');
    } else {
      const chart = new Chart(app, 'mesh');
      for (let i = 0; i < NAMESPACES; i++) {
        new lib.PermissivePeerAuth(chart, `legacy-${i}`, { namespace: `team-${i}`, selector: { app: `legacy-${i}` }, reason: 'bench' });
      }
    }
    app.synth();
  } else {
    // Bare cdk8s: the same objects as plain ApiObjects, written the same way (one file per chart).
    const app = new App({ outdir: join(outdir, 'manifests'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, c === 'default-bare' ? 'istio-custom-ca' : 'mesh');
    if (c === 'default-bare') {
      const probe = new lib.MeshApp({ outdir: join(outdir, 'probe') });
      const objs = new DefaultMeshChart(probe, 'x').toJson();
      const t0 = process.hrtime.bigint();
      objs.forEach((o: any, i: number) => new ApiObject(chart, `o${i}`, o));
      app.synth();
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }
    for (let i = 0; i < NAMESPACES; i++) new ApiObject(chart, `legacy-${i}`, peerAuth(i));
    app.synth();
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function child(c: Case): { ms: number; rssMb: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--case', c], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (process.argv[2] === '--case') {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-bench-'));
  const ms = runCase(process.argv[3] as Case, outdir);
  rmSync(outdir, { recursive: true, force: true });
  console.log(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const rows: Record<string, { ms: number; rssMb: number }> = {};
  const cases: Case[] = ['import-lib', 'default-lib', 'default-bare', 'mesh-lib', 'mesh-bare'];
  for (const c of cases) {
    const runs = Array.from({ length: RUNS }, () => child(c));
    rows[c] = { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)) };
  }
  const fmt = (n: number) => n.toFixed(1).padStart(8);
  console.log(`istio-custom-ca bench (median of ${RUNS} processes; node ${process.version})`);
  console.log('case                                   synth ms   peak RSS MB');
  const label: Record<Case, string> = {
    'import-lib': 'cold import of the library',
    'default-lib': 'examples/default, library',
    'default-bare': 'examples/default, bare cdk8s',
    'mesh-lib': `${NAMESPACES} namespaces, PermissivePeerAuth`,
    'mesh-bare': `${NAMESPACES} namespaces, bare ApiObject`,
  };
  for (const c of cases) console.log(`${label[c].padEnd(38)} ${fmt(rows[c].ms)}   ${fmt(rows[c].rssMb)}`);
  const ratio = (a: Case, b: Case) => `time ${(rows[a].ms / rows[b].ms).toFixed(2)}x, RSS ${(rows[a].rssMb / rows[b].rssMb).toFixed(2)}x`;
  console.log(`ratio examples/default library/bare: ${ratio('default-lib', 'default-bare')}`);
  console.log(`ratio ${NAMESPACES} namespaces library/bare: ${ratio('mesh-lib', 'mesh-bare')} (target: time at most 1.30x)`);
}
