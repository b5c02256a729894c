import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { Duration } from 'cdk8s';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { MeshFleet, MeshFleetClusterProps, MeshFleetProps, VaultPkiRoute } from '../src/vault';
import { fleetProblems } from '../src/model/fleet';
import { lintPaths } from '../src/lint/lint';
import { chartDir, helmTemplate } from './engines';
import { normalisePem } from '../src/model/pem';
import { FIXTURES } from './pki-fixtures';
import { throwsExactly, validateAll } from './support';

const EAST: MeshFleetClusterProps = { name: 'east', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, kubernetesHost: 'https://east.example.com:6443' };
const WEST: MeshFleetClusterProps = { name: 'west', route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, kubernetesHost: 'https://west.example.com:6443' };

function fleet(clusters: MeshFleetClusterProps[], props: Partial<MeshFleetProps> = {}): MeshFleet {
  return new MeshFleet({ outdir: '/tmp/ica-fleet-unused', vaultAddress: 'https://vault.example.com:8200', trustDomain: 'mesh.example.com', clusters, ...props });
}

/** A fleet synthesized into a fresh folder, and a reader of its files. */
function writtenFleet(clusters: MeshFleetClusterProps[], props: Partial<MeshFleetProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'ica-mesh-fleet-'));
  fleet(clusters, { outdir, ...props }).synth();
  return { outdir, read: (path: string) => readFileSync(join(outdir, path), 'utf8') };
}

function find(objs: any[], kind: string, name: string): any {
  const o = objs.find((x) => x?.kind === kind && x.metadata?.name === name);
  assert.ok(o, `${kind} ${name}`);
  return o;
}

describe('MeshFleet: settings that must differ, and settings that must agree', () => {
  it('two clusters with one name are refused (one CLUSTER_ID)', () => {
    throwsExactly(() => fleet([EAST, { ...WEST, name: 'east' }]),
      "MeshFleet: clusters[1] has the name 'east' of an earlier cluster: istiod, istio-csr and ztunnel announce it as CLUSTER_ID, and two " +
      'clusters with one ID break endpoint discovery and identity checks; give each cluster its own name');
  });

  it('two clusters with one intermediate common name are refused, naming both', () => {
    throwsExactly(() => fleet([{ ...EAST, intermediateCommonName: 'Mesh ICA' }, { ...WEST, intermediateCommonName: 'Mesh ICA' }]),
      "MeshFleet: clusters 'east' and 'west' have the same intermediate common name ('intermediateCommonName') (Mesh ICA); give each " +
      'cluster its own, so that a certificate chain shows which cluster signed it');
  });

  it('two trust domains without aliases on both sides are refused, naming both clusters and what to add', () => {
    throwsExactly(() => fleet([EAST, { ...WEST, trustDomain: 'west.example.com', trustDomainAliases: ['mesh.example.com'] }]),
      "MeshFleet: clusters 'east' (trust domain mesh.example.com) and 'west' (trust domain west.example.com) would reject each other's " +
      "workload identities in authorization policies; use one trust domain, or add 'west.example.com' to east's 'trustDomainAliases'");
    const both = fleet([{ ...EAST, trustDomainAliases: ['west.example.com'] }, { ...WEST, trustDomain: 'west.example.com', trustDomainAliases: ['mesh.example.com'] }]);
    assert.deepEqual(both.clusters.map((c) => c.istioCa.trustDomain), ['mesh.example.com', 'west.example.com']);
    const iop: any = both.clusters[0].istioCa.toIstioOperator();
    assert.deepEqual(iop.spec.meshConfig.trustDomainAliases, ['west.example.com']);
  });

  it('every pair is checked, and every problem reported at once', () => {
    const c = (name: string, trustDomain: string) => ({ name, trustDomain, trustDomainAliases: [], intermediateCommonName: `ICA ${name}` });
    assert.equal(fleetProblems([c('a', 'x.example'), c('b', 'x.example'), c('c', 'y.example')]).length, 2);
    assert.deepEqual(fleetProblems([c('a', 'x.example'), c('b', 'x.example')]), []);
  });

  it('a bad cluster name, an empty fleet, and a bad cluster prop are refused, naming the cluster', () => {
    throwsExactly(() => fleet([{ ...EAST, name: 'East_1' }]),
      "MeshFleet: clusters[0]: 'name' (East_1) must be 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit: " +
      'it names the cluster (CLUSTER_ID), its output folder, its Argo CD cluster and its Vault auth mount');
    throwsExactly(() => fleet([]), "MeshFleet: 'clusters' ([]) must list at least one cluster");
    // Named as the user wrote it (the plug-in CA calls it 'commonName', which MeshPki maps to its root's).
    throwsExactly(() => fleet([{ ...EAST, intermediateCommonName: 'x'.repeat(65) }]),
      `MeshFleet: cluster 'east': 'intermediateCommonName' (${'x'.repeat(65)}) must be a certificate common name of 1 to 64 bytes ` +
      'without control characters (RFC 5280 ub-common-name); give the CA a short recognisable name');
    throwsExactly(() => fleet([EAST, { ...WEST, kubernetesHost: undefined }]),
      "MeshFleet: cluster 'west': VaultPkiBackend: 'kubernetesAuth' needs 'tokenValidation' or 'kubernetesHost': " +
      'VaultTokenValidation.tokenReview() when Vault runs in the cluster, VaultTokenValidation.serviceAccountIssuerKeys() or oidcDiscovery() ' +
      'when it runs outside');
  });
});

