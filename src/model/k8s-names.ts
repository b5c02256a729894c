/**
 * Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation): DNS-1123 subdomains for object names,
 * DNS-1123 labels for namespaces, qualified names for label keys.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Problem text for an object name (DNS-1123 subdomain, at most 253 characters), else undefined. */
export function objectNameProblem(prop: string, value: string): string | undefined {
  if (typeof value === 'string' && value.length <= 253 && DNS1123_SUBDOMAIN.test(value)) return undefined;
  return `'${prop}' (${value}) is not a valid Kubernetes object name; use at most 253 lowercase letters, ` +
    "digits, '-' and '.', starting and ending with a letter or digit";
}

/** Problem text for a namespace name (DNS-1123 label, at most 63 characters), else undefined. */
export function namespaceProblem(prop: string, value: string): string | undefined {
  if (typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value)) return undefined;
  return `'${prop}' (${value}) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, ` +
    "digits and '-', starting and ending with a letter or digit";
}

/** Problem text for a label selector entry (qualified key, label value), else undefined. */
export function labelProblem(prop: string, key: string, value: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const keyOk = name.length <= 63 && LABEL_NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
  if (!keyOk) {
    return `'${prop}' key (${key}) is not a valid label key; use [prefix/]name with a name of at most 63 ` +
      "letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `'${prop}' value (${value}) for key ${key} is not a valid label value; use at most 63 letters, ` +
      "digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** ConfigMap and Secret data keys (apimachinery IsConfigMapKey): `[-._a-zA-Z0-9]+`, at most 253, never `.` or `..`. */
export function dataKeyProblem(prop: string, value: string): string | undefined {
  if (typeof value === 'string' && value.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(value) && value !== '.' && value !== '..') return undefined;
  return `'${prop}' (${value}) is not a valid ConfigMap or Secret key; use at most 253 letters, digits, '-', '_' or '.' ` +
    "(not '.' or '..'), e.g. ca.pem; the key is also the file istio-csr reads its root from";
}

/**
 * A host Istio accepts in a DestinationRule (pkg/config/validation ValidateWildcardDomain): DNS-1123 labels of at most
 * 63 characters, at most 255 in all, with an optional leading `*.` wildcard.
 */
export function meshHostProblem(prop: string, value: string): string | undefined {
  const labels = typeof value === 'string' ? value.replace(/^\*\./, '').split('.') : [];
  if (typeof value === 'string' && value.length <= 255 && labels.length > 0 && labels.every((l) => l.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l))) {
    return undefined;
  }
  return `'${prop}' (${value}) must be a service name or DNS name Istio accepts (lowercase labels of at most 63 letters, digits ` +
    "and '-', an optional leading '*.'), e.g. payments or payments.shop.svc.cluster.local";
}
