import { manifestYaml } from './k8s/manifest-yaml';
import { fleetApplicationSet } from './model/fleet-files';
import { GeneratedFile } from './output-tree';

/** Options of the Argo CD ApplicationSet a fleet emits. */
export interface FleetApplicationSetOptions {
  /** Git repository that holds the fleet output. */
  readonly repoUrl: string;
  /**
   * Git revision.
   * @default 'HEAD'
   */
  readonly revision?: string;
  /**
   * Path of the fleet's output folder in that repository.
   * @default 'dist'
   */
  readonly path?: string;
  /**
   * Namespace of Argo CD.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project.
   * @default 'default'
   */
  readonly project?: string;
}

/** `argocd/applicationset.yaml` of fleet `id`, with the options' defaults. */
export function applicationSetFile(id: string, o: FleetApplicationSetOptions): GeneratedFile {
  return {
    path: 'argocd/applicationset.yaml',
    content: manifestYaml(fleetApplicationSet(id, {
      repoUrl: o.repoUrl, revision: o.revision ?? 'HEAD', path: o.path ?? 'dist', namespace: o.namespace ?? 'argocd', project: o.project ?? 'default',
    })),
  };
}
