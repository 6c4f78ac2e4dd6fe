import type { PodTemplate } from "../../manifest/index.js";
import type { PodIntent } from "../pods/types.js";
import { configRefs } from "./revision.js";
import type { ConfigContent } from "./revision.js";

/** A pod intent for one pod of a workload, with exactly the ConfigMaps and Secrets its template reads. */
export function podIntent(input: {
  name: string;
  app: string;
  namespace: string;
  ownerKind: string;
  ownerName: string;
  revision: string;
  commit: string;
  template: PodTemplate;
  config: ConfigContent;
}): PodIntent {
  const refs = configRefs(input.template.spec);
  const configMaps: PodIntent["configMaps"] = {};
  const secrets: PodIntent["secrets"] = {};
  for (const n of refs.configMaps) {
    const cm = input.config.configMaps.get(n);
    if (cm) configMaps[n] = cm;
  }
  for (const n of refs.secrets) {
    const s = input.config.secrets.get(n);
    if (s) secrets[n] = s;
  }
  return {
    name: input.name,
    namespace: input.namespace,
    app: input.app,
    ownerKind: input.ownerKind,
    ownerName: input.ownerName,
    revision: input.revision,
    commit: input.commit,
    template: input.template,
    configMaps,
    secrets,
  };
}
