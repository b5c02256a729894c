/**
 * What a phase's generated files make the mesh do, read back from the files themselves (not from the plan that asked
 * for them): which roots workloads trust, who signs their certificates, whether trust is pushed over PCDS, and
 * whether istiod restarts. Plans check their phases with it, and the rotation drill walks it.
 */
import { parseAllDocuments } from 'yaml';
import { GeneratedFile } from './output-tree';
import { AGENT_CERT_SIGNER_ENV, AGENT_PCDS_ENV, CACERTS_SECRET, ISTIOD_ENV, RESTART_ANNOTATION } from './model/istio-settings';
import { CaIntegrationType, INTEGRATION_TRAITS } from './model/integration-traits';
import { pemCertificates } from './model/pem';

/** The install file the evidence is read from (the IstioOperator file says the same). */
export const ISTIOD_VALUES_FILE = 'install/istiod-values.yaml';
export const ISTIO_CSR_VALUES_FILE = 'install/istio-csr-values.yaml';

/** One phase, as its files configure the mesh. */
export interface PhaseEvidence {
  /**
   * Roots workloads are handed (normalised PEM): istiod's own root and, with multi-root on, `meshConfig.caCertificates`;
   * for istio-csr, the pinned bundle. Undefined when the files do not show them (a bundle the user supplies).
   */
  readonly trustedRootsPem?: string[];
  /** Where the trust was read. */
  readonly trustFile: string;
  /** Who signs workload certificates: the issuer's spec, the Kubernetes signer, or undefined (manual `cacerts`). */
  readonly signer?: string;
  /** The signer's root, when the files show it (the Kubernetes CSR route's `caCertificates` entry). */
  readonly signerRootPem?: string;
  /** istiod hands out the root it signs under besides `trustedRootsPem` (plug-in CA: `cacerts` holds it). */
  readonly trustIncludesSignerRoot: boolean;
  /** Where the signer was read. */
  readonly signerFile: string;
  /** istiod gets trust changes to proxies over PCDS (ISTIO_MULTIROOT_MESH and PROXY_CONFIG_XDS_AGENT). */
  readonly pcds: boolean;
  /** The istiod restart token (a pod annotation), if any. */
  readonly istiodRestart?: string;
}

function yamlDocs(files: readonly GeneratedFile[], match: (path: string) => boolean): any[] {
  return files.filter((f) => match(f.path)).flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS()).filter((d) => d && typeof d === 'object'));
}


/** The issuer a reference names, as text that differs exactly when the signing CA differs. */
function issuerSpec(manifests: readonly any[], ref: { kind?: string; name?: string } | undefined, namespace: string | undefined): string | undefined {
  if (!ref?.name) return undefined;
  const kind = ref.kind ?? 'Issuer';
  const issuer = manifests.find((o) => o.kind === kind && o.metadata?.name === ref.name && (kind === 'ClusterIssuer' || o.metadata?.namespace === namespace));
  return `${kind}/${ref.name}${issuer ? ` ${JSON.stringify(issuer.spec)}` : ''}`;
}

