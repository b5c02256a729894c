/**
 * Rotation drill: real mutual-TLS handshakes on 127.0.0.1 between simulated workloads while a root rotation plan
 * walks its phases on a scaled clock. Leaves rotate per SECRET_TTL and the grace ratio (with jitter); trust
 * bundles change as the plan says (PCDS push, or at each proxy's next certificate fetch). Bounded: loopback only,
 * a fixed number of ticks, a real-time limit, and every socket and server is closed at the end.
 */
import { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { humanDuration } from '../src/model/durations';
import { ROTATION_PHASES, RotationWaits } from '../src/model/rotation';
import { RootCaRotation } from '../src/root-ca-rotation';
import { intermediate, Issued, leaf, root } from './pki';

/** A plan: the CA's state in each phase and how long the phase runs on the simulated clock. */
export interface DrillPhase {
  readonly name: string;
  /** Root the CA issues under. */
  readonly issueFrom: 'A' | 'B';
  /** Roots the CA hands out (in certificate responses, and over PCDS). */
  readonly trust: readonly ('A' | 'B')[];
  readonly durationMs: number;
}

/** Drill settings. */
export interface DrillOptions {
  readonly workloads: number;
  readonly workloadCertTtlMs: number;
  readonly gracePeriodRatio: number;
  readonly jitter: number;
  /** Trust-bundle changes reach every proxy at once (ISTIO_MULTIROOT_MESH + PROXY_CONFIG_XDS_AGENT). */
  readonly pcds: boolean;
  readonly phases: readonly DrillPhase[];
  /** Simulated time per tick. */
  readonly tickMs: number;
  /** Seed of the jitter and stagger. */
  readonly seed?: number;
  /** Abort after this much real time. */
  readonly realTimeLimitMs?: number;
  readonly log?: (line: string) => void;
}

/** Handshakes of one phase. */
export interface PhaseResult {
  readonly phase: string;
  readonly attempted: number;
  readonly failed: number;
  readonly simulatedMs: number;
  readonly realMs: number;
}

/** The library's staged plan (docs/reference.md §6) with the computed waits; phase 3 runs one lifetime more. */
export function stagedPlan(waits: RotationWaits, workloadCertTtlMs: number): DrillPhase[] {
  return [
    { name: ROTATION_PHASES[0].folder, issueFrom: 'A', trust: ['A', 'B'], durationMs: waits.afterTrustBothMs },
    { name: ROTATION_PHASES[1].folder, issueFrom: 'B', trust: ['A', 'B'], durationMs: waits.afterIssueFromNewMs },
    { name: ROTATION_PHASES[2].folder, issueFrom: 'B', trust: ['B'], durationMs: workloadCertTtlMs },
  ];
}

/** A `RootCaRotation`'s own phases (which root issues, which roots are trusted) with its computed waits. */
export function planFromRotation(rotation: RootCaRotation): DrillPhase[] {
  const [a, b] = rotation.phases[0].trustedRootsPem;
  const name = (pem: string): 'A' | 'B' => (pem === a ? 'A' : pem === b ? 'B' : (() => { throw new Error('unknown root in plan'); })());
  const ttl = Math.max(...rotation.cas.map((c) => c.workloadCertTtl.toMilliseconds()));
  const durations = [rotation.waits.afterTrustBothMs, rotation.waits.afterIssueFromNewMs, ttl];
  return rotation.phases.map((p, i) => ({
    name: p.folder, issueFrom: p.issueFromNew ? 'B' : 'A', trust: p.trustedRootsPem.map(name), durationMs: durations[i],
  }));
}

/** The seed article's plan: swap the root in one step (edit the root ConfigMap, reissue from B). */
export function naivePlan(workloadCertTtlMs: number): DrillPhase[] {
  return [{ name: 'swap-root', issueFrom: 'B', trust: ['B'], durationMs: workloadCertTtlMs }];
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  readonly id: number;
  cert?: Issued;
  chainPem: string;
  trust: ('A' | 'B')[];
  rotateAt: number;
  server?: tls.Server;
  port: number;
}

/** One handshake client→server; true when both sides accepted the other's chain. */
function handshake(client: Workload, server: Workload, roots: Record<'A' | 'B', Issued>): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(ok);
    };
    const socket = tls.connect({
      host: '127.0.0.1', port: server.port,
      key: client.cert!.keyPem, cert: client.chainPem, ca: client.trust.map((r) => roots[r].certPem),
      // Istio checks the SPIFFE identity, not a host name.
      checkServerIdentity: () => undefined,
    });
    socket.setTimeout(2000, () => finish(false));
    // The server writes one byte only after it accepted the client's chain (TLS 1.3 finishes the client side first).
    socket.on('data', () => finish(true));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** Runs the drill; returns one result per phase. */
