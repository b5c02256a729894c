import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerAuthMode, PermissivePeerAuth, PermissivePeerAuthProps, REASON_ANNOTATION } from '../src';
import { chart, matchSnapshot, one, synth, throwsExactly, validateAll } from './support';

function make(props: PermissivePeerAuthProps, id = 'legacy') {
  const c = chart();
  const pa = new PermissivePeerAuth(c, id, props);
  return { objs: synth(c), pa };
}

describe('PermissivePeerAuth', () => {
  it('scopes a workload fallback with a selector in the workload namespace', async () => {
    const { objs, pa } = make({
      namespace: 'billing', selector: { app: 'legacy' }, reason: 'plaintext batch clients',
      portLevelMtls: [{ port: 8443, mode: PeerAuthMode.STRICT }],
    });
    await validateAll(objs);
    const p = one(objs, 'PeerAuthentication', 'legacy');
    assert.equal(p.apiVersion, 'security.istio.io/v1');
    assert.equal(p.metadata.namespace, 'billing');
    assert.deepEqual(p.spec, {
      selector: { matchLabels: { app: 'legacy' } },
      mtls: { mode: 'PERMISSIVE' },
      portLevelMtls: { 8443: { mode: 'STRICT' } },
    });
    assert.equal(p.metadata.annotations[REASON_ANNOTATION], 'plaintext batch clients');
    assert.equal((pa.node.defaultChild as any).kind, 'PeerAuthentication');
    matchSnapshot('permissive-peer-auth', objs);
  });

  it('is namespace-wide only on explicit opt-in, named default', async () => {
    const { objs } = make({ namespace: 'legacy-apps', namespaceWide: true });
    await validateAll(objs);
    const p = one(objs, 'PeerAuthentication', 'default');
    assert.equal(p.metadata.namespace, 'legacy-apps');
    assert.deepEqual(p.spec, { mtls: { mode: 'PERMISSIVE' } });
    assert.equal(p.metadata.annotations, undefined);
  });

  it('is mesh-wide only on explicit opt-in, in the root namespace without selector', async () => {
    const { objs } = make({ meshWide: true, rootNamespace: 'istio-config' });
    await validateAll(objs);
    const p = one(objs, 'PeerAuthentication', 'default');
    assert.equal(p.metadata.namespace, 'istio-config');
    assert.equal(p.spec.selector, undefined);
  });

  it('uses security.istio.io/v1beta1 before Istio 1.22', async () => {
    const { objs } = make({ namespace: 'a', selector: { app: 'x' }, istioVersion: '1.21' });
    await validateAll(objs);
    assert.equal(one(objs, 'PeerAuthentication').apiVersion, 'security.istio.io/v1beta1');
  });

  describe('validation', () => {
    it('fails without any scope', () => {
      throwsExactly(() => make({ namespace: 'a' }),
        "PermissivePeerAuth: no scope given: set 'selector' (one workload), or opt in explicitly with 'namespaceWide: true' or " +
        "'meshWide: true'; a PERMISSIVE policy is never widened by default");
    });
    it('fails with two scopes', () => {
      throwsExactly(() => make({ namespace: 'a', selector: { app: 'x' }, namespaceWide: true }),
        "PermissivePeerAuth: 'selector' and 'namespaceWide' are all set; choose exactly one scope");
    });
    it('never puts a selector in the root namespace', () => {
      throwsExactly(() => make({ namespace: 'istio-system', selector: { app: 'x' } }),
        "PermissivePeerAuth: 'namespace' (istio-system) is the root namespace, where a selector-bearing PeerAuthentication is " +
        "ambiguous (docs/reference.md §8.2); put the policy in the workload's own namespace");
    });
    it('does not let namespaceWide in the root namespace become mesh-wide silently', () => {
      throwsExactly(() => make({ namespace: 'istio-system', namespaceWide: true }),
        "PermissivePeerAuth: 'namespace' (istio-system) is the root namespace, where a policy without selector is mesh-wide; " +
        "set 'meshWide: true' if that is intended, or choose another namespace");
    });
    it('fails on meshWide with another namespace', () => {
      throwsExactly(() => make({ meshWide: true, namespace: 'apps' }),
        "PermissivePeerAuth: 'namespace' (apps) must be the root namespace (istio-system) or unset with 'meshWide'; a mesh-wide " +
        "policy lives in the root namespace; use 'namespaceWide' for one namespace");
    });
    it('requires a namespace for selector and namespaceWide', () => {
      throwsExactly(() => make({ selector: { app: 'x' } }),
        "PermissivePeerAuth: 'namespace' (undefined) is required with 'selector'; set the workload's namespace");
    });
    it('fails on an empty selector', () => {
      throwsExactly(() => make({ namespace: 'a', selector: {} }),
        "PermissivePeerAuth: 'selector' ({}) is empty, which would select every workload; give matchLabels, or use 'namespaceWide: true'");
    });
    it('fails on an invalid label', () => {
      throwsExactly(() => make({ namespace: 'a', selector: { app: 'bad value' } }),
        "PermissivePeerAuth: 'selector' value (bad value) for key app is not a valid label value; use at most 63 letters, " +
        "digits, '-', '_' or '.', starting and ending with a letter or digit");
    });
    it('requires a selector for portLevelMtls', () => {
      throwsExactly(() => make({ namespace: 'a', namespaceWide: true, portLevelMtls: [{ port: 80, mode: PeerAuthMode.STRICT }] }),
        "PermissivePeerAuth: 'portLevelMtls' (80) needs a 'selector'; Istio only applies port-level modes to selected " +
        'workloads (PeerAuthentication CRD rule)');
    });
    it('fails on an out-of-range port', () => {
      throwsExactly(() => make({ namespace: 'a', selector: { app: 'x' }, portLevelMtls: [{ port: 70000, mode: PeerAuthMode.STRICT }] }),
        "PermissivePeerAuth: 'portLevelMtls' port (70000) must be a whole number from 1 to 65535 (the container port)");
    });
    it('fails on a port listed twice', () => {
      throwsExactly(() => make({ namespace: 'a', selector: { app: 'x' }, portLevelMtls: [{ port: 80, mode: PeerAuthMode.STRICT }, { port: 80, mode: PeerAuthMode.DISABLE }] }),
        "PermissivePeerAuth: 'portLevelMtls' port (80) is listed twice; give each port once");
    });
    it('fails on an invalid namespace and name', () => {
      throwsExactly(() => make({ namespace: 'Apps', selector: { app: 'x' } }),
        "PermissivePeerAuth: 'namespace' (Apps) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, " +
        "digits and '-', starting and ending with a letter or digit");
      throwsExactly(() => make({ namespace: 'apps', selector: { app: 'x' } }, 'Legacy'),
        "PermissivePeerAuth: 'name' (Legacy) is not a valid Kubernetes object name; use at most 253 lowercase letters, digits, " +
        "'-' and '.', starting and ending with a letter or digit");
    });
  });
});