/** Reads one phase's files for `integration`. */
export function readPhaseEvidence(files: readonly GeneratedFile[], integration: CaIntegrationType): PhaseEvidence {
  const values = yamlDocs(files, (p) => p === ISTIOD_VALUES_FILE)[0] ?? {};
  const manifests = yamlDocs(files, (p) => p.startsWith('manifests/'));
  // Helm values env is a map (pilot.env before 1.24, env from 1.24)
  const env: Record<string, string | undefined> = { ...(values.pilot?.env ?? {}), ...(values.env ?? {}) };
  const mesh = values.meshConfig ?? {};
  const proxyMetadata = mesh.defaultConfig?.proxyMetadata ?? {};
  const multiRoot = String(env[ISTIOD_ENV.ISTIO_MULTIROOT_MESH]) === 'true';
  const pcds = multiRoot && String(proxyMetadata[AGENT_PCDS_ENV]) === 'true';
  const caCertificates: any[] = Array.isArray(mesh.caCertificates) ? mesh.caCertificates : [];
  const istiodRestart = (values.podAnnotations ?? values.pilot?.podAnnotations)?.[RESTART_ANNOTATION];
  const base = { pcds, istiodRestart };

  if (INTEGRATION_TRAITS[integration].istioCsr) {
    // istio-csr hands out the bundle it pins (app.tls.rootCAFile), mounted from a ConfigMap that trust-manager fills.
    const csr = yamlDocs(files, (p) => p === ISTIO_CSR_VALUES_FILE)[0] ?? {};
    const rootFile = String(csr.app?.tls?.rootCAFile ?? '');
    const mount = (csr.volumeMounts ?? []).find((m: any) => rootFile.startsWith(`${m.mountPath}/`));
    const volume = (csr.volumes ?? []).find((v: any) => v.name === mount?.name);
    const source = volume?.configMap?.name ?? volume?.secret?.secretName;
    const bundle = manifests.find((o) => o.kind === 'Bundle' && o.metadata?.name === source);
    const trusted = bundle ? (bundle.spec?.sources ?? []).flatMap((s: any) => (typeof s.inLine === 'string' ? pemCertificates(s.inLine) : [])) : undefined;
    return {
      ...base, trustedRootsPem: trusted?.length ? trusted : undefined, trustFile: 'manifests/ (trust-manager Bundle)', trustIncludesSignerRoot: false,
      signer: issuerSpec(manifests, csr.app?.certmanager?.issuer, csr.app?.certmanager?.namespace), signerFile: ISTIO_CSR_VALUES_FILE,
    };
  }

  const extra = multiRoot ? caCertificates.flatMap((c) => (typeof c.pem === 'string' ? pemCertificates(c.pem) : [])) : [];
  if (!INTEGRATION_TRAITS[integration].istiodPluginCa) {
    // istiod as a Kubernetes CSR RA: the signer's root is its caCertificates entry.
    const short = proxyMetadata[AGENT_CERT_SIGNER_ENV];
    const domain = env[ISTIOD_ENV.CERT_SIGNER_DOMAIN];
    const signer = short && domain ? `${domain}/${short}` : env[ISTIOD_ENV.K8S_SIGNER];
    const entry = caCertificates.find((c) => Array.isArray(c.certSigners) && c.certSigners.includes(signer));
    const signerRootPem = typeof entry?.pem === 'string' ? pemCertificates(entry.pem)[0] : undefined;
    return {
      ...base, trustedRootsPem: [...new Set([...(signerRootPem ? [signerRootPem] : []), ...extra])], trustFile: ISTIOD_VALUES_FILE, trustIncludesSignerRoot: false,
      signer, signerRootPem, signerFile: ISTIOD_VALUES_FILE,
    };
  }

  // Plug-in CA: istiod hands out its own root (cacerts), plus caCertificates with multi-root on.
  const cacerts = manifests.find((o) => o.kind === 'Certificate' && o.spec?.secretName === CACERTS_SECRET);
  return {
    ...base, trustedRootsPem: extra, trustFile: ISTIOD_VALUES_FILE, trustIncludesSignerRoot: true,
    signer: cacerts ? issuerSpec(manifests, cacerts.spec.issuerRef, cacerts.metadata?.namespace) : undefined,
    signerFile: 'manifests/ (Certificate cacerts)',
  };
}

/** Root A (current) or B (new); `?` for a root that is neither. */
export type RootName = 'A' | 'B' | '?';

/** A phase as the mesh will live it. */
export interface ObservedPhase {
  readonly folder: string;
  /** The root workload certificates chain to; undefined when the files cannot show it (manual `cacerts`). */
  readonly issueFrom?: RootName;
  /** The roots workloads trust; undefined when the files cannot show them. */
  readonly trust?: RootName[];
  readonly pcds: boolean;
  /** The signer changed without the istiod restart the integration needs: istiod keeps signing as before (§6.2). */
  readonly restartMissing: boolean;
  /** What the files configure once istiod does restart (for any reason), when that differs from what it runs now. */
  readonly afterRestart?: { readonly issueFrom: RootName; readonly trust?: RootName[] };
}

/** The phases of a root change, read from each phase's evidence; `problems` name the phase and file that break an invariant. */
export interface RotationObservation {
  readonly phases: ObservedPhase[];
  readonly problems: string[];
}

/**
 * Reads a root change A → B phase by phase: phase 1 trusts A and B and signs under A; phase 2 signs under B and
 * still trusts both (with the istiod restart where the integration needs one); phase 3 trusts only B.
 * `declaredIssueFrom` stands in where the files cannot show the signer (the manual plug-in CA: `cacerts` is out of band).
 * `switchNeedsRestart`: the signer changes only when istiod restarts (a root change cert-manager makes, §6.2; or
 * istiod's self-signed CA, which never watches `cacerts`).
 */
