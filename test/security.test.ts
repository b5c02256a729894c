/**
 * Issue 11's security items: the mesh CA is closed to other namespaces, PEM props carry certificates only, and no
 * cdktf token reaches a manifest through any string prop.
 */
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import { Chart } from 'cdk8s';
import * as x509 from '@peculiar/x509';
import * as pki from '../drill/pki';
import {
  CaIntegration, CaPinnedDestination, CertAlert, CertAlertRules, CertManagerIssuer, CsrSigner, DestinationTrust, IssuerSource, IstioCustomCa, MeshApp, PermissivePeerAuth, RootCaBundle, RootCaRotation, StrictMtlsMigration, TrustSource,
} from '../src';
import { MeshPki, VaultPkiRoute } from '../src/vault';
import { PluginCaRotationBuilder } from '../examples/root-rotation/rotation';
import { EXAMPLES } from './examples';
import { FIXTURES } from './pki-fixtures';
import { chart, throwsExactly } from './support';

describe('the mesh CA is closed to every namespace but its own (issuers namespaced by default)', () => {
  for (const [name, build] of EXAMPLES) {
    it(`examples/${name}: no ClusterIssuer signs at a Vault sign-intermediate path, and only an explicit opt-in makes one`, () => {
      const app = new MeshApp({ outdir: '/tmp/unused' });
      build(app);
      const objs = app.charts.flatMap((c) => c.toJson());
      const cluster = objs.filter((o: any) => o.kind === 'ClusterIssuer');
      assert.deepEqual(cluster.filter((o: any) => /sign-intermediate$/.test(o.spec.vault?.path ?? '')), []);
      // kubernetes-csr opts in (cert-manager's CSR signer for ClusterIssuers) and its NOTES.md warns.
      assert.equal(cluster.length > 0, name === 'kubernetes-csr', `ClusterIssuers in ${name}: ${cluster.map((o: any) => o.metadata.name)}`);
      if (cluster.length > 0) {
        const notes = app.renderInstallFiles().find((f) => f.fileName === 'NOTES.md')!.content;
        for (const o of cluster) assert.ok(notes.includes(`## Warning: ClusterIssuer \`${o.metadata.name}\` (opt-in)`), o.metadata.name);
      }
    });
  }
});

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PRIVATE_PKCS8 = KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PRIVATE_SEC1 = KEY.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const PUBLIC = KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
/** Not certificates: each must be refused wherever a PEM certificate is expected. */
const NOT_CERTIFICATES: [string, string][] = [
  ['a PKCS#8 private key', PRIVATE_PKCS8],
  ['a SEC1 private key', PRIVATE_SEC1],
  ['a root followed by its private key', `${FIXTURES.rootA}${PRIVATE_PKCS8}`],
  ['a public key', PUBLIC],
  ['a JWT', JWT],
  ['a root followed by a token', `${FIXTURES.rootA}\n${JWT}\n`],
];

/** Every PEM-certificate prop of the library, as a function that builds with `pem` there. */
const PEM_PROPS: [string, RegExp, (pem: string) => void][] = [
  ['IstioCustomCa.additionalTrustedRootsPem', /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' must hold only PEM 'CERTIFICATE' blocks/, (pem) => {
    const c = chart();
    new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa(), multiRoot: true, additionalTrustedRootsPem: [pem] });
  }],
  ['CaIntegration.kubernetesCsr rootCaPem', /^Error: IstioCustomCa \([^)]+\): 'rootCaPem' must hold only PEM 'CERTIFICATE' blocks/, (pem) => {
    const c = chart();
    const signer = CsrSigner.named('example.com/signer');
    new IstioCustomCa(c, 'ca', { integration: CaIntegration.kubernetesCsr({ signer, rootCaPem: pem }) });
  }],
  ['TrustSource.inline', /^Error: TrustSource: 'pem' must hold only PEM 'CERTIFICATE' blocks/, (pem) => { TrustSource.inline(pem); }],
  ['RootCaRotation.newRootPem', /^Error: RootCaRotation: 'newRootPem' must hold only PEM 'CERTIFICATE' blocks/, (pem) => {
    new RootCaRotation({ currentRootPem: FIXTURES.rootB, newRootPem: pem, builder: new PluginCaRotationBuilder(), outdir: '/tmp/unused-rotation' });
  }],
  ['MeshPki.kubernetesCaCertPem', /^Error: MeshPki: VaultPkiBackend \([^)]+\): 'kubernetesCaCertPem' must hold only PEM 'CERTIFICATE' blocks/, (pem) => {
    new MeshPki(new MeshApp({ outdir: '/tmp/unused' }), 'mesh', {
      route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com',
      kubernetesCaCertPem: pem,
    });
  }],
];

