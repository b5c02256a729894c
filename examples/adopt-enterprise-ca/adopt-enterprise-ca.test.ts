import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { CaIntegration, IRotationPhaseBuilder, IstioCustomCa, MeshApp, RotationPhase } from '../../src';
import { IstioCsrRotationBuilder } from '../../drill/rotation-builders';
import { lintPaths } from '../../src/lint/lint';
import { normalisePem } from '../../src/model/pem';
import { matchSnapshot, ofKind, throwsExactly, validateAll } from '../../test/support';
import {
  buildAdoption, CertManagerAdoptionBuilder, ENTERPRISE_ROOT_PEM, KubernetesCsrAdoptionBuilder, ManualAdoptionBuilder, SELF_SIGNED_ROOT_PEM,
} from './adopt';

const A = normalisePem(SELF_SIGNED_ROOT_PEM);
const B = normalisePem(ENTERPRISE_ROOT_PEM);
const scratch = () => mkdtempSync(join(tmpdir(), 'ica-adopt-'));

function synth(builder: IRotationPhaseBuilder) {
  const outdir = scratch();
  const plan = buildAdoption(builder, outdir);
  plan.synth();
  const values = (folder: string) => parseYaml(readFileSync(join(outdir, folder, 'install', 'istiod-values.yaml'), 'utf8'));
  const objects = (i: number) => plan.apps[i].charts.flatMap((c) => c.toJson());
  return { plan, outdir, values, objects };
}

describe('examples/adopt-enterprise-ca', () => {
  for (const builder of [new CertManagerAdoptionBuilder(), new CertManagerAdoptionBuilder({ vault: true }), new ManualAdoptionBuilder(), new KubernetesCsrAdoptionBuilder()]) {
    it(`${builder.integration}${(builder as any).options?.vault ? ' with Vault' : ''}: phase 1 keeps istiod's self-signed CA and trusts both roots over PCDS; phase 2 plugs the CA in; phase 3 drops the self-signed root`, async () => {
      const { plan, outdir, values, objects } = synth(builder);
      assert.deepEqual(plan.phases.map((p) => p.folder), ['1-trust-both', '2-issue-from-enterprise', '3-drop-self-signed']);
      const v1 = values('1-trust-both');
      assert.deepEqual(v1.meshConfig.caCertificates, [{ pem: A }, { pem: B }]);
      assert.equal(v1.env.ISTIO_MULTIROOT_MESH, 'true');
      assert.equal(v1.meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT, 'true');
      // Nothing that would make istiod leave its self-signed CA at its next restart.
      assert.deepEqual(ofKind(objects(0), 'Certificate'), []);
      assert.equal(v1.env.EXTERNAL_CA, undefined);
      assert.match(readFileSync(join(outdir, '1-trust-both', 'install', 'NOTES.md'), 'utf8'), /Do \*\*not\*\* create the `cacerts` Secret/);
      const v2 = values('2-issue-from-enterprise');
      assert.deepEqual([...new Set(v2.meshConfig.caCertificates.map((c: any) => c.pem))].sort(), [A, B].sort());
      assert.equal(v2.podAnnotations?.['istio-custom-ca.io/restart'], plan.phases[1].istiodRestartToken);
      const v3 = values('3-drop-self-signed');
      assert.ok(!(v3.meshConfig.caCertificates ?? []).some((c: any) => c.pem === A));
      // What the files make the mesh do, read back.
      assert.deepEqual(plan._observation.phases.map((p) => [p.issueFrom, p.trust?.join('+'), p.pcds]),
        [['A', 'A+B', true], ['B', 'A+B', true], ['B', 'B', true]]);
      for (let i = 1; i < 3; i++) if (objects(i).length) await validateAll(objects(i)); // phase 1 (and the manual CA) is install config only
      assert.deepEqual(objects(0), []);
      assert.deepEqual(lintPaths([outdir]).findings, []);
      const pre = JSON.parse(readFileSync(join(outdir, '2-issue-from-enterprise', 'preconditions.json'), 'utf8'));
      assert.equal(pre.notBefore.minWaitSeconds, plan.waits.afterTrustBothMs / 1000);
      assert.deepEqual(pre.everyWorkloadTrusts.map((r: any) => r.pem), [A, B]);
    });
  }

  it('the plug-in CA routes restart istiod in phase 2 (a self-signed istiod never watches cacerts); ADOPT.md says how to check each phase', () => {
    const { plan, outdir } = synth(new CertManagerAdoptionBuilder());
    assert.equal(plan.phases[1].istiodRestartToken, 'adopt-enterprise-ca-2');
    const md = readFileSync(join(outdir, 'ADOPT.md'), 'utf8');
    assert.match(md, /Use self-signed certificate as the CA certificate/);
    assert.match(md, /Use local CA certificate/);
    matchSnapshot('ADOPT', md, join(__dirname, '__snapshots__'));
  });

  it('refuses a builder that drops the istiod restart, naming the phase and the file', () => {
    const noRestart: IRotationPhaseBuilder = {
      integration: new ManualAdoptionBuilder().integration,
      buildPhase: (app: MeshApp, phase: RotationPhase) => new ManualAdoptionBuilder().buildPhase(app, { ...phase, istiodRestartToken: undefined }),
    };
    assert.throws(() => buildAdoption(noRestart, scratch()),
      /^Error: AdoptEnterpriseCa: the builder's output breaks the plan: phase 2-issue-from-enterprise \(install\/istiod-values.yaml\) switches the issuer without restarting istiod/);
  });

  it('refuses istio-csr, saying why, and the self-signed root given as the enterprise root', () => {
    assert.throws(() => buildAdoption(new IstioCsrRotationBuilder(), scratch()),
      /^Error: AdoptEnterpriseCa: 'builder.integration' \(ISTIO_CSR\) cannot be adopted by this plan yet: istio-csr moves each workload's CA address only when the workload restarts/);
    const same: IRotationPhaseBuilder = { integration: new ManualAdoptionBuilder().integration, buildPhase: (app, p) => new IstioCustomCa(app, 'x', { integration: CaIntegration.manualPluginCa(), ...p }) };
    throwsExactly(() => new (require('../../src').AdoptEnterpriseCa)({ selfSignedRootPem: A, enterpriseRootPem: A, builder: same }),
      "AdoptEnterpriseCa: 'enterpriseRootPem' is the same certificate as 'selfSignedRootPem'; give the new root");
  });
});
