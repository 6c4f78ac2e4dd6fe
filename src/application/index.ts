export { applicationsError, fieldPath, loadApplicationSet, loadApplications, parseApplicationFile } from "./load.js";
export type { ApplicationSetResult, InvalidApplicationFile } from "./load.js";
export { APPLICATION_API_VERSION, DNS1123_LABEL, applicationSchema } from "./schema.js";
export type { ApplicationDocument } from "./schema.js";
export type { Application, LoadApplicationsOptions } from "./types.js";
export { renderApplication } from "./render.js";
export type { RenderApplicationOptions, RenderedApplication, RenderedObject } from "./render.js";
export { renderInputDigest } from "./digest.js";