describe('MeshFleet: one root, one intermediate, auth mount and policy per cluster', () => {
  const f = fleet([EAST, WEST, { ...EAST, name: 'central', network: 'net-2' }]);
  const files = new Map(f.renderOutput().map((x) => [x.path, x.content]));
  const tf = JSON.parse(files.get('terraform/mesh-fleet/cdk.tf.json')!);
  const r = tf.resource;

  it('defines the root once, at the addresses a single-cluster MeshPki uses', () => {
    assert.deepEqual(Object.keys(r.vault_pki_secret_backend_root_cert), ['istio_root_ca']);
    assert.deepEqual(Object.keys(r.vault_mount).sort(), ['istio_root_mount', 'istio_west_intermediate_mount']);
    assert.deepEqual(Object.keys(r.vault_pki_secret_backend_config_urls).sort(), ['istio_root_urls', 'istio_west_intermediate_urls']);
    assert.equal(r.vault_pki_secret_backend_root_sign_intermediate.istio_west_intermediate_signed.backend, '${vault_mount.istio_root_mount.path}');
    assert.equal(r.vault_pki_secret_backend_root_sign_intermediate.istio_west_intermediate_signed.common_name, 'Istio intermediate CA west');
  });

  it("gives every cluster its own auth mount (its API server) and policy, and each issuer uses its own", async () => {
    for (const c of f.clusters) {
      const id = `istio_${c.name}`;
      assert.equal(r.vault_auth_backend[`${id}_kubernetes_auth`].path, `kubernetes-${c.name}`);
      assert.equal(r.vault_kubernetes_auth_backend_config[`${id}_kubernetes_auth_config`].kubernetes_host, `https://${c.name === 'central' ? 'east' : c.name}.example.com:6443`);
      const policy = await parse('p.hcl', r.vault_policy[`${id}_sign_policy`].policy);
      assert.deepEqual(Object.keys(policy.path), [c.backend.signPath]);
      const issuer: any = c.chart.toJson().find((o: any) => o.kind === 'Issuer');
      assert.equal(issuer.spec.vault.auth.kubernetes.mountPath, `/v1/auth/kubernetes-${c.name}`);
      assert.equal(issuer.spec.vault.path, c.backend.signPath);
    }
    assert.equal(f.clusters[1].backend.signPath, 'pki_int_west/sign/istio-workload');
  });

  it('writes clusters/<name>/{manifests,install,alerts}, one Terraform stack, NOTES.md; no ApplicationSet unless asked', () => {
    for (const name of ['east', 'west', 'central']) {
      for (const folder of ['manifests', 'install', 'alerts']) assert.ok([...files.keys()].some((p) => p.startsWith(`clusters/${name}/${folder}/`)), `${name}/${folder}`);
    }
    assert.deepEqual([...files.keys()].filter((p) => !p.startsWith('clusters/')).sort(), ['NOTES.md', 'terraform/mesh-fleet/.gitignore', 'terraform/mesh-fleet/cdk.tf.json']);
    assert.match(files.get('NOTES.md')!, /\| west \| ISTIO_CSR \| - \| mesh\.example\.com \| 1\.30 \| `pki_int_west\/sign\/istio-workload` \| `kubernetes-west` \|/);
    assert.match(files.get('NOTES.md')!, /different networks: install an east-west gateway/);
  });

  it('renders the same bytes twice', () => {
    const again = fleet([EAST, WEST, { ...EAST, name: 'central', network: 'net-2' }]).renderOutput();
    assert.deepEqual(again.map((x) => [x.path, x.content]), [...files]);
  });
});