describe('PEM props hold certificates only: a key or token is refused before it can reach a manifest or cdk.tf.json', () => {
  for (const [prop, message, build] of PEM_PROPS) {
    it(`${prop}: refuses ${NOT_CERTIFICATES.map(([what]) => what).join(', ')}`, () => {
      for (const [what, pem] of NOT_CERTIFICATES) assert.throws(() => build(pem), message, `${prop} accepted ${what}`);
      assert.doesNotThrow(() => build(FIXTURES.rootA), `${prop} refused a root certificate`);
    });
  }
});

const TOKENS = ['${TfToken[TOKEN.12]}', '#{TfToken[TOKEN.13]}'];
/** String props that reach a manifest, each with a builder that puts `t` there. */
const TOKEN_PROPS: [string, (t: string) => void, RegExp?][] = [
  ['IstioCustomCa.trustDomain', (t) => { new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), trustDomain: t }); }],
  ['IstioCustomCa.clusterName', (t) => { new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), clusterName: `east-${t}` }); }],
  ['CaIntegration.certManagerPluginCa commonName', (t) => {
    const c = chart();
    const issuer = new CertManagerIssuer(c, 'i', { source: IssuerSource.ca({ secretName: 's' }) });
    new IstioCustomCa(c, 'ca', { integration: CaIntegration.certManagerPluginCa({ issuer, commonName: `Mesh ${t}` }) });
  }],
  ['RootCaBundle.fromConfigMap name', (t) => {
    const c = chart();
    const issuer = new CertManagerIssuer(c, 'i', { source: IssuerSource.ca({ secretName: 's' }) });
    new IstioCustomCa(c, 'ca', { integration: CaIntegration.istioCsr({ issuer, rootCaBundle: RootCaBundle.fromConfigMap({ name: `root${t}` }) }) });
  }, /^Error: RootCaBundle: 'name' \(root[$#]\{TfToken/],
  ['PermissivePeerAuth.reason', (t) => { new PermissivePeerAuth(chart(), 'p', { namespace: 'shop', selector: { app: 'a' }, reason: `until ${t}` }); }],
  ['PermissivePeerAuth.selector', (t) => { new PermissivePeerAuth(chart(), 'p', { namespace: 'shop', selector: { app: t }, reason: 'r' }); }],
  ['CaPinnedDestination.host', (t) => {
    new CaPinnedDestination(chart(), 'd', { host: `${t}.shop.svc.cluster.local`, namespace: 'shop',
      trust: DestinationTrust.meshPeers({ peers: [{ namespace: 'shop', serviceAccount: 'payments' }] }) });
  }],
  ['CertAlertRules.ruleLabels', (t) => {
    const c = chart();
    new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }), ruleLabels: { release: t } });
  }],
  ['CertAlertRules.addRule summary', (t) => {
    const c = chart();
    const a = new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }) });
    a.addRule({ alert: 'Mine', expr: 'up == 0', summary: t, description: 'd' });
  }],
  ['MeshPki.clusterName', (t) => {
    new MeshPki(new MeshApp({ outdir: '/tmp/unused' }), 'mesh', {
      route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com', clusterName: t,
    });
  }],
];

describe('cdktf tokens (string ${TfToken[ and list #{TfToken[) are refused in every string prop that reaches a manifest', () => {
  for (const [prop, build, message] of TOKEN_PROPS) {
    it(prop, () => {
      for (const t of TOKENS) assert.throws(() => build(t), message ?? /is an unresolved cdktf token/, `${prop} accepted ${t}`);
    });
  }
});

