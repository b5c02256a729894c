/**
 * Property-based fuzzing of every construct (fast-check). Each run starts from valid props and replaces up to three
 * fields with values from pools of hostile input. The oracle: either an Error whose message starts with the construct
 * (or the factory that takes the prop) and names a replaced field, or output that passes every check a real component
 * or GitOps tool would apply (strict CRD schemas and kubernetes-models, name/label/annotation rules, YAML 1.1 = 1.2
 * read-back, the duration rules, the secret/token scan, the Vault address rule, promtool for rule files, no
 * duplicates). Anything else is counted as an unclear error or a silent acceptance.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Duration } from 'cdk8s';
import { App as TfApp, TerraformStack } from 'cdktf';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import {
  AdoptEnterpriseCa, CaIntegrationType, ClusterFleet, FleetRoot, FleetRootRotation, IRotationPhaseBuilder, CaIntegration, CaPinnedDestination, CertAlert, CertAlertRules, CertManagerIssuer, CsrSigner, DestinationTrust, IssuerKind, IssuerSource, IstioCustomCa, MeshApp, PermissivePeerAuth, RootCaBundle, RootCaRotation, StrictMtlsMigration, VaultAuth,
} from '../src';
import { MeshFleet, MeshFleetRootRotation, MeshPki, VaultPkiBackend, VaultPkiRoute, VaultRoot } from '../src/vault';
import { PluginCaRotationBuilder } from '../examples/root-rotation/rotation';
import { CertManagerAdoptionBuilder, KubernetesCsrAdoptionBuilder, ManualAdoptionBuilder } from '../examples/adopt-enterprise-ca/adopt';
import { IstioCsrRotationBuilder } from '../drill/rotation-builders';
import { parseGoDuration } from '../src/model/durations';
import { vaultAddressProblem } from '../src/model/vault-policy';
import { scanText } from './output-scan';
import { FIXTURES } from './pki-fixtures';
import { validateCrd, validateModel, withoutPath } from './support';

const STRINGS = ['', ' ', 'UPPER', 'a'.repeat(300), '../etc/passwd', 'a/b', 'x\u0000y', '${TfToken[TOKEN.1]}', '#{TfToken[TOKEN.2]}',
  'ünïcödé', '-a', 'a-', '*', 'a b', 'a\nb', '{{ .x', 'yes', 'on', '0x1F', '1e3', 'a.b', 'a_b', 'ok-value', 'x'.repeat(64), 'x'.repeat(65)];
const DURATIONS = [Duration.millis(NaN), Duration.millis(Infinity), Duration.millis(0.5), Duration.millis(1), Duration.millis(1500),
  Duration.hours(2_562_048), Duration.millis(1e21), Duration.minutes(5), Duration.hours(1), Duration.hours(48), Duration.days(400), 42 as unknown as Duration];
const NUMBERS = [NaN, Infinity, -1, 0, 0.01, 0.2, 0.5, 0.99, 1, 2, 1e21];
const VERSIONS = ['1.9', '1.15', '1.22', '1.24', '1.30', '1.30.3', 'v1.24', '2.0', 'latest', ''];

const str = () => fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 12 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/));
const dur = () => fc.constantFrom(...DURATIONS);
const num = () => fc.oneof(fc.constantFrom(...NUMBERS), fc.double({ noNaN: false }));
const bool = () => fc.boolean();

/** One fuzzable field: its name, the values to try, and the prop names a user wrote it as (when not the same). */
type Field = readonly [name: string, values: fc.Arbitrary<unknown>, aliases?: string[]];

/** What a target produced: cluster objects and output files (path, text). */
interface Output {
  readonly objects: any[];
  readonly files: { path: string; content: string }[];
  /** Terraform JSON, when the target writes some. */
  readonly terraform?: any;
}

/** A construct under test. */
export interface Target {
  readonly name: string;
  /** Message prefixes a clear error may start with (the construct, or a factory that validates the prop). */
  readonly prefixes: string[];
  readonly fields: Field[];
  /** Builds from the chosen field values (a map by field name) and returns the output. */
  build(v: Record<string, any>): Output;
}

function meshApp(): { app: MeshApp; chart: Chart } {
  const app = new MeshApp({ outdir: join(tmpdir(), 'ica-fuzz-unused') });
  return { app, chart: new Chart(app, 'mesh') };
}

function output(app: MeshApp): Output {
  const files = app.renderOutput();
  return { objects: app.charts.flatMap((c) => c.toJson()), files };
}

const pick = <T>(v: Record<string, any>, k: string, d: T): T => (k in v ? v[k] : d);

