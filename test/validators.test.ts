// The validators themselves must be able to fail, or every schema test above would pass vacuously.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCrd, validateModel } from './support';

const cert = (spec: object) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' }, spec });

describe('validators', () => {
  it('the CRD validator rejects an unknown field (strict, like server-side field validation)', () => {
    assert.throws(() => validateCrd(cert({ secretName: 'a', issuerRef: { name: 'i' }, secretTtl: '24h' })), /must NOT have additional properties/);
  });
  it('the CRD validator rejects a wrong enum value', () => {
    assert.throws(() => validateCrd({
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'x' }, spec: { mtls: { mode: 'SOMETIMES' } },
    }), /must be equal to one of the allowed values/);
  });
  it('the @kubernetes-models validator rejects a wrong type', async () => {
    await assert.rejects(validateModel(cert({ secretName: 'a', issuerRef: { name: 'i' }, duration: 5 })), /must be string/);
  });
  it('the @kubernetes-models validator rejects a core object with a missing required field', async () => {
    await assert.rejects(validateModel({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'x' }, subjects: [] }), /roleRef/);
  });
});
