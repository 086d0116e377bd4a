import { toast } from 'react-toastify';

import { ApiErrorMessage } from '@/components/ui/api-error-message';
import { ApiError } from '@/lib/api-client';

/** A short confirmation. */
export function notifySuccess(message: string): void {
  toast.success(message);
}

/** Something the user can fix (an empty field, a wrong file), said before any request. */
export function notifyWarning(message: string): void {
  toast.warn(message, { role: 'alert' });
}

/** A failed request: what happened, in the user's language, and the trace id to report. */
export function notifyError(error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError({
          code: 'client_error',
          message: error instanceof Error ? error.message : String(error),
          status: 0,
          traceId: '',
        });
  // The session ended: the sign-in page follows, which says it better than a toast.
  if (apiError.status === 401 && apiError.code === 'unauthorized') return;
  toast.error(<ApiErrorMessage error={apiError} />, {
    role: 'alert',
    // Errors stay until dismissed: the trace id may need copying.
    autoClose: false,
    toastId: apiError.traceId || undefined,
  });
}