/** A self-signed CA with the given validity and key, made with @peculiar/x509 (as drill/pki.ts does). */
async function selfSignedCa(cn: string, notBefore: Date, notAfter: Date, alg: RsaHashedKeyGenParams | EcKeyGenParams): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const signingAlgorithm = alg.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : alg;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=${cn}`, notBefore, notAfter, keys, signingAlgorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return `${cert.toString('pem').replace(/\r\n/g, '\n')}\n`;
}

describe('trust anchors: only valid, strong, self-signed roots are accepted', () => {
  const day = 86_400_000;
  const now = Date.now();
  const EC = { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams;
  const RSA1024 = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams;
  const build = (pem: string) => new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), multiRoot: true, additionalTrustedRootsPem: [pem] });

  it('refuses expired, not-yet-valid, weak RSA and non-self-signed roots, naming the prop', async () => {
    const expired = await selfSignedCa('Old Root', new Date(now - 400 * day), new Date(now - day), EC);
    const future = await selfSignedCa('Future Root', new Date(now + day), new Date(now + 400 * day), EC);
    const weak = await selfSignedCa('Weak Root', new Date(now - day), new Date(now + 400 * day), RSA1024);
    const parent = await pki.root('Parent Root');
    const inter = (await pki.intermediate('Intermediate', parent)).certPem;
    assert.throws(() => build(expired), /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' holds root CN=Old Root, which expired on /);
    assert.throws(() => build(future), /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' holds root CN=Future Root, which is not valid before /);
    assert.throws(() => build(weak), /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' holds root CN=Weak Root with a 1024-bit RSA key/);
    assert.throws(() => build(inter), /^Error: IstioCustomCa \([^)]+\): 'additionalTrustedRootsPem\[0\]' holds CN=Intermediate, issued by CN=Parent Root, which is not self-signed/);
    assert.doesNotThrow(() => build(parent.certPem));
  });

  it('refuses a new root bundle that still contains the current root', () => {
    assert.throws(() => new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: `${FIXTURES.rootB}${FIXTURES.rootA}`, builder: new PluginCaRotationBuilder() }),
      /^Error: RootCaRotation: 'newRootPem' still contains the current root \('currentRootPem'\)/);
  });
});

describe('errors name the construct path, the prop and the value', () => {
  it('every construct puts its path after its name', () => {
    const app = new MeshApp({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'mesh');
    const cases: [string, () => unknown][] = [
      ["IstioCustomCa (mesh/istio-ca): 'trustDomain' (Bad)", () => new IstioCustomCa(c, 'istio-ca', { integration: CaIntegration.manualPluginCa(), trustDomain: 'Bad' })],
      ["CertManagerIssuer (mesh/corp-ca): 'name' (Corp)", () => new CertManagerIssuer(c, 'corp-ca', { name: 'Corp', source: IssuerSource.ca({ secretName: 's' }) })],
      ["PermissivePeerAuth (mesh/legacy): 'namespace' (Shop)", () => new PermissivePeerAuth(c, 'legacy', { namespace: 'Shop', selector: { app: 'a' }, reason: 'r' })],
      ["CaPinnedDestination (mesh/payments): 'host' (Bad Host)", () => new CaPinnedDestination(c, 'payments', { host: 'Bad Host', namespace: 'shop',
        trust: DestinationTrust.meshPeers({ peers: [{ namespace: 'shop', serviceAccount: 'p' }] }) })],
      ["CertAlertRules (mesh/alerts): 'name' (Alerts)", () => new CertAlertRules(c, 'alerts', {
        ca: new IstioCustomCa(new Chart(app, 'other'), 'ca', { integration: CaIntegration.manualPluginCa() }), name: 'Alerts' })],
    ];
    for (const [start, build] of cases) {
      assert.throws(build, (e: Error) => e.message.startsWith(start), start);
    }
  });
});

describe('names and fields the components would reject are refused (Issue 11 item 6)', () => {
  const mustThrow = (f: () => unknown, re: RegExp) => assert.throws(f, re);
  it('certificate common names of 1 to 64 bytes', () => {
    mustThrow(() => IssuerSource.selfSignedRoot({ commonName: 'x'.repeat(65) }), /^Error: IssuerSource: 'commonName' \(x{65}\) must be a certificate common name of 1 to 64 bytes/);
    mustThrow(() => IssuerSource.selfSignedRoot({ commonName: 'é'.repeat(33) }), /1 to 64 bytes/);
    mustThrow(() => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: CaIntegration.certManagerPluginCa({ issuer: new CertManagerIssuer(c, 'i', { source: IssuerSource.ca({ secretName: 's' }) }), commonName: '' }) }); },
      /^Error: IstioCustomCa \(test\/ca\): 'commonName' \(\) must be a certificate common name/);
    assert.doesNotThrow(() => IssuerSource.selfSignedRoot({ commonName: 'x'.repeat(64) }));
  });
  it('DestinationRule hosts as Istio validates them', () => {
    const dr = (host: string) => new CaPinnedDestination(chart(), 'd', { host, namespace: 'shop', trust: DestinationTrust.meshPeers({ peers: [{ namespace: 'shop', serviceAccount: 'p' }] }) });
    for (const bad of ['a..b', `${'a'.repeat(64)}.svc`, 'Payments', 'http://x', 'a:80', '*', '']) mustThrow(() => dr(bad), /'host' .* must be a service name or DNS name Istio accepts/);
    for (const ok of ['payments', '*.example.com', 'payments.shop.svc.cluster.local']) assert.doesNotThrow(() => dr(ok), ok);
  });
  it('root-bundle keys are valid ConfigMap/Secret keys (the file istio-csr reads)', () => {
    for (const key of ['../../etc/passwd', '', '.', '..', 'a b']) {
      mustThrow(() => RootCaBundle.fromConfigMap({ name: 'root', key }), /^Error: RootCaBundle: 'key' .* is not a valid ConfigMap or Secret key/);
      mustThrow(() => TrustSource.secret('root', key), /^Error: TrustSource: 'key' .* is not a valid ConfigMap or Secret key/);
    }
    assert.doesNotThrow(() => RootCaBundle.fromSecret({ name: 'root', key: 'ca.crt' }));
  });
  it('annotation size: a PERMISSIVE reason stays far below the 256 KiB annotation limit', () => {
    mustThrow(() => new PermissivePeerAuth(chart(), 'p', { namespace: 'shop', selector: { app: 'a' }, reason: 'r'.repeat(5000) }),
      /^Error: PermissivePeerAuth \(test\/p\): 'reason' \(r{40}…, 5000 bytes\) is too long for an annotation/);
  });
  it('load test: an image reference and a success ratio that keeps the gate meaningful', () => {
    const m = (loadTest: object) => new StrictMtlsMigration({ namespaces: ['shop'], outdir: '/tmp/unused-m', loadTest: { namespace: 'shop', url: 'http://shop', ...loadTest } });
    mustThrow(() => m({ image: '' }), /^Error: StrictMtlsMigration: 'loadTest.image' \(\) must be a container image reference/);
    mustThrow(() => m({ image: 'curl images' }), /'loadTest.image'/);
    mustThrow(() => m({ minSuccessRatio: 0.5 }), /^Error: StrictMtlsMigration: 'loadTest.minSuccessRatio' \(0.5\) must be from 0.9 to 1/);
    assert.doesNotThrow(() => m({ image: 'registry.example.com/tools/curl:8.11.1', minSuccessRatio: 0.95 }));
  });
});

describe('implausible or missing values get the same kind of error as bad ones (never a raw TypeError)', () => {
  it('no integration, no route, a patch or v-prefixed Istio version, and overrides of alerts that are not emitted', () => {
    assert.throws(() => new IstioCustomCa(chart(), 'ca', {} as any), /^Error: IstioCustomCa \(test\/ca\): 'integration' \(undefined\) is required/);
    assert.throws(() => new MeshPki(new MeshApp({ outdir: '/tmp/unused' }), 'mesh', { vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com' } as any),
      /^Error: MeshPki: 'route' \(undefined\) is required/);
    for (const v of ['1.30.3', 'v1.30', ' 1.30', '1.x']) {
      assert.throws(() => new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), istioVersion: v }), /'istioVersion' .* is not a supported Istio version/, v);
    }
    const c = chart();
    const ca = new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() });
    assert.throws(() => new CertAlertRules(c, 'a', { ca, overrides: [{ alert: CertAlert.ISTIO_CSR_TLS_FAILURES, disabled: true }] }),
      /^Error: CertAlertRules \(test\/a\): 'overrides' names IstioCsrServingCertFailures, which is not emitted for this integration/);
  });
});

describe('messages of the remaining rules (construct, prop, value, fix)', () => {
  it('Terraform state may not live inside the output folder', () => {
    throwsExactly(() => new MeshApp({ outdir: '/tmp/ica-out', terraformStateDir: '/tmp/ica-out/state' }),
      "MeshApp: 'terraformStateDir' (/tmp/ica-out/state) lies inside the output folder (/tmp/ica-out), which cdk8s synth deletes; put the state beside it");
    throwsExactly(() => new MeshPki(new MeshApp({ outdir: '/tmp/ica-out' }), 'mesh', {
      route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com', localStatePath: 'terraform.tfstate',
    }), "MeshPki: 'localStatePath' (terraform.tfstate) lies inside the output folder (/tmp/ica-out), which cdk8s synth deletes with the state in " +
      'it; give a path outside it, or a remote backend');
  });
  it('Vault role and policy names, the runbook URL, and a builder without a known integration', () => {
    assert.throws(() => new MeshPki(new MeshApp({ outdir: '/tmp/unused' }), 'mesh', {
      route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD, vaultAddress: 'https://vault.example.com', kubernetesHost: 'https://k8s.example.com', authRoleName: 'a b',
    }), /^Error: MeshPki: 'authRoleName' \(a b\) is not a valid Kubernetes object name/);
    const c = chart();
    const ca = new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() });
    throwsExactly(() => new CertAlertRules(c, 'a', { ca, runbookBaseUrl: 'https://x/{{ .y }}' }),
      "CertAlertRules: 'runbookBaseUrl' (https://x/{{ .y }}) must be a URL or path without spaces or braces, e.g. " +
      'https://runbooks.example.com/istio-custom-ca/alerts.md; Prometheus expands annotations as templates');
    const inner = new PluginCaRotationBuilder();
    throwsExactly(() => new RootCaRotation({ currentRootPem: FIXTURES.rootA, newRootPem: FIXTURES.rootB, outdir: '/tmp/unused-rot',
      builder: { integration: 'PLUGIN' as any, buildPhase: (app, phase) => inner.buildPhase(app, phase) } }),
    "RootCaRotation: 'builder.integration' (PLUGIN) must be a CaIntegrationType, e.g. CaIntegrationType.CERT_MANAGER_PLUGIN_CA");
  });
});
