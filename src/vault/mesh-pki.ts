import { tmpdir } from 'node:os';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Chart } from 'cdk8s';
import { App as TfApp, LocalBackend, TerraformStack } from 'cdktf';
import { CertManagerIssuer } from '../k8s/cert-manager-issuer';
import { IstioCustomCa } from '../k8s/istio-custom-ca';
import { MeshApp } from '../mesh-app';
import { check, deepTokenProblem, fail } from '../model/errors';
import { MeshPkiConfig } from './mesh-pki-config';
import { buildMeshPkiParts, meshPkiError, validateMeshPkiConfig } from './mesh-pki-parts';
import { localStatePath, stackFiles } from './terraform-files';
import { VaultPkiBackend } from './vault-pki-backend';

export { MeshPkiConfig } from './mesh-pki-config';

const NAME = 'MeshPki';

/**
 * The Vault-backed mesh PKI from one config: a cdk8s chart (Vault `CertManagerIssuer` and `IstioCustomCa`, as a
 * plug-in CA in route 1 or with istio-csr in route 2) in the `MeshApp`, and a cdktf stack (`VaultPkiBackend`) that `MeshApp.synth()`
 * writes as plain Terraform JSON to `<outdir>/terraform/<id>/cdk.tf.json`. Every cross-component value is checked
 * at construction.
 */
export class MeshPki {
  /** The cdk8s chart (manifests). */
  public readonly chart: Chart;
  /** The cdktf stack (Terraform). */
  public readonly stack: TerraformStack;
  /** The Vault half. */
  public readonly backend: VaultPkiBackend;
  /** The cert-manager Vault issuer. */
  public readonly issuer: CertManagerIssuer;
  /** The Istio side: plug-in CA (route 1) or istio-csr (route 2). */
  public readonly istioCa: IstioCustomCa;
  /** The trust domain used everywhere. */
  public readonly trustDomain: string;

  public constructor(app: MeshApp, id: string, config: MeshPkiConfig) {
    check(NAME, deepTokenProblem(config));
    validateMeshPkiConfig(config);
    try {
      // The id names the Terraform folder (terraform/<id>/): it must stay inside the output root.
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(id)) {
        fail(NAME, `id (${JSON.stringify(id)}) names the folder terraform/<id>/; use 1-63 letters, digits, '_' or '-', starting with a letter or digit`);
      }
      // cdktf half: its own App (no outdir use: MeshApp writes the stack JSON itself).
      const tfApp = new TfApp({ outdir: tmpdir(), skipValidation: true });
      this.stack = new TerraformStack(tfApp, id);
      if (config.useDefaultBackend ?? true) {
        new LocalBackend(this.stack, { path: localStatePath(NAME, app.rootOutdir, app.terraformStateDir, id, config.localStatePath) });
      }
      // No token in provider config: the Vault provider reads VAULT_TOKEN when `terraform apply` runs.
      new VaultProvider(this.stack, 'vault', { address: config.vaultAddress });
      // Both halves from the same plain values.
      const parts = buildMeshPkiParts(app, id, config, { scope: this.stack, id: 'VaultPki' });
      this.chart = parts.chart;
      this.backend = parts.backend;
      this.issuer = parts.issuer;
      this.istioCa = parts.istioCa;
      this.trustDomain = parts.trustDomain;
      const stack = this.stack;
      app.addOutputWriter({ files: () => stackFiles(stack, id) });
    } catch (e) {
      throw meshPkiError(e);
    }
  }
}
