import type { ImageRejection } from '../images/index.js';
import type { UpstreamError } from '../upstream/index.js';
import { t } from './index.js';
import type { View } from '../domain/views.js';

/**
 * The member-facing sentence for an image that failed the provider's limits; with `view` (a
 * multi-view job), the sentence names the view ("The back view is 7000×7000 px; …").
 */
export function rejectionText(locale: string, r: ImageRejection, view: View | null = null): string {
  const subject = view === null ? undefined : t(locale, 'input.viewSubject', { view });
  switch (r.code) {
    case 'unsupported_type':
      return t(locale, 'input.unsupportedType', { found: r.found, subject });
    case 'too_small':
      return t(locale, 'input.tooSmall', { ...r, subject });
    case 'too_large_dimensions':
      return t(locale, 'input.tooLargeDimensions', { ...r, subject });
    case 'file_too_large':
      return t(locale, 'input.fileTooLarge', { ...r, subject });
  }
  const reason = linkRejectionText(locale, r);
  return subject === undefined ? reason : t(locale, 'input.viewRefused', { subject, reason });
}

/** The sentences of the refusals that are about the link, not the picture itself. */
function linkRejectionText(locale: string, r: Exclude<ImageRejection, { code: 'unsupported_type' | 'too_small' | 'too_large_dimensions' | 'file_too_large' }>): string {
  switch (r.code) {
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
