import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goDuration, goDurationString, parseGoDuration, wholeSeconds } from '../src/model/durations';
import { promqlProblem, templateProblem } from '../src/model/promql';
import { spiffeId, trustDomainProblem } from '../src/model/identity';
import { holds, istioVersionProblem, parseIstioVersion, requireFact, VERSION_FACTS } from '../src/model/istio-version';
import { labelProblem, namespaceProblem, objectNameProblem } from '../src/model/k8s-names';
import { Duration } from 'cdk8s';
import { GoDuration, SpiffeId } from '../src';

describe('durations', () => {
  it('converts Duration exactly into the largest Go unit', () => {
    assert.equal(goDuration(Duration.days(30).toMilliseconds()), '720h');
    assert.equal(goDuration(Duration.minutes(90).toMilliseconds()), '90m');
    assert.equal(goDuration(Duration.seconds(45).toMilliseconds()), '45s');
    assert.equal(goDuration(Duration.millis(1500).toMilliseconds()), '1500ms');
    assert.equal(goDuration(0), '0s');
  });
  it("prints Go's time.Duration.String() form, which cert-manager sends Vault as ttl", () => {
    // Values from Go's own time.Duration.String tests (https://github.com/golang/go/blob/go1.22.0/src/time/time_test.go).
    assert.equal(goDurationString(8760 * 3_600_000), '8760h0m0s');
    assert.equal(goDurationString(3_600_000), '1h0m0s');
    assert.equal(goDurationString(45 * 60_000), '45m0s');
    assert.equal(goDurationString(61_500), '1m1.5s');
    assert.equal(goDurationString(1500), '1.5s');
    assert.equal(goDurationString(500), '500ms');
    assert.equal(goDurationString(0), '0s');
    for (const ms of [8760 * 3_600_000, 61_500, 1500]) assert.equal(parseGoDuration(goDurationString(ms)), ms);
  });
  it('round-trips through the Go parser', () => {
    for (const ms of [3_600_000, 5_400_000, 45_000, 1500, 2160 * 3_600_000]) assert.equal(parseGoDuration(goDuration(ms)), ms);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('soon'), undefined);
  });
  it('gives whole seconds for Vault and refuses fractions', () => {
    assert.equal(wholeSeconds(Duration.hours(2).toMilliseconds()), 7200);
    assert.throws(() => wholeSeconds(1500), /not a whole number of seconds/);
  });
});

describe('trust domain (Istio ValidateTrustDomain)', () => {
  it('accepts DNS-1123 labels and one trailing dot', () => {
    for (const td of ['cluster.local', 'mesh.example.com', 'a', 'prod-1.example.com.']) assert.equal(trustDomainProblem('trustDomain', td), undefined);
  });
  it('rejects what Istio rejects, with the allowed form', () => {
    assert.equal(trustDomainProblem('trustDomain', 'Mesh_1.example'),
      "'trustDomain' (Mesh_1.example) is not a trust domain that Istio accepts; every dot-separated part must be " +
      "1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. mesh.example.com)");
    for (const td of ['', 'a..b', '-a.b', 'a.b-', `${'x'.repeat(64)}.com`]) assert.ok(trustDomainProblem('td', td), td);
  });
  it('builds SPIFFE IDs', () => {
    assert.equal(spiffeId('cluster.local', 'ns1', 'sa1'), 'spiffe://cluster.local/ns/ns1/sa/sa1');
    // Public form; Istio rewrites '@' in a trust domain to '.' (pkg/spiffe/spiffe.go).
    assert.equal(SpiffeId.forServiceAccount('corp@example.com', 'ns1', 'sa1'), 'spiffe://corp.example.com/ns/ns1/sa/sa1');
  });
  it('GoDuration formats and parses through Duration (public, jsii-friendly statics)', () => {
    assert.equal(GoDuration.format(Duration.hours(2160)), '2160h');
    assert.equal(GoDuration.format(Duration.minutes(90)), '90m');
    assert.equal(GoDuration.parse('1h30m')?.toMilliseconds(), 5_400_000);
    assert.equal(GoDuration.parse('soon'), undefined);
  });
});