export const TARGETS: Target[] = [
  {
    name: 'IstioCustomCa', prefixes: ['IstioCustomCa:', 'CertManagerIssuer:', 'IssuerSource:', 'MeshApp:'],
    fields: [['trustDomain', str()], ['istioNamespace', str(), ['istioNamespace', 'namespace']], ['workloadCertTtl', dur()], ['gracePeriodRatio', num()],
      ['gracePeriodRatioJitter', num()], ['maxWorkloadCertTtl', dur()], ['istioVersion', fc.constantFrom(...VERSIONS)], ['clusterName', str()],
      ['ambient', bool()], ['istiodRestartToken', str()], ['commonName', str()], ['duration', dur()], ['renewBefore', dur()]],
    build(v) {
      const { app, chart } = meshApp();
      const issuer = new CertManagerIssuer(chart, 'corp-ca', { namespace: pick(v, 'istioNamespace', 'istio-system'), source: IssuerSource.ca({ secretName: 'corp-ca' }) });
      new IstioCustomCa(chart, 'istio-ca', {
        integration: CaIntegration.certManagerPluginCa({ issuer, commonName: pick(v, 'commonName', undefined), duration: pick(v, 'duration', undefined), renewBefore: pick(v, 'renewBefore', undefined) }),
        ...Object.fromEntries(Object.entries(v).filter(([k]) => !['commonName', 'duration', 'renewBefore'].includes(k))),
      });
      return output(app);
    },
  },
  {
    name: 'IstioCustomCa (istio-csr)', prefixes: ['IstioCustomCa:', 'RootCaBundle:', 'CertManagerIssuer:', 'MeshApp:'],
    fields: [['maxCertificateDuration', dur()], ['istiodCertificateDuration', dur()], ['istiodCertificateRenewBefore', dur()], ['namespace', str(), ['istioCsr namespace']],
      ['version', fc.constantFrom('v0.12.0', 'v0.13.0', 'v0.17.0', '0.17', 'latest', '')], ['name', str()], ['key', str()],
      ['workloadCertTtl', dur()], ['istioVersion', fc.constantFrom(...VERSIONS)], ['trustDomain', str()], ['clusterName', str()], ['ambient', bool()]],
    build(v) {
      const { app, chart } = meshApp();
      const issuer = new CertManagerIssuer(chart, 'mesh-ca', { source: IssuerSource.ca({ secretName: 'mesh-ca' }) });
      new IstioCustomCa(chart, 'istio-ca', {
        integration: CaIntegration.istioCsr({
          issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: pick(v, 'name', 'mesh-root'), key: pick(v, 'key', undefined) }),
          maxCertificateDuration: pick(v, 'maxCertificateDuration', undefined), istiodCertificateDuration: pick(v, 'istiodCertificateDuration', undefined),
          istiodCertificateRenewBefore: pick(v, 'istiodCertificateRenewBefore', undefined), namespace: pick(v, 'namespace', undefined), version: pick(v, 'version', undefined),
        }),
        workloadCertTtl: pick(v, 'workloadCertTtl', undefined), istioVersion: pick(v, 'istioVersion', undefined), trustDomain: pick(v, 'trustDomain', undefined),
        clusterName: pick(v, 'clusterName', undefined), ambient: pick(v, 'ambient', undefined),
      });
      return output(app);
    },
  },
  {
    name: 'IstioCustomCa (Kubernetes CSR)', prefixes: ['IstioCustomCa:', 'CsrSigner:', 'MeshApp:'],
    fields: [['signer', fc.oneof(str(), fc.constantFrom('example.com/signer', 'kubernetes.io/legacy-unknown', 'a/b/c'))], ['namespace', str()],
      ['rootCaPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.leaf, '', 'garbage')], ['istioVersion', fc.constantFrom(...VERSIONS)]],
    build(v) {
      const { app, chart } = meshApp();
      new IstioCustomCa(chart, 'istio-ca', {
        integration: CaIntegration.kubernetesCsr({
          signer: CsrSigner.named(pick(v, 'signer', 'example.com/mesh')), rootCaPem: pick(v, 'rootCaPem', FIXTURES.rootA),
          namespaceSigners: 'namespace' in v ? [{ namespace: v.namespace, signer: CsrSigner.named('example.com/team') }] : undefined,
        }),
        istioVersion: pick(v, 'istioVersion', undefined),
      });
      return output(app);
    },
  },
  {
    name: 'CertManagerIssuer', prefixes: ['CertManagerIssuer:', 'IssuerSource:', 'VaultAuth:', 'MeshApp:'],
    fields: [['name', str()], ['namespace', str()], ['kind', fc.constantFrom(IssuerKind.ISSUER, IssuerKind.CLUSTER_ISSUER)], ['secretName', str()],
      ['commonName', str()], ['duration', dur()], ['server', fc.oneof(str(), fc.constantFrom('https://vault:8200', 'https://u:p@vault', 'https://vault:99999', 'https://vault?x'))],
      ['path', fc.oneof(str(), fc.constantFrom('pki/root/sign-intermediate', 'pki_int/sign/r'))], ['role', str()], ['mountPath', fc.oneof(str(), fc.constantFrom('/v1/auth/k8s'))],
      ['serviceAccountName', str()], ['source', fc.constantFrom('ca', 'selfSignedRoot', 'vault')]],
    build(v) {
      const { app, chart } = meshApp();
      const kind = pick(v, 'kind', IssuerKind.ISSUER);
      const src = pick(v, 'source', 'ca');
      const source = src === 'ca' ? IssuerSource.ca({ secretName: pick(v, 'secretName', 'corp-ca') })
        : src === 'selfSignedRoot' ? IssuerSource.selfSignedRoot({ commonName: pick(v, 'commonName', 'Root'), duration: pick(v, 'duration', undefined) })
          : IssuerSource.vault({ server: pick(v, 'server', 'https://vault.example.com'), path: pick(v, 'path', 'pki/root/sign-intermediate'),
            auth: VaultAuth.kubernetes({ role: pick(v, 'role', 'r'), mountPath: pick(v, 'mountPath', undefined), serviceAccountName: pick(v, 'serviceAccountName', 'vault-issuer') }) });
      new CertManagerIssuer(chart, 'issuer', { name: pick(v, 'name', undefined), kind, namespace: kind === IssuerKind.ISSUER ? pick(v, 'namespace', undefined) : undefined, source });
      return output(app);
    },
  },
  {
    name: 'PermissivePeerAuth', prefixes: ['PermissivePeerAuth:', 'MeshApp:'],
    fields: [['namespace', str()], ['selectorKey', str(), ['selector']], ['selectorValue', str(), ['selector']], ['reason', fc.oneof(str(), fc.constant('r'.repeat(300_000)))], ['name', str()],
      ['istioVersion', fc.constantFrom(...VERSIONS)], ['namespaceWide', bool()], ['meshWide', bool()]],
    build(v) {
      const { app, chart } = meshApp();
      const wide = pick(v, 'namespaceWide', false) || pick(v, 'meshWide', false);
      new PermissivePeerAuth(chart, 'p', {
        namespace: pick(v, 'namespace', 'shop'), reason: pick(v, 'reason', 'legacy clients'), name: pick(v, 'name', undefined),
        istioVersion: pick(v, 'istioVersion', undefined), namespaceWide: pick(v, 'namespaceWide', undefined), meshWide: pick(v, 'meshWide', undefined),
        selector: wide ? undefined : { [pick(v, 'selectorKey', 'app')]: pick(v, 'selectorValue', 'legacy') },
      });
      return output(app);
    },
  },
  {
    name: 'CaPinnedDestination', prefixes: ['CaPinnedDestination:', 'DestinationTrust:', 'MeshApp:'],
    fields: [['host', fc.oneof(str(), fc.constantFrom('payments.shop.svc.cluster.local', '*.example.com', 'http://x', 'a:80'))], ['namespace', str()],
      ['serviceAccount', str()], ['trustDomain', str()], ['istioVersion', fc.constantFrom(...VERSIONS)]],
    build(v) {
      const { app, chart } = meshApp();
      new CaPinnedDestination(chart, 'd', {
        host: pick(v, 'host', 'payments.shop.svc.cluster.local'), namespace: pick(v, 'namespace', 'shop'), istioVersion: pick(v, 'istioVersion', undefined),
        trust: DestinationTrust.meshPeers({ trustDomain: pick(v, 'trustDomain', undefined), peers: [{ namespace: 'shop', serviceAccount: pick(v, 'serviceAccount', 'payments') }] }),
      });
      return output(app);
    },
  },
  {
    name: 'CertAlertRules', prefixes: ['CertAlertRules:', 'MeshApp:'],
    fields: [['name', str()], ['namespace', str()], ['labelKey', str(), ['ruleLabels']], ['labelValue', str(), ['ruleLabels']], ['rootExpiryLeadTime', dur()],
      ['threshold', dur(), ['overrides']], ['forDuration', dur(), ['addRule']], ['certManagerVersion', fc.constantFrom('v1.12', 'v1.19', 'v1.20', 'v1.21', '1.x', '')], ['runbookBaseUrl', str()],
      ['alert', str(), ['addRule']], ['expr', fc.oneof(str(), fc.constantFrom('up == 0', 'sum(rate(x[5m])) > 0', 'up ==', '(up')), ['addRule']],
      ['summary', str(), ['addRule']], ['description', str(), ['addRule']]],
    build(v) {
      const { app, chart } = meshApp();
      const ca = new IstioCustomCa(chart, 'istio-ca', { integration: CaIntegration.manualPluginCa() });
      const rules = new CertAlertRules(chart, 'alerts', {
        ca, name: pick(v, 'name', undefined), namespace: pick(v, 'namespace', undefined), certManagerVersion: pick(v, 'certManagerVersion', undefined),
        ruleLabels: 'labelKey' in v || 'labelValue' in v ? { [pick(v, 'labelKey', 'release')]: pick(v, 'labelValue', 'prom') } : undefined,
        rootExpiryLeadTime: pick(v, 'rootExpiryLeadTime', undefined), runbookBaseUrl: pick(v, 'runbookBaseUrl', undefined),
        overrides: 'threshold' in v ? [{ alert: CertAlert.CA_ROOT_EXPIRING, threshold: v.threshold }] : undefined,
      });
      if (['alert', 'expr', 'summary', 'description', 'forDuration'].some((k) => k in v)) {
        rules.addRule({ alert: pick(v, 'alert', 'Mine'), expr: pick(v, 'expr', 'up == 0'), summary: pick(v, 'summary', 's'), description: pick(v, 'description', 'd'), forDuration: pick(v, 'forDuration', undefined) });
      }
      return output(app);
    },
  },
  {
    name: 'MeshPki', prefixes: ['MeshPki:', 'VaultPkiBackend:', 'VaultRoot:', 'IstioCustomCa:', 'CertManagerIssuer:', 'IssuerSource:', 'VaultAuth:', 'MeshApp:'],
    fields: [['vaultAddress', fc.oneof(str(), fc.constantFrom('https://vault:8200', 'https://u:p@vault', 'https://vault:0', 'https://vault#f'))],
      ['trustDomain', str()], ['issuerName', str()], ['clusterName', str()], ['intermediateDuration', dur()], ['intermediateRenewBefore', dur()],
      ['rootMountPath', str()], ['leafRoleName', str()], ['route', fc.constantFrom(...Object.values(VaultPkiRoute), 'LEAVES' as VaultPkiRoute)],
      ['kubernetesCaCertPem', fc.constantFrom(FIXTURES.rootA, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n', 'eyJhbGciOi.x.y')],
      ['kubernetesCsrRootCaPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.leaf, '', 'garbage')], ['leafMaxTtl', dur()], ['workloadCertTtl', dur()]],
    build(v) {
      const app = new MeshApp({ outdir: join(tmpdir(), 'ica-fuzz-unused') });
      new MeshPki(app, 'mesh', {
        route: pick(v, 'route', VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD), vaultAddress: pick(v, 'vaultAddress', 'https://vault.example.com'),
        kubernetesHost: 'https://k8s.example.com', ...Object.fromEntries(Object.entries(v).filter(([k]) => !['route', 'vaultAddress'].includes(k))),
      });
      return output(app);
    },
  },
  {
    name: 'StrictMtlsMigration', prefixes: ['StrictMtlsMigration:', 'PermissivePeerAuth:', 'MeshApp:'],
    fields: [['namespace', str()], ['url', fc.oneof(str(), fc.constantFrom('http://shop', 'ftp://x', 'http://'))], ['image', str()],
      ['minSuccessRatio', num()], ['duration', dur()]],
    build(v) {
      const out = mkdtempSync(join(tmpdir(), 'ica-fuzz-mig-'));
      const m = new StrictMtlsMigration({
        namespaces: [pick(v, 'namespace', 'shop')], outdir: out,
        loadTest: { namespace: 'shop', url: pick(v, 'url', 'http://shop'), image: pick(v, 'image', undefined), minSuccessRatio: pick(v, 'minSuccessRatio', undefined), duration: pick(v, 'duration', undefined) },
      });
      const apps = m.stages.map((_, i) => m.stageApp(i));
      return { objects: apps.flatMap((a) => a.charts.flatMap((c) => c.toJson())), files: apps.flatMap((a) => a.renderOutput()) };
    },
  },
  {
    name: 'VaultPkiBackend', prefixes: ['VaultPkiBackend:', 'VaultRoot:'],
    fields: [['trustDomain', str()], ['vaultAddress', fc.oneof(str(), fc.constantFrom('https://vault:8200', 'https://u:p@vault', 'https://[fd00::1]:8200'))],
      ['rootMountPath', str()], ['intermediateMountPath', str()], ['leafRoleName', str()], ['leafMaxTtl', dur()], ['intermediateTtl', dur()],
      ['policyName', str()], ['logicalIdPrefix', str()], ['route', fc.constantFrom(VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, VaultPkiRoute.LEAVES_FOR_ISTIO_CSR)],
      ['path', str(), ['kubernetesAuth.path']], ['roleName', str(), ['kubernetesAuth.roleName']], ['serviceAccountName', str(), ['kubernetesAuth.serviceAccountName']],
      ['serviceAccountNamespace', str(), ['kubernetesAuth.serviceAccountNamespace']], ['audience', str(), ['kubernetesAuth.audience']],
      ['tokenTtl', dur(), ['kubernetesAuth.tokenTtl']], ['commonName', str()], ['addLeafRole', str(), ['leaf role', 'addLeafRole']]],
    build(v) {
      const stack = new TerraformStack(new TfApp({ outdir: tmpdir(), skipValidation: true }), 'stack');
      const auth = Object.fromEntries(['path', 'roleName', 'serviceAccountName', 'serviceAccountNamespace', 'audience', 'tokenTtl'].filter((k) => k in v).map((k) => [k, v[k]]));
      const b = new VaultPkiBackend(stack, 'v', {
        trustDomain: pick(v, 'trustDomain', 'mesh.example.com'), vaultAddress: pick(v, 'vaultAddress', 'https://vault.example.com'),
        route: pick(v, 'route', VaultPkiRoute.LEAVES_FOR_ISTIO_CSR), root: VaultRoot.generate({ commonName: pick(v, 'commonName', 'Mesh Root') }),
        rootMountPath: pick(v, 'rootMountPath', undefined), intermediateMountPath: pick(v, 'intermediateMountPath', undefined),
        leafRoleName: pick(v, 'leafRoleName', undefined), leafMaxTtl: pick(v, 'leafMaxTtl', undefined), intermediateTtl: pick(v, 'intermediateTtl', undefined),
        policyName: pick(v, 'policyName', undefined), logicalIdPrefix: pick(v, 'logicalIdPrefix', undefined),
        kubernetesAuth: { kubernetesHost: 'https://k8s.example.com', roleName: 'cert-manager', serviceAccountName: 'vault-issuer', serviceAccountNamespace: 'istio-system',
          audience: 'vault://istio-system/vault-istio', ...auth },
      });
      if ('addLeafRole' in v) b.addLeafRole(v.addLeafRole);
      stack.prepareStack();
      return { objects: [], files: [{ path: 'terraform/v/cdk.tf.json', content: JSON.stringify(stack.toTerraform(), undefined, 2) }], terraform: stack.toTerraform() };
    },
  },
  {
    name: 'RootCaRotation', prefixes: ['RootCaRotation:', 'IstioCustomCa:'],
    fields: [['currentRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootA}${FIXTURES.rootB}`, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n')],
      ['newRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootB}${FIXTURES.rootA}`, `${FIXTURES.rootB}\neyJhbGciOi.eyJzdWIi.c2ln\n`)]],
    build(v) {
      const plan = new RootCaRotation({
        currentRootPem: pick(v, 'currentRootPem', FIXTURES.rootA), newRootPem: pick(v, 'newRootPem', FIXTURES.rootB),
        builder: new PluginCaRotationBuilder(), outdir: join(tmpdir(), 'ica-fuzz-rot-unused'),
      });
      return { objects: plan.apps.flatMap((a) => a.charts.flatMap((c) => c.toJson())),
        files: [...plan.apps.flatMap((a) => a.renderOutput()), { path: 'ROTATION.md', content: plan.renderPlan() }] };
    },
  },
  {
    name: 'AdoptEnterpriseCa', prefixes: ['AdoptEnterpriseCa:', 'IstioCustomCa:'],
    fields: [['selfSignedRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootA}${FIXTURES.rootB}`, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n')],
      ['enterpriseRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootB}${FIXTURES.rootA}`, `${FIXTURES.rootB}\neyJhbGciOi.eyJzdWIi.c2ln\n`)],
      ['integration', fc.constantFrom(...Object.values(CaIntegrationType), 'SELF_SIGNED')]],
    build(v) {
      const builders: Record<string, IRotationPhaseBuilder> = {
        [CaIntegrationType.CERT_MANAGER_PLUGIN_CA]: new CertManagerAdoptionBuilder(), [CaIntegrationType.MANUAL_PLUGIN_CA]: new ManualAdoptionBuilder(),
        [CaIntegrationType.KUBERNETES_CSR]: new KubernetesCsrAdoptionBuilder(), [CaIntegrationType.ISTIO_CSR]: new IstioCsrRotationBuilder(),
      };
      const integration = pick(v, 'integration', CaIntegrationType.CERT_MANAGER_PLUGIN_CA);
      const builder = builders[integration] ?? { integration, buildPhase: () => { throw new Error('never called'); } };
      const plan = new AdoptEnterpriseCa({
        selfSignedRootPem: pick(v, 'selfSignedRootPem', FIXTURES.rootA), enterpriseRootPem: pick(v, 'enterpriseRootPem', FIXTURES.rootB),
        builder, outdir: join(tmpdir(), 'ica-fuzz-adopt-unused'),
      });
      return { objects: plan.apps.flatMap((a) => a.charts.flatMap((c) => c.toJson())),
        files: [...plan.apps.flatMap((a) => a.renderOutput()), { path: 'ADOPT.md', content: plan.renderPlan() }] };
    },
  },
  {
    name: 'MeshFleet', prefixes: ['MeshFleet:', 'VaultAuth:', 'VaultRoot:'],
    fields: [['name', str()], ['network', str()], ['trustDomain', str()], ['trustDomainAliases', fc.array(str(), { maxLength: 2 })],
      ['intermediateCommonName', str()], ['istioVersion', fc.constantFrom(...VERSIONS)], ['meshId', str()], ['id', str()], ['rootCommonName', str()],
      ['vaultAddress', fc.oneof(str(), fc.constantFrom('https://vault:8200', 'http://vault:8200'))], ['kubernetesHost', fc.oneof(str(), fc.constantFrom('https://k8s:6443', 'http://k8s'))],
      ['route', fc.constantFrom(...Object.values(VaultPkiRoute))], ['rootCaPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.leaf, '', 'garbage')]],
    build(v) {
      const west = Object.fromEntries(['network', 'trustDomain', 'trustDomainAliases', 'intermediateCommonName', 'istioVersion'].filter((k) => k in v).map((k) => [k, v[k]]));
      const f = new MeshFleet({
        outdir: mkdtempSync(join(tmpdir(), 'ica-fuzz-fleet-')), vaultAddress: pick(v, 'vaultAddress', 'https://vault.example.com'),
        meshId: pick(v, 'meshId', undefined), id: pick(v, 'id', undefined), rootCommonName: pick(v, 'rootCommonName', undefined),
        rootCaPem: pick(v, 'rootCaPem', undefined),
        clusters: [
          { name: 'east', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, kubernetesHost: 'https://east.example.com' },
          { name: pick(v, 'name', 'west'), route: pick(v, 'route', VaultPkiRoute.LEAVES_FOR_ISTIO_CSR), kubernetesHost: pick(v, 'kubernetesHost', 'https://west.example.com'), ...west },
        ],
      });
      return { objects: f.clusters.flatMap((c) => c.app.charts.flatMap((ch) => ch.toJson())), files: f.renderOutput() };
    },
  },
  {
    name: 'ClusterFleet', prefixes: ['ClusterFleet:', 'FleetRoot.offline:', 'FleetRoot.certManagerCa:'],
    fields: [['rootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootA}${FIXTURES.rootB}`, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n')],
      ['secretName', str()], ['integration', fc.constantFrom('PLUGIN_CA', 'ISTIO_CSR', 'KUBERNETES_CSR', 'VAULT', '')], ['name', str()], ['network', str()],
      ['trustDomain', str()], ['intermediateCommonName', str()], ['istioVersion', fc.constantFrom(...VERSIONS)], ['intermediateDuration', dur()],
      ['intermediateRenewBefore', dur()], ['id', str()]],
    build(v) {
      const rootPem = pick(v, 'rootPem', FIXTURES.rootA);
      const root = 'secretName' in v ? FleetRoot.certManagerCa({ secretName: v.secretName, rootPem }) : FleetRoot.offline({ rootPem });
      const west = Object.fromEntries(['network', 'trustDomain', 'intermediateCommonName', 'istioVersion', 'integration'].filter((k) => k in v).map((k) => [k, v[k]]));
      const f = new ClusterFleet({
        root, outdir: mkdtempSync(join(tmpdir(), 'ica-fuzz-cfleet-')), id: pick(v, 'id', undefined),
        intermediateDuration: pick(v, 'intermediateDuration', undefined), intermediateRenewBefore: pick(v, 'intermediateRenewBefore', undefined),
        clusters: [{ name: 'east' }, { name: pick(v, 'name', 'west'), ...west }],
      });
      return { objects: f.clusters.flatMap((c) => c.app.charts.flatMap((ch) => ch.toJson())), files: f.renderOutput() };
    },
  },
  {
    name: 'FleetRootRotation', prefixes: ['FleetRootRotation:'],
    fields: [['currentRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk', `${FIXTURES.rootA}${FIXTURES.rootB}`)],
      ['newRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', `${FIXTURES.rootB}${FIXTURES.rootA}`)], ['name', str(), ['clusters[1].name']]],
    build(v) {
      const plan = new FleetRootRotation({
        currentRootPem: pick(v, 'currentRootPem', FIXTURES.rootA), newRootPem: pick(v, 'newRootPem', FIXTURES.rootB), outdir: join(tmpdir(), 'ica-fuzz-frot-unused'),
        clusters: [{ name: 'east', builder: new PluginCaRotationBuilder() }, { name: pick(v, 'name', 'west'), builder: new IstioCsrRotationBuilder() }],
      });
      return { objects: plan.clusters.flatMap((c) => c.apps.flatMap((a) => a.charts.flatMap((ch) => ch.toJson()))), files: plan.renderOutput() };
    },
  },
  {
    name: 'MeshFleetRootRotation', prefixes: ['MeshFleetRootRotation:', 'MeshFleet:', 'FleetRootRotation:'],
    fields: [['currentRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', 'junk')],
      ['newRootPem', fc.constantFrom(FIXTURES.rootA, FIXTURES.rootB, FIXTURES.leaf, '', undefined)], ['nextRootMountPath', str()],
      ['nextRootCommonName', str()], ['route', fc.constantFrom(...Object.values(VaultPkiRoute))], ['rootMountPath', str(), ['fleet.rootMountPath']]],
    build(v) {
      const route = pick<VaultPkiRoute>(v, 'route', VaultPkiRoute.LEAVES_FOR_ISTIO_CSR);
      const plan = new MeshFleetRootRotation({
        fleet: {
          outdir: join(tmpdir(), 'ica-fuzz-vrot-unused'), vaultAddress: 'https://vault.example.com', trustDomain: 'mesh.example.com',
          rootMountPath: pick(v, 'rootMountPath', undefined), rootCaPem: route === VaultPkiRoute.LEAVES_FOR_KUBERNETES_CSR ? FIXTURES.rootA : undefined,
          clusters: [
            { name: 'east', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, kubernetesHost: 'https://east.example.com' },
            { name: 'west', route, kubernetesHost: 'https://west.example.com' },
          ],
        },
        currentRootPem: pick(v, 'currentRootPem', FIXTURES.rootA), newRootPem: 'newRootPem' in v ? v.newRootPem : FIXTURES.rootB,
        nextRootMountPath: pick(v, 'nextRootMountPath', undefined), nextRootCommonName: pick(v, 'nextRootCommonName', undefined),
        outdir: join(tmpdir(), 'ica-fuzz-vrot-unused', 'plan'),
      });
      const apps = plan.clusterPlan?.clusters.flatMap((c) => c.apps) ?? [];
      return { objects: apps.flatMap((a) => a.charts.flatMap((ch) => ch.toJson())), files: plan.renderOutput() };
    },
  },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** RBAC objects take any path segment name (kubernetes pkg/apis/rbac/validation ValidateRBACName); the others a DNS subdomain. */
const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

function validObjectName(kind: string, name: unknown): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) return false;
  return RBAC_KINDS.has(kind) ? !['.', '..'].includes(name) && !/[/%]/.test(name) : DNS_SUBDOMAIN.test(name);
}

/** Problems a real API server, GitOps tool or component would have with the output; empty when it is fine. */
export async function outputProblems(o: Output, promtool: boolean): Promise<string[]> {
  const p: string[] = [];
  for (const obj of o.objects) {
    const m = obj.metadata ?? {};
    const id = `${obj.kind} ${m.namespace ?? ''}/${m.name}`;
    try { await validateModel(obj); } catch (e) { p.push(`${id}: kubernetes-models: ${(e as Error).message.slice(0, 200)}`); }
    try { validateCrd(obj); } catch (e) { p.push(`${id}: CRD schema: ${(e as Error).message.slice(0, 200)}`); }
    if (!validObjectName(obj.kind, m.name)) p.push(`${id}: invalid name`);
    if (m.namespace !== undefined && (m.namespace.length > 63 || !DNS_LABEL.test(m.namespace))) p.push(`${id}: invalid namespace`);
    for (const [k, v] of Object.entries(m.labels ?? {})) {
      if (!LABEL_KEY.test(k) || k.split('/').pop()!.length > 63 || !LABEL_VALUE.test(String(v)) || String(v).length > 63) p.push(`${id}: invalid label ${k}=${v}`);
    }
    const annotations = Object.entries(m.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
    if (annotations > 256 * 1024) p.push(`${id}: annotations exceed 256 KiB`);
    if (obj.kind === 'Certificate') {
      const d = parseGoDuration(obj.spec.duration ?? '1h');
      const rb = parseGoDuration(obj.spec.renewBefore ?? '5m');
      if (d === undefined || d < 3_600_000 || rb === undefined || rb < 300_000 || rb >= d) p.push(`${id}: duration/renewBefore cert-manager rejects`);
      if (obj.spec.commonName !== undefined && Buffer.byteLength(obj.spec.commonName) > 64) p.push(`${id}: commonName over 64 bytes`);
    }
    if (obj.spec?.vault?.server !== undefined && vaultAddressProblem('server', obj.spec.vault.server)) p.push(`${id}: Vault server URL`);
  }
  if (o.terraform) p.push(...terraformProblems(o.terraform));
  const ruleFiles: string[] = [];
  for (const f of o.files) {
    p.push(...scanText(f.path, f.content));
    if (f.path.endsWith('.yaml')) {
      const v12 = parseAllDocuments(f.content).map((d) => d.toJS());
      const v11 = parseAllDocuments(f.content, { version: '1.1' }).map((d) => d.toJS());
      if (JSON.stringify(v11) !== JSON.stringify(v12)) p.push(`${f.path}: reads differently as YAML 1.1 and 1.2`);
      const ttl = v12[0]?.spec?.meshConfig?.defaultConfig?.proxyMetadata?.SECRET_TTL ?? v12[0]?.meshConfig?.defaultConfig?.proxyMetadata?.SECRET_TTL;
      if (ttl !== undefined) {
        const ms = parseGoDuration(String(ttl));
        if (ms === undefined || ms < 1000 || ms % 1000 !== 0) p.push(`${f.path}: SECRET_TTL ${ttl} is not whole seconds of at least 1s`);
      }
    }
    if (f.path.endsWith('.rules.yaml')) ruleFiles.push(f.content);
  }
  if (promtool) {
    for (const text of ruleFiles) {
      const dir = mkdtempSync(join(tmpdir(), 'ica-fuzz-rules-'));
      writeFileSync(join(dir, 'r.rules.yaml'), text);
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'r.rules.yaml')], { encoding: 'utf8' });
      if (r.status !== 0) p.push(`promtool check rules: ${(r.stdout + r.stderr).slice(0, 300)}`);
    }
  }
  return p;
}

/**
 * What Terraform and Vault would refuse: resource names that are not Terraform identifiers, two resources of one type
 * with one name, Vault paths (mounts, roles, policies) with characters a URL path segment cannot carry.
 */
function terraformProblems(tf: any): string[] {
  const p: string[] = [];
  for (const [type, byName] of Object.entries<any>(tf.resource ?? {})) {
    for (const [name, r] of Object.entries<any>(byName)) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) p.push(`${type}.${name}: not a Terraform identifier`);
      for (const key of ['path', 'name', 'role_name', 'backend']) {
        const val = r[key];
        if (typeof val === 'string' && !val.startsWith('${') && !/^[A-Za-z0-9_.\-/]+$/.test(val)) p.push(`${type}.${name}.${key} (${val}): not a Vault path segment`);
      }
    }
  }
  return p;
}

