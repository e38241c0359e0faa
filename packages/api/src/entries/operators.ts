/**
 * `@tenantry/api/operators`: console accounts where no procedure can serve — signing in (before
 * there is an actor), the first operator's setup, sessions behind the console's cookie, the sign-in
 * throttle and the client address it counts, and the CLI's account commands.
 */
export {
  clientAddress,
  NO_TRUSTED_PROXIES,
  parseTrustedProxies,
  type TrustedProxies,
} from "../operators/client-address";
export { CSRF_HEADER, SESSION_COOKIE, sessionTokenFromCookie } from "../operators/cookie";
export {
  disableOperator,
  enableOperator,
  exchangeTemporaryPassword,
  removeOperator,
  resetOperatorPassword,
  revokeOperatorSessions,
  setOperatorPassword,
} from "../operators/lifecycle";
export { createOperator, findOperatorByEmail, hasAnyOperator } from "../operators/service";
export {
  deleteOperatorSession,
  findOperatorSession,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  startOperatorSession,
} from "../operators/sessions";
export { setUpFirstOperator } from "../operators/setup";
export { checkOperatorCredentials } from "../operators/sign-in";
export {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  countSignInAttempt,
  countSignInSuccess,
} from "../operators/throttle";
