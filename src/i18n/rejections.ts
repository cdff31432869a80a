import type { ImageRejection } from '../images/index.js';
import type { UpstreamError } from '../upstream/index.js';
import { t } from './index.js';

/** The member-facing sentence for an image that failed the provider's limits. */
export function rejectionText(locale: string, r: ImageRejection): string {
  switch (r.code) {
    case 'unsupported_type':
      return t(locale, 'input.unsupportedType', { found: r.found });
    case 'too_small':
      return t(locale, 'input.tooSmall', r);
    case 'too_large_dimensions':
      return t(locale, 'input.tooLargeDimensions', r);
    case 'file_too_large':
      return t(locale, 'input.fileTooLarge', r);
    case 'bad_scheme':
      return t(locale, 'input.badScheme', r);
    case 'invalid_url':
      return t(locale, 'input.invalidUrl');
    case 'private_address':
      return t(locale, 'input.privateAddress', r);
    case 'too_many_redirects':
      return t(locale, 'input.tooManyRedirects', r);
    case 'http_error':
      return t(locale, 'input.httpError', r);
    case 'timeout':
      return t(locale, 'input.timeout', r);
    case 'unreachable':
      return t(locale, 'input.unreachable');
    case 'unreadable':
      return t(locale, 'input.unreadable');
  }
}

/** Why a submit was refused, as the member sees it (never the upstream's raw text). */
export function upstreamReason(locale: string, err: UpstreamError): string {
  switch (err.kind) {
    case 'auth':
    case 'no_balance':
      return t(locale, 'upstream.auth');
    case 'rate_limited':
      return t(locale, 'upstream.rateLimited');
    case 'bad_request':
      return t(locale, 'upstream.badRequest');
    default:
      return t(locale, 'upstream.server');
  }
}
