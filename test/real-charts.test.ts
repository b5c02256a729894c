/**
 * The install config, rendered by the real upstream charts with a real helm (test/engines.ts), for every integration
 * × every Istio minor the library accepts for it × both install routes. Assertions are on the rendered objects:
 * the istiod container's env, the pod template's annotations, the `istio` mesh ConfigMap, the injector's values, the
 * signer RBAC, ztunnel's env and istio-csr's args. Expected values are written here from the inputs, not read back
 * from the library's own values.
 *
 * Routes: Helm (istiod-values.yaml, plus the post-render patch where the library writes one, applied by the real
 * kustomize in kubectl) and IstioOperator, rendered the way istioctl does (istio operator/pkg/render/manifest.go,
 * postprocess.go): spec.meshConfig folded into values.meshConfig, spec.values to each chart (ztunnel flattened with
 * `global`), then components.pilot.k8s.* applied to the istiod Deployment as a strategic merge patch by kubectl.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  CaIntegration, CertManagerIssuer, CsrSigner, IssuancePolicy, IssuerKind, IssuerSource, IstioCustomCa, IstioCustomCaProps, MeshApp, RootCaBundle,
} from '../src';
import { parseGoDuration } from '../src/model/durations';
import { chartDir, helmTemplate, kustomize, nearestChart, renderStats, strategicPatch } from './engines';
import { FIXTURES } from './pki-fixtures';
import { buildAdoption, CertManagerAdoptionBuilder, KubernetesCsrAdoptionBuilder, ManualAdoptionBuilder } from '../examples/adopt-enterprise-ca/adopt';

const NS = 'istio-system';
const TRUST_DOMAIN = 'mesh.example.com';
const CLUSTER = 'east-1';
const RESTART = 'rotation-2';
const SIGNER = 'clusterissuers.cert-manager.io/istio-system';
const CSR_ADDRESS = 'cert-manager-istio-csr.cert-manager.svc:443';
const pem = (p: string) => `${p.replace(/\r\n/g, '\n').trim()}\n`;

/** Assertions counted across the file, for the note. */
const stats = { assertions: 0, cases: 0 };
function eq(actual: unknown, expected: unknown, message: string): void {
  stats.assertions++;
  assert.deepEqual(actual, expected, message);
}

/** What the real components must end up reading. */
interface Expected {
  /** istiod container env: each exactly once with this value. */
  readonly istiodEnv: Record<string, string>;
  /** Env istiod must not have (e.g. MAX_WORKLOAD_CERT_TTL where istiod signs nothing). */
  readonly absentEnv: string[];
  readonly proxyMetadata: Record<string, string>;
  /** PEMs in meshConfig.caCertificates, in order, with their certSigners. */
  readonly caCertificates: { pem: string; certSigners?: string[] }[];
  readonly caAddress?: string;
  /** signers/approve resourceNames in istiod's ClusterRole. */
  readonly certSigners?: string[];
  /** ztunnel env (ambient). */
  readonly ztunnel?: Record<string, string>;
}

interface Scenario {
  readonly name: string;
  /** Oldest Istio minor the library accepts for it. */
  readonly sinceMinor: number;
  readonly ambient?: boolean;
  build(c: Chart, version: string): IstioCustomCa;
  expected(minor: number): Expected;
}

const COMMON: Partial<IstioCustomCaProps> = {
  trustDomain: TRUST_DOMAIN,
  clusterName: CLUSTER,
  istiodRestartToken: RESTART,
  workloadCertTtl: Duration.hours(12),
  gracePeriodRatio: 0.4,
};
const AGENT = { SECRET_TTL: '12h', SECRET_GRACE_PERIOD_RATIO: '0.4' };

function caIssuer(c: Chart, id = 'corp-ca', kind = IssuerKind.ISSUER): CertManagerIssuer {
  return new CertManagerIssuer(c, id, { kind, source: IssuerSource.ca({ secretName: `${id}-signing` }) });
}

