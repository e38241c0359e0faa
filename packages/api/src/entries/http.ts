/**
 * `@tenantry/api/http`: what an HTTP server needs around the router — the REST handler, the
 * OpenAPI document and its reference page, how an error becomes a status and body (and a log line),
 * the request-body guard, and the origin checks behind CORS.
 */
export { createRestHandler, type RestRequest, type RestResponse } from "../rest/handler";
export { generateOpenApiDocument } from "../rest/openapi";
export { REFERENCE_STYLESHEET, renderReferencePage } from "../rest/reference-page";
export { databaseInputError, errorForLog } from "../shared/db-errors";
export { ERROR_CODES } from "../shared/error-codes";
export { describeError } from "../shared/errors";
export { guardInput, type InputIssue, MAX_INPUT_DEPTH } from "../shared/input-guard";
export { diagnoseOrigin, isOriginAllowedAnywhere, type OriginDiagnosis } from "../workspaces/allowed-origins";
