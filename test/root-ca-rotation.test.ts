import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import {
  CaIntegration, CaIntegrationType, CertAlertRules, CertManagerIssuer, MeshApp, IRotationPhaseBuilder, IssuerKind, IssuerSource, IstioCustomCa, RootCaBundle,
  RootCaRotation, RotationPhase,
} from '../src';
import { lintPaths } from '../src/lint/lint';
import { normalisePem } from '../src/model/pem';
import { PluginCaRotationBuilder } from '../examples/root-rotation/rotation';
import { IstioCsrRotationBuilder, KubernetesCsrRotationBuilder } from '../drill/rotation-builders';
import { FIXTURES } from './pki-fixtures';
import * as pki from '../drill/pki';
import { chart, matchSnapshot, one, throwsExactly, validateAll } from './support';

const A = normalisePem(FIXTURES.rootA);
const B = normalisePem(FIXTURES.rootB);

function plan(builder: IRotationPhaseBuilder = new PluginCaRotationBuilder()) {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-rot-'));
  const rotation = new RootCaRotation({ currentRootPem: A, newRootPem: B, builder, outdir });
  rotation.synth();
  const iop = (folder: string) => parseYaml(readFileSync(join(outdir, folder, 'install', 'istio-operator.yaml'), 'utf8'));
  return { rotation, outdir, iop };
}

