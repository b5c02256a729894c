import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { IssuancePolicy } from '../src';
import { MeshFleet, MeshFleetRootRotation, VaultPkiRoute } from '../src/vault';
import { lintPaths } from '../src/lint/lint';
import { normalisePem } from '../src/model/pem';
import { fleetProps } from '../examples/fleet/fleet';
import { drillVerdict, fleetDrillClusters, planFromFleetRotation, runFleetDrill } from '../drill/drill';
import { DEFAULT_JITTER } from '../src/model/rotation';
import { chartDir, helmTemplate, terraformMissing, terraformPlanWith } from './engines';
import { scanOutput } from './output-scan';
import { FIXTURES } from './pki-fixtures';
import { throwsExactly, validateAll } from './support';

const A = normalisePem(FIXTURES.rootA);
const B = normalisePem(FIXTURES.rootB);

function plan(withNewRoot = true) {
  const base = mkdtempSync(join(tmpdir(), 'ica-vault-fleet-rot-'));
  const fleet = fleetProps(join(base, 'dist-fleet'));
  const rotation = new MeshFleetRootRotation({ fleet, currentRootPem: A, newRootPem: withNewRoot ? B : undefined });
  rotation.synth();
  const read = (path: string) => readFileSync(join(rotation.outdir, path), 'utf8');
  return { base, fleet, rotation, read, tf: (folder: string) => JSON.parse(read(`${folder}/terraform/mesh-fleet/cdk.tf.json`)) };
}

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJSON()).filter((d) => d);

