/**
 * Every Duration prop against values no component can read (Issue 11): each is refused at construction with an
 * error that starts with the construct and names the prop. One rule serves them all (`lifetimeProblem`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Testing as TfTesting, TerraformStack } from 'cdktf';
import { Duration } from 'cdk8s';
import {
  CaIntegration, CertAlert, CertAlertRules, CertManagerIssuer, IssuerSource, IstioCustomCa, RootCaBundle, StrictMtlsMigration,
} from '../src';
import { VaultPkiBackend, VaultPkiBackendProps, VaultPkiRoute, VaultRoot } from '../src/vault';
import { chart, withoutPath } from './support';

/** Values no component reads as a lifetime. */
const BAD: [string, Duration][] = [
  ['NaN', Duration.millis(NaN)],
  ['Infinity', Duration.millis(Infinity)],
  ['0.5 ms', Duration.millis(0.5)],
  ['1 ms', Duration.millis(1)],
  ['1500 ms', Duration.millis(1500)],
  ['2,562,048 h (beyond Go int64 nanoseconds)', Duration.hours(2_562_048)],
  ['1e21 ms', Duration.millis(1e21)],
  ['a number instead of a Duration', 86_400_000 as unknown as Duration],
];

const issuer = (c: ReturnType<typeof chart>) => new CertManagerIssuer(c, 'i', { source: IssuerSource.ca({ secretName: 's' }) });
const csr = (c: ReturnType<typeof chart>, o: object) =>
  CaIntegration.istioCsr({ issuer: issuer(c), rootCaBundle: RootCaBundle.fromConfigMap({ name: 'root' }), ...o });

function vault(props: Partial<VaultPkiBackendProps>): VaultPkiBackend {
  return new VaultPkiBackend(new TerraformStack(TfTesting.app(), 's'), 'v', {
    trustDomain: 'mesh.example.com', vaultAddress: 'https://vault.example.com', route: VaultPkiRoute.INTERMEDIATE_FOR_ISTIOD,
    root: VaultRoot.generate({ commonName: 'R' }),
    kubernetesAuth: { kubernetesHost: 'https://k8s.example.com', roleName: 'r', serviceAccountName: 'sa', serviceAccountNamespace: 'ns', audience: 'vault://x' },
    ...props,
  });
}

/** [prefix every error must start with, builder]. */
const PROPS: [string, (d: Duration) => void][] = [
  ["IstioCustomCa: 'workloadCertTtl'", (d) => { new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), workloadCertTtl: d }); }],
  ["IstioCustomCa: 'maxWorkloadCertTtl'", (d) => { new IstioCustomCa(chart(), 'ca', { integration: CaIntegration.manualPluginCa(), maxWorkloadCertTtl: d }); }],
  ["IstioCustomCa: 'duration'", (d) => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: CaIntegration.certManagerPluginCa({ issuer: issuer(c), duration: d }) }); }],
  ["IstioCustomCa: 'renewBefore'", (d) => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: CaIntegration.certManagerPluginCa({ issuer: issuer(c), renewBefore: d }) }); }],
  ["IstioCustomCa: 'maxCertificateDuration'", (d) => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: csr(c, { maxCertificateDuration: d }) }); }],
  ["IstioCustomCa: 'istiodCertificateDuration'", (d) => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: csr(c, { istiodCertificateDuration: d }) }); }],
  ["IstioCustomCa: 'istiodCertificateRenewBefore'", (d) => { const c = chart(); new IstioCustomCa(c, 'ca', { integration: csr(c, { istiodCertificateRenewBefore: d }) }); }],
  ["IssuerSource: 'duration'", (d) => { IssuerSource.selfSignedRoot({ commonName: 'R', duration: d }); }],
  ...(['rootExpiryLeadTime', 'manualIntermediateExpiryLeadTime', 'renewalOverdueAfter'] as const).map((prop): [string, (d: Duration) => void] => [
    `CertAlertRules: '${prop}'`, (d) => { const c = chart(); new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }), [prop]: d }); },
  ]),
  ["CertAlertRules: 'overrides[IstioCaRootExpiring].threshold'", (d) => {
    const c = chart();
    new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }), overrides: [{ alert: CertAlert.CA_ROOT_EXPIRING, threshold: d }] });
  }],
  ["CertAlertRules: 'overrides[IstioCaRootExpiring].forDuration'", (d) => {
    const c = chart();
    new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }), overrides: [{ alert: CertAlert.CA_ROOT_EXPIRING, forDuration: d }] });
  }],
  ["CertAlertRules: 'addRule(Mine).forDuration'", (d) => {
    const c = chart();
    new CertAlertRules(c, 'a', { ca: new IstioCustomCa(c, 'ca', { integration: CaIntegration.manualPluginCa() }) })
      .addRule({ alert: 'Mine', expr: 'up == 0', summary: 's', description: 'd', forDuration: d });
  }],
  ["VaultRoot: 'ttl'", (d) => { VaultRoot.generate({ commonName: 'R', ttl: d }); }],
  ["VaultPkiBackend: 'rootMaxLeaseTtl'", (d) => { vault({ rootMaxLeaseTtl: d }); }],
  ["VaultPkiBackend: 'nextRoot.ttl'", (d) => { vault({ nextRoot: { mountPath: 'pki-next', commonName: 'B', ttl: d } }); }],
  ["VaultPkiBackend: 'intermediateTtl'", (d) => { vault({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, intermediateTtl: d }); }],
  ["VaultPkiBackend: 'leafMaxTtl'", (d) => { vault({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR, leafMaxTtl: d }); }],
  ["VaultPkiBackend: 'kubernetesAuth.tokenTtl'", (d) => {
    vault({ kubernetesAuth: { kubernetesHost: 'https://k8s.example.com', roleName: 'r', serviceAccountName: 'sa', serviceAccountNamespace: 'ns', audience: 'vault://x', tokenTtl: d } });
  }],
  ["VaultPkiBackend: 'signedIntermediateTtl'", (d) => { vault({ signedIntermediateTtl: d }); }],
  ["VaultPkiBackend: 'leaf role t 'maxTtl''", (d) => { vault({ route: VaultPkiRoute.LEAVES_FOR_ISTIO_CSR }).addLeafRole('t', { maxTtl: d }); }],
  ["StrictMtlsMigration: 'loadTest.duration'", (d) => {
    new StrictMtlsMigration({ namespaces: ['shop'], loadTest: { namespace: 'shop', url: 'http://shop', duration: d }, outdir: '/tmp/unused-migration' });
  }],
];

describe('duration matrix: every Duration prop refuses values no component can read', () => {
  for (const [prefix, build] of PROPS) {
    it(prefix, () => {
      for (const [what, d] of BAD) {
        assert.throws(() => build(d), (e: Error) => {
          assert.ok(e instanceof Error && withoutPath(e.message).startsWith(prefix), `${what}: expected an error starting with ${prefix}, got: ${e.message}`);
          return true;
        }, `${prefix} accepted ${what}`);
      }
    });
  }
});
