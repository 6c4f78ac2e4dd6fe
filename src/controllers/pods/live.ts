import type { PodTemplate } from "../../manifest/index.js";
import { LABEL } from "../../runtime/labels.js";
import type { ContainerSummary } from "../../runtime/types.js";
import { POD_LABEL } from "./materialize.js";

/** What a container's labels say about the pod it belongs to (adoption after a restart). */
export interface LivePod {
  namespace: string;
  name: string;
  node: string;
  containerId: string;
  containerName: string;
  app: string;
  ownerKind: string;
  ownerName: string;
  revision: string;
  commit: string;
  specDigest: string;
  image: string;
  /** The template the container was made from, when its label is readable. */
  template?: PodTemplate;
  podLabels: Record<string, string>;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The pod a container belongs to; undefined for containers that are not a pod's (no pod/namespace labels). */
export function livePodFromContainer(node: string, c: ContainerSummary): LivePod | undefined {
  const l = c.labels;
  const name = l[LABEL.pod];
  const namespace = l[LABEL.namespace];
  if (!name || !namespace) return undefined;
  return {
    namespace,
    name,
    node,
    containerId: c.id,
    containerName: c.name,
    app: l[LABEL.application] ?? "",
    ownerKind: l[LABEL.ownerKind] ?? "",
    ownerName: l[LABEL.ownerName] ?? "",
    revision: l[LABEL.revision] ?? "",
    commit: l[LABEL.commit] ?? "",
    specDigest: l[LABEL.specDigest] ?? "",
    image: c.image,
    template: parseJson<PodTemplate>(l[POD_LABEL.template]),
    podLabels: parseJson<Record<string, string>>(l[POD_LABEL.podLabels]) ?? {},
  };
}