/** Per-target counts. */
export interface Tally {
  runs: number;
  clearErrors: number;
  accepted: number;
  unclearErrors: string[];
  silentAcceptances: string[];
}

/** Runs `runs` fuzz cases against a target and returns the tally (never throws for a case). */
export async function fuzzTarget(t: Target, runs: number, seed: number): Promise<Tally> {
  const tally: Tally = { runs: 0, clearErrors: 0, accepted: 0, unclearErrors: [], silentAcceptances: [] };
  const arb = fc.subarray(t.fields.map((_, i) => i), { minLength: 0, maxLength: Math.min(3, t.fields.length) })
    .chain((idx) => fc.tuple(...idx.map((i) => t.fields[i][1].map((value) => [t.fields[i][0], value] as const))));
  const aliases = new Map(t.fields.map(([n, , a]) => [n, [n, ...(a ?? [])]]));
  await fc.assert(fc.asyncProperty(arb, async (pairs) => {
    tally.runs++;
    const v = Object.fromEntries(pairs);
    const names = Object.keys(v);
    let out: Output;
    try {
      out = t.build(v);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const prefixed = e instanceof Error && t.prefixes.some((pre) => withoutPath(msg).startsWith(pre));
      const named = names.some((n) => aliases.get(n)!.some((a) => msg.includes(`'${a}`) || msg.includes(`${a}'`) || msg.includes(`${a}[`) || msg.includes(`${a}(`)))
        || /defined twice|output path/.test(msg);
      if (prefixed && named) tally.clearErrors++;
      else tally.unclearErrors.push(`${JSON.stringify(v, replacer).slice(0, 200)} → ${msg.slice(0, 240)}`);
      return true;
    }
    const problems = await outputProblems(out, t.name === 'CertAlertRules');
    if (problems.length === 0) tally.accepted++;
    else tally.silentAcceptances.push(`${JSON.stringify(v, replacer).slice(0, 200)} → ${problems.slice(0, 3).join('; ').slice(0, 300)}`);
    return true;
  }), { numRuns: runs, seed });
  return tally;
}

function replacer(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && typeof (v as Duration).toMilliseconds === 'function') return `Duration(${(v as Duration).toMilliseconds({ integral: false })}ms)`;
  if (typeof v === 'string' && v.length > 40) return `${v.slice(0, 20)}…(${v.length})`;
  return v;
}