const pluginCa = (ambient: boolean): Scenario => ({
  name: `cert-manager plug-in CA${ambient ? ' (ambient)' : ''}`,
  sinceMinor: ambient ? 22 : 15,
  ambient,
  build: (c, istioVersion) => new IstioCustomCa(c, 'istio-ca', {
    ...COMMON,
    istioVersion,
    ambient,
    integration: CaIntegration.certManagerPluginCa({ issuer: caIssuer(c) }),
    maxWorkloadCertTtl: Duration.hours(48),
    multiRoot: true,
    additionalTrustedRootsPem: [FIXTURES.rootB],
  }),
  expected: (minor) => ({
    istiodEnv: {
      MAX_WORKLOAD_CERT_TTL: '48h', ISTIO_MULTIROOT_MESH: 'true', CLUSTER_ID: CLUSTER,
      ...(minor <= 17 ? { AUTO_RELOAD_PLUGIN_CERTS: 'true' } : {}),
    },
    absentEnv: ['ENABLE_CA_SERVER', 'EXTERNAL_CA', ...(minor > 17 ? ['AUTO_RELOAD_PLUGIN_CERTS'] : [])],
    proxyMetadata: { ...AGENT, PROXY_CONFIG_XDS_AGENT: 'true' },
    caCertificates: [{ pem: pem(FIXTURES.rootB) }],
    ztunnel: ambient ? { SECRET_TTL: '12h', ISTIO_META_CLUSTER_ID: CLUSTER, CA_ADDRESS: `istiod.${NS}.svc:15012` } : undefined,
  }),
});

const manualPluginCa: Scenario = {
  name: 'manual plug-in CA',
  sinceMinor: 10,
  build: (c, istioVersion) => new IstioCustomCa(c, 'istio-ca', {
    ...COMMON, istioVersion, integration: CaIntegration.manualPluginCa(), maxWorkloadCertTtl: Duration.hours(24),
  }),
  expected: (minor) => ({
    istiodEnv: { MAX_WORKLOAD_CERT_TTL: '24h', CLUSTER_ID: CLUSTER, ...(minor >= 12 && minor <= 17 ? { AUTO_RELOAD_PLUGIN_CERTS: 'true' } : {}) },
    absentEnv: ['ENABLE_CA_SERVER', 'ISTIO_MULTIROOT_MESH'],
    proxyMetadata: AGENT,
    caCertificates: [],
  }),
};

const istioCsr = (ambient: boolean): Scenario => ({
  name: `istio-csr${ambient ? ' (ambient)' : ''}`,
  sinceMinor: ambient ? 22 : 16,
  ambient,
  build: (c, istioVersion) => new IstioCustomCa(c, 'istio-ca', {
    ...COMMON,
    istioVersion,
    ambient,
    workloadCertTtl: Duration.minutes(45),
    integration: CaIntegration.istioCsr({
      issuer: new CertManagerIssuer(c, 'mesh-ca', { kind: IssuerKind.ISSUER, namespace: NS, source: IssuerSource.ca({ secretName: 'mesh-ca' }) }),
      rootCaBundle: RootCaBundle.fromConfigMap({ name: 'mesh-root', key: 'root.pem' }),
    }),
  }),
  expected: () => ({
    istiodEnv: { ENABLE_CA_SERVER: 'false', PILOT_CERT_PROVIDER: 'istiod', CLUSTER_ID: CLUSTER },
    absentEnv: ['MAX_WORKLOAD_CERT_TTL', 'EXTERNAL_CA'],
    proxyMetadata: { SECRET_TTL: '45m', SECRET_GRACE_PERIOD_RATIO: '0.4' },
    caCertificates: [],
    caAddress: CSR_ADDRESS,
    ztunnel: ambient ? { SECRET_TTL: '45m', ISTIO_META_CLUSTER_ID: CLUSTER, CA_ADDRESS: CSR_ADDRESS } : undefined,
  }),
});

