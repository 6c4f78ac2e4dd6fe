export { DEFAULT_PROJECT, applicationProblems, objectProblems, namespaceClaimant, namespaceProblems, projectNamed, projectOf, projectProblems, sharedObjectProblems, type ProjectSubject } from "./projects.js";
export { DEFAULT_POD_SECURITY, checkPodSecurity, type PodSecurityPolicy } from "./pod-security/index.js";