describe('MeshFleetRootRotation: the Vault side of a fleet root rotation (examples/fleet)', () => {
  const p = plan();
  const steps = p.rotation.clusterPlan!.steps;
  const folders = ['0-add-next-root', ...steps.map((s) => s.folder)];

  it('step 0 adds root B and the istio-csr cluster\'s next intermediate, and keeps every object of the running fleet as it is', () => {
    const running = new MeshFleet(p.fleet).renderOutput().find((f) => f.path === 'terraform/mesh-fleet/cdk.tf.json')!;
    const before = JSON.parse(running.content).resource;
    const step0 = p.tf('0-add-next-root').resource;
    for (const [type, byId] of Object.entries<any>(before)) {
      for (const [id, body] of Object.entries<any>(byId)) {
        // Only the root's URLs gain a precondition (the plan's currentRootPem must be that root).
        const { lifecycle, ...rest } = step0[type]?.[id] ?? {};
        assert.deepEqual(rest, body, `${type}.${id} changes in step 0`);
        assert.equal(lifecycle !== undefined, id === 'istio_root_urls', `${type}.${id}`);
      }
    }
    const added = Object.entries<any>(step0).flatMap(([type, byId]) => Object.keys(byId).filter((id) => !before[type]?.[id]).map((id) => `${type}.${id}`));
    assert.deepEqual(added.sort(), [
      'vault_mount.istio_next_root_mount', 'vault_mount.istio_west_next_intermediate_mount',
      'vault_pki_secret_backend_config_urls.istio_next_root_urls', 'vault_pki_secret_backend_config_urls.istio_west_next_intermediate_urls',
      'vault_pki_secret_backend_intermediate_cert_request.istio_west_next_intermediate_csr',
      'vault_pki_secret_backend_intermediate_set_signed.istio_west_next_intermediate_set_signed',
      'vault_pki_secret_backend_role.istio_west_next_leaf_role',
      'vault_pki_secret_backend_root_cert.istio_next_root_ca',
      'vault_pki_secret_backend_root_sign_intermediate.istio_west_next_intermediate_signed',
    ]);
    assert.equal(step0.vault_mount.istio_next_root_mount.path, 'pki-next');
    assert.equal(step0.vault_mount.istio_west_next_intermediate_mount.path, 'pki_int_west_next');
    assert.deepEqual(readdirSync(join(p.rotation.outdir, '0-add-next-root')), ['terraform'], 'step 0 changes no cluster');
  });

  it('every step applies to the fleet\'s own Terraform state', () => {
    const fleetTf = resolve(p.fleet.outdir!, 'terraform', 'mesh-fleet');
    const fleetState = resolve(fleetTf, JSON.parse(new MeshFleet(p.fleet).renderOutput().find((f) => f.path.endsWith('cdk.tf.json'))!.content).terraform.backend.local.path);
    for (const folder of folders) {
      const stepTf = resolve(p.rotation.outdir, folder, 'terraform', 'mesh-fleet');
      assert.equal(resolve(stepTf, p.tf(folder).terraform.backend.local.path), fleetState, folder);
    }
  });

  it('in every step, each cluster\'s sign policy grants exactly the path its issuer uses: root A until its move, B from it', async () => {
    const expected: Record<string, [string, string]> = {
      east: ['pki/root/sign-intermediate', 'pki-next/root/sign-intermediate'],
      central: ['pki/root/sign-intermediate', 'pki-next/root/sign-intermediate'],
      west: ['pki_int_west/sign/istio-workload', 'pki_int_west_next/sign/istio-workload'],
    };
    for (const s of steps) {
      const tf = p.tf(s.folder).resource;
      for (const c of s.clusters) {
        const policy = await parse('p.hcl', tf.vault_policy[`istio_${c.name}_sign_policy`].policy);
        const issuer = docs(p.read(`${s.folder}/clusters/${c.name}/manifests/istio-custom-ca.k8s.yaml`)).find((d: any) => d.kind === 'Issuer' && d.spec.vault);
        const path = expected[c.name][c.phase >= 2 ? 1 : 0];
        assert.deepEqual([Object.keys(policy.path), issuer.spec.vault.path], [[path], path], `${s.folder} ${c.name}`);
      }
    }
  });

  it('the clusters\' files of a step are those of the step\'s own fleet build (one config, two renderings)', () => {
    const k = 2;
    const f = p.rotation.stepFleets[k + 1];
    for (const c of f.clusters) {
      const own = c.app.renderOutput().filter((x) => x.path.startsWith('manifests/') || x.path.startsWith('install/'));
      for (const x of own) assert.equal(p.read(`${steps[k].folder}/clusters/${c.name}/${x.path}`), x.content, `${c.name}/${x.path}`);
    }
  });

  it('the real istiod chart (1.30.3) reads both roots for east in step 1; west pins A+B, then B, through a schema-valid Bundle', async () => {
    const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(p.read('1-trust-both/clusters/east/install/istiod-values.yaml')), 'istio-system', 'istiod');
    const mesh = parseYaml(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio').data.mesh);
    assert.deepEqual(mesh.caCertificates.map((c: any) => normalisePem(c.pem)), [A, B]);
    for (const [folder, roots] of [['1-trust-both', [A, B]], ['3-drop-old', [B]]] as const) {
      const west = docs(p.read(`${folder}/clusters/west/manifests/istio-custom-ca.k8s.yaml`));
      await validateAll(west);
      const bundle: any = west.find((d: any) => d.kind === 'Bundle');
      assert.deepEqual([bundle.metadata.name, bundle.spec.sources.map((s: any) => normalisePem(s.inLine))], ['istio-fleet-roots', roots]);
    }
    assert.match(p.read('ROTATION.md'), /istio-csr clusters \(`west`\): from step 1, istio-csr reads the roots from the trust-manager Bundle\n`istio-fleet-roots`/);
  });

  it('completedFleetProps(): the fleet with rotatedRoot synthesizes what the last step holds, Vault side included', () => {
    const outdir = join(p.base, 'dist-fleet-after');
    const after = new MeshFleet({ ...p.rotation.completedFleetProps(), outdir }).renderOutput();
    let compared = 0;
    for (const f of after.filter((x) => x.path.startsWith('clusters/') && !x.path.endsWith('.json'))) {
      assert.equal(f.content, p.read(`3-drop-old/${f.path}`), f.path);
      compared++;
    }
    assert.ok(compared >= 15, `${compared} files`);
    const tf = JSON.parse(after.find((x) => x.path === 'terraform/mesh-fleet/cdk.tf.json')!.content);
    assert.deepEqual(tf.resource, p.tf('3-drop-old').resource);
    assert.deepEqual(tf.output, p.tf('3-drop-old').output);
    throwsExactly(() => new MeshFleetRootRotation({ fleet: p.rotation.completedFleetProps(), currentRootPem: B, newRootPem: A }),
      "MeshFleetRootRotation: 'fleet.rotatedRoot' is set: this fleet already moved to a second root, and a further rotation is not supported yet");
  });

  it('lints clean, step by step and as a whole, and holds no secret', () => {
    assert.deepEqual(lintPaths([p.rotation.outdir]).findings, []);
    assert.deepEqual(scanOutput(p.rotation.outdir), []);
  });

  it('the drill: clients in each cluster calling servers in every other keep every handshake through every step', async () => {
    const clusters = fleetDrillClusters(p.rotation.clusterPlan!);
    const ttl = Math.min(...clusters.map((c) => c.workloadCertTtlMs!));
    const results = await runFleetDrill({
      workloads: 2, workloadCertTtlMs: ttl, gracePeriodRatio: 0.5, jitter: DEFAULT_JITTER, tickMs: ttl / 24, realTimeLimitMs: Infinity, pcds: false,
      clusters, phases: planFromFleetRotation(p.rotation.clusterPlan!),
    });
    assert.ok(results.every((r) => r.attempted > 0));
    assert.deepEqual(drillVerdict(results), [], JSON.stringify(results));
  });

  it('real Terraform refuses a step whose newRootPem is not the root in Vault', { skip: terraformMissing() }, () => {
    const [pre] = p.tf('1-trust-both').resource.vault_pki_secret_backend_config_urls.istio_next_root_urls.lifecycle.precondition;
    const attribute = 'vault_pki_secret_backend_root_cert.istio_next_root_ca.certificate';
    assert.equal(terraformPlanWith(pre, attribute, B.trim()).status, 0);
    const wrong = terraformPlanWith(pre, attribute, A.trim());
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /'newRootPem' of the rotation plan is not the root in Vault mount pki-next/);
  });
});

