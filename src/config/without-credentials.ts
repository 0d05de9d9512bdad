/**
 * Everything from `scheme://` (or the start, when the scheme is missing or mistyped) to the last
 * `@` is userinfo. The last, not the first: an `@`, `/`, `#` or `?` left unencoded in a password
 * is exactly what makes a URL fail validation, so the text is cut by hand, never parsed. A `@`
 * in the path or query only masks more than needed.
 */
const USERINFO = /^(\s*[a-z][a-z\d+.-]*:\/\/)?(.*)@/is;
/** Query parameters credentials can be given in (libpq's `?password=`, `sslpassword`; tokens, keys). */
const SECRET_PARAMETER = /([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi;

/** The user name stays (operators need it, and it proves nothing alone); whatever follows its `:` goes. */
const maskedUserinfo = (userinfo: string): string => {
  const colon = userinfo.indexOf(':');
  return colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:***`;
};

/**
 * Text that may hold a connection URL, as it may be logged: the URL's password, and any
 * credential in its query, as `***`. Works on text that is no valid URL (a validation error's),
 * and leaves text without a URL as it was.
 */
export const withoutCredentials = (text: string): string =>
  text
    .replace(USERINFO, (_all, scheme?: string, userinfo = '') => `${scheme ?? ''}${maskedUserinfo(userinfo)}@`)
    .replace(SECRET_PARAMETER, '$1***');