describe('MeshFleet: Kubernetes CSR clusters on the Vault root (route 3)', () => {
  const NORTH: MeshFleetClusterProps = { name: 'north', route: VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR, kubernetesHost: 'https://north.example.com:6443' };

  it("a route's own props are refused on clusters of another route, naming the cluster", () => {
    throwsExactly(() => fleet([{ ...EAST, istioCsrMaxCertificateDuration: Duration.hours(24) }, WEST]),
      "MeshFleet: cluster 'east': 'istioCsrMaxCertificateDuration' (24h) only applies to route LEAVES_FOR_ISTIO_CSR; in route " +
      'INTERMEDIATE_FOR_ISTIOD Vault signs the cacerts intermediate at the root and istiod signs the leaves, so nothing would read it; remove it');
    const west = fleet([EAST, { ...WEST, istioCsrMaxCertificateDuration: Duration.hours(24) }]).clusters[1];
    assert.equal((west.istioCa.toIstioCsrHelmValues() as any).app.server.maxCertificateDuration, '24h');
  });

  it('need the root PEM, which nothing else reads', () => {
    throwsExactly(() => fleet([EAST, NORTH, { ...NORTH, name: 'south' }]),
      "MeshFleet: 'rootCaPem' is required: clusters north, south have 'route' LEAVES_FOR_KUBERNETES_CSR, where istiod pins the root by " +
      "content (meshConfig.caCertificates). Apply the fleet's Terraform stack without them first, then set rootCaPem to " +
      '`terraform output -raw istio_root_ca_pem` (public) and add them');
    throwsExactly(() => fleet([EAST, WEST], { rootCaPem: FIXTURES.rootA }),
      "MeshFleet: 'rootCaPem' is read only by clusters on route LEAVES_FOR_KUBERNETES_CSR, and no cluster uses it; remove it");
  });

  it('get their own intermediate mount and leaf role; the real istiod chart (1.30.3) reads their signer and the pinned root', async () => {
    const { outdir, read } = writtenFleet([EAST, WEST, NORTH], { rootCaPem: FIXTURES.rootA });
    const tf = JSON.parse(read('terraform/mesh-fleet/cdk.tf.json')).resource;
    assert.equal(tf.vault_mount.istio_north_intermediate_mount.path, 'pki_int_north');
    const role = tf.vault_pki_secret_backend_role.istio_north_leaf_role;
    assert.deepEqual([role.allowed_domains, role.allowed_uri_sans], [['istio-system.svc'], ['spiffe://mesh.example.com/ns/*/sa/*']]);
    // The shared root: the apply stops before north's role when rootCaPem is not the fleet root.
    assert.match(role.lifecycle.precondition[0].condition, /^\$\{\(trimspace\(vault_pki_secret_backend_root_cert\.istio_root_ca\.certificate\) == /);
    const north = parseAllDocuments(read('clusters/north/manifests/istio-custom-ca.k8s.yaml')).map((d) => d.toJSON());
    await validateAll(north);
    assert.equal(find(north, 'Issuer', 'vault-istio').spec.vault.path, 'pki_int_north/sign/istio-workload');
    const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(read('clusters/north/install/istiod-values.yaml')), 'istio-system', 'istiod');
    const env = Object.fromEntries(find(objs, 'Deployment', 'istiod').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    const signer = 'issuers.cert-manager.io/istio-system.vault-istio';
    assert.deepEqual([env.CLUSTER_ID, env.EXTERNAL_CA, env.K8S_SIGNER], ['north', 'ISTIOD_RA_KUBERNETES_API', signer]);
    const mesh = parseYaml(find(objs, 'ConfigMap', 'istio').data.mesh);
    assert.deepEqual(mesh.caCertificates.map((c: any) => [normalisePem(c.pem), c.certSigners]), [[normalisePem(FIXTURES.rootA), [signer]]]);
    assert.match(read('NOTES.md'), /\| north \| KUBERNETES_CSR \| - \| mesh\.example\.com \| 1\.30 \| `pki_int_north\/sign\/istio-workload` \| `kubernetes-north` \|/);
    assert.match(read('NOTES.md'), /Kubernetes CSR clusters pin the root by content/);
    assert.deepEqual(lintPaths([outdir]).findings, []);
  });
});

describe('MeshFleet: ambient clusters', () => {
  it("the real ztunnel chart (1.30.3) reads the cluster's name and network", () => {
    const f = fleet([{ ...EAST, ambient: true, network: 'net-1' }]);
    const values = f.clusters[0].istioCa.toZtunnelHelmValues();
    const ds = helmTemplate(chartDir('1.30.3', 'ztunnel'), values, 'istio-system', 'ztunnel').find((o) => o.kind === 'DaemonSet');
    const env: { name: string; value?: string }[] = ds.spec.template.spec.containers[0].env;
    assert.deepEqual(env.filter((e) => e.name === 'NETWORK').map((e) => e.value), ['net-1']);
    assert.deepEqual(env.filter((e) => e.name === 'ISTIO_META_CLUSTER_ID').map((e) => e.value), ['east']);
  });

  it('a network with ambient before Istio 1.30 is refused: the 1.24.6 ztunnel chart has no network value', () => {
    const ds = helmTemplate(chartDir('1.24.6', 'ztunnel'), { network: 'net-1' }, 'istio-system', 'ztunnel').find((o) => o.kind === 'DaemonSet');
    assert.equal(JSON.stringify(ds).includes('net-1'), false, 'the 1.24.6 chart drops it');
    assert.throws(() => fleet([{ ...EAST, ambient: true, network: 'net-1', istioVersion: '1.24' }]),
      (e: Error) => e.message.startsWith("MeshFleet: cluster 'east': IstioCustomCa") &&
        e.message.includes("'istioVersion' (1.24) cannot be used with 'network' with 'ambient': it needs Istio 1.30 or later"));
  });
});