describe('RootCaRotation', () => {
  it('cert-manager plug-in CA: trust A+B with multi-root, issue from B with an istiod restart, drop A', async () => {
    const { rotation, outdir, iop } = plan();
    assert.deepEqual(rotation.phases.map((p) => p.folder), ['1-trust-both', '2-issue-from-new', '3-drop-old']);
    const p1 = iop('1-trust-both');
    assert.deepEqual(p1.spec.meshConfig.caCertificates, [{ pem: A }, { pem: B }]);
    assert.equal(p1.spec.values.pilot.env.ISTIO_MULTIROOT_MESH, 'true');
    assert.equal(p1.spec.meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT, 'true');
    assert.equal(p1.spec.components, undefined);
    const p2 = iop('2-issue-from-new');
    assert.deepEqual(p2.spec.meshConfig.caCertificates, [{ pem: A }, { pem: B }]);
    assert.deepEqual(p2.spec.components.pilot.k8s.podAnnotations, { 'istio-custom-ca.io/restart': 'root-rotation-2' });
    const p3 = iop('3-drop-old');
    assert.equal(p3.spec.meshConfig.caCertificates, undefined);
    assert.equal(p3.spec.values.pilot.env.ISTIO_MULTIROOT_MESH, 'true');
    // The issuer switches in phase 2 only.
    const issuerOf = (i: number) => one(rotation.apps[i].charts[0].toJson(), 'Certificate', 'cacerts').spec.issuerRef.name;
    assert.deepEqual([0, 1, 2].map(issuerOf), ['mesh-root-a', 'mesh-root-b', 'mesh-root-b']);
    for (const app of rotation.apps) await validateAll(app.charts[0].toJson());
    // Each phase is a full output that lints clean.
    for (const f of rotation.phases) assert.deepEqual(lintPaths([join(outdir, f.folder)]).findings, [], f.folder);
    // Helm values carry the same restart annotation.
    assert.deepEqual(parseYaml(readFileSync(join(outdir, '2-issue-from-new', 'install', 'istiod-values.yaml'), 'utf8')).podAnnotations,
      { 'istio-custom-ca.io/restart': 'root-rotation-2' });
  });

  it('ROTATION.md gives the minimum waits computed from the lifetimes', () => {
    const { rotation, outdir } = plan();
    assert.deepEqual(rotation.waits, { afterTrustBothMs: 3_600_000, afterIssueFromNewMs: 87_264_000 });
    const md = readFileSync(join(outdir, 'ROTATION.md'), 'utf8');
    assert.match(md, /\| 1 \| `1-trust-both\/` \| 1h after every workload was restarted once \|/);
    assert.match(md, /\| 2 \| `2-issue-from-new\/` \| 24h14m24s \|/);
    matchSnapshot('rotation-plan', md);
  });

  it('istio-csr: the pinned bundle goes A+B, then B; the issuer switches; no multi-root settings', () => {
    const { rotation } = plan(new IstioCsrRotationBuilder());
    const sources = (i: number) => one(rotation.apps[i].charts[0].toJson(), 'Bundle').spec.sources.map((s: any) => s.inLine);
    assert.deepEqual(sources(0), [A, B]);
    assert.deepEqual(sources(1), [A, B]);
    assert.deepEqual(sources(2), [B]);
    assert.deepEqual(rotation.cas.map((c) => (c.toIstioCsrHelmValues() as any).app.certmanager.issuer.name), ['istio-ca-a', 'istio-ca-b', 'istio-ca-b']);
    // Bundles reach proxies only at their next fetch: wait one lifetime (1h) plus jitter after phase 1.
    assert.deepEqual(rotation.waits, { afterTrustBothMs: 3_636_000, afterIssueFromNewMs: 3_636_000 });
    assert.ok(!JSON.stringify(rotation.cas[0].toIstioOperator()).includes('ISTIO_MULTIROOT_MESH'));
  });

  it('Kubernetes CSR: multi-root trust A+B, the mesh moves to the signer under B, then only B', () => {
    const { iop } = plan(new KubernetesCsrRotationBuilder());
    const p1 = iop('1-trust-both');
    assert.equal(p1.spec.values.pilot.env.K8S_SIGNER, 'clusterissuers.cert-manager.io/mesh-signer-a');
    assert.equal(p1.spec.values.pilot.env.ISTIO_MULTIROOT_MESH, 'true');
    assert.deepEqual(p1.spec.meshConfig.caCertificates.map((c: any) => c.pem), [A, A, B]);
    const p2 = iop('2-issue-from-new');
    assert.equal(p2.spec.values.pilot.env.K8S_SIGNER, 'clusterissuers.cert-manager.io/mesh-signer-b');
    assert.deepEqual(p2.spec.values.global.certSigners, ['clusterissuers.cert-manager.io/mesh-signer-b']);
    assert.deepEqual(iop('3-drop-old').spec.meshConfig.caCertificates.map((c: any) => c.pem), [B]);
  });

  it('writes preconditions.json per phase: wait, roots to trust, root to chain to, and alerts the mesh really has', () => {
    for (const builder of [new PluginCaRotationBuilder(), new IstioCsrRotationBuilder(), new KubernetesCsrRotationBuilder()]) {
      const { rotation, outdir } = plan(builder);
      const pre = rotation.phases.map((p) => JSON.parse(readFileSync(join(outdir, p.folder, 'preconditions.json'), 'utf8')));
      assert.deepEqual(pre, JSON.parse(JSON.stringify(rotation.preconditions())));
      // Fingerprints as openssl and node print them, read independently of the library.
      const fp = { A: new X509Certificate(A).fingerprint256, B: new X509Certificate(B).fingerprint256 };
      const roots = (xs: any[]) => xs.map((r) => r.sha256Fingerprint);
      assert.deepEqual(pre.map((p) => roots(p.everyWorkloadTrusts)), [[fp.A], [fp.A, fp.B], [fp.A, fp.B]], builder.integration);
      assert.deepEqual(pre.map((p) => p.everyWorkloadCertificateChainsTo.sha256Fingerprint), [fp.A, fp.A, fp.B], builder.integration);
      assert.deepEqual(pre.map((p) => [p.notBefore.afterPhase, p.notBefore.minWaitSeconds]),
        [[undefined, 0], ['1-trust-both', rotation.waits.afterTrustBothMs / 1000], ['2-issue-from-new', Math.ceil(rotation.waits.afterIssueFromNewMs / 1000)]]);
      // Every alert the gate waits on exists in the alerts this mesh gets (a silent alert that is never emitted proves nothing).
      const emitted = new CertAlertRules(new Chart(new MeshApp({ outdir: join(outdir, 'x') }), 'c'), 'alerts', { ca: rotation.cas[1] }).alertNames;
      for (const p of pre) for (const a of p.silentAlerts) assert.ok(emitted.includes(a), `${builder.integration}: ${a} is not emitted`);
      assert.match(readFileSync(join(outdir, 'ROTATION.md'), 'utf8'), /## Before each phase: `<folder>\/preconditions.json`/);
    }
  });

  it("the runbook's hand checks work on real certificates: fingerprints of a ROOTCA bundle, a chain verified against the expected root", async () => {
    const [a, b] = [await pki.root('Check Root A'), await pki.root('Check Root B')];
    const mid = await pki.intermediate('Check Intermediate B', b);
    const leaf = await pki.leaf('spiffe://cluster.local/ns/shop/sa/cart', mid);
    const outdir = mkdtempSync(join(tmpdir(), 'ica-rot-'));
    new RootCaRotation({ currentRootPem: a.certPem, newRootPem: b.certPem, builder: new PluginCaRotationBuilder(), outdir }).synth();
    const md = readFileSync(join(outdir, 'ROTATION.md'), 'utf8');
    const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    // istioctl's output is stood in for by the files it would yield.
    const work = mkdtempSync(join(tmpdir(), 'ica-check-'));
    writeFileSync(join(work, 'rootca.pem'), a.certPem + b.certPem);
    writeFileSync(join(work, 'chain.pem'), leaf.certPem + mid.certPem);
    const run = (script: string, folder: string) => spawnSync('bash', ['-c', `set -euo pipefail\ncp ${join(outdir, folder, 'preconditions.json')} .\n${script}`],
      { cwd: work, encoding: 'utf8' });
    const withoutIstioctl = (block: string) => block.split('\n').filter((l) => !/istioctl|^\s+\|/.test(l)).join('\n');
    const fingerprints = run(withoutIstioctl(blocks[0]), '2-issue-from-new');
    assert.equal(fingerprints.status, 0, fingerprints.stderr);
    const want = JSON.parse(readFileSync(join(outdir, '2-issue-from-new', 'preconditions.json'), 'utf8')).everyWorkloadTrusts.map((r: any) => r.sha256Fingerprint);
    for (const f of want) assert.ok(fingerprints.stdout.toUpperCase().includes(f), `${f} not in ${fingerprints.stdout}`);
    // Before phase 3 every certificate must chain to B: this chain passes; before phase 2 (chain to A) it must fail.
    assert.equal(run(withoutIstioctl(blocks[1]), '3-drop-old').status, 0);
    assert.notEqual(run(withoutIstioctl(blocks[1]), '2-issue-from-new').status, 0);
  });

  describe('validation', () => {
    it('refuses the same root twice and a non-CA root', () => {
      throwsExactly(() => new RootCaRotation({ currentRootPem: A, newRootPem: A, builder: new PluginCaRotationBuilder() }),
        "RootCaRotation: 'newRootPem' is the same certificate as 'currentRootPem'; give the new root");
      assert.throws(() => new RootCaRotation({ currentRootPem: A, newRootPem: FIXTURES.leaf, builder: new PluginCaRotationBuilder() }),
        /^Error: RootCaRotation: 'newRootPem' holds a certificate that is not a CA/);
    });
  });
});

describe('IstioCustomCa rotation props', () => {
  const plugin = (c: Chart) => CaIntegration.certManagerPluginCa({ issuer: new CertManagerIssuer(c, 'r', { source: IssuerSource.ca({ secretName: 'r' }) }) });
  it('refuses multi-root settings with istio-csr', () => {
    const c = chart();
    const issuer = new CertManagerIssuer(c, 'i', { kind: IssuerKind.ISSUER, namespace: 'istio-system', source: IssuerSource.ca({ secretName: 'i' }) });
    throwsExactly(() => new IstioCustomCa(c, 'x', { integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: 'r' }) }), multiRoot: true }),
      "IstioCustomCa: 'additionalTrustedRootsPem' and 'multiRoot' do not apply to istio-csr, whose trust comes from its rootCAFile bundle " +
      "(docs/reference.md §6.3); put every root into 'rootCaBundle' instead");
  });
  it('refuses extra roots without multiRoot, which istiod would ignore (facts §12.3)', () => {
    for (const multiRoot of [undefined, false]) {
      const c = chart();
      throwsExactly(() => new IstioCustomCa(c, `x${multiRoot}`, { integration: plugin(c), additionalTrustedRootsPem: [FIXTURES.rootB], multiRoot }),
        `IstioCustomCa: 'additionalTrustedRootsPem' (1 PEM) has no effect without 'multiRoot' (${multiRoot}): istiod reads extra ` +
        'meshConfig.caCertificates roots only with ISTIO_MULTIROOT_MESH=true (docs/reference.md §6.1, §12.3); set multiRoot: true');
    }
  });

  it('refuses a non-CA extra root and a bad restart token', () => {
    const c = chart();
    assert.throws(() => new IstioCustomCa(c, 'x', { integration: plugin(c), additionalTrustedRootsPem: [FIXTURES.leaf], multiRoot: true }),
      /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' holds a certificate that is not a CA/);
    const c2 = chart();
    throwsExactly(() => new IstioCustomCa(c2, 'x', { integration: plugin(c2), istiodRestartToken: 'not ok' }),
      "IstioCustomCa: 'istiodRestartToken' (not ok) must be a label-like value: letters, digits, '-', '_' and '.'");
  });
});

