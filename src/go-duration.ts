import { Duration } from 'cdk8s';
import { goDuration, parseGoDuration } from './model/durations';

/**
 * Go `time.ParseDuration` strings, the form cert-manager (`duration`, `renewBefore`), Istio env (`SECRET_TTL`) and
 * Vault (`ttl`) read: https://pkg.go.dev/time#ParseDuration
 */
export class GoDuration {
  /** The largest single unit that says `duration` exactly: `720h`, `90m`, `45s`, `1500ms`. */
  public static format(duration: Duration): string {
    return goDuration(duration.toMilliseconds());
  }

  /** Parses `1h30m`, `720h` or `0`; undefined when the text is not a Go duration. */
  public static parse(text: string): Duration | undefined {
    const ms = parseGoDuration(text);
    return ms === undefined ? undefined : Duration.millis(ms);
  }

  private constructor() {}
}