describe('kubernetes names', () => {
  it('validates object names, namespaces and labels with a message that says what is allowed', () => {
    assert.equal(objectNameProblem('name', 'cacerts'), undefined);
    assert.equal(objectNameProblem('name', 'Bad_Name'),
      "'name' (Bad_Name) is not a valid Kubernetes object name; use at most 253 lowercase letters, digits, '-' and '.', " +
      'starting and ending with a letter or digit');
    assert.equal(namespaceProblem('namespace', 'istio-system'), undefined);
    assert.equal(namespaceProblem('namespace', 'a.b'),
      "'namespace' (a.b) is not a valid Kubernetes namespace name; use at most 63 lowercase letters, digits and '-', " +
      'starting and ending with a letter or digit');
    assert.equal(labelProblem('selector', 'app.kubernetes.io/name', 'web_1'), undefined);
    assert.match(labelProblem('selector', 'bad key', 'x')!, /^'selector' key \(bad key\) is not a valid label key/);
    assert.match(labelProblem('selector', 'app', '-x')!, /^'selector' value \(-x\) for key app is not a valid label value/);
  });
});

describe('Istio versions', () => {
  it('parses minor and patch forms', () => {
    assert.deepEqual(parseIstioVersion('1.30.3'), { major: 1, minor: 30 });
    assert.deepEqual(parseIstioVersion('v1.22'), { major: 1, minor: 22 });
    assert.equal(parseIstioVersion('latest'), undefined);
  });
  it('refuses unsupported versions with the allowed form', () => {
    assert.equal(istioVersionProblem('istioVersion', '1.9'),
      "'istioVersion' (1.9) is not a supported Istio version; give '1.<minor>' (e.g. 1.30; patch releases share their minor's facts) with minor 10 or later");
    assert.ok(istioVersionProblem('istioVersion', '2.0'));
  });
  it('evaluates every version fact at its boundary', () => {
    const before = (v: string) => `1.${Number(v.split('.')[1]) - 1}`;
    const after = (v: string) => `1.${Number(v.split('.')[1]) + 1}`;
    for (const [id, f] of Object.entries(VERSION_FACTS) as [keyof typeof VERSION_FACTS, { since: string; until?: string }][]) {
      assert.equal(holds(id, f.since), true, `${id} at ${f.since}`);
      assert.equal(holds(id, before(f.since)), false, `${id} before ${f.since}`);
      if (f.until) {
        assert.equal(holds(id, f.until), true, `${id} at ${f.until}`);
        assert.equal(holds(id, after(f.until)), false, `${id} after ${f.until}`);
      }
    }
  });
  it('names the version, the range and the reason when a fact does not hold', () => {
    assert.equal(requireFact('istioVersion', '1.14', 'TLS_LAYOUT_CACERTS', 'X'),
      "'istioVersion' (1.14) cannot be used with X: it needs Istio 1.15 or later, because istiod reads a kubernetes.io/tls " +
      "'cacerts' Secret (tls.crt, tls.key, ca.crt) only there (docs/reference.md §1.1; istio releasenotes/notes/k8s-tls-secret-cacerts.yaml); " +
      'target a supported Istio version or choose another integration');
  });
});

describe('rule-file checks (promtool would reject what they refuse)', () => {
  it('PromQL through Prometheus\' grammar, and no bare durations Prometheus 2 rejects', () => {
    for (const ok of ['up == 0', 'sum by (error) (increase(citadel_server_csr_sign_err_count[10m])) > 0', 'x offset 5m', 'x > 0x1d']) {
      assert.equal(promqlProblem('expr', ok), undefined, ok);
    }
    for (const bad of ['', '(up', 'up ==', 'ünï', 'ud-2d', 'z-88jnij-60']) assert.ok(promqlProblem('expr', bad), bad);
  });
  it('balanced template actions in annotations', () => {
    assert.equal(templateProblem('summary', 'left {{ $value | humanizeDuration }}'), undefined);
    for (const bad of ['{{ .x', 'a }} b', '{{ {{ }} }}']) assert.ok(templateProblem('summary', bad), bad);
  });
});

describe('Kubernetes names given as something else (JavaScript callers)', () => {
  it('a missing name is a problem that names the prop, not a TypeError', () => {
    assert.equal(objectNameProblem('serviceAccountName', undefined as unknown as string),
      "'serviceAccountName' (undefined) is not a valid Kubernetes object name; use at most 253 lowercase letters, digits, '-' and '.', " +
      'starting and ending with a letter or digit');
    assert.match(namespaceProblem('namespace', 42 as unknown as string)!, /^'namespace' \(42\) is not/);
  });
});
