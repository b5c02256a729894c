import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * cdk8s stamps the chart namespace on every object, cluster-scoped ones included
 * (cdk8s-core src/api-object.ts; cdk8s-team/cdk8s-core#731). Remove it from cluster-scoped objects.
 * @internal
 */
export function makeClusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

/** Label every object of the library carries, so that its output can be found in a cluster. @internal */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'istio-custom-ca' };
