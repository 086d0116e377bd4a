import { ActionIcon, CopyButton, Group, Stack, Text } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import type { ApiError } from '@/lib/api-client';
import { validationDetails, wordApiError } from '@/lib/server-messages';

/** What went wrong, in the user's words, with the trace id and a button to copy it. */
export function ApiErrorMessage({ error }: { error: ApiError }) {
  const { t } = useTranslation();
  const message = wordApiError(t, error);
  // A 422 worded from its detail says what to fix; the general line says it was refused.
  const general = validationDetails(error).length > 0 ? t('errors.validation_error') : null;
  return (
    <Stack gap={4}>
      {general && (
        <Text size="sm" fw={600}>
          {general}
        </Text>
      )}
      <Text size="sm" fw={general ? undefined : 600}>
        {message}
      </Text>
      {error.traceId && (
        <Group gap={4} wrap="nowrap">
          <Text size="xs" c="dimmed" data-testid="trace-id">
            {t('errors.traceId', { id: error.traceId })}
          </Text>
          <CopyButton value={error.traceId} timeout={2000}>
            {({ copied, copy }) => (
              <ActionIcon
                  variant="subtle"
                  color={copied ? 'teal' : 'gray'}
                  size="sm"
                  onClick={copy}
                  aria-label={copied ? t('common.copied') : t('errors.copyTraceId')}
                  title={copied ? t('common.copied') : t('errors.copyTraceId')}
                >
                  {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
              </ActionIcon>
            )}
          </CopyButton>
        </Group>
      )}
    </Stack>
  );
}