describe('MeshFleetRootRotation: before the new root exists, and what it refuses', () => {
  it('without newRootPem, plans step 0 only, and says how to go on', () => {
    const p = plan(false);
    assert.equal(p.rotation.clusterPlan, undefined);
    assert.deepEqual(readdirSync(p.rotation.outdir).sort(), ['.istio-custom-ca-files.json', '0-add-next-root', 'ROTATION.md']);
    assert.match(p.read('ROTATION.md'), /`terraform output -raw istio_next_root_ca_pem` gives the new root \(public\)\. Set it as `newRootPem`/);
  });

  it('refuses a bad root, a fleet root PEM that is not the current root, and a next root in the current root\'s mount', () => {
    const fleet = fleetProps('/tmp/ica-unused');
    assert.throws(() => new MeshFleetRootRotation({ fleet, currentRootPem: FIXTURES.leaf, newRootPem: B }), /^Error: MeshFleetRootRotation: 'currentRootPem'/);
    throwsExactly(() => new MeshFleetRootRotation({ fleet, currentRootPem: A, newRootPem: A }),
      "MeshFleetRootRotation: 'newRootPem' is the same certificate as 'currentRootPem'; give the new root");
    throwsExactly(() => new MeshFleetRootRotation({ fleet, currentRootPem: A, newRootPem: B, nextRootMountPath: 'pki' }),
      "MeshFleet: 'nextRootMountPath' (pki) must differ from 'rootMountPath'; the new root needs its own mount so that the current one stays");
    throwsExactly(() => new MeshFleetRootRotation({ fleet: { ...fleet, rootCaPem: B, clusters: [...fleet.clusters, NORTH] }, currentRootPem: A, newRootPem: B }),
      "MeshFleetRootRotation: 'fleet.rootCaPem' is not 'currentRootPem': the Kubernetes CSR clusters pin the root the fleet runs on, which " +
      'the plan moves from; make them the same');
  });
});

const NORTH = { name: 'north', route: VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR, kubernetesHost: 'https://north.example.com:6443',
  issuancePolicy: IssuancePolicy.certManagerDefaultApprover() };

describe('MeshFleetRootRotation: a Kubernetes CSR cluster moves to a second issuer (a new signer) under the new root', () => {
  const base = mkdtempSync(join(tmpdir(), 'ica-vault-fleet-rot-csr-'));
  const fleet = fleetProps(join(base, 'dist-fleet'));
  const rotation = new MeshFleetRootRotation({ fleet: { ...fleet, rootCaPem: A, clusters: [...fleet.clusters, NORTH] }, currentRootPem: A, newRootPem: B });
  rotation.synth();
  const read = (path: string) => readFileSync(join(rotation.outdir, path), 'utf8');

  it('the real istiod chart (1.30.3) reads the old signer until north\'s step and the new one from it; both roots pinned, both issuers granted', async () => {
    for (const s of rotation.clusterPlan!.steps) {
      const north = s.clusters.find((c) => c.name === 'north')!;
      const objs = helmTemplate(chartDir('1.30.3', 'istiod'), parseYaml(read(`${s.folder}/clusters/north/install/istiod-values.yaml`)), 'istio-system', 'istiod');
      const env = Object.fromEntries(objs.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      const signer = `issuers.cert-manager.io/istio-system.vault-istio${north.phase >= 2 ? '-next' : ''}`;
      assert.deepEqual([env.K8S_SIGNER, env.ISTIO_MULTIROOT_MESH], [signer, 'true'], s.folder);
      const mesh = parseYaml(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio').data.mesh);
      assert.deepEqual([...new Set(mesh.caCertificates.map((c: any) => normalisePem(c.pem)))].sort(), (north.phase === 3 ? [B] : [A, B]).sort(), s.folder);
      const pinned = mesh.caCertificates.find((c: any) => c.certSigners?.includes(signer));
      assert.equal(normalisePem(pinned.pem), north.phase >= 2 ? B : A, `${s.folder}: the signer's own root`);
      const docs = parseAllDocuments(read(`${s.folder}/clusters/north/manifests/istio-custom-ca.k8s.yaml`)).map((d) => d.toJSON()).filter((d) => d);
      await validateAll(docs);
      assert.deepEqual(docs.filter((d: any) => d.kind === 'Issuer').map((d: any) => d.spec.vault.path),
        ['pki_int_north/sign/istio-workload', 'pki_int_north_next/sign/istio-workload']);
      const policy = await parse('p.hcl', JSON.parse(read(`${s.folder}/terraform/mesh-fleet/cdk.tf.json`)).resource.vault_policy.istio_north_sign_policy.policy);
      assert.deepEqual(Object.keys(policy.path), ['pki_int_north/sign/istio-workload', 'pki_int_north_next/sign/istio-workload']);
    }
    assert.deepEqual(lintPaths([rotation.outdir]).findings, []);
  });
});
