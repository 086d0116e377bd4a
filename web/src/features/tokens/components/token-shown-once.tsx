import { Alert, Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import type { NewApiToken } from '../api/types';

/**
 * The new token, whole, this once: the server keeps only its hash, so it
 * cannot be shown again. Focus moves here so that a screen reader hears it.
 */
export function TokenShownOnce({ token, onDone }: { token: NewApiToken; onDone: () => void }) {
  const { t } = useTranslation();
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, [token.id]);

  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={t('tokens.once.title', { name: token.name })}
      // Named by its title; a region, not an alert: it stays until dismissed.
      role="region"
      data-testid="new-token"
      // Mantine's yellow title is too pale for 4.5:1 on its own background.
      styles={{ title: { color: 'var(--mantine-color-text)' } }}
    >
      <Stack gap="sm">
        <Text size="sm" fw={600}>
          {t('tokens.once.warning')}
        </Text>
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            ref={field}
            label={t('tokens.once.field')}
            value={token.token}
            readOnly
            style={{ flex: 1 }}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton value={token.token} timeout={3000}>
            {({ copied, copy }) => (
              <Button
                onClick={copy}
                color={copied ? 'teal' : undefined}
                leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
              >
                {copied ? t('common.copied') : t('tokens.once.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">
          {t('tokens.once.use')} <Code>{t('tokens.once.header')}</Code>
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('tokens.once.done')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
