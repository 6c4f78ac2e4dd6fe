import { describe, expect, test } from "vitest";
import { formatProblem } from "../../../src/errors.js";
import { parseManifests } from "../../../src/manifest/index.js";

const cronJob = (schedule: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: report, image: capstan-demo/worker:latest}]
`;

const errorsOf = (schedule: string) => {
  const r = parseManifests([{ source: "report/templates/cron.yaml", file: "charts/report/templates/cron.yaml", text: cronJob(schedule) }], { defaultNamespace: "prod" });
  return r.ok ? [] : r.errors.map(formatProblem);
};

describe("a CronJob's schedule", () => {
  test.each([
    ["*/0 * * * *", "minute step must be at least 1"],
    ["0 24 * * *", "hour 24 is out of range 0-23"],
    ["0 0 * 13 *", "month 13 is out of range 1-12"],
    ["30-10 * * * *", "minute range 30-10"],
  ])("refuses %s with the field and what is wrong", (schedule, why) => {
    const [problem, ...rest] = errorsOf(schedule);
    expect(rest).toEqual([]);
    expect(problem).toContain(`charts/report/templates/cron.yaml:6:13: spec.schedule: "${schedule}": ${why}`);
  });

  test.each(["*/5 * * * *", "0 3 * * MON-FRI", "@hourly", "5/15 * * * *"])("accepts %s", (schedule) => {
    expect(errorsOf(schedule)).toEqual([]);
  });
});