export function observeRootChange(folders: readonly string[], evidence: readonly PhaseEvidence[], currentRootPem: string, newRootPem: string,
  integration: CaIntegrationType, declaredIssueFrom: readonly ('A' | 'B')[],
  switchNeedsRestart: boolean = INTEGRATION_TRAITS[integration].restartIstiodOnRootChange): RotationObservation {
  // A root given as a bundle is trusted when all of its certificates are.
  const rootsOf = { A: pemCertificates(currentRootPem), B: pemCertificates(newRootPem) };
  const name = (pem: string): RootName => (rootsOf.A.includes(pem) ? 'A' : rootsOf.B.includes(pem) ? 'B' : '?');
  const names = (certs: readonly string[]): RootName[] => [
    ...(['A', 'B'] as const).filter((r) => rootsOf[r].every((c) => certs.includes(c))),
    ...(certs.some((c) => name(c) === '?') ? ['?' as const] : []),
  ];
  const traits = INTEGRATION_TRAITS[integration];
  const problems: string[] = [];
  const phases: ObservedPhase[] = [];
  const configuredRoots: (RootName | undefined)[] = [];
  evidence.forEach((e, i) => {
    const folder = folders[i];
    const prev = phases[i - 1];
    // The root the files make the signer sign under: known from the K8s signer's root, else by comparing signers.
    let configured: RootName | undefined;
    if (e.signerRootPem) configured = name(e.signerRootPem);
    else if (e.signer === undefined) configured = declaredIssueFrom[i];
    else if (i === 0) configured = 'A';
    else configured = e.signer === evidence[0].signer ? 'A' : e.signer === evidence[i - 1].signer ? configuredRoots[i - 1] : 'B';
    configuredRoots.push(configured);
    // cert-manager replaces ca.crt with the new root; istiod refuses a root change that is not a superset at runtime
    // and keeps signing under the root it runs until it restarts (§6.2).
    const restarted = i === 0 || e.istiodRestart !== evidence[i - 1].istiodRestart;
    const stuck = switchNeedsRestart && !restarted && prev.issueFrom !== configured;
    const issueFrom = stuck ? prev.issueFrom : configured;
    const restartMissing = stuck && configuredRoots[i - 1] !== configured;
    const trustWith = (root: RootName | undefined) => (e.trustedRootsPem === undefined ? undefined
      : [...new Set([...(e.trustIncludesSignerRoot && root ? [root] : []), ...names(e.trustedRootsPem)])].sort());
    const trust = trustWith(issueFrom);
    const afterRestart = stuck && configured !== undefined ? { issueFrom: configured, trust: trustWith(configured) } : undefined;
    phases.push({ folder, issueFrom, trust, pcds: e.pcds, restartMissing, afterRestart });

    const where = (file: string) => `phase ${folder} (${file})`;
    const want = i === 2 ? ['B'] : ['A', 'B'];
    const intended = trustWith(configured); // what the files ask for (a missing restart is reported on its own)
    if (intended && want.some((r) => !intended.includes(r as RootName))) {
      problems.push(`${where(e.trustFile)} trusts ${intended.join('+') || 'no known root'}, not ${want.join(' and ')}: the builder must pass the phase's ` +
        `${traits.trustInMeshConfig ? 'additionalTrustedRootsPem and multiRoot' : 'trustedRootsPem as the pinned root bundle'} to the mesh`);
    }
    if (i === 2 && intended?.includes('A')) problems.push(`${where(e.trustFile)} still trusts the old root A: the builder must drop it in the last phase`);
    if (traits.trustInMeshConfig && i < 2 && !e.pcds) {
      problems.push(`${where(ISTIOD_VALUES_FILE)} does not push trust over PCDS (${ISTIOD_ENV.ISTIO_MULTIROOT_MESH} and ${AGENT_PCDS_ENV}): ` +
        "the plan's waits assume it; pass the phase's multiRoot to IstioCustomCa");
    }
    const wantIssuer = i === 0 ? 'A' : 'B';
    if (restartMissing) {
      problems.push(`${where(ISTIOD_VALUES_FILE)} switches the issuer without restarting istiod (pod annotation ${RESTART_ANNOTATION} unchanged): ` +
        "istiod refuses the new root at runtime and keeps signing under A; pass the phase's istiodRestartToken to IstioCustomCa");
    } else if (configured !== undefined && configured !== wantIssuer) {
      problems.push(`${where(e.signerFile)} signs under root ${configured}, not ${wantIssuer}: ` +
        (i === 1 ? 'the builder never switches the issuer; it must follow the phase\'s issueFromNew' : 'the signer must not change in this phase'));
    }
  });
  return { phases, problems };
}