const kubernetesCsr: Scenario = {
  name: 'Kubernetes CSR',
  sinceMinor: 18,
  build: (c, istioVersion) => new IstioCustomCa(c, 'istio-ca', {
    ...COMMON,
    istioVersion,
    integration: CaIntegration.kubernetesCsr({ signer: CsrSigner.certManagerIssuer(caIssuer(c, 'istio-system', IssuerKind.CLUSTER_ISSUER)), rootCaPem: FIXTURES.rootA }),
    maxWorkloadCertTtl: Duration.hours(24),
    multiRoot: true,
    additionalTrustedRootsPem: [FIXTURES.rootB],
  }),
  expected: () => ({
    istiodEnv: {
      EXTERNAL_CA: 'ISTIOD_RA_KUBERNETES_API', K8S_SIGNER: SIGNER, CERT_SIGNER_DOMAIN: 'clusterissuers.cert-manager.io',
      PILOT_CERT_PROVIDER: `k8s.io/${SIGNER}`, MAX_WORKLOAD_CERT_TTL: '24h', ISTIO_MULTIROOT_MESH: 'true', CLUSTER_ID: CLUSTER,
    },
    absentEnv: ['ENABLE_CA_SERVER'],
    proxyMetadata: { ...AGENT, ISTIO_META_CERT_SIGNER: 'istio-system', PROXY_CONFIG_XDS_AGENT: 'true' },
    caCertificates: [{ pem: pem(FIXTURES.rootA), certSigners: [SIGNER] }, { pem: pem(FIXTURES.rootB) }],
    certSigners: [SIGNER],
  }),
};

const SCENARIOS: Scenario[] = [pluginCa(false), pluginCa(true), manualPluginCa, istioCsr(false), istioCsr(true), kubernetesCsr];
const NEWEST_MINOR = 30;

/** The text of each install file, by file name, kept beside the parsed files (written to disk as generated). */
const rawText = new WeakMap<Map<string, any>, Map<string, string>>();

/** Builds the scenario in a MeshApp and returns the install files as parsed YAML, by file name. */
function installFiles(s: Scenario, version: string): Map<string, any> {
  const app = new MeshApp({ outdir: join(tmpdir(), 'ica-real-unused') });
  const c = new Chart(app, 'mesh');
  s.build(c, version);
  Testing.synth(c);
  const rendered = app.renderInstallFiles();
  const files = new Map(rendered.map((f) => [f.fileName, f.fileName.endsWith('.yaml') ? parse(f.content) : f.content]));
  rawText.set(files, new Map(rendered.map((f) => [f.fileName, f.content])));
  return files;
}

