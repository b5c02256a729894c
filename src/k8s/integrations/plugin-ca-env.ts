import { ISTIOD_ENV } from '../../model/istio-settings';
import { holds } from '../../model/istio-version';

/** Plug-in CA: istiod signs with the `cacerts` intermediate; the reload flag is needed on 1.12–1.17 only (§1.2). */
export function pluginCaEnv(istioVersion: string): Record<string, string> {
  return holds('CACERTS_RELOAD_FLAG_OFF', istioVersion) ? { [ISTIOD_ENV.AUTO_RELOAD_PLUGIN_CERTS]: 'true' } : {};
}
