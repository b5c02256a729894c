import { Construct } from 'constructs';
import { WatchedCertificate } from '../../model/alert-rules';
import { CaIntegrationType, IntegrationTraits } from '../../model/integration-traits';
import { IssuanceRequest } from '../../model/issuance-policy';
import { MeshModel } from '../../model/mesh-model';

/** A cert-manager issuer the integration signs through, as the notes and alerts need it. */
export interface SigningIssuer {
  readonly kind: 'ClusterIssuer' | 'Issuer';
  readonly name: string;
  readonly namespace?: string;
  /** What whoever may request from it obtains (for the ClusterIssuer warning). */
  readonly grants: string;
  /** What the library could not check because the issuer is referenced by name, for NOTES.md. */
  readonly checkYourself?: readonly string[];
  /** Its self-signed root Certificate, when the library defines it. */
  readonly rootCertificate?: { readonly namespace: string; readonly name: string };
}

/** A file an integration adds to `install/`. */
export interface InstallFile {
  readonly id: string;
  readonly file: string;
  readonly description: string;
  readonly content: Record<string, unknown>;
}

/** What one integration adds to the mesh, validated; `render` creates its objects. */
export interface IntegrationContribution {
  readonly istiodEnv: Readonly<Record<string, string>>;
  /** istiod env replacing a variable the chart renders itself (facts §12.2). */
  readonly istiodEnvReplacements?: Readonly<Record<string, string>>;
  readonly proxyMetadata: Readonly<Record<string, string>>;
  readonly global: Readonly<Record<string, unknown>>;
  /** `meshConfig.caCertificates` entries the integration needs. */
  readonly caCertificates: readonly Record<string, unknown>[];
  /** `global.caAddress`, when workloads talk to another CA than istiod. */
  readonly caAddress?: string;
  /** The intermediate cert-manager keeps, checked against the workload lifetimes (§1.3). */
  readonly intermediate?: { readonly durationMs: number; readonly renewBeforeMs: number };
  readonly installFiles: readonly InstallFile[];
  /** The integration's section of NOTES.md. */
  readonly notes: readonly string[];
  readonly issuers: readonly SigningIssuer[];
  /** Certificates the alerts watch besides the issuers' roots. */
  readonly watchedCertificates: readonly WatchedCertificate[];
  /** Seconds left on istiod's signing chain at which the intermediate alert fires, when the integration knows it. */
  readonly intermediateExpiringBelowS?: number;
  /** The CertificateRequests the integration makes through cert-manager, for `IssuancePolicy.approverPolicy()`. */
  readonly issuance: IssuanceContribution;
  /** Creates the integration's objects under `scope`. */
  render(scope: Construct): void;
}

/** What an approver policy can govern of an integration's issuance. */
export interface IssuanceContribution {
  /** Each kind of CertificateRequest the integration makes (empty when none pass through cert-manager). */
  readonly requests: readonly IssuanceRequest[];
  /** Why approver-policy cannot govern this integration, when it cannot (the policy is then refused). */
  readonly unpolicedWhy?: string;
  /** NOTES.md lines on what enforces issuance instead, or in addition. */
  readonly notes: readonly string[];
}

/** One way of plugging a CA into Istio: validates its options against the mesh and contributes its part. */
export interface IntegrationVariant {
  readonly type: CaIntegrationType;
  readonly traits: IntegrationTraits;
  /** The workload lifetime when the user gives none. */
  defaultWorkloadCertTtlMs(who: string): number;
  /** Validates the options against the mesh (no objects yet) and returns the contribution. */
  bind(who: string, mesh: MeshModel): IntegrationContribution;
  /** Integration-specific lines of ROTATION.md for phase 1 or 2 of a root rotation. */
  rotationSteps(phase: number, mesh: MeshModel): string[];
}

/** The log lines that prove which CA mode istiod runs (istio pilot/pkg/bootstrap/istio_ca.go, docs/reference.md §1.1). */
export const PLUGIN_LOG = '"Use local CA certificate" (plug-in CA); "Use self-signed certificate as the CA certificate" means it is NOT in use';