/** The Helm route: istiod (and ztunnel) charts with the values files; the post-render kustomization when written. */
function renderHelmRoute(files: Map<string, any>, release: string): { istiod: any[]; ztunnel?: any[] } {
  let istiod = helmTemplate(chartDir(release, 'istiod'), files.get('istiod-values.yaml'), NS, 'istiod');
  const kustomization = files.get('istiod-post-render/kustomization.yaml');
  if (kustomization) {
    const dir = mkdtempSync(join(tmpdir(), 'ica-kustomize-'));
    try {
      for (const [name, text] of rawText.get(files)!) {
        if (name.startsWith('istiod-post-render/')) writeFileSync(join(dir, name.slice('istiod-post-render/'.length)), text);
      }
      writeFileSync(join(dir, kustomization.resources[0]), istiod.map((o) => JSON.stringify(o)).join('\n---\n'));
      istiod = kustomize(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const zt = files.get('ztunnel-values.yaml');
  return { istiod, ztunnel: zt ? helmTemplate(chartDir(release, 'ztunnel'), zt, NS, 'ztunnel') : undefined };
}

/** The IstioOperator route, as istioctl renders it. */
function renderIstioOperatorRoute(iop: any, release: string): { istiod: any[]; ztunnel?: any[] } {
  const values = structuredClone(iop.spec.values ?? {});
  values.meshConfig = { ...(values.meshConfig ?? {}), ...structuredClone(iop.spec.meshConfig ?? {}) };
  let istiod = helmTemplate(chartDir(release, 'istiod'), values, NS, 'istiod');
  const k8s = iop.spec.components?.pilot?.k8s;
  if (k8s) {
    const patch: any = { spec: { template: {} } };
    if (k8s.podAnnotations) patch.spec.template.metadata = { annotations: k8s.podAnnotations };
    if (k8s.env) patch.spec.template.spec = { containers: [{ name: 'discovery', env: k8s.env }] };
    istiod = istiod.map((o) => (o.kind === 'Deployment' && o.metadata.name === 'istiod' ? strategicPatch(o, patch) : o));
  }
  let ztunnel: any[] | undefined;
  if (values.ztunnel) {
    // FlattenValues: global, the scalar top-level values, then values.ztunnel (manifest.go applyComponentValuesToHelmValues).
    const flat: any = { global: values.global };
    for (const [k, v] of Object.entries(values)) if (typeof v !== 'object' || v === null) flat[k] = v;
    Object.assign(flat, values.ztunnel);
    ztunnel = helmTemplate(chartDir(release, 'ztunnel'), flat, NS, 'ztunnel');
  }
  return { istiod, ztunnel };
}

function find(objs: any[], kind: string, name: string): any {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `expected one ${kind} ${name} in the render, found ${found.length}`);
  return found[0];
}

function containerEnv(obj: any, container: string): { name: string; value?: string }[] {
  const c = obj.spec.template.spec.containers.find((x: any) => x.name === container);
  assert.ok(c, `no container ${container} in ${obj.kind} ${obj.metadata.name}`);
  return c.env ?? [];
}

/** Every expected variable exactly once with its value; absent ones absent; no name twice. */
function assertEnv(env: { name: string; value?: string }[], expected: Record<string, string>, absent: string[], where: string): void {
  const names = env.map((e) => e.name);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  eq(dupes, [], `${where}: duplicate env names (server-side apply rejects them)`);
  for (const [name, value] of Object.entries(expected)) {
    eq(env.filter((e) => e.name === name).map((e) => e.value), [value], `${where}: env ${name}`);
  }
  for (const name of absent) eq(names.includes(name), false, `${where}: env ${name} must be absent`);
}

function assertIstiod(objs: any[], e: Expected, where: string): void {
  const deploy = find(objs, 'Deployment', 'istiod');
  assertEnv(containerEnv(deploy, 'discovery'), e.istiodEnv, e.absentEnv, `${where} istiod`);
  eq(deploy.spec.template.metadata.annotations?.['istio-custom-ca.io/restart'], RESTART, `${where}: istiod pod annotation`);

  const mesh = parse(find(objs, 'ConfigMap', 'istio').data.mesh);
  eq(mesh.trustDomain, TRUST_DOMAIN, `${where}: mesh trustDomain`);
  for (const [k, v] of Object.entries(e.proxyMetadata)) eq(mesh.defaultConfig?.proxyMetadata?.[k], v, `${where}: proxyMetadata ${k}`);
  eq((mesh.caCertificates ?? []).map((c: any) => ({ pem: c.pem, ...(c.certSigners ? { certSigners: c.certSigners } : {}) })),
    e.caCertificates, `${where}: meshConfig.caCertificates`);

  const injector = JSON.parse(find(objs, 'ConfigMap', 'istio-sidecar-injector').data.values);
  eq(injector.global.caAddress ?? '', e.caAddress ?? '', `${where}: injector global.caAddress`);
  eq(injector.global.pilotCertProvider, 'istiod', `${where}: injector global.pilotCertProvider`);

  const role = find(objs, 'ClusterRole', `istiod-clusterrole-${NS}`);
  const approve = role.rules.filter((r: any) => r.resources?.includes('signers') && r.verbs?.includes('approve'));
  eq(approve.flatMap((r: any) => r.resourceNames ?? []), e.certSigners ?? [], `${where}: signers/approve RBAC`);
}

function assertZtunnel(objs: any[] | undefined, e: Expected, where: string): void {
  eq(objs !== undefined, e.ztunnel !== undefined, `${where}: ztunnel rendered iff ambient`);
  if (!objs || !e.ztunnel) return;
  assertEnv(containerEnv(find(objs, 'DaemonSet', 'ztunnel'), 'istio-proxy'), e.ztunnel, [], `${where} ztunnel`);
}

describe('real charts: every integration × Istio minor × install route', () => {
  after(() => {
    // Printed for the session note: distinct helm renders and assertions in this file.
    process.stdout.write(`# real charts: ${stats.cases} cases, ${renderStats.renders} distinct helm renders, ${stats.assertions} assertions\n`);
  });
  for (const s of SCENARIOS) {
    it(`${s.name}: the library refuses Istio 1.${s.sinceMinor - 1}, so the minors rendered below are all it claims`, () => {
      stats.assertions++;
      assert.throws(() => installFiles(s, `1.${s.sinceMinor - 1}`), /^Error: IstioCustomCa \([^)]+\): 'istioVersion' \(1\.\d+\)/);
    });
    for (let minor = s.sinceMinor; minor <= NEWEST_MINOR; minor++) {
      const version = `1.${minor}`;
      const release = nearestChart(version);
      it(`${s.name}, Istio ${version} (chart ${release}): Helm values and IstioOperator render what istiod reads`, () => {
        stats.cases++;
        const files = installFiles(s, version);
        const e = s.expected(minor);
        const helm = renderHelmRoute(files, release);
        assertIstiod(helm.istiod, e, `Helm ${version}`);
        assertZtunnel(helm.ztunnel, e, `Helm ${version}`);
        const iop = renderIstioOperatorRoute(files.get('istio-operator.yaml'), release);
        assertIstiod(iop.istiod, e, `IstioOperator ${version}`);
        assertZtunnel(iop.ztunnel, e, `IstioOperator ${version}`);
      });
    }
  }
});

describe('real charts: version boundaries that concern chart values', () => {
  it('HELM_FLAT_VALUES (1.24): flat env is lost on the 1.22.8 chart and read by the 1.24.6 chart; pilot.* is read by both', () => {
    const values = { env: { MAX_WORKLOAD_CERT_TTL: '48h' }, podAnnotations: { a: 'flat' } };
    const nested = { pilot: values };
    const envOf = (objs: any[]) => containerEnv(find(objs, 'Deployment', 'istiod'), 'discovery').filter((x) => x.name === 'MAX_WORKLOAD_CERT_TTL').map((x) => x.value);
    const annOf = (objs: any[]) => find(objs, 'Deployment', 'istiod').spec.template.metadata.annotations?.a;
    const old = helmTemplate(chartDir('1.22.8', 'istiod'), values, NS);
    eq(envOf(old), [], '1.22.8 ignores flat env');
    eq(annOf(old), undefined, '1.22.8 ignores flat podAnnotations');
    const flat = helmTemplate(chartDir('1.24.6', 'istiod'), values, NS);
    eq(envOf(flat), ['48h'], '1.24.6 reads flat env');
    eq(annOf(flat), 'flat', '1.24.6 reads flat podAnnotations');
    for (const r of ['1.22.8', '1.24.6', '1.30.3']) eq(envOf(helmTemplate(chartDir(r, 'istiod'), nested, NS)), ['48h'], `${r} reads pilot.env`);
  });

  it('the library writes pilot.* for 1.23 and flat values for 1.24', () => {
    const v23 = installFiles(manualPluginCa, '1.23').get('istiod-values.yaml');
    const v24 = installFiles(manualPluginCa, '1.24').get('istiod-values.yaml');
    eq([v23.env, typeof v23.pilot?.env], [undefined, 'object'], '1.23 values nest env under pilot');
    eq([typeof v24.env, v24.pilot], ['object', undefined], '1.24 values are flat');
  });

  it('PILOT_CERT_PROVIDER in Helm env renders a duplicate on every chart (so the library never puts it there)', () => {
    for (const r of ['1.22.8', '1.24.6', '1.30.3']) {
      const values = r === '1.22.8' ? { pilot: { env: { PILOT_CERT_PROVIDER: 'k8s.io/x' } } } : { env: { PILOT_CERT_PROVIDER: 'k8s.io/x' } };
      const env = containerEnv(find(helmTemplate(chartDir(r, 'istiod'), values, NS), 'Deployment', 'istiod'), 'discovery');
      eq(env.filter((x) => x.name === 'PILOT_CERT_PROVIDER').length, 2, `${r}: chart entry plus env entry`);
    }
    const files = installFiles(kubernetesCsr, '1.30');
    eq(JSON.stringify(files.get('istiod-values.yaml')).includes('PILOT_CERT_PROVIDER'), false, 'Helm values never carry PILOT_CERT_PROVIDER');
    eq(JSON.stringify(files.get('istio-operator.yaml').spec.values).includes('PILOT_CERT_PROVIDER'), false, 'IstioOperator values never carry it');
  });

  it("every chart mounts 'istiod-tls' and 'istio-ca-root-cert' where istiod looks (why ICA028 calls --tlsCertFile overlays dead weight)", () => {
    for (const r of ['1.22.8', '1.24.6', '1.30.3']) {
      const pod = find(helmTemplate(chartDir(r, 'istiod'), {}, NS), 'Deployment', 'istiod').spec.template.spec;
      const mounts = pod.containers.find((c: any) => c.name === 'discovery').volumeMounts;
      const source = (path: string) => {
        const name = mounts.find((m: any) => m.mountPath === path)?.name;
        const v = pod.volumes.find((x: any) => x.name === name);
        return v?.secret?.secretName ?? v?.configMap?.name;
      };
      eq([source('/var/run/secrets/istiod/tls'), source('/var/run/secrets/istiod/ca')], ['istiod-tls', 'istio-ca-root-cert'], `${r}: well-known TLS mounts`);
    }
  });

  it('ztunnel without the cluster name announces cluster "Kubernetes" (why ztunnel-values carries it)', () => {
    const env = containerEnv(find(helmTemplate(chartDir('1.30.3', 'ztunnel'), {}, NS), 'DaemonSet', 'ztunnel'), 'istio-proxy');
    eq(env.filter((x) => x.name === 'ISTIO_META_CLUSTER_ID').map((x) => x.value), ['Kubernetes'], 'chart default cluster ID');
  });

  it('the injected istio-proxy container declares only port 15090 (why the PodMonitor cannot use portNumber 15020)', () => {
    // The injector adds prometheus.io/port=15020 and path /stats/prometheus at injection time (metrics merging,
    // https://github.com/istio/istio/blob/1.30.3/pkg/kube/inject/inject.go); the template declares the ports.
    for (const r of ['1.22.8', '1.24.6', '1.30.3']) {
      const config = find(helmTemplate(chartDir(r, 'istiod'), {}, NS), 'ConfigMap', 'istio-sidecar-injector').data.config as string;
      const proxy = config.slice(config.indexOf('- name: istio-proxy'));
      const ports = [...proxy.slice(0, proxy.indexOf('readinessProbe')).matchAll(/containerPort: (\d+)/g)].map((m) => m[1]);
      eq(ports, ['15090'], `${r}: istio-proxy containerPorts`);
    }
  });
});

describe('real charts: istio-csr v0.17.0', () => {
  const ISTIO_CSR = chartDir('v0.17.0', 'istio-csr');
  function csrArgs(s: Scenario, version: string): string[] {
    const values = installFiles(s, version).get('istio-csr-values.yaml');
    // helm template validates the values against the chart's values.schema.json: a schema error fails here.
    const objs = helmTemplate(ISTIO_CSR, values, 'cert-manager', 'cert-manager-istio-csr');
    const deploy = find(objs, 'Deployment', 'cert-manager-istio-csr');
    const c = deploy.spec.template.spec.containers[0];
    const mounts = c.volumeMounts ?? [];
    const rootArg = (c.args as string[]).find((a) => a.startsWith('--root-ca-file='))!;
    const file = rootArg.slice('--root-ca-file='.length);
    const mount = mounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
    eq(Boolean(mount), true, `--root-ca-file (${file}) lies under a volume mount`);
    const volume = deploy.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    eq(volume.configMap?.name, 'mesh-root', 'the root bundle ConfigMap is the mounted volume');
    eq(volume.configMap.items.map((i: any) => i.path), [file.slice(mount.mountPath.length + 1)], 'the mounted key is the pinned file');
    return c.args;
  }

  for (const s of [istioCsr(false), istioCsr(true)]) {
    it(`${s.name}: args match istiod and the mesh (trust domain, cluster ID, root file, max duration, issuer)`, () => {
      const args = csrArgs(s, '1.30');
      const want = [
        `--trust-domain=${TRUST_DOMAIN}`, `--cluster-id=${CLUSTER}`, '--max-client-certificate-duration=1h',
        '--issuer-name=mesh-ca', '--issuer-kind=Issuer', '--issuer-group=cert-manager.io', `--certificate-namespace=${NS}`,
        ...(s.ambient ? [`--ca-trusted-node-accounts=${NS}/ztunnel`] : []),
      ];
      for (const a of want) eq(args.filter((x) => x === a), [a], `istio-csr arg ${a}`);
    });
  }

  it('istio-csr with IssuancePolicy.approverPolicy(): every request the chart makes is allowed by a policy bound to its requester', () => {
    const app = new MeshApp({ outdir: join(tmpdir(), 'ica-real-unused') });
    const c = new Chart(app, 'mesh');
    new IstioCustomCa(c, 'istio-ca', {
      trustDomain: TRUST_DOMAIN, workloadCertTtl: Duration.minutes(45), issuancePolicy: IssuancePolicy.approverPolicy(),
      integration: CaIntegration.istioCsr({
        issuer: new CertManagerIssuer(c, 'mesh-ca', { kind: IssuerKind.ISSUER, namespace: NS, source: IssuerSource.ca({ secretName: 'mesh-ca' }) }),
        rootCaBundle: RootCaBundle.fromConfigMap({ name: 'mesh-root', key: 'root.pem' }), istiodCertificateDuration: Duration.hours(3),
      }),
    });
    const manifests = Testing.synth(c);
    const values = parse(app.renderInstallFiles().find((f) => f.fileName === 'istio-csr-values.yaml')!.content);
    const objs = helmTemplate(ISTIO_CSR, values, 'cert-manager', 'cert-manager-istio-csr');
    const sa = find(objs, 'ServiceAccount', 'cert-manager-istio-csr');
    const args: string[] = find(objs, 'Deployment', 'cert-manager-istio-csr').spec.template.spec.containers[0].args;
    const arg = (n: string) => args.filter((a) => a.startsWith(`--${n}=`)).map((a) => a.slice(n.length + 3));
    const policy = (id: string) => find(manifests, 'CertificateRequestPolicy', `istio-custom-ca-${NS}-${id}`);
    const requester = (id: string) => {
      const name = `cert-manager-policy:istio-custom-ca-${NS}-${id}`;
      return find(manifests, 'RoleBinding', name).subjects.map((x: any) => `${x.namespace}/${x.name}`);
    };
    const ms = (d: string) => parseGoDuration(d)!;
    const within = (d: string, p: any, what: string) => {
      eq(ms(d) <= ms(p.spec.constraints.maxDuration), true, `${what}: ${d} within maxDuration ${p.spec.constraints.maxDuration}`);
      if (p.spec.constraints.minDuration) eq(ms(d) >= ms(p.spec.constraints.minDuration), true, `${what}: ${d} within minDuration`);
    };
    const selects = (p: any, ns: string, issuer: any, what: string) => {
      eq(p.spec.selector.namespace.matchNames, [ns], `${what}: the policy selects the requests' namespace`);
      eq(p.spec.selector.issuerRef, issuer, `${what}: the policy selects the requests' issuer`);
    };
    const issuer = { name: arg('issuer-name')[0], kind: arg('issuer-kind')[0], group: arg('issuer-group')[0] };
    const requestNs = arg('certificate-namespace')[0];
    // istio-csr's own requests are made by its ServiceAccount, as the chart names it.
    for (const id of ['istio-csr-workloads', 'istio-csr-serving']) {
      eq(requester(id), [`cert-manager/${sa.metadata.name}`], `${id}: bound to the chart's ServiceAccount alone`);
      selects(policy(id), requestNs, issuer, id);
    }
    within(arg('max-client-certificate-duration')[0], policy('istio-csr-workloads'), 'workload leaves');
    within(arg('serving-certificate-duration')[0], policy('istio-csr-serving'), 'serving certificate');
    eq(arg('serving-certificate-dns-names'), policy('istio-csr-serving').spec.allowed.dnsNames.values, 'serving DNS names');
    eq(policy('istio-csr-workloads').spec.allowed.uris.values, [`spiffe://${arg('trust-domain')[0]}/ns/*/sa/*`], 'workload URI SANs in the trust domain');
    // The chart's static istiod Certificate: its request is made by cert-manager's controller.
    const cert = find(objs, 'Certificate', 'istiod');
    const p = policy('istiod');
    eq(requester('istiod'), ['cert-manager/cert-manager'], 'istiod: bound to cert-manager\'s controller alone');
    selects(p, cert.metadata.namespace, { group: 'cert-manager.io', ...cert.spec.issuerRef }, 'istiod');
    eq(cert.spec.commonName, p.spec.allowed.commonName.value, 'istiod commonName');
    eq(cert.spec.dnsNames, p.spec.allowed.dnsNames.values, 'istiod DNS names');
    eq(cert.spec.uris, p.spec.allowed.uris.values, 'istiod URI SAN');
    eq(cert.spec.isCA ?? false, false, 'istiod is no CA');
    eq((cert.spec.usages ?? []).every((u: string) => p.spec.allowed.usages.includes(u)), true, 'istiod usages allowed');
    within(cert.spec.duration, p, 'istiod certificate');
  });

  it('the chart rejects values its schema forbids (the schema is enforced)', () => {
    assert.throws(() => helmTemplate(ISTIO_CSR, { app: { tls: { trustDomain: 7, notAField: true } } }, 'cert-manager'), /schema|additional|notAField/i);
  });
});


describe('real charts: the adoption plan (AdoptEnterpriseCa) as istiod renders it, phase by phase', () => {
  // Each phase's istiod-values.yaml rendered by the real istiod chart of every release.
  for (const builder of [new CertManagerAdoptionBuilder(), new ManualAdoptionBuilder(), new KubernetesCsrAdoptionBuilder()]) {
    it(`${builder.integration}: self-signed istiod with both roots and multi-root, then the CA with a pod-template change, then one root`, () => {
      const outdir = mkdtempSync(join(tmpdir(), 'ica-adopt-chart-'));
      const plan = buildAdoption(builder, outdir);
      plan.synth();
      const [a, b] = [pem(FIXTURES.rootA), pem(FIXTURES.rootB)];
      // The example targets Istio 1.30 (flat Helm values, read from the 1.24 chart on).
      for (const release of ['1.24.6', '1.30.3']) {
        const render = (i: number) => {
          const values = parse(readFileSync(join(outdir, plan.phases[i].folder, 'install', 'istiod-values.yaml'), 'utf8'));
          const objs = helmTemplate(chartDir(release, 'istiod'), values, NS);
          const deploy = find(objs, 'Deployment', 'istiod');
          const env = Object.fromEntries(containerEnv(deploy, 'discovery').map((e) => [e.name, e.value]));
          return { env, annotations: deploy.spec.template.metadata.annotations ?? {}, mesh: parse(find(objs, 'ConfigMap', 'istio').data.mesh) };
        };
        const [p1, p2, p3] = [render(0), render(1), render(2)];
        const where = `${builder.integration} on ${release}`;
        // Phase 1: istiod keeps its self-signed CA (no RA, no plug-in), pushes A+B over PCDS.
        eq(p1.env.ISTIO_MULTIROOT_MESH, 'true', `${where} phase 1: ISTIO_MULTIROOT_MESH`);
        eq(p1.env.EXTERNAL_CA, undefined, `${where} phase 1: no EXTERNAL_CA`);
        eq(p1.mesh.caCertificates.map((c: any) => c.pem), [a, b], `${where} phase 1: caCertificates`);
        eq(p1.mesh.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT, 'true', `${where} phase 1: PCDS on proxies`);
        // Phase 2: the pod template changes, so the Deployment rolls and istiod starts with the new CA.
        eq(JSON.stringify([p2.env, p2.annotations]) === JSON.stringify([p1.env, p1.annotations]), false, `${where} phase 2: istiod pod template changes`);
        eq([...new Set(p2.mesh.caCertificates.map((c: any) => c.pem))].sort(), [a, b].sort(), `${where} phase 2: both roots`);
        // Phase 3: the self-signed root is gone; the enterprise root stays wherever the route lists it.
        eq((p3.mesh.caCertificates ?? []).some((c: any) => c.pem === a), false, `${where} phase 3: no self-signed root`);
        stats.cases++;
      }
    });
  }
});