export async function runDrill(o: DrillOptions): Promise<PhaseResult[]> {
  const log = o.log ?? (() => undefined);
  const rand = prng(o.seed ?? 42);
  const started = Date.now();
  const limit = o.realTimeLimitMs ?? 120_000;
  const roots = { A: await root('Drill Root A'), B: await root('Drill Root B') };
  const issuers = { A: await intermediate('Drill Intermediate A', roots.A), B: await intermediate('Drill Intermediate B', roots.B) };

  const ca = { issueFrom: 'A' as 'A' | 'B', trust: ['A'] as ('A' | 'B')[] };
  const renewAfter = () => o.workloadCertTtlMs * (1 - (o.gracePeriodRatio + (rand() * 2 - 1) * o.jitter));

  const workloads: Workload[] = [];
  const issue = async (w: Workload, now: number) => {
    const issuer = issuers[ca.issueFrom];
    w.cert = await leaf(`spiffe://cluster.local/ns/drill/sa/w${w.id}`, issuer);
    w.chainPem = w.cert.certPem + issuer.certPem;
    // The CA response carries the root bundle, which the agent uses as its trust (docs/reference.md §1.3).
    w.trust = [...ca.trust];
    w.rotateAt = now + renewAfter();
    w.server?.setSecureContext(context(w));
  };
  const context = (w: Workload) => ({ key: w.cert!.keyPem, cert: w.chainPem, ca: w.trust.map((r) => roots[r].certPem) });

  try {
    for (let id = 0; id < o.workloads; id++) {
      const w: Workload = { id, chainPem: '', trust: [], rotateAt: 0, port: 0 };
      // Stagger the workloads over one rotation interval, as a running mesh is.
      await issue(w, -rand() * o.workloadCertTtlMs * (1 - o.gracePeriodRatio));
      const server = tls.createServer({ requestCert: true, rejectUnauthorized: true, ...context(w) }, (s) => {
        s.end('1');
      });
      server.on('tlsClientError', () => undefined);
      w.server = server;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      w.port = (server.address() as AddressInfo).port;
      workloads.push(w);
    }

    const results: PhaseResult[] = [];
    let now = 0;
    for (const phase of o.phases) {
      const t0 = Date.now();
      const changedTrust = phase.trust.join() !== ca.trust.join();
      ca.issueFrom = phase.issueFrom;
      ca.trust = [...phase.trust];
      if (o.pcds && changedTrust) {
        for (const w of workloads) {
          w.trust = [...ca.trust];
          w.server!.setSecureContext(context(w));
        }
      }
      let attempted = 0;
      let failed = 0;
      const ticks = Math.max(1, Math.ceil(phase.durationMs / o.tickMs));
      for (let t = 0; t < ticks; t++) {
        if (Date.now() - started > limit) throw new Error(`drill stopped: real-time limit of ${limit} ms reached`);
        now += o.tickMs;
        for (const w of workloads) if (w.rotateAt <= now) await issue(w, now);
        const pairs: Promise<boolean>[] = [];
        for (const c of workloads) {
          for (const step of [1, 2]) {
            const s = workloads[(c.id + step) % workloads.length];
            if (s !== c) pairs.push(handshake(c, s, roots));
          }
        }
        const outcomes = await Promise.all(pairs);
        attempted += outcomes.length;
        failed += outcomes.filter((ok) => !ok).length;
      }
      const r = { phase: phase.name, attempted, failed, simulatedMs: ticks * o.tickMs, realMs: Date.now() - t0 };
      results.push(r);
      log(`phase ${r.phase.padEnd(18)} handshakes ${String(r.attempted).padStart(5)}  failed ${String(r.failed).padStart(5)}  ` +
        `simulated ${humanDuration(r.simulatedMs).padEnd(10)} real ${r.realMs} ms`);
    }
    return results;
  } finally {
    await Promise.all(workloads.map((w) => new Promise<void>((r) => (w.server ? w.server.close(() => r()) : r()))));
  }
}
