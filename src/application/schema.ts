import { z } from "zod";

export const APPLICATION_API_VERSION = "capstan.dev/v1alpha1";

/** DNS-1123 label, as Kubernetes requires for names and namespaces: lower-case alphanumerics and '-', 63 at most. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const stringMap = z.record(z.string());

// `.strict()` everywhere: a misspelt field (`valuesFiles`) must be an error, not silently ignored.
export const applicationSchema = z
  .object({
    apiVersion: z.literal(APPLICATION_API_VERSION),
    kind: z.literal("Application"),
    metadata: z
      .object({
        name: z.string(),
        labels: stringMap.optional(),
        annotations: stringMap.optional(),
        /** `resources-finalizer.capstan.dev`: the application's objects are pruned when its file leaves Git. */
        finalizers: z.array(z.string()).optional(),
      })
      .strict(),
    spec: z
      .object({
        /** The operator's project (config file `projects:`) bounding what this Application may do. */
        project: z.string().optional(),
        source: z
          .object({
            repoURL: z.string().optional(),
            path: z.string().min(1),
            targetRevision: z.string().optional(),
            valueFiles: z.array(z.string()).optional(),
            values: z.union([z.record(z.unknown()), z.string()]).optional(),
          })
          .strict(),
        destination: z
          .object({
            namespace: z.string().optional(),
            nodeSelector: stringMap.optional(),
          })
          .strict()
          .optional(),
        syncPolicy: z
          .object({
            automated: z
              .object({ prune: z.boolean().optional(), selfHeal: z.boolean().optional() })
              .strict()
              .nullable()
              .optional(),
            autoRollback: z.boolean().optional(),
            revisionHistoryLimit: z.number().int().min(0).optional(),
          })
          .strict()
          .optional(),
        dependsOn: z.array(z.string()).optional(),
      })
      .strict(),
  })
  .strict();

export type ApplicationDocument = z.infer<typeof applicationSchema>;