describe('RootCaRotation builds each phase exactly once, for the integration the builder declares', () => {
  it('calls the builder 3 times for 3 phases, and refuses a builder whose meshes use another integration', () => {
    let calls = 0;
    const inner = new PluginCaRotationBuilder();
    const counting: IRotationPhaseBuilder = { integration: inner.integration, buildPhase: (app, phase) => { calls++; return inner.buildPhase(app, phase); } };
    new RootCaRotation({ currentRootPem: A, newRootPem: B, builder: counting, outdir: '/tmp/unused-rot' });
    assert.equal(calls, 3);
    const lying: IRotationPhaseBuilder = { integration: CaIntegrationType.ISTIO_CSR, buildPhase: (app, phase) => inner.buildPhase(app, phase) };
    assert.throws(() => new RootCaRotation({ currentRootPem: A, newRootPem: B, builder: lying, outdir: '/tmp/unused-rot' }),
      /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem' and 'multiRoot' do not apply to istio-csr|^Error: RootCaRotation: 'builder.integration' \(ISTIO_CSR\) differs/);
  });

  describe('plans check their own output (a builder that drops a phase setting is refused, naming the phase and the file)', () => {
    /** A builder that passes the phase through `edit` first: what a careless builder does with the settings. */
    const careless = (inner: IRotationPhaseBuilder, edit: (p: RotationPhase) => RotationPhase): IRotationPhaseBuilder =>
      ({ integration: inner.integration, buildPhase: (app, phase) => inner.buildPhase(app, edit(phase)) });
    const refused = (builder: IRotationPhaseBuilder, message: RegExp) =>
      assert.throws(() => new RootCaRotation({ currentRootPem: A, newRootPem: B, builder, outdir: '/tmp/unused-rot' }), message);
    const plugin = new PluginCaRotationBuilder();

    it('plug-in CA: no extra roots, no multi-root, no restart, no issuer switch, A kept in phase 3', () => {
      refused(careless(plugin, (p) => ({ ...p, additionalTrustedRootsPem: [], multiRoot: false })),
        /^Error: RootCaRotation: the builder's output breaks the plan: phase 1-trust-both \(install\/istiod-values.yaml\) trusts A, not A and B: the builder must pass the phase's additionalTrustedRootsPem and multiRoot/);
      refused(careless(plugin, (p) => ({ ...p, istiodRestartToken: undefined })),
        /phase 2-issue-from-new \(install\/istiod-values.yaml\) switches the issuer without restarting istiod \(pod annotation istio-custom-ca.io\/restart unchanged\)/);
      refused(careless(plugin, (p) => ({ ...p, issueFromNew: false })),
        /phase 2-issue-from-new \(manifests\/ \(Certificate cacerts\)\) signs under root A, not B: the builder never switches the issuer/);
      refused(careless(plugin, (p) => (p.phase === 3 ? { ...p, additionalTrustedRootsPem: [A, B], multiRoot: true } : p)),
        /phase 3-drop-old \(install\/istiod-values.yaml\) still trusts the old root A/);
    });

    it('istio-csr: a pinned bundle without B, and no issuer switch', () => {
      const csr = new IstioCsrRotationBuilder();
      refused(careless(csr, (p) => ({ ...p, trustedRootsPem: p.phase === 3 ? [B] : [A] })),
        /phase 1-trust-both \(manifests\/ \(trust-manager Bundle\)\) trusts A, not A and B: the builder must pass the phase's trustedRootsPem as the pinned root bundle/);
      refused(careless(csr, (p) => ({ ...p, issueFromNew: false })), /phase 2-issue-from-new \(install\/istio-csr-values.yaml\) signs under root A, not B/);
    });

    it('Kubernetes CSR: no multi-root (no PCDS), and the signer under A kept', () => {
      const k8s = new KubernetesCsrRotationBuilder();
      refused(careless(k8s, (p) => ({ ...p, multiRoot: false, additionalTrustedRootsPem: [] })),
        /phase 1-trust-both \(install\/istiod-values.yaml\) trusts A, not A and B/);
      refused(careless(k8s, (p) => ({ ...p, issueFromNew: false, trustedRootsPem: [A, B] })), /phase 2-issue-from-new \(install\/istiod-values.yaml\) signs under root A, not B/);
    });

    it('the plans of the examples pass, and what they generate is what the phases ask', () => {
      for (const builder of [plugin, new IstioCsrRotationBuilder(), new KubernetesCsrRotationBuilder()]) {
        const r = new RootCaRotation({ currentRootPem: A, newRootPem: B, builder, outdir: '/tmp/unused-rot' });
        assert.deepEqual(r._observation.phases.map((p) => `${p.issueFrom}:${p.trust?.join('+')}`), ['A:A+B', 'B:A+B', 'B:B'], builder.integration);
      }
    });
  });
});

