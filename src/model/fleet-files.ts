/**
 * The fleet-level files of `MeshFleet`: NOTES.md (install order across clusters, GitOps per cluster) and the Argo CD
 * ApplicationSet. Pure text and data.
 */

/** One cluster, as the fleet notes show it. */
export interface FleetNotesCluster {
  readonly name: string;
  readonly integration: string;
  readonly network?: string;
  readonly trustDomain: string;
  readonly istioVersion: string;
  /** Vault fleets: the cluster's sign path and auth mount. */
  readonly signPath?: string;
  readonly authPath?: string;
  /** What a person does in this cluster before its manifests (a root outside Vault). */
  readonly steps?: readonly string[];
}

/** Where the fleet's root is, for the notes: how it is set up, and how to print its fingerprint. */
export interface FleetNotesRoot {
  /** Install step 1 (root and shared services), as lines. */
  readonly install: readonly string[];
  /** A command, or the literal fingerprint, every cluster's `istio-ca-root-cert` must match. */
  readonly fingerprint: string;
}

/** What the ApplicationSet points at. */
export interface FleetApplicationSetInput {
  readonly repoUrl: string;
  readonly revision: string;
  /** The fleet output folder in the repository. */
  readonly path: string;
  readonly namespace: string;
  readonly project: string;
}

/**
 * One Application per `clusters/<name>/` folder, applying its `manifests/` to the Argo CD cluster of the same name
 * (git directory generator with Go templates: https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/).
 * No automated sync: a change to the CA is reviewed and synced by a person.
 */
export function fleetApplicationSet(id: string, o: FleetApplicationSetInput): Record<string, unknown> {
  const base = o.path.replace(/\/+$/, '');
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: `istio-custom-ca-${id}`, namespace: o.namespace },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: o.repoUrl, revision: o.revision, directories: [{ path: `${base}/clusters/*` }] } }],
      template: {
        metadata: { name: `istio-custom-ca-${id}-{{.path.basename}}` },
        spec: {
          project: o.project,
          source: { repoURL: o.repoUrl, targetRevision: o.revision, path: '{{.path.path}}/manifests' },
          destination: { name: '{{.path.basename}}' },
        },
      },
    },
  };
}

/** The Vault root of `MeshFleet`: one Terraform stack for the fleet. */
export function vaultFleetRoot(id: string, pinsRoot: boolean): FleetNotesRoot {
  return {
    install: [
      `1. Vault, once for the fleet: \`cd terraform/${id} && terraform init && terraform apply\`. It creates the root (output`,
      '   `istio_root_ca_pem`, public) and, per cluster, a Kubernetes auth mount with that cluster\'s API server, a role bound to',
      '   cert-manager\'s Vault ServiceAccount there, a sign policy, and for istio-csr and Kubernetes CSR clusters an',
      '   intermediate mount and leaf role.',
      ...(pinsRoot ? [
        '   Kubernetes CSR clusters pin the root by content (`rootCaPem`, in each one\'s `meshConfig.caCertificates`): the apply',
        '   fails before their leaf roles are written when `rootCaPem` is not the root in Vault. A new fleet applies once without',
        '   them, then sets `rootCaPem` from `istio_root_ca_pem` and adds them.',
      ] : []),
    ],
    fingerprint: 'as `terraform output -raw istio_root_ca_pem | openssl x509 -noout -fingerprint -sha256`',
  };
}

export function fleetNotes(id: string, clusters: readonly FleetNotesCluster[], applicationSet: boolean, root: FleetNotesRoot): string {
  const networks = new Set(clusters.map((c) => c.network ?? ''));
  const vault = clusters.some((c) => c.signPath !== undefined);
  const steps = clusters.filter((c) => c.steps?.length);
  return [
    `# Mesh fleet \`${id}\`: one root, ${clusters.length} cluster${clusters.length === 1 ? '' : 's'}`,
    '',
    `| Cluster (CLUSTER_ID) | Integration | Network | Trust domain | Istio |${vault ? ' Vault sign path | Vault auth mount |' : ''}`,
    `|---|---|---|---|---|${vault ? '---|---|' : ''}`,
    ...clusters.map((c) => `| ${c.name} | ${c.integration} | ${c.network ?? '-'} | ${c.trustDomain} | ${c.istioVersion} |` +
      (vault ? ` \`${c.signPath}\` | \`${c.authPath}\` |` : '')),
    '',
    '## Install order',
    '',
    ...root.install,
    `2. Each cluster, in any order,${steps.length ? ' after its own steps below,' : ''} as its own \`clusters/<name>/install/NOTES.md\` says: cert-manager (and istio-csr before`,
    '   Istio), `clusters/<name>/manifests/`, then Istio with `clusters/<name>/install/`. A cluster can serve its own',
    '   workloads before the others exist: every cluster chains to the same root.',
    '3. Connect the clusters (multi-primary): for each pair, `istioctl create-remote-secret --name=<name>` in one cluster,',
    '   applied to the other, so that each istiod discovers the other\'s endpoints',
    '   (https://istio.io/latest/docs/setup/install/multicluster/multi-primary/).',
    networks.size > 1
      ? '4. The clusters are on different networks: install an east-west gateway in each and expose its services\n' +
        '   (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).'
      : '4. The clusters share one network: pods reach each other directly, no east-west gateway is needed.',
    '5. Check that every cluster trusts the same root: in each cluster',
    '   `kubectl -n istio-system get configmap istio-ca-root-cert -o jsonpath=\'{.data.root-cert\\.pem}\' | openssl x509 -noout -fingerprint -sha256`',
    `   prints the same fingerprint ${root.fingerprint}.`,
    '',
    ...steps.flatMap((c) => [`## Cluster \`${c.name}\`, before its manifests`, '', ...c.steps!, '']),
    '## GitOps, per cluster',
    '',
    applicationSet
      ? '- Argo CD: apply `argocd/applicationset.yaml` in the Argo CD cluster. It creates one Application per `clusters/<name>/`\n' +
        '  folder, syncing its `manifests/` to the Argo CD cluster named `<name>`: register each cluster in Argo CD under its fleet\n' +
        '  name. Sync is manual: a CA change is reviewed first.'
      : '- Argo CD: set `argoCdApplicationSet` to emit an ApplicationSet (git directory generator over `clusters/*`), one\n' +
        '  Application per cluster folder syncing its `manifests/`.',
    '- Flux: in each cluster a `Kustomization` (kustomize.toolkit.fluxcd.io/v1) with `path: ./<output folder>/clusters/<name>/manifests`',
    '  and `sourceRef` your GitRepository.',
    '- Never apply `install/` or `terraform/` with GitOps: they are inputs of istioctl/Helm and Terraform.',
    '',
  ].join('\n');
}
