import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Duration } from 'cdk8s';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ClusterFleet, ClusterFleetProps, FleetIntegration, FleetRoot, IssuancePolicy } from '../src';
import { lintPaths } from '../src/lint/lint';
import { normalisePem } from '../src/model/pem';
import * as pki from '../drill/pki';
import { chartDir, helmTemplate } from './engines';
import { scanOutput } from './output-scan';
import { FIXTURES } from './pki-fixtures';
import { throwsExactly, validateAll, validateIstioCsrValues } from './support';

const A = normalisePem(FIXTURES.rootA);

function fleet(root: FleetRoot, props: Partial<ClusterFleetProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-cfleet-'));
  const f = new ClusterFleet({
    root, outdir, trustDomain: 'mesh.example.com',
    clusters: [{ name: 'east', network: 'net-a' }, { name: 'west', integration: FleetIntegration.ISTIO_CSR, network: 'net-b' }],
    ...props,
  });
  f.synth();
  const read = (p: string) => readFileSync(join(outdir, p), 'utf8');
  const docs = (name: string) => parseAllDocuments(read(`clusters/${name}/manifests/istio-custom-ca.k8s.yaml`)).map((d) => d.toJS());
  return { f, outdir, read, docs };
}

const find = (objs: any[], kind: string, name: string) => {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0];
};

/** What the real charts make of each cluster's values: istiod's CLUSTER_ID and network; istio-csr's args. */
function chartsRead(read: (p: string) => string) {
  const istiod = (name: string) => {
    const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(read(`clusters/${name}/install/istiod-values.yaml`)), 'istio-system', 'istiod');
    const env = find(objs, 'Deployment', 'istiod').spec.template.spec.containers[0].env;
    return { clusterId: env.find((e: any) => e.name === 'CLUSTER_ID').value, injector: JSON.parse(find(objs, 'ConfigMap', 'istio-sidecar-injector').data.values).global };
  };
  const csrValues = parseYaml(read('clusters/west/install/istio-csr-values.yaml'));
  validateIstioCsrValues(csrValues);
  const csr = find(helmTemplate(chartDir('v0.17.0', 'istio-csr'), csrValues, 'cert-manager', 'cert-manager-istio-csr'), 'Deployment', 'cert-manager-istio-csr');
  return { east: istiod('east'), west: istiod('west'), csrArgs: csr.spec.template.spec.containers[0].args as string[] };
}

