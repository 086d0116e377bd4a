import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';

import { ApiErrorMessage } from '@/components/ui/api-error-message';
import { isApiError } from '@/lib/api-client';

/** Why a form was refused, above its button: read out at once (role="alert"). */
export function FormProblem({ message, error }: { message?: ReactNode; error?: unknown }) {
  if (!message && !error) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert" variant="light">
      {message ?? (isApiError(error) ? <ApiErrorMessage error={error} /> : null)}
    </Alert>
  );
}
