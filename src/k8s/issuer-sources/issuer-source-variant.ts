import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterIssuerSpec } from '../../imports/clusterissuers-cert-manager.io';
import { IssuerKind } from '../../model/cert-manager';
import { VaultAuth } from '../vault-auth';
import { VaultSignPathKind } from '../../model/vault-sign-path';

/** The part of the spec this library sets; identical in the Issuer and ClusterIssuer CRDs. */
export type IssuerSpecInput = Pick<ClusterIssuerSpec, 'ca' | 'selfSigned' | 'vault'>;

/** A Vault sign path and what it signs. */
export interface VaultSignPath {
  /** Path without `/v1/`. */
  readonly path: string;
  /** Leaves or intermediate CAs. */
  readonly kind: VaultSignPathKind;
}

/** What a source may read of the issuer it backs, and how it adds objects next to it. */
export interface IssuerRenderContext {
  readonly scope: Construct;
  readonly who: string;
  readonly name: string;
  readonly kind: IssuerKind;
  /** Where the Secrets the issuer reads live. */
  readonly secretNamespace: string;
  /** cert-manager's controller namespace and ServiceAccount (they request Vault tokens). */
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
  /** Adds an Issuer or ClusterIssuer of the issuer's kind. */
  issuerObject(id: string, name: string, spec: IssuerSpecInput): ApiObject;
}

/** What one source renders: the issuer spec, and the root Certificate when it defines one. */
export interface RenderedSource {
  readonly spec: IssuerSpecInput;
  readonly rootCertificate?: { readonly namespace: string; readonly name: string };
}

/** One kind of issuer backing; the facts other constructs check are set only by the variants that have them. */
export interface IssuerSourceVariant {
  /** Lifetime of the root the source defines (self-signed root). */
  readonly rootDuration?: Duration;
  /** Where Vault signs (Vault). */
  readonly vaultSignPath?: VaultSignPath;
  /** How cert-manager logs in to Vault (Vault). */
  readonly vaultAuth?: VaultAuth;
  render(ctx: IssuerRenderContext): RenderedSource;
}
