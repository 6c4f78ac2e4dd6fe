/** An Application as loaded from `apps/*.yaml`, defaults filled in. */
export interface Application {
  apiVersion: "capstan.dev/v1alpha1";
  kind: "Application";
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** With `resources-finalizer.capstan.dev`, removing the Application from Git prunes its objects (Argo CD's finalizer). */
    finalizers: string[];
  };
  spec: {
    /** The config file's project it belongs to (`default` when unset). */
    project: string;
    source: {
      /** Empty when the chart lives in the same repository as the Application (`""` or `"."` in the file). */
      repoURL: string;
      /** Repository-relative path of the chart directory. */
      path: string;
      /** Branch, tag or SHA to follow; `HEAD` (the remote's default branch) when unset. */
      targetRevision: string;
      /** Repository-relative values files, applied in order after the chart's values.yaml. */
      valueFiles: string[];
      /** Inline values, applied last (a YAML string in the file is parsed into a map). */
      values: Record<string, unknown>;
    };
    destination: {
      /** `default` when unset (Kubernetes' own default namespace). */
      namespace: string;
      nodeSelector: Record<string, string>;
    };
    syncPolicy: {
      /** null: sync only when asked (Argo CD's manual sync). */
      automated: { prune: boolean; selfHeal: boolean } | null;
      autoRollback: boolean;
      revisionHistoryLimit: number;
    };
    dependsOn: string[];
  };
  /** Where it was declared, for messages. */
  origin: { file: string; line: number };
}

export interface LoadApplicationsOptions {
  /** Repository-relative directory holding Application files (default `apps`). */
  appsPath?: string;
}
