import { Fn, Op, TerraformResource } from 'cdktf';
import { normalisePem } from '../model/pem';

/**
 * Adds a precondition to `resource` that fails `terraform plan`/`apply` unless `certificate` (a root certificate
 * attribute in Vault) is `pem`, the public root the Kubernetes side was built with. A precondition on a resource,
 * since cdktf 0.21 does not write an output's precondition.
 */
export function pinRootCertificate(resource: TerraformResource, certificate: string, pem: string, errorMessage: string): void {
  const lifecycle = resource.lifecycle ?? {};
  resource.lifecycle = {
    ...lifecycle,
    precondition: [...(lifecycle.precondition ?? []), { condition: Op.eq(Fn.trimspace(certificate), normalisePem(pem).trim()), errorMessage }],
  };
}