describe('ClusterFleet: a fleet on a root outside Vault', () => {
  describe('FleetRoot.offline: only the public root; you sign each intermediate', () => {
    it('east runs the manual plug-in CA, west istio-csr over a hand-made CA Secret; the real charts read cluster, network and issuer', async () => {
      const { outdir, read, docs } = fleet(FleetRoot.offline({ rootPem: A }));
      const r = chartsRead(read);
      assert.deepEqual([r.east.clusterId, r.east.injector.network, r.east.injector.meshID], ['east', 'net-a', 'mesh-fleet']);
      assert.deepEqual([r.west.clusterId, r.west.injector.network], ['west', 'net-b']);
      for (const a of ['--cluster-id=west', '--trust-domain=mesh.example.com', '--issuer-name=istio-ca', '--issuer-kind=Issuer']) assert.ok(r.csrArgs.includes(a), `${a} in ${r.csrArgs}`);
      const west = docs('west');
      await validateAll([...docs('east'), ...west]);
      assert.equal(find(west, 'Issuer', 'istio-ca').spec.ca.secretName, 'istio-ca-west');
      assert.deepEqual(find(west, 'Bundle', 'istio-root-ca').spec.sources.map((s: any) => normalisePem(s.inLine)), [A]);
      assert.deepEqual(docs('east').filter((d) => d.kind === 'Certificate'), [], 'nothing in cert-manager for a manual plug-in CA');
      assert.deepEqual(scanOutput(outdir), []);
      for (const c of ['east', 'west']) assert.deepEqual(lintPaths([join(outdir, 'clusters', c)]).findings, [], c);
      assert.deepEqual(lintPaths([outdir]).findings, []);
    });

    it("NOTES.md's signing commands, run with openssl on a real root, give each cluster an intermediate (CA, pathlen 0) that chains to it", async () => {
      const root = await pki.root('Offline Test Root');
      const { read } = fleet(FleetRoot.offline({ rootPem: root.certPem }));
      const notes = read('NOTES.md');
      assert.ok(notes.includes(new X509Certificate(root.certPem).fingerprint256), 'the root fingerprint to compare');
      const blocks = [...notes.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
      assert.equal(blocks.length, 2);
      blocks.forEach((block, i) => {
        const work = mkdtempSync(join(tmpdir(), 'ica-offline-'));
        writeFileSync(join(work, 'root-cert.pem'), root.certPem);
        writeFileSync(join(work, 'root-key.pem'), root.keyPem);
        // kubectl stands for the cluster: the files it would read must exist.
        const script = block.split('\n').filter((l) => !/^\s*kubectl /.test(l)).join('\n');
        const run = spawnSync('bash', ['-c', `set -euo pipefail\n${script}\nopenssl verify -CAfile root-cert.pem ca-cert.pem`], { cwd: work, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        const mid = new X509Certificate(readFileSync(join(work, 'ca-cert.pem')));
        assert.equal(mid.subject, `CN=Istio intermediate CA ${['east', 'west'][i]}`);
        assert.ok(mid.ca);
        const text = spawnSync('openssl', ['x509', '-in', 'ca-cert.pem', '-noout', '-ext', 'basicConstraints,keyUsage'], { cwd: work, encoding: 'utf8' }).stdout;
        assert.match(text, /CA:TRUE, pathlen:0/);
        assert.match(text, /Certificate Sign/);
        assert.equal(readFileSync(join(work, 'cert-chain.pem'), 'utf8'), readFileSync(join(work, 'ca-cert.pem'), 'utf8') + root.certPem);
      });
    });
  });

  describe('FleetRoot.certManagerCa: the root behind a CA issuer in each cluster', () => {
    it('east: cacerts from the root Issuer (namespaced); west: its intermediate from the root, istio-csr under it, the root pinned', async () => {
      const { outdir, read, docs } = fleet(FleetRoot.certManagerCa({ secretName: 'mesh-root', rootPem: A }));
      const east = docs('east');
      const west = docs('west');
      await validateAll([...east, ...west]);
      for (const objs of [east, west]) assert.deepEqual(find(objs, 'Issuer', 'mesh-root').spec, { ca: { secretName: 'mesh-root' } });
      assert.deepEqual([...east, ...west].filter((d) => d.kind === 'ClusterIssuer'), [], 'issuers scoped to istio-system');
      const cacerts = find(east, 'Certificate', 'cacerts').spec;
      assert.deepEqual([cacerts.commonName, cacerts.issuerRef.name, cacerts.isCA], ['Istio intermediate CA east', 'mesh-root', true]);
      const mid = find(west, 'Certificate', 'istio-ca-west');
      assert.deepEqual([mid.metadata.namespace, mid.spec.secretName, mid.spec.commonName, mid.spec.isCA, mid.spec.issuerRef.name, mid.spec.duration, mid.spec.renewBefore],
        ['istio-system', 'istio-ca-west', 'Istio intermediate CA west', true, 'mesh-root', '8760h', '2160h']);
      assert.equal(find(west, 'Issuer', 'istio-ca').spec.ca.secretName, 'istio-ca-west');
      const r = chartsRead(read);
      assert.deepEqual([r.east.clusterId, r.west.clusterId], ['east', 'west']);
      assert.ok(r.csrArgs.includes('--issuer-name=istio-ca'));
      assert.match(read('NOTES.md'), /Create Secret `mesh-root` in `istio-system` with the root's `tls.crt` and `tls.key`/);
      assert.deepEqual(scanOutput(outdir), []);
      assert.deepEqual(lintPaths([outdir]).findings, []);
    });

    it("refuses approverPolicy where the cluster's istio-csr intermediate would have no policy", () => {
      throwsExactly(() => fleet(FleetRoot.certManagerCa({ secretName: 'mesh-root', rootPem: A }), { issuancePolicy: IssuancePolicy.approverPolicy() }),
        "ClusterFleet: cluster 'west': 'issuancePolicy' (approverPolicy) cannot be used here: cert-manager requests the cluster's " +
        'intermediate (Certificate istio-ca-west) from the root, and no policy covers it; use FleetRoot.offline() or the default approver');
    });
  });

  it('Kubernetes CSR clusters: a ClusterIssuer istio-ca over the intermediate in cert-manager\'s namespace; the real istiod chart reads the signer and pinned root', async () => {
    for (const root of [FleetRoot.offline({ rootPem: A }), FleetRoot.certManagerCa({ secretName: 'mesh-root', rootPem: A })]) {
      const { outdir, read, docs } = fleet(root, { clusters: [{ name: 'north', integration: FleetIntegration.KUBERNETES_CSR }, { name: 'east' }] });
      const north = docs('north');
      await validateAll(north);
      assert.equal(find(north, 'ClusterIssuer', 'istio-ca').spec.ca.secretName, 'istio-ca-north');
      const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(read('clusters/north/install/istiod-values.yaml')), 'istio-system', 'istiod');
      const env = Object.fromEntries(find(objs, 'Deployment', 'istiod').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      assert.deepEqual([env.CLUSTER_ID, env.EXTERNAL_CA, env.K8S_SIGNER], ['north', 'ISTIOD_RA_KUBERNETES_API', 'clusterissuers.cert-manager.io/istio-ca']);
      const mesh = parseYaml(find(objs, 'ConfigMap', 'istio').data.mesh);
      assert.deepEqual(mesh.caCertificates.map((c: any) => [normalisePem(c.pem), c.certSigners]), [[A, ['clusterissuers.cert-manager.io/istio-ca']]]);
      if (north.some((d) => d.kind === 'Certificate')) {
        // certManagerCa: the intermediate from the root Issuer, both in cert-manager's namespace (where the ClusterIssuer reads it).
        const mid = find(north, 'Certificate', 'istio-ca-north');
        assert.deepEqual([mid.metadata.namespace, mid.spec.issuerRef.name, find(north, 'Issuer', 'mesh-root').metadata.namespace], ['cert-manager', 'mesh-root', 'cert-manager']);
      } else {
        assert.match(read('NOTES.md'), /kubectl -n cert-manager create secret tls istio-ca-north --cert=cert-chain.pem --key=ca-key.pem/);
      }
      assert.deepEqual(lintPaths([outdir]).findings, []);
    }
  });

  it('refuses a root that is not one CA certificate, a bad secret name, clusters that clash, and names the cluster of a construct error', () => {
    assert.throws(() => FleetRoot.offline({ rootPem: FIXTURES.leaf }), /^Error: FleetRoot.offline: 'rootPem'/);
    throwsExactly(() => FleetRoot.offline({ rootPem: A + FIXTURES.rootB }), "FleetRoot.offline: 'rootPem' holds 2 certificates; give the one root");
    assert.throws(() => FleetRoot.certManagerCa({ secretName: 'Mesh_Root', rootPem: A }), /^Error: FleetRoot.certManagerCa: 'secretName' \(Mesh_Root\)/);
    const root = FleetRoot.offline({ rootPem: A });
    throwsExactly(() => fleet(root, { clusters: [{ name: 'east', trustDomain: 'e.org' }, { name: 'west', trustDomain: 'w.org' }] }),
      "ClusterFleet: clusters 'east' (trust domain e.org) and 'west' (trust domain w.org) would reject each other's workload identities in authorization " +
      "policies; use one trust domain, or add 'w.org' to east's 'trustDomainAliases' and add 'e.org' to west's 'trustDomainAliases'");
    assert.throws(() => fleet(root, { clusters: [{ name: 'east' }, { name: 'east' }] }), /^Error: ClusterFleet: clusters\[1\] has the name 'east' of an earlier cluster/);
    throwsExactly(() => fleet(root, { clusters: [{ name: 'east', integration: 'VAULT' as FleetIntegration }] }),
      "ClusterFleet: cluster 'east': 'integration' (VAULT) must be one of FleetIntegration.PLUGIN_CA, FleetIntegration.ISTIO_CSR, FleetIntegration.KUBERNETES_CSR");
    throwsExactly(() => fleet(root, { id: 'fleet-' }), "ClusterFleet: 'id' (fleet-) names the fleet (its ApplicationSet, the default mesh ID); use 1-63 lowercase " +
      "letters, digits and '-', starting and ending with a letter or digit");
    // Lifetimes: checked once for the fleet; what a root cannot use is refused by the root.
    throwsExactly(() => fleet(root, { intermediateRenewBefore: Duration.hours(100) }), "ClusterFleet: cluster 'east': FleetRoot.offline: 'intermediateRenewBefore' (100h) " +
      'does not apply: nothing renews an intermediate you sign offline (you do, before it expires); remove it');
    throwsExactly(() => fleet(root, { intermediateDuration: Duration.hours(12) }), "ClusterFleet: cluster 'east': FleetRoot.offline: 'intermediateDuration' (12h) " +
      'must be at least 24h: you sign it with openssl for whole days');
    const cm = FleetRoot.certManagerCa({ secretName: 'mesh-root', rootPem: A });
    throwsExactly(() => fleet(cm, { intermediateDuration: Duration.hours(48) }), "ClusterFleet: cluster 'east': FleetRoot.certManagerCa: 'intermediateDuration' (48h) " +
      "must be longer than the default 'intermediateRenewBefore' (2160h), or cert-manager ignores it; set intermediateRenewBefore");
    throwsExactly(() => fleet(cm, { intermediateDuration: Duration.hours(48), intermediateRenewBefore: Duration.hours(48) }),
      "ClusterFleet: 'intermediateRenewBefore' (48h) must be shorter than 'intermediateDuration' (48h); cert-manager ignores a renewBefore that is not; " +
      'shorten it or lengthen the intermediate');
    assert.throws(() => fleet(cm, { intermediateDuration: Duration.minutes(30) }), /^Error: ClusterFleet: 'intermediateDuration' \(30m\) must be at least 1h/);
    // The manual plug-in CA has no cert-manager request to police: IstioCustomCa's refusal, named by the fleet and cluster.
    assert.throws(() => fleet(root, { clusters: [{ name: 'east', issuancePolicy: IssuancePolicy.approverPolicy() }] }),
      /^Error: ClusterFleet: cluster 'east': .*'issuancePolicy' \(approverPolicy\) cannot be used here/);
  });
});
