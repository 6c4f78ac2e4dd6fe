import type { LabelSelector, NodeSelectorTerm } from "./types.js";

export type LabelMatcher = (labels: Record<string, string>) => boolean;

const NOTHING: LabelMatcher = () => false;
const EVERYTHING: LabelMatcher = () => true;

/** Compiles a label selector; an absent one selects nothing, `{}` selects everything. */
export function compileLabelSelector(selector: LabelSelector | undefined): LabelMatcher {
  if (!selector) return NOTHING;
  const checks: LabelMatcher[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) checks.push((l) => l[k] === v);
  for (const e of selector.matchExpressions ?? []) {
    const values = new Set(e.values ?? []);
    const key = e.key;
    switch (e.operator) {
      case "In":
        checks.push((l) => l[key] !== undefined && values.has(l[key] as string));
        break;
      case "NotIn":
        checks.push((l) => l[key] === undefined || !values.has(l[key] as string));
        break;
      case "Exists":
        checks.push((l) => l[key] !== undefined);
        break;
      case "DoesNotExist":
        checks.push((l) => l[key] === undefined);
        break;
      default:
        return NOTHING;
    }
  }
  if (checks.length === 0) return EVERYTHING;
  if (checks.length === 1) return checks[0] as LabelMatcher;
  return (l) => {
    for (const c of checks) if (!c(l)) return false;
    return true;
  };
}

/** Go's strconv.ParseInt for base 10: an optional sign and digits only. */
function parseInteger(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

export type NodeMatcher = (name: string, labels: Record<string, string>) => boolean;

/** One node selector term: every expression and field must hold; an empty term matches no node. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): NodeMatcher {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return () => false;
  const checks: NodeMatcher[] = [];
  for (const e of exprs) {
    const key = e.key;
    const values = new Set(e.values ?? []);
    switch (e.operator) {
      case "In":
        checks.push((_, l) => l[key] !== undefined && values.has(l[key] as string));
        break;
      case "NotIn":
        checks.push((_, l) => l[key] === undefined || !values.has(l[key] as string));
        break;
      case "Exists":
        checks.push((_, l) => l[key] !== undefined);
        break;
      case "DoesNotExist":
        checks.push((_, l) => l[key] === undefined);
        break;
      case "Gt":
      case "Lt": {
        const bound = e.values?.length === 1 ? parseInteger(e.values[0] as string) : undefined;
        if (bound === undefined) return () => false;
        const gt = e.operator === "Gt";
        checks.push((_, l) => {
          const v = l[key] === undefined ? undefined : parseInteger(l[key] as string);
          if (v === undefined) return false;
          return gt ? v > bound : v < bound;
        });
        break;
      }
      default:
        return () => false;
    }
  }
  for (const f of fields) {
    if (f.key !== "metadata.name") return () => false;
    const values = new Set(f.values ?? []);
    if (f.operator === "In") checks.push((name) => values.has(name));
    else if (f.operator === "NotIn") checks.push((name) => !values.has(name));
    else return () => false;
  }
  return (name, labels) => {
    for (const c of checks) if (!c(name, labels)) return false;
    return true;
  };
}
